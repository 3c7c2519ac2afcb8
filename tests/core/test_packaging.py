"""A clean install: the wheel holds the top-level packages app and gd_core and nothing else; the lessons, kept
in resources/ in the repository, install as package data of gd_core (gd_core.resources)."""

import shutil
import subprocess
import sys
import zipfile
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


def test_the_wheel_installs_app_and_gd_core_with_every_lesson(tmp_path):
    """Built from a copy of the sources (the build leaves build/ and egg-info behind), without build isolation
    (the running environment's setuptools; a few seconds)."""
    pytest.importorskip("setuptools")
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("app", "gd_core", "resources"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation",
                    "--no-index", "-q", "-w", str(tmp_path / "wheel")], check=True, capture_output=True)
    (wheel,) = (tmp_path / "wheel").glob("gdlab-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names} == {"app", "gd_core", wheel.name.split("-py3")[0] + ".dist-info"}
    shipped = {str(p.relative_to(ROOT / "resources")) for p in (ROOT / "resources").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    assert {f"gd_core/resources/{name}" for name in shipped} <= set(names)
    assert any(name.startswith("gd_core/resources/lessons/") and name.endswith(".json") for name in names)
    sources = {str(p.relative_to(ROOT)) for top in ("app", "gd_core") for p in (ROOT / top).rglob("*.py")}
    assert sources <= set(names)
