"""Fixtures for the GUI tests (pytest-qt, offscreen)."""

import pytest

from app import create_window
from app.theme import theme


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path):
    """Every GUI test starts with empty settings (recent files, lesson folder, layout) in a throwaway place."""
    from PySide6.QtCore import QSettings
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for kind in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(kind, QSettings.Scope.UserScope, str(tmp_path / "settings"))


def shown_window(qtbot, lesson: str | None = None, size: tuple[int, int] | None = None):
    """A main window (of ``lesson``) shown on screen, then resized to ``size``; closed with the test."""
    win = create_window(lesson=lesson)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    if size is not None:
        win.resize(*size)
    return win


def lesson_view(qtbot, lesson: str, view_type, size: tuple[int, int]):
    """(model, view): a view of ``lesson``'s session alone, without a main window (a fraction of its cost),
    shown at ``size``."""
    from app.session import SessionModel
    from gd_core.lesson_library import load_lesson

    model = SessionModel()
    model.load_session(load_lesson(lesson))
    view = view_type(model)
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    return model, view


def pixels_of(view_widget, plot, colors, near: int = 24) -> int:
    """How many pixels within ``near`` (per channel) of one of ``colors`` the data area of ``plot`` (a PlotItem
    drawn in ``view_widget``) shows."""
    image = view_widget.grab().toImage()
    area = view_widget.mapFromScene(plot.vb.sceneBoundingRect()).boundingRect()
    count = 0
    for px in range(max(area.left(), 0), min(area.right(), image.width())):
        for py in range(max(area.top(), 0), min(area.bottom(), image.height())):
            got = image.pixelColor(px, py)
            count += any(max(abs(got.red() - want.red()), abs(got.green() - want.green()),
                             abs(got.blue() - want.blue())) <= near for want in colors)
    return count


def counted(method, what, calls: list):
    """``method``, noting ``what`` and the number of points it is given (its first argument's length) in
    ``calls`` at each call: for pinning how much a redraw sets (monkeypatch it onto an item)."""
    def call(*args, **kwargs):
        calls.append((*what, len(args[0]) if args and hasattr(args[0], "__len__") else 0))
        return method(*args, **kwargs)
    return call


@pytest.fixture
def window(qtbot):
    win = shown_window(qtbot)
    yield win
    win.runner.pause()


def double_click(widget, pos) -> None:
    """A left double-click as a person makes one: press, release, double-click, release (QTest.mouseDClick sends
    the double-click event alone, and pyqtgraph's scene reports a click only when the button is released)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos)
    QTest.mouseDClick(widget, Qt.MouseButton.LeftButton, pos=pos)
    QTest.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=pos)


def panel(win, kind):
    return next(p for p in win.panels if type(p).__name__ == kind)


@pytest.fixture(autouse=True)
def answered_dialogs(monkeypatch, tmp_path):
    """Nobody is there to answer "save your changes?" in a test: the answer is Discard (tests of the question
    answer it themselves) and every question asked is listed. Autosave copies go to a throwaway folder."""
    asked = []

    def discard(parent, before):
        asked.append(before)
        return "discard"

    monkeypatch.setattr("app.guard.ask_to_save", discard)
    monkeypatch.setenv("GDLAB_CRASH_DIR", str(tmp_path / "reports"))
    return asked


@pytest.fixture(autouse=True)
def default_theme(qapp):
    """A test that switches the theme or text size leaves the application as it found it."""
    yield
    look = theme()
    if (look.mode, look.text_size) != ("system", "normal"):
        look.mode, look.text_size = "system", "normal"
        look.apply()


@pytest.fixture(autouse=True)
def windows_deleted_after_the_test(qapp, answered_dialogs, default_theme):
    """The windows a test made are deleted as it ends (before the theme is put back): those it gave qtbot, which
    pytest-qt closes with deleteLater() - a deferred delete posted outside an event loop waits for one, often
    a later test's qtbot.wait - and those it made otherwise (the command line's headless window, a shared
    window), which nothing closed. They piled up, thousands of widgets by mid-suite, visible ones among them,
    every one restyled by each theme and text-size change: a Large-text test took 15 s in the suite, 1.7 s alone."""
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QMainWindow

    before = qapp.topLevelWidgets()  # (held: their ids stay theirs)
    known = set(map(id, before))
    yield
    for widget in qapp.topLevelWidgets():
        if id(widget) not in known and (isinstance(widget, QMainWindow) or widget.isVisible()):
            widget.close()
            widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    # What the deleted windows held in Python reference cycles (their plots' menus: Python-owned Qt objects) is
    # freed here, not by a collection that happens to run inside a later Qt call: a window's setup hung once in
    # a pyqtgraph signal disconnect, its one thread waiting on a lock for good - most likely such a collection
    # destroying a menu whose destructor took the signal lock already held.
    gc.collect()
    # What is still alive now (the modules, the application, a module's shared window) is moved out of the
    # collector's sight (gc.freeze): each test's collection then walks only the objects made since the last one -
    # 1 ms, where walking everything (75,000 objects, Qt wrappers among them) took 50-250 ms at every GUI test.
    # A frozen object is still freed when its last reference goes; only a reference cycle among frozen objects
    # is never freed (a shared window's menus: a little memory), and it is never destroyed inside a Qt call.
    gc.freeze()
