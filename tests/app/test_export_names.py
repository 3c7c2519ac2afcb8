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


def test_a_name_given_its_extension_asks_before_replacing_the_file_it_names(window, tmp_path, monkeypatch):
    """The file dialog asks before replacing the file typed, never the one the extension added names: "win" was
    written over an existing win.png, and a session saved as "lab" over lab.gdlab.json, without a word. Now No keeps
    the file (nothing written), Yes replaces it."""
    (tmp_path / "win.png").write_bytes(b"mine")
    (tmp_path / "lab.gdlab.json").write_text("mine")
    answers = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: answers.pop(0))
    asked, replace = [], []
    monkeypatch.setattr("app.folders.may_replace", lambda parent, where, names: asked.append((where, names))
                        or replace[-1], raising=False)
    files = window.files
    replace.append(False)
    answers += [(str(tmp_path / "win"), "PNG image (*.png)"), (str(tmp_path / "lab"), "")]
    files.export_window()
    assert not files.save_as()
    assert asked == [(str(tmp_path), ["win.png"]), (str(tmp_path), ["lab.gdlab.json"])]
    assert (tmp_path / "win.png").read_bytes() == b"mine" and (tmp_path / "lab.gdlab.json").read_text() == "mine"
    replace.append(True)
    answers += [(str(tmp_path / "win"), "PNG image (*.png)"), (str(tmp_path / "lab"), "")]
    files.export_window()
    assert files.save_as()
    assert (tmp_path / "win.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "lab.gdlab.json").read_text().startswith("{")
    answers += [(str(tmp_path / "new"), "PNG image (*.png)")]  # no such file: nothing to ask
    files.export_window()
    assert len(asked) == 4 and (tmp_path / "new.png").exists()


def test_exports_in_a_folder_named_in_bytes_that_are_not_utf8_say_its_name_and_open_there_next(window, tmp_path,
                                                                                              monkeypatch):
    """Qt's strings drop bytes that are not UTF-8: an export to "caf\\xe9/r\\xe9sultat.png" said "Exported
    rsultat.png.", a failed one named "caf.png", and the folder remembered for the next dialog was "caf" - another
    folder, opened next when it exists. Messages show each such byte as "\\ufffd"; the folder is kept whole, and the
    next dialog opens in the nearest folder above it that Qt can name."""
    import os

    import pytest

    from app.export_menu import save_picture
    from app.folders import FOLDER_KEY, _settings, start_folder
    from gd_core.files import path_text

    folder = os.path.join(str(tmp_path), os.fsdecode(b"caf\xe9"))
    try:
        os.mkdir(folder)
    except (OSError, UnicodeError):
        pytest.skip("this file system takes no such name")
    (tmp_path / "caf").mkdir()  # the folder Qt's strings made of it
    picture = os.path.join(folder, os.fsdecode(b"r\xe9sultat.png"))
    answers = [(picture, "PNG image (*.png)")]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: answers.pop(0))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: folder)
    files = window.files
    files.export_window()
    assert window.banner.text() == "Exported r\ufffdsultat.png." and os.path.exists(picture)
    assert _settings().value(FOLDER_KEY) == path_text(folder) and start_folder() == str(tmp_path)
    assert save_picture(window, window.loss_view.export_menu.pictures()[0], picture + ".png")
    assert window.banner.text().startswith("Exported r\ufffdsultat.png.png at ")
    files.export_histories()
    assert window.banner.text() == f"Exported 1 run histories to {tmp_path}/caf\ufffd."
    pipe = os.path.join(folder, os.fsdecode(b"p\xe9.png"))
    os.mkfifo(pipe)
    answers.append((pipe, "PNG image (*.png)"))
    files.export_window()
    assert window.banner.text() == f"Not exported: {tmp_path}/caf\ufffd/p\ufffd.png is a pipe (FIFO), not a file"
