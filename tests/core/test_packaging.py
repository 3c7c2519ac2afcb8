"""A clean install: the top-level packages app and gd_core and nothing else; the lessons, kept in resources/ in
the repository, install as package data of gd_core (gd_core.resources)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
tomllib = pytest.importorskip("tomllib")  # Python 3.11+
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def source_packages() -> set[str]:
    """Every package of the source tree, as setuptools names it once installed."""
    found = {".".join(p.parent.relative_to(ROOT).parts) for top in ("app", "gd_core")
             for p in (ROOT / top).rglob("__init__.py")}
    return found | {"gd_core.resources"} | {"gd_core.resources." + ".".join(d.relative_to(ROOT / "resources").parts)
                                          for d in (ROOT / "resources").rglob("*")
                                          if d.is_dir() and d.name != "__pycache__"}


def test_the_configured_packages_are_the_source_tree_under_two_top_level_names():
    """The package list is explicit (a mapped package cannot be found by setuptools' discovery): a new
    subpackage missing from it would silently be left out of the install."""
    assert set(CONFIG["packages"]) == source_packages()
    assert {name.split(".")[0] for name in CONFIG["packages"]} == {"app", "gd_core"}
    assert CONFIG["package-dir"] == {"gd_core.resources": "resources"}


#: setuptools' build_py, configured from pyproject.toml: it lays out in a folder exactly the packages and data
#: files a wheel installs (pip's wheel build zips that folder with the metadata), without needing the wheel
#: package or a package index
BUILD_PY = """
import sys
from setuptools.config.pyprojecttoml import apply_configuration
from setuptools.dist import Distribution

dist = apply_configuration(Distribution({"script_name": "setup.py"}), "pyproject.toml")
dist.get_command_obj("build_py").build_lib = sys.argv[1]
dist.run_command("build_py")
"""


def test_an_install_holds_app_and_gd_core_with_every_resource_file(tmp_path):
    """Built from a copy of the sources (a build leaves egg-info behind); well under a second."""
    pytest.importorskip("setuptools")
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("app", "gd_core", "resources"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-c", BUILD_PY, str(tmp_path / "lib")], cwd=source, check=True,
                   capture_output=True)
    installed = {str(p.relative_to(tmp_path / "lib")) for p in (tmp_path / "lib").rglob("*") if p.is_file()}
    assert {name.split("/")[0] for name in installed} == {"app", "gd_core"}
    shipped = {str(p.relative_to(ROOT / "resources")) for p in (ROOT / "resources").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    assert {f"gd_core/resources/{name}" for name in shipped} <= installed
    assert any(name.startswith("gd_core/resources/lessons/") and name.endswith(".json") for name in installed)
    sources = {str(p.relative_to(ROOT)) for top in ("app", "gd_core") for p in (ROOT / top).rglob("*.py")}
    assert sources <= installed
