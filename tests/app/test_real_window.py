"""GD Lab in a real X window (Xvfb, xcb) on a classroom's screens: 1280x720 projectors, 1366x768 laptops and
1920x1080 at 150 % scaling. The window and all its docks lie within the screen at start, with ``--preset`` of
every lesson and after opening every lesson; hovering every plot leaves the window's size unchanged
(tests/app/window_probe.py does the looking). Skipped where Xvfb is not installed."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gd_core.lesson_library import list_lessons

DISPLAYS = range(120, 130)  # display numbers this test may use
SCREENS = [("1280x720", "1"), ("1366x768", "1"), ("1920x1080", "1.5")]
ROOT = Path(__file__).resolve().parents[2]


def _free_display() -> int:
    for number in DISPLAYS:
        if not os.path.exists(f"/tmp/.X{number}-lock") and not os.path.exists(f"/tmp/.X11-unix/X{number}"):
            return number
    pytest.skip(f"no free X display number in {DISPLAYS.start}..{DISPLAYS.stop - 1}")


@pytest.fixture
def xvfb():
    """Start an Xvfb of a given size; yields a function screen -> DISPLAY; stops every server it started."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb): the real-window checks need an X server")
    servers = []

    def start(screen: str) -> str:
        number = _free_display()
        server = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", f"{screen}x24", "-nolisten", "tcp"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        servers.append(server)
        deadline = time.monotonic() + 10
        while not os.path.exists(f"/tmp/.X11-unix/X{number}"):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.skip(f"Xvfb :{number} did not start")
            time.sleep(0.05)
        return f":{number}"
    yield start
    for server in servers:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize("screen, scale", SCREENS)
def test_the_window_fits_the_screen_and_holds_still(xvfb, tmp_path, screen, scale):
    display = xvfb(screen)
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "QT_SCALE_FACTOR": scale,
           "XDG_CONFIG_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "tests.app.window_probe"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["problems"] == [], "\n".join(report["problems"])
    assert len(report["sizes"]) == 1 + 2 * len(list_lessons())  # the default window, each lesson at start and opened
