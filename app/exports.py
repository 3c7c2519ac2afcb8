"""Pictures and tables out of the app: a plot as PNG or SVG, the window as PNG, histories as CSV, a plot to the
clipboard. Every function raises OSError with a readable message when the file cannot be written."""

from __future__ import annotations

import os
import tempfile

import pyqtgraph.exporters as exporters
from PySide6.QtCore import QBuffer, QIODevice, QRect
from PySide6.QtGui import QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication, QWidget

from gd_core.report import ReportRun, lab_report_html
from gd_core.sessions import file_stem

PLOT_FORMATS = {".png": "PNG image", ".svg": "SVG drawing"}


def _replace_into(path: str, write) -> None:
    """Write through ``write(tmp_path)`` to a temp file beside ``path``, then rename: nothing half-written."""
    folder = os.path.dirname(os.path.abspath(path))
    suffix = os.path.splitext(path)[1]
    fd, tmp = tempfile.mkstemp(prefix=".gdlab-", suffix=suffix, dir=folder)
    os.close(fd)
    try:
        if write(tmp) is False:
            raise OSError(f"could not write {path}")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def export_plot(view, path: str) -> None:
    """Save a view's plot as PNG or SVG (by the file's extension)."""
    ext = os.path.splitext(path)[1].lower()
    if ext not in PLOT_FORMATS:
        raise OSError(f"{os.path.basename(path)}: choose a .png or .svg file")
    if ext == ".png":
        exporter = exporters.ImageExporter(view.plot.getPlotItem())
        exporter.parameters()["width"] = max(800, int(view.plot.width()) * 2)
        _replace_into(path, exporter.export)
    else:  # Qt's own SVG generator: pyqtgraph's SVG exporter fails on some curve paths
        _replace_into(path, lambda tmp: _render_svg(view.plot, tmp, view.title))


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
    _replace_into(path, lambda tmp: window.grab().save(tmp, "PNG"))


def export_histories(model, folder: str) -> list[str]:
    """Every run's full history as ``folder/<run name>.csv``; returns the file names."""
    os.makedirs(folder, exist_ok=True)
    names, seen = [], set()
    for run in model.runs:
        stem, k = file_stem(run.name), 2
        while stem.lower() in seen:
            stem, k = f"{file_stem(run.name)}_{k}", k + 1
        seen.add(stem.lower())
        run.history.to_csv(os.path.join(folder, f"{stem}.csv"))
        names.append(f"{stem}.csv")
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
    page = lab_report(window, author)

    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(page)

    _replace_into(path, write)
