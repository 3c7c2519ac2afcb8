"""A machine without Qt's X libraries gets one line naming the packages to install, not Qt's abort."""

import pytest

from app import __main__ as gdlab
from app import system_libraries
from app.system_libraries import XCB_LIBRARIES, missing_xcb_message, qt_import_error_message, uses_xcb

LACKING = {"libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1"}


def without(sonames):
    return lambda soname: soname not in sonames


def test_missing_xcb_libraries_name_their_packages():
    message = missing_xcb_message({"DISPLAY": ":0"}, without(LACKING))
    assert "\n" not in message and message.startswith("error: Qt's X11 platform needs system libraries")
    assert "sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 " in message
    assert all(soname in message for soname in LACKING)
    assert missing_xcb_message({"DISPLAY": ":0"}, without(set())) is None


@pytest.mark.parametrize("environ,expected", [
    ({"DISPLAY": ":0"}, True),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}, True),
    ({"QT_QPA_PLATFORM": "xcb"}, True),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb;wayland"}, True),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, False),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "wayland;xcb"}, False),
    ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, False),
    ({}, False),
])
def test_only_an_xcb_start_is_checked(environ, expected):
    assert uses_xcb(environ) is expected
    assert (missing_xcb_message(environ, without(LACKING)) is not None) is expected


def test_gdlab_exits_1_with_the_line_before_qt_starts(monkeypatch, capsys):
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(system_libraries, "loadable", without({"libxcb-cursor.so.0"}))
    assert gdlab.main([]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "libxcb-cursor0" in err


def test_this_machine_has_every_library_the_xcb_plugin_links_to():
    """The table is what libqxcb.so needs here (the GUI tests run, so the libraries exist): a soname typo would
    report a present library as missing."""
    assert [s for s in XCB_LIBRARIES if not system_libraries.loadable(s)] == []


def test_a_missing_qt_gui_library_is_worded_too():
    error = ImportError("libEGL.so.1: cannot open shared object file: No such file or directory")
    assert qt_import_error_message(error) == ("error: Qt needs system libraries this machine lacks (libEGL.so.1); "
                                              "install them, e.g. sudo apt-get install libegl1")
    assert qt_import_error_message(ImportError("No module named 'PySide6'")) is None
