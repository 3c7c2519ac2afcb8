"""The Export button that every plot carries: save it as a PNG (at a chosen resolution) or an SVG, or copy it to
the clipboard. One mechanism for every plot of the app: a view (or window) hands the button a function that
returns its pictures (:class:`app.exports.Picture`), and File > Export goes through :func:`save_picture` too.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QMenu, QMessageBox, QStyle, QToolButton, QWidget

from gd_core.files import file_name

from .exports import DEFAULT_PNG_SCALE, PNG_SCALES, Picture
from .folders import ask_save_path, error_text, remember_folder, start_path

SCALE_KEY = "export/png_scale"


def _settings() -> QSettings:
    return QSettings("GD Lab", "GD Lab")


def png_scale() -> int:
    """The chosen PNG resolution (pixels per screen pixel), remembered between launches."""
    try:
        scale = int(_settings().value(SCALE_KEY, DEFAULT_PNG_SCALE))
    except (TypeError, ValueError, OverflowError):  # (a settings file may hold anything: inf, a list)
        return DEFAULT_PNG_SCALE
    return scale if scale in PNG_SCALES else DEFAULT_PNG_SCALE


def tell(widget: QWidget, text: str, kind: str) -> None:
    """Say ``text`` in the status banner of the main window the widget belongs to (a dialog's parent's), or in
    a message box where there is none."""
    window = widget.window()
    while window is not None and not hasattr(window, "show_message"):
        parent = window.parentWidget()
        window = parent.window() if parent is not None else None
    if window is not None:
        window.show_message(text, kind)
    elif kind == "error":
        QMessageBox.warning(widget, "GD Lab", text)


def save_picture(parent: QWidget, picture: Picture, path: str | None = None) -> bool:
    """Ask for a file (unless ``path`` is given) and save ``picture`` there as PNG or SVG; say what happened."""
    from . import exports

    if path is None:
        stem = picture.title.lower().replace(" ", "_")
        formats = "PNG image (*.png)" if exports.is_raster(picture) else "PNG image (*.png);;SVG drawing (*.svg)"
        path = ask_save_path(parent, f"Export {picture.title.lower()}", start_path(stem + ".png"), formats)
        if not path:  # (cancelled, or a file of that name kept)
            return False
    scale = png_scale()
    try:
        exports.export_plot(picture, path, scale)
    except OSError as error:
        tell(parent, f"Not exported: {error_text(error)}", "error")
        return False
    remember_folder(path)
    size = f" at {scale}× resolution" if path.lower().endswith(".png") else ""
    tell(parent, f"Exported {file_name(path)}{size}.", "info")
    return True


def copy_picture(parent: QWidget, picture: Picture) -> None:
    from . import exports

    exports.copy_plot(picture, png_scale())
    tell(parent, f"Copied the {picture.title.lower()} to the clipboard.", "info")


class ExportMenu(QMenu):
    """For each picture: Save as PNG or SVG... and Copy to clipboard; then the PNG resolution (1×, 2×, 4×, 8×).
    Filled when opened: a view's plots may be made late, a window's pictures change."""

    def __init__(self, pictures: Callable[[], list[Picture]], parent: QWidget | None = None):
        super().__init__("Export", parent)
        self.setObjectName("export_menu")
        self.pictures = pictures
        self.aboutToShow.connect(self.fill)

    def fill(self) -> None:
        self.clear()
        pictures = self.pictures()
        owner = self.parentWidget() or self
        from .exports import is_raster

        for picture in pictures:
            name = f" {picture.title.lower()}" if len(pictures) > 1 else ""
            self.addAction(f"Save{name} as PNG{'' if is_raster(picture) else ' or SVG'}...",
                           lambda p=picture: save_picture(owner, p)).setObjectName("export_save")
            self.addAction(f"Copy{name} to clipboard",
                           lambda p=picture: copy_picture(owner, p)).setObjectName("export_copy")
        self.addSeparator()
        scales = self.addMenu("PNG resolution")
        scales.setObjectName("export_scales")
        group = QActionGroup(scales)
        for scale in PNG_SCALES:
            label = {1: "1× (as on screen)", 2: "2× (slides)", 4: "4× (print)"}.get(scale, f"{scale}×")
            action = scales.addAction(label, lambda s=scale: _settings().setValue(SCALE_KEY, s))
            action.setObjectName(f"export_scale_{scale}")
            action.setCheckable(True)
            action.setChecked(scale == png_scale())
            group.addAction(action)


class ExportButton(QToolButton):
    """A flat button with the save icon that opens an :class:`ExportMenu`."""

    def __init__(self, pictures: Callable[[], list[Picture]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setText("Export")
        self.setObjectName("export_button")
        self.setToolTip("Export: save this plot as a PNG image or an SVG drawing, or copy it to the clipboard.")
        # an icon (the text is read by screen readers and in the tooltip): the headers must still fit 1280x720
        self.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.setAccessibleName("Export")
        self.setAutoRaise(True)  # flat until pointed at: one more button in a header, kept quiet
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.export_menu = ExportMenu(pictures, self)
        self.setMenu(self.export_menu)
