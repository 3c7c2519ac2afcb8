"""Run by test_real_window.py in a real X window (Xvfb, xcb): opens GD Lab as ``gdlab`` would - the default
window and ``--preset`` of every lesson - then opens every lesson from the Lessons menu in one window; after
each, checks that the window and its docks lie within the screen, hovers every plot and checks that the window's
size did not change. Prints one JSON object: {"problems": [...], "sizes": {...}}."""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


def inside(area: QRect, rect: QRect) -> bool:
    return area.contains(rect)


def hover_plots(app, win) -> None:
    """Move over every visible plot at a few points (as the pointer does: the plots' read-outs update)."""
    for view in (win.space_view, win.loss_view, win.data_view):
        if not view.isVisible():
            continue
        viewport = view.plot.viewport()
        for fx, fy in ((0.2, 0.2), (0.5, 0.5), (0.85, 0.7), (0.6, 0.15)):
            pos = QPoint(int(viewport.width() * fx), int(viewport.height() * fy))
            QApplication.sendEvent(viewport, QMouseEvent(QEvent.Type.MouseMove, QPointF(pos),
                                                         QPointF(viewport.mapToGlobal(pos)), Qt.MouseButton.NoButton,
                                                         Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier))
            app.processEvents()


def check(app, win, label: str, problems: list, sizes: dict) -> None:
    QTest.qWait(150)
    area = win.screen().availableGeometry()
    if not inside(area, win.frameGeometry()):
        problems.append(f"{label}: window {win.frameGeometry().getRect()} outside the screen {area.getRect()}")
    for dock in win.docks:
        if dock.isVisible() and not dock.visibleRegion().isEmpty():  # not a tab behind another
            rect = QRect(dock.mapToGlobal(QPoint(0, 0)), dock.size())
            if not inside(area, rect):
                problems.append(f"{label}: {dock.objectName()} {rect.getRect()} outside the screen {area.getRect()}")
    size = win.size()
    hover_plots(app, win)
    QTest.qWait(50)
    if win.size() != size:
        problems.append(f"{label}: hovering changed the window from {size.toTuple()} to {win.size().toTuple()}")
    sizes[label] = win.frameGeometry().size().toTuple()


def main() -> int:
    app = QApplication(sys.argv[:1])
    from app import create_window
    from gd_core.lesson_library import list_lessons

    lessons = [name for name, _ in list_lessons()]
    problems: list[str] = []
    sizes: dict = {}
    for preset in [None, *lessons]:  # gdlab / gdlab --preset NAME
        win = create_window(lesson=preset)
        win.show()
        QTest.qWaitForWindowExposed(win)
        check(app, win, preset or "default", problems, sizes)
        if preset != lessons[-1]:
            win.close()
    for name in lessons:  # Lessons menu, one after the other in the same window
        win.files.open_lesson(name)
        check(app, win, f"opened {name}", problems, sizes)
    print(json.dumps({"problems": problems, "sizes": sizes,
                      "screen": win.screen().availableGeometry().getRect()}))
    win.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
