"""Menu entries made from what a user wrote (lesson titles, file paths) read as written and fit the screen."""

from app.widgets import menu_label
from gd_core.lesson_library import load_lesson
from gd_core.sessions import MAX_TITLE_CHARS, parse_session, save_session


def test_lesson_titles_and_recent_paths_keep_their_ampersands_and_fit(window, tmp_path):
    """A folder lesson titled "Q&A: rates & momentum" read "QA: rates _momentum" in the Lessons menu (Qt took each
    '&' for the mark of the entry's key), a recent file in "R&D" alike; a title of the 200 characters a lesson may
    have made the menu wider than a 1366-px screen."""
    folder = tmp_path / "lessons"
    folder.mkdir()
    long_title = ("A lab on the learning rate bound, momentum, Nesterov and Adam with warm-up " * 3)[:MAX_TITLE_CHARS]
    for name, title in (("a", "Q&A: rates & momentum"), ("b", long_title)):
        data = load_lesson("03_learning_rate_bound").to_dict()
        data["title"] = title
        save_session(parse_session(data), str(folder / f"{name}.json"))
    files = window.files
    files.settings.setValue("lessons/folder", str(folder))
    files.fill_lessons()
    entries = {a.objectName(): a for a in files.lessons_menu.actions()}
    assert entries["lesson_file_a.json"].text() == "Q&&A: rates && momentum"  # shown as "Q&A: rates & momentum"
    cut = entries["lesson_file_b.json"]
    assert len(cut.text()) <= 80 and cut.text().endswith("…") and cut.toolTip().startswith(long_title)
    assert files.lessons_menu.sizeHint().width() < 1000
    place = tmp_path / "R&D"
    place.mkdir()
    deep = place / ("a folder with a long name " * 4).strip() / "lab.gdlab.json"
    deep.parent.mkdir()
    assert files.save_to(str(place / "lab.gdlab.json")) and files.save_to(str(deep))
    shown = [a.text() for a in files.recent_menu.actions()]
    assert shown[1].endswith("R&&D/lab.gdlab.json")  # shown as "R&D/lab.gdlab.json"
    assert len(shown[0]) <= 81 and shown[0].startswith("…") and shown[0].endswith("/lab.gdlab.json")
    assert files.recent_menu.actions()[0].toolTip() == str(deep)


def test_the_edit_menu_names_a_run_as_it_is_called(window):
    """Renamed "fast & furious", the Edit menu read "Undo Rename run 1 to fast_furious"; a name of the 100
    characters a run may have made it "Undo Rename <100> to <100>", as wide as the screen."""
    from gd_core.sessions import MAX_NAME_CHARS

    run, undo = window.model.selected, window.undo
    window.model.rename(run, "fast & furious")
    assert undo.undo_action.text() == "&Undo Rename run 1 to fast && furious"
    window.model.rename(run, "r" * MAX_NAME_CHARS)
    window.model.rename(run, "s" * MAX_NAME_CHARS)
    assert len(undo.undo_action.text()) <= len("&Undo ") + 80 and undo.undo_action.text().endswith("…")
    undo.stack.undo()
    undo.stack.undo()
    shown = ("Rename fast & furious to " + "r" * MAX_NAME_CHARS)[:79] + "…"
    assert undo.redo_action.text() == "&Redo " + shown.replace("&", "&&")
    assert run.name == "fast & furious"


def test_a_recent_file_whose_name_is_not_utf8_shows_and_opens(window, tmp_path):
    """A session named in bytes that are not UTF-8 (b"caf\\xe9", Latin-1) was remembered as "caf run.gdlab.json":
    Qt's strings drop what Python keeps of such bytes, so Open Recent named a file that is not there and, chosen,
    said it "is no longer at" its folder and dropped it. It is kept whole, shown with "\ufffd" for the byte (as
    the message and the title), and opens; after a restart too (the settings keep it)."""
    import os

    import pytest

    from app.files import FileActions
    from gd_core.files import path_text

    name = os.fsdecode(b"caf\xe9 run.gdlab.json")
    path = str(tmp_path / name)
    try:
        save_session(load_lesson("03_learning_rate_bound"), path)
    except (OSError, UnicodeError):
        pytest.skip("this file system takes no such name")
    files = window.files
    assert files.open_path(path) and files.recent() == [path]
    shown = str(tmp_path / "caf\ufffd run.gdlab.json")
    entry = files.recent_menu.actions()[0]
    assert entry.text() == menu_label(shown, keep_end=True) and entry.toolTip() == shown
    assert window.banner.text() == "Opened caf\ufffd run.gdlab.json." and "caf\ufffd run" in window.windowTitle()
    window.model.update_config(window.model.selected, {**window.model.config_copy(window.model.selected),
                                                       "steps": 7})
    window.guard.may_discard = lambda *_: True
    entry.trigger()
    assert window.banner.text() == "Opened caf\ufffd run.gdlab.json." and files.recent() == [path]
    assert window.model.selected.config["steps"] != 7  # the file again, not the edit
    assert files.settings.value("recent") in ([path_text(path)], path_text(path))
    assert FileActions.recent(files) == [path] and path_text(path).startswith("file://")


def test_a_folder_lesson_that_cannot_be_read_is_named_greyed_with_why(window, tmp_path):
    """A lesson edited by hand and broken (a comma too many) vanished from the Lessons menu without a word: the
    instructor saw one lesson fewer and no reason. It is listed greyed, "name.json (cannot be read)", its tooltip
    saying where and what; a JSON file of another kind is no lesson and is not named."""
    import json

    folder = tmp_path / "lessons"
    folder.mkdir()
    save_session(load_lesson("03_learning_rate_bound"), str(folder / "good.json"))
    (folder / "broken.json").write_text((folder / "good.json").read_text().replace('"title"', '"title",', 1))
    (folder / "other.json").write_text(json.dumps({"a": 1}))
    files = window.files
    files.settings.setValue("lessons/folder", str(folder))
    files.fill_lessons()
    entries = {a.objectName(): a for a in files.lessons_menu.actions()}
    assert "lesson_file_good.json" in entries and not any("other" in name for name in entries)
    broken = entries["lesson_unreadable_broken.json"]
    assert broken.text() == "broken.json (cannot be read)" and not broken.isEnabled()
    assert "broken.json line" in broken.toolTip()


def test_a_lesson_folder_of_many_unreadable_files_names_ten_then_says_how_many_more(window, tmp_path, monkeypatch):
    """A folder of other JSON files - broken, too large, a pipe - listed each greyed: 40 such files, 40 entries,
    a menu past the screen. The first ten are named with why, then "30 more files cannot be read"; files past
    what a listing reads are counted, not read; a pipe or a file too large never blocks the menu."""
    import os

    import gd_core.lessons

    folder = tmp_path / "lessons"
    folder.mkdir()
    save_session(load_lesson("03_learning_rate_bound"), str(folder / "a good.json"))
    for k in range(37):
        (folder / f"broken {k:02}.json").write_text("{")
    with open(folder / "huge.json", "wb") as fh:  # sparse: 20 GB that take no room
        fh.truncate(20 * 2**30)
    os.mkfifo(folder / "pipe.json")
    os.mkdir(folder / "sub.json")
    files = window.files
    files.settings.setValue("lessons/folder", str(folder))
    files.fill_lessons()
    entries = {a.objectName(): a for a in files.lessons_menu.actions()}
    greyed = [name for name in entries if name.startswith("lesson_unreadable_")]
    assert greyed == [f"lesson_unreadable_broken {k:02}.json" for k in range(10)]
    assert "lesson_file_a good.json" in entries and "lessons_unread_more" not in entries
    assert entries["lessons_unreadable_more"].text() == "30 more files cannot be read"
    assert not entries["lessons_unreadable_more"].isEnabled()
    listing = gd_core.lessons.read_lesson_folder(str(folder))
    why = dict(listing.unreadable)
    assert "is a pipe (FIFO)" in why["pipe.json"] and "21,474,836,480 bytes" in why["huge.json"]
    assert "is a folder" in why["sub.json"]
    monkeypatch.setattr(gd_core.lessons, "MAX_FOLDER_FILES", 5)
    files.fill_lessons()
    entries = {a.objectName(): a for a in files.lessons_menu.actions()}
    assert entries["lessons_unread_more"].text() == "36 more files not read"
    assert len([name for name in entries if name.startswith("lesson_unreadable_")]) == 4
