"""Pictures and tables out of the app: a plot as PNG or SVG, the window as PNG, histories as CSV, a plot to the
clipboard. Every function raises OSError with a readable message when the file cannot be written."""

from __future__ import annotations

import contextlib
import math
import os
from typing import NamedTuple

from PySide6.QtCore import QBuffer, QIODevice, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QFont,
    QImage,
    QPainter,
    QPalette,
    QPixmap,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import QApplication, QWidget

from gd_core.files import (
    Writer,
    bytes_writer,
    csv_writer,
    text_writer,
    unique_stems,
    write_file,
    write_into,
    write_text,
)

from .theme import theme

PLOT_FORMATS = {".png": "PNG image", ".svg": "SVG drawing"}
#: PNG pictures are drawn at this many pixels per screen pixel: 1 as on screen, 2 (the default) for a sharp slide,
#: 4 or 8 for print (a 500-pixel-wide plot at 4x is 2000 pixels, 300 dpi over 17 cm)
PNG_SCALES = (1, 2, 4, 8)
DEFAULT_PNG_SCALE = 2


class Picture(NamedTuple):
    """One exportable plot: what it is called, the graphics item drawn (a PlotItem, or the layout of several),
    the plot whose title row carries the legend in a picture, and the legend as rich text (the window shows it
    in a row above the plot, outside the item; a picture must name its curves too). The 3D view's item is no
    graphics item but its canvas, which draws the scene at a scale (``image_at(scale) -> QImage``): PNG only."""

    title: str
    item: object
    legend_plot: object = None
    legend: str = ""


def export_plot(view, path: str, scale: int = DEFAULT_PNG_SCALE) -> None:
    """Save a view's plot (a :class:`Picture`, or a view with ``picture()``) as PNG, ``scale`` pixels per screen
    pixel, or as SVG (by the file's extension)."""
    picture = view if isinstance(view, Picture) else view.picture()
    ext = os.path.splitext(path)[1].lower()
    if is_raster(picture):
        if ext != ".png":
            raise OSError(f"{os.path.basename(path)}: the {picture.title} view is a picture: choose a .png file")
        image = raster_image(picture, scale)
        write_file(path, image_writer(image))
        return
    if ext not in PLOT_FORMATS:
        raise OSError(f"{os.path.basename(path)}: choose a .png or .svg file")
    with legend_shown(picture):
        if ext == ".png":
            write_file(path, image_writer(png_exporter(picture.item, scale).export(toBytes=True)))
        else:
            svg = svg_text(picture.item)
            write_file(path, text_writer(svg))


def is_raster(picture: Picture) -> bool:
    """Whether a picture is drawn as pixels only (the 3D view): no SVG of it."""
    return hasattr(picture.item, "image_at")


def raster_image(picture: Picture, scale: int) -> QImage:
    """A raster picture (the 3D view) at ``scale``, its legend (when it has one) in a row above it: in the axis
    labels' font at that scale, wrapped to the picture's width, on the plot background."""
    image = picture.item.image_at(scale)
    if not picture.legend:
        return image
    look = theme()
    doc = QTextDocument()
    font = QFont(QApplication.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    doc.setDefaultFont(font)
    doc.setHtml(f'<div align="center">{picture.legend}</div>')
    doc.setTextWidth(image.width())
    top = math.ceil(doc.size().height())
    framed = QImage(image.width(), top + image.height(), QImage.Format.Format_ARGB32)
    framed.fill(look.color("base"))
    painter = QPainter(framed)
    try:
        context = QAbstractTextDocumentLayout.PaintContext()
        context.palette.setColor(QPalette.ColorRole.Text, look.color("text"))
        doc.documentLayout().draw(painter, context)
        painter.drawImage(0, top, image)
    finally:
        painter.end()
    return framed


def png_exporter(item, scale: int):
    """pyqtgraph's image exporter for ``item``, ``scale`` pixels per screen pixel (fonts and pens scale too)."""
    exporter = pg_exporters().ImageExporter(item)
    exporter.parameters()["width"] = max(1, round(item.boundingRect().width() * scale))
    return exporter


def svg_text(item) -> str:
    """The SVG of a graphics item, from pyqtgraph's SVG exporter (it draws each item on its own, clips the
    plot area, writes scatter symbols as paths and text as text - Qt's SVG generator on the whole widget does
    none of that, and other renderers then misplace and garble what it wrote)."""
    exporter = pg_exporters().SVGExporter(item)
    # A view box maps its curves to the screen lazily, just before the scene paints (a PNG export paints; the SVG
    # exporter only reads the transforms): without this the curves of a plot whose legend title was just added
    # were written where the plot was before, shifted by the legend's height against the axes.
    item.scene().prepareForPaint()
    return exporter.export(toBytes=True).decode("utf-8")


@contextlib.contextmanager
def legend_shown(picture: Picture):
    """While a picture is taken, its legend is the title row of its legend plot, in the axis labels' font size
    (legible next to them at any scale); the window's plot is as before afterwards."""
    plot = picture.legend_plot
    if plot is None or not picture.legend:
        yield
        return
    shape = picture.item.geometry()
    # the axis labels' size (app.theme.Theme.style_plot): the application's font, which follows the text size
    plot.setTitle(picture.legend, size=f"{QApplication.font().pointSizeF():g}pt", color=theme().color("text"))
    # The legend wraps between entries at the plot's width, lines centred, as the window's legend row does, and the
    # picture grows by its height: the plot itself is framed as on screen. On one row it widened the picture
    # (lesson 8's parameter space spanned -7.7..7.7 against -5..5 on screen, its aspect kept; a data plot in the
    # lab report was 700x169), and a fixed 30-px title row took its height from the plot.
    label = plot.titleLabel
    layout = plot.layout
    left, _, right, _ = layout.getContentsMargins()
    layout.removeItem(label)  # the title spans every column of the plot (not the view box's alone) while shown
    layout.addItem(label, 0, 0, 1, layout.columnCount())
    label.item.document().setDefaultTextOption(QTextOption(Qt.AlignmentFlag.AlignHCenter))
    label.item.setTextWidth(plot.width() - left - right)
    label.updateMin()
    height = label.item.boundingRect().height()
    label.setMaximumHeight(height)
    layout.setRowFixedHeight(0, height)
    # in a picture of several plots (the optimizer state) the legend's height goes to the legend plot alone: the
    # layout shared it out, and the first plot, under the legend, was ~10 px shorter than on screen
    held = _heights_held(picture.item, plot, height)
    picture.item.setGeometry(shape.adjusted(0, 0, 0, height))
    layout.activate()
    _taken.append(picture.item)
    try:
        yield
    finally:
        _taken.pop()
        for row, least, most in held:
            picture.item.layout.setRowMinimumHeight(row, least)
            picture.item.layout.setRowMaximumHeight(row, most)
        label.item.setTextWidth(-1)
        plot.setTitle(None)
        # A legend wider than the plot had grown the plot to the legend's width, and the hidden title still held
        # it there (its minimum width, pyqtgraph's LabelItem.updateMin): a view narrower than its legend kept a
        # plot wider than the view, the colour bar pushed out of sight, for the rest of the session.
        plot.titleLabel.setText("")
        layout.removeItem(label)
        layout.addItem(label, 0, 1)  # where pyqtgraph keeps it
        layout.activate()
        picture.item.setGeometry(shape)


def _heights_held(item, plot, extra: float) -> list[tuple]:
    """Hold each row of a layout of plots ``item`` (a pyqtgraph GraphicsLayout) at its height, the row of ``plot``
    at ``extra`` more; return what to restore: (row, its least height, its greatest height) - the rows' own
    bounds, not the plots' (a plot's least height, read back, is its size hint of the moment, and set back it
    would have held the plot there for good). Nothing for a picture of one plot."""
    if item is plot or not isinstance(getattr(item, "items", None), dict):  # (a PlotItem's items are a list)
        return []
    rows: dict[int, float] = {}
    for part, cells in item.items.items():
        for row, _ in cells:
            rows[row] = max(rows.get(row, 0.0), part.height() + (extra if part is plot else 0.0))
    grid = item.layout
    held = [(row, grid.rowMinimumHeight(row), grid.rowMaximumHeight(row)) for row in rows]
    for row, tall in rows.items():
        grid.setRowFixedHeight(row, tall)
    return held


#: The graphics items pictures are being taken of (:func:`legend_shown`), the innermost last.
_taken: list = []


def picture_taken():
    """The graphics item a picture is being taken of, or None: an axis that draws its labels only where the window
    shows them (app.views.base.EdgeAxis) draws them where the picture does - taller than the plot widget by its
    legend, a picture lost the tick labels of its lower plots (the optimizer state's learning rate and step
    sizes)."""
    return _taken[-1] if _taken else None


_exporters = None


def pg_exporters():
    """pyqtgraph's exporters with its SVG exporter able to read closed paths (see :func:`_closed_paths_kept`);
    imported on first use (their SVG support costs start-up time)."""
    global _exporters
    if _exporters is None:
        import importlib

        import pyqtgraph.exporters as exporters
        module = importlib.import_module("pyqtgraph.exporters.SVGExporter")
        if not getattr(module.correctCoordinates, "keeps_closed_paths", False):
            module.correctCoordinates = _closed_paths_kept(module.correctCoordinates)
        _exporters = exporters
    return _exporters


def _closed_paths_kept(correct_coordinates):
    """pyqtgraph 0.14's SVG exporter reads every token of a path as "x,y" and raises ValueError on the "Z" that
    closes a subpath (pyqtgraph issue 3495), which Qt writes for a rectangle's outline or a star symbol. Wrapped:
    the Z tokens are taken out before it transforms the coordinates and put back at their places after."""
    def correct(node, defs, item, options):
        closes = {}
        for path in _elements(node, "path"):
            tokens = path.getAttribute("d").split()
            closes[path] = [k for k, token in enumerate(tokens) if token in ("Z", "z")]
            path.setAttribute("d", " ".join(token for token in tokens if token not in ("Z", "z")))
        correct_coordinates(node, defs, item, options)
        for path, places in closes.items():
            tokens = path.getAttribute("d").split()
            for k in places:
                tokens.insert(k, "Z")
            path.setAttribute("d", " ".join(tokens))
    correct.keeps_closed_paths = True
    return correct


def _elements(node, tag: str):
    if getattr(node, "tagName", None) == tag:
        yield node
    for child in node.childNodes:
        yield from _elements(child, tag)


def export_window(window: QWidget, path: str) -> None:
    if not path.lower().endswith(".png"):
        raise OSError(f"{os.path.basename(path)}: the window is saved as a .png file")
    write_file(path, image_writer(window.grab()))


def history_file_names(model) -> list[str]:
    """The file each run's history is exported to: ``<run name>.csv``, one name per run."""
    return [f"{stem}.csv" for stem in unique_stems(run.name for run in model.runs)]


def export_histories(model, folder: str) -> list[str]:
    """Every run's full history as ``folder/<run name>.csv``, all or none; returns the file names."""
    names = history_file_names(model)
    write_into(folder, [(os.path.join(folder, name), csv_writer(run.history.header(), run.history.csv_rows()))
                        for name, run in zip(names, model.runs)])
    return names


def copy_plot(view, scale: int = DEFAULT_PNG_SCALE) -> None:
    """Put a view's plot on the clipboard as an image (legend included, ``scale`` pixels per screen pixel).
    Not also as SVG: a QMimeData handed to the clipboard from Python crashes PySide 6 when the application
    exits (seen offscreen, exit code 139), an image does not."""
    QApplication.clipboard().setImage(picture_image(view if isinstance(view, Picture) else view.picture(), scale))


def picture_image(picture: Picture, scale: int) -> QImage:
    """A picture as an image, ``scale`` pixels per screen pixel, its legend included."""
    if is_raster(picture):
        return raster_image(picture, scale)
    with legend_shown(picture):
        return png_exporter(picture.item, scale).export(toBytes=True)


def image_bytes(image: QImage | QPixmap, form: str = "PNG") -> bytes:
    """``image`` encoded as a ``form`` file ("PNG", "JPG", "BMP"); OSError when Qt cannot."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, form):
        raise OSError(5, f"could not encode the picture as {form}")
    return bytes(buffer.data())


def image_writer(image: QImage | QPixmap, form: str = "PNG") -> Writer:
    """A writer of ``image`` as a ``form`` file, encoded here and written by Python: Qt's file names drop bytes that
    are not UTF-8 (a picture into a folder "caf\\xe9" went to "caf": nothing was written)."""
    return bytes_writer(image_bytes(image, form))


#: (view, its dock) of the measured quantities a lab report pictures when they have something to show.
_MEASURED = (("sharpness_view", "sharpness_dock"), ("noise_scale_view", "noise_scale_dock"),
             ("accuracy_view", "accuracy_dock"))


def lab_report(window, author: str = "") -> str:
    """The session as a lab report (see :func:`gd_core.report.lab_report_html`): the visible plots as exported
    (each names its runs in a legend: a plot's legend row in the window is outside the plot), every run's settings
    and results, the lesson's questions with the student's answers and, once revealed, the true ones."""
    from gd_core.report import ReportRun, lab_report_html  # here: a launch never writes a report
    from gd_core.results import state_word

    model, panel = window.model, window.lesson_panel
    views = [view for view in (window.space_view, window.loss_view, window.data_view)
             if (view.isVisible() or not window.isVisible()) and not view.nothing_to_picture()]
    # the measured quantities too, from the tabs below the plots that are open, whichever is in front: lessons 16,
    # 17 and 25 are about their sharpness, noise scale and accuracy, and the report held none of them
    views += [view for view in (getattr(window, name) for name, dock in _MEASURED if not getattr(window, dock)
                                .isHidden()) if not view.nothing_to_picture()]
    # where any run names its start, every run's start as it started (a duplicate names its start, the run it
    # copies leaves the problem's default: the same start read as a difference); its state as the window says it
    # (a paused run read "running")
    named, running = any(r.config.get("init") is not None for r in model.runs), window.runner.running
    with theme().on_paper():  # the report is a light page, printed: its pictures in the light palette
        images = {view.title: image_bytes(picture_image(view.picture(), 1)) for view in views}
        # each run's swatch in the colour its curves have in the report's pictures (the light palette's shade)
        swatches = [theme().shade(r.color).name() for r in model.runs]
    runs = [ReportRun(r.name, swatch, {**r.config, "init": r.history.params[0].tolist()} if named else r.config,
                      r.history, r.trainer.problem.min_loss, state_word(r.history.status, r.trainer.step, running))
            for r, swatch in zip(model.runs, swatches)]
    truths = panel.truths() if model.answers_revealed else []
    challenge = model.challenge.text if model.challenge is not None else ""
    return lab_report_html(model.title, model.text, runs, model.view["tolerance"], images, model.questions, truths,
                           model.answers, challenge, model.challenge_met, author)


def export_lab_report(window, path: str, author: str = "") -> None:
    """Write :func:`lab_report` as one self-contained HTML file."""
    if not path.lower().endswith((".html", ".htm")):
        raise OSError(f"{os.path.basename(path)}: the lab report is saved as an .html file")
    write_text(path, lab_report(window, author))
