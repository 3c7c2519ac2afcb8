"""What a process of GD Lab imports when it starts: the package ``gd_core`` imports its modules when a name of them is
first asked for (PEP 562), so the sweep worker imports what it uses and not the rest
(bench/start_up.py measures the time; these tests pin the mechanism, never a duration)."""

import json
import subprocess
import sys

import pytest

import gd_core

#: the modules imported, printed to standard error (the sweep worker's answers own its standard output)
PRINT_MODULES = "import json, sys; print(json.dumps(sorted(sys.modules)), file=sys.stderr)"
#: what only the window uses (start a process), run_many's permuting thread, or a process that writes a file
NOT_AT_START = {"subprocess", "concurrent.futures", "tempfile"}


def _modules(code: str) -> set[str]:
    result = subprocess.run([sys.executable, "-c", code], stdin=subprocess.DEVNULL, capture_output=True, timeout=60,
                            check=True)
    return set(json.loads(result.stderr.decode().strip().splitlines()[-1]))


def _ours(modules: set[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] == "gd_core"}


def test_importing_the_package_imports_none_of_its_modules():
    assert _ours(_modules("import gd_core; " + PRINT_MODULES)) == {"gd_core"}


def test_the_sweep_worker_starts_without_what_it_never_uses():
    """``python -m gd_core.sweep_worker``, here on an empty request (it answers an error and ends): it imports its
    sweep and scaling at start, not the loss landscape, nor a thread pool, a process or a temporary file."""
    code = ("import runpy\ntry:\n    runpy.run_module('gd_core.sweep_worker', run_name='__main__')\n"
            "except SystemExit:\n    pass\n" + PRINT_MODULES)
    modules = _modules(code)
    assert {"gd_core.sweep", "gd_core.batch_scaling"} <= modules
    assert modules & (NOT_AT_START | {"gd_core.landscape"}) == set()


@pytest.mark.parametrize("name", gd_core.__all__)
def test_each_public_name_is_the_one_of_its_module(name):
    value = getattr(gd_core, name)
    assert any(getattr(module, name, None) is value for module in list(sys.modules.values())
               if getattr(module, "__name__", "").startswith("gd_core."))
    assert name in dir(gd_core)


def test_names_and_modules_of_the_package_as_before():
    namespace: dict = {}
    exec("from gd_core import *", namespace)
    assert set(gd_core.__all__) <= set(namespace)
    assert gd_core.run({"steps": 3}).status == "completed"
    from gd_core import ConfigError, resolve  # noqa: F401
    assert gd_core.sweep.run_sweep is not None and gd_core.problems.base.Problem is gd_core.Problem
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        gd_core.no_such_name  # noqa: B018


def test_asking_the_package_for_a_name_it_lacks_runs_nothing():
    """An unknown name is looked for as a module of the package (gd_core.sweep): hasattr(gd_core, "__main__") ran
    gdlab-run (gd_core/__main__.py) and ended the process, and a dotted name raised ModuleNotFoundError, which
    hasattr does not catch. Neither is a module name the package has as an attribute."""
    code = "import gd_core; print(hasattr(gd_core, '__main__'), hasattr(gd_core, 'cli.main'), hasattr(gd_core, 'cli'))"
    result = subprocess.run([sys.executable, "-c", code], stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    assert (result.returncode, result.stdout.decode().split()) == (0, ["False", "False", "True"])
