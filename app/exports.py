"""Pictures and tables out of the app: a plot as PNG or SVG, the window as PNG, histories as CSV, a plot to the
clipboard. Every function raises OSError with a readable message when the file cannot be written."""

from __future__ import annotations

import os

import pyqtgraph.exporters as exporters
from PySide6.QtCore import QBuffer, QIODevice, QRect
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication, QWidget

from gd_core.files import csv_writer, unique_stems, write_file, write_files, write_text
from gd_core.report import ReportRun, lab_report_html

PLOT_FORMATS = {".png": "PNG image", ".svg": "SVG drawing"}


def export_plot(view, path: str) -> None:
    """Save a view's plot as PNG or SVG (by the file's extension)."""
    ext = os.path.splitext(path)[1].lower()
    if ext not in PLOT_FORMATS:
        raise OSError(f"{os.path.basename(path)}: choose a .png or .svg file")
    if ext == ".png":
        exporter = exporters.ImageExporter(view.plot.getPlotItem())
        exporter.parameters()["width"] = max(800, int(view.plot.width()) * 2)
        write_file(path, exporter.export)
    else:  # Qt's own SVG generator: pyqtgraph's SVG exporter fails on some curve paths
        write_file(path, lambda tmp: _render_svg(view.plot, tmp, view.title))


def _render_svg(widget, path: str, title: str) -> None:
    size = widget.size()
    generator = QSvgGenerator()
    generator.setFileName(path)
    generator.setSize(size)
    generator.setViewBox(QRect(0, 0, size.width(), size.height()))
    generator.setTitle(f"GD Lab - {title}")
    painter = QPainter(generator)
    try:
        widget.render(painter)
    finally:
        painter.end()


def export_window(window: QWidget, path: str) -> None:
    if not path.lower().endswith(".png"):
        raise OSError(f"{os.path.basename(path)}: the window is saved as a .png file")
    write_file(path, lambda tmp: window.grab().save(tmp, "PNG"))


def export_histories(model, folder: str) -> list[str]:
    """Every run's full history as ``folder/<run name>.csv``, all or none; returns the file names."""
    os.makedirs(folder, exist_ok=True)
    names = [f"{stem}.csv" for stem in unique_stems(run.name for run in model.runs)]
    write_files([(os.path.join(folder, name), csv_writer(run.history.header(), run.history.csv_rows()))
                 for name, run in zip(names, model.runs)])
    return names


def copy_plot(view) -> None:
    """Put a picture of a view's plot on the clipboard."""
    QApplication.clipboard().setPixmap(view.plot.grab())


def _png_bytes(widget) -> bytes:
    """A picture of a widget as PNG bytes."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    widget.grab().save(buffer, "PNG")
    return bytes(buffer.data())


def lab_report(window, author: str = "") -> str:
    """The session as a lab report (see :func:`gd_core.report.lab_report_html`): the visible plots, every run's
    settings and results, the lesson's questions with the student's answers and, once revealed, the true ones."""
    model, panel = window.model, window.lesson_panel
    images = {view.title: _png_bytes(view.plot) for view in (window.space_view, window.loss_view, window.data_view)
              if view.isVisible() or not window.isVisible()}
    runs = [ReportRun(r.name, r.color, r.config, r.history, r.trainer.problem.min_loss) for r in model.runs]
    truths = panel.truths() if model.answers_revealed else []
    challenge = model.challenge.text if model.challenge is not None else ""
    return lab_report_html(model.title, model.text, runs, model.view["tolerance"], images, model.questions, truths,
                           model.answers, challenge, model.challenge_met, author)


def export_lab_report(window, path: str, author: str = "") -> None:
    """Write :func:`lab_report` as one self-contained HTML file."""
    if not path.lower().endswith((".html", ".htm")):
        raise OSError(f"{os.path.basename(path)}: the lab report is saved as an .html file")
    write_text(path, lab_report(window, author))
