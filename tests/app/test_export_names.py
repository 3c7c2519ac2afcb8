"""A name typed without an extension in an export's file dialog takes the extension of the type chosen there."""

from PySide6.QtWidgets import QFileDialog, QInputDialog


def test_exports_named_without_an_extension_take_the_chosen_type(window, tmp_path, monkeypatch):
    """File > Export > Window as PNG... with the name "win" said "Not exported: win: the window is saved as a .png
    file"; a plot exported as "loss" with SVG chosen: "choose a .png or .svg file" (the lab report already added
    its .html)."""
    out = tmp_path / "out"
    out.mkdir()
    answers = [(str(out / "win"), "PNG image (*.png)"), (str(out / "loss"), "SVG drawing (*.svg)"),
               (str(out / "report"), "Web page (*.html)"), (str(out / "data.v2"), "PNG image (*.png)")]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: answers.pop(0))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Ada", True))
    files = window.files
    files.export_window()
    files.export_plot("loss_view")
    files.export_lab_report()
    files.export_plot("data_view")  # a name with an extension of its own is the user's choice: refused by name
    assert sorted(p.name for p in out.iterdir()) == ["loss.svg", "report.html", "win.png"]
    assert "data.v2" in window.banner.text() and ".png" in window.banner.text()
