"""File > Export > Lab report: the runs' table says what the window says."""

import re

from app.exports import lab_report


def test_a_duplicate_and_a_paused_run_read_as_the_window_shows_them(window):
    """A duplicate names its start ([0.0, 0.0]) where the run it copies leaves the default: the report put "init"
    first, in bold, among the settings that differ - the same start. And a run paused half-way read "running"
    (the window's table: "paused"), one never started too (the table: "ready")."""
    model = window.model
    window.run_list.duplicate()
    model.step(5)
    window.run_list.add()
    page = lab_report(window)
    init = re.search(r"<tr><td>(<b>)?init(</b>)?</td>.*?</tr>", page)
    assert not init.group(1) and init.group(0).count("[0.0, 0.0]") == 3
    states = dict(re.findall(r"<tr><td>([^<]+)</td><td>(\w+)</td><td class=\"num\">", page))
    assert states == {"run 1": "paused", "run 1 copy": "paused", "run 2": "ready"}


def test_a_report_written_in_the_dark_theme_has_light_pictures(window, qtbot):
    """The lab report is a light page, printed: in the dark theme its pictures were dark blocks on it (the plot
    background #1e1f22) and its swatches the dark palette's shades. Its pictures and swatches are those of the light
    palette - what a student printing a report expects - and the window is dark again afterwards."""
    import base64

    from PySide6.QtGui import QImage

    from app.theme import theme

    theme().set_mode("dark")
    window.model.step(5)
    dark = theme().color("base").name()
    page = lab_report(window)
    pictures = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(pictures) >= 2
    for data in pictures:
        image = QImage.fromData(base64.b64decode(data))
        corner = image.pixelColor(image.width() - 2, image.height() - 2)  # the picture's background
        assert corner.lightness() > 200, corner.name()
    theme().set_mode("light")
    light = theme().shade(window.model.runs[0].color).name()
    theme().set_mode("dark")
    assert f"background:{light}" in page
    assert theme().dark and theme().color("base").name() == dark
    assert window.loss_view.plot.backgroundBrush().color().name() == dark  # the window's plots dark again


def _captions(page: str) -> list[str]:
    return re.findall(r"<figcaption>([^<]+)</figcaption>", page)


def test_the_report_pictures_the_measured_quantities_a_session_has(window, qtbot):
    """Lessons 16, 17 and 25 are about the sharpness, the noise scale and the accuracy, in tabs below the plots;
    the report pictured the parameter space, the loss and the data only. It pictures each measured quantity that
    a run has measured (the sharpness once its run tracks it, whichever tab is in front, unless its tab was
    closed) and the accuracy of a classifier - and no empty plot where nothing was measured."""
    from app import create_window

    window.model.step(3)
    assert _captions(lab_report(window)) == ["Parameter space", "Loss", "Data"]  # nothing measured, no classifier
    window.sharpness_view.measure.setChecked(True)
    window.model.step(3)
    assert _captions(lab_report(window)) == ["Parameter space", "Loss", "Data", "Sharpness"]
    window.sharpness_dock.close()  # the student closed the tab: the report leaves it out, as the window does
    assert "Sharpness" not in _captions(lab_report(window))
    win = create_window(lesson="25_small_batch_generalization")
    qtbot.addWidget(win)
    win.model.step(3)
    assert "Accuracy" in _captions(lab_report(win))


def test_a_session_naming_a_file_in_bytes_that_are_not_utf8_exports_its_report_and_histories(window, tmp_path):
    """A run named, or a CSV path written, with a file name's byte that is not UTF-8 ("\\udce9" in the session's
    JSON: how Python holds it) opened - and File > Export > Lab report raised UnicodeEncodeError ("surrogates not
    allowed"), an uncaught crash, not an export refused. The report and the histories are written, the byte as
    it was."""
    import json

    from app.exports import export_histories, export_lab_report

    path = tmp_path / "s.gdlab.json"
    path.write_text(json.dumps({"format": "gdlab-session", "version": 1, "title": "caf\udce9", "runs": [
        {"name": "a\udce9", "color": "#1f77b4", "config": {"problem": "quadratic", "steps": 3}}]}))
    assert window.files.open_path(str(path))
    window.model.step(3)
    export_lab_report(window, str(tmp_path / "report.html"))
    assert b"a\xe9" in (tmp_path / "report.html").read_bytes()
    export_histories(window.model, str(tmp_path / "out"))
    assert len(list((tmp_path / "out").iterdir())) == 1
