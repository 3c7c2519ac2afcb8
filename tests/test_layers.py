"""The layer contracts of pyproject.toml ([tool.importlinter]) hold, checked statically by import-linter (a test
extra, so CI runs it): gd_core imports no Qt, pyqtgraph or app; the session model is Qt-free; views and panels
never import each other; each package's layers import only downwards. A copy of the code with one forbidden
import added breaks them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("importlinter", reason="import-linter is not installed (pip install -e '.[test]' brings it)")

ROOT = Path(__file__).resolve().parent.parent
LINT = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))"


def lint(folder: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` on the packages in ``folder`` (they shadow the installed ones), with its pyproject.toml."""
    env = {**os.environ, "PYTHONPATH": str(folder)}
    return subprocess.run([sys.executable, "-c", LINT], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=300)


def test_the_layer_contracts_hold():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout and " BROKEN" not in result.stdout


def test_a_forbidden_import_breaks_them(tmp_path):
    for name in ("gd_core", "app"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "resources"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with open(tmp_path / "gd_core" / "optimizers.py", "a") as f:
        f.write("\nimport PySide6  # noqa\nfrom . import config  # noqa\n")
    with open(tmp_path / "app" / "views" / "formula.py", "a") as f:
        f.write("\nfrom ..panels import base  # noqa\n")
    result = lint(tmp_path)
    assert result.returncode != 0
    for broken in ("gd_core.optimizers -> PySide6", "gd_core.optimizers -> gd_core.config",
                   "app.views.formula -> app.panels.base"):
        assert broken in result.stdout, broken
