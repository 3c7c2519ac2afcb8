"""A pyqtgraph 3D scene drawn off screen and shown as a picture.

A QOpenGLWidget placed in a window turns on OpenGL composition for that whole window, for good: every later
repaint of every plot goes through OpenGL (with a software renderer such as Mesa's llvmpipe - virtual machines,
remote desktops, Xvfb - that doubled the 2D plots' frame time once the 3D tab had been shown). Here the
GLViewWidget is never shown: it renders into its framebuffer when its scene or camera changes (at most once per
turn of the event loop), and a plain widget paints that picture and hands it the mouse (drag to rotate, wheel to
zoom). The window stays a raster window, and a grab of it shows the 3D view as it is.

Imported only where OpenGL works (it imports pyqtgraph.opengl, which needs PyOpenGL).
"""

from __future__ import annotations

import pyqtgraph.opengl as gl
from PySide6.QtCore import QCoreApplication, QSize, QTimer, Signal
from PySide6.QtGui import QImage, QPainter, QResizeEvent
from PySide6.QtWidgets import QWidget


class SceneRenderer(gl.GLViewWidget):
    """pyqtgraph's 3D view, never shown: a repaint it asks for (items' new data, camera moves) is announced."""

    changed = Signal()

    def update(self) -> None:  # the items and the camera call it; nothing is on screen to update
        self.changed.emit()


class GLCanvas(QWidget):
    """Shows :attr:`scene` (a :class:`SceneRenderer`: add items to it, set its camera) and passes it the mouse."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.scene = SceneRenderer()  # no parent: a child OpenGL widget would turn on the window's composition
        self.destroyed.connect(self.scene.deleteLater)
        self.image = QImage()
        self.renders = 0
        self._pending = QTimer(self, singleShot=True, interval=0)
        self._pending.timeout.connect(self.render)
        self.scene.changed.connect(self._pending.start)
        self.setMinimumSize(80, 60)

    def render(self) -> None:
        """Draw the scene now, at the canvas's size, and show it."""
        self._pending.stop()
        self.image = self._draw(self.size())
        self.renders += 1
        super().update()

    def _draw(self, size: QSize) -> QImage:
        """The scene drawn at ``size`` (device pixels: times the screen's pixel ratio)."""
        if self.scene.size() != size:
            old = self.scene.size()
            self.scene.resize(size)
            # a hidden widget gets its resize event when shown, which it never is: its framebuffer is made anew
            # at the new size only on this event (without it, a larger canvas showed uninitialised memory)
            QCoreApplication.sendEvent(self.scene, QResizeEvent(size, old))
        return self.scene.grabFramebuffer()  # renders first

    def image_at(self, scale: int) -> QImage:
        """The scene at ``scale`` times the canvas's size in pixels, for an export (drawn as on screen, larger;
        lines and points keep their widths in pixels)."""
        self.catch_up()
        ratio = self.scene.devicePixelRatioF()
        image = self._draw(QSize(round(self.width() * scale / ratio), round(self.height() * scale / ratio)))
        self._pending.start()  # back to the canvas's size at the next turn
        image.setDevicePixelRatio(1.0)
        return image

    def catch_up(self) -> None:
        """Render now what waits for the next turn of the event loop (before a picture is taken)."""
        if self._pending.isActive() or self.image.size() != self.size() * self.devicePixelRatio():
            self.render()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.drawImage(self.rect(), self.image)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._pending.start()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._pending.start()

    def mousePressEvent(self, event) -> None:
        self.scene.mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        self.scene.mouseMoveEvent(event)  # orbit, or pan with Ctrl

    def wheelEvent(self, event) -> None:
        self.scene.wheelEvent(event)  # zoom
