"""Before Qt starts: the system libraries it needs, checked so that a machine without them gets one line naming
the packages to install instead of Qt's own abort ("Could not load the Qt platform plugin "xcb" ...").

Qt's X11 platform plugin (PySide6/Qt/plugins/platforms/libqxcb.so and libQt6XcbQpa.so.6) links to the X
libraries below (read with ``ldd``); pip installs none of them. QtGui itself needs a few more, missing ones
show as an ImportError of PySide6, which :func:`qt_import_error_message` words the same way. Package names are
Debian's and Ubuntu's (``apt-get install``); other distributions name them alike.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
from collections.abc import Callable, Mapping

#: soname -> package, for everything the xcb plugin links to beyond what QtGui and the C runtime need
XCB_LIBRARIES = {
    "libxcb.so.1": "libxcb1",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}
#: soname -> package, for what QtGui and QtWidgets load on any platform
QT_GUI_LIBRARIES = {
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
}


def loadable(soname: str) -> bool:
    """Whether the dynamic linker finds and loads ``soname``."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def uses_xcb(environ: Mapping[str, str]) -> bool:
    """Whether Qt will start its X11 (xcb) platform: QT_QPA_PLATFORM names xcb first, or it is unset on Linux with
    an X display and no Wayland session (where Qt would take Wayland)."""
    first = environ.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if first:
        return first == "xcb"
    return sys.platform.startswith("linux") and bool(environ.get("DISPLAY")) and not environ.get("WAYLAND_DISPLAY")


def _install_line(what: str, sonames: list[str], table: Mapping[str, str]) -> str:
    packages = " ".join(dict.fromkeys(table[s] for s in sonames))
    return (f"error: {what} needs system libraries this machine lacks ({', '.join(sonames)}); install them, "
            f"e.g. sudo apt-get install {packages}")


def missing_xcb_message(environ: Mapping[str, str] | None = None,
                        load: Callable[[str], bool] | None = None) -> str | None:
    """One line naming the packages to install when Qt will use xcb and some of its libraries are missing;
    None when nothing is missing or another platform is used. (Defaults: this process's environment and
    :func:`loadable`.)"""
    if not uses_xcb(os.environ if environ is None else environ):
        return None
    load = load or loadable
    missing = [soname for soname in XCB_LIBRARIES if not load(soname)]
    if not missing:
        return None
    return (_install_line("Qt's X11 platform", missing, XCB_LIBRARIES)
            + " (or run without a window: QT_QPA_PLATFORM=offscreen gdlab --screenshot ...)")


def qt_import_error_message(error: ImportError) -> str | None:
    """One line for a PySide6 import that failed on a missing system library ("libEGL.so.1: cannot open shared
    object file"); None for any other import error."""
    named = re.findall(r"(lib[\w.+-]+\.so(?:\.\d+)*)", str(error))
    missing = [soname for soname in named if soname in QT_GUI_LIBRARIES or soname in XCB_LIBRARIES]
    if not missing:
        return None
    return _install_line("Qt", missing, {**QT_GUI_LIBRARIES, **XCB_LIBRARIES})
