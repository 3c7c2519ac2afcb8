"""Help > GD Lab guide tells an instructor where the things a lab needs are."""

from PySide6.QtGui import QAction

from app.help import guide_html


def plain(html: str) -> str:
    from PySide6.QtGui import QTextDocument

    document = QTextDocument()
    document.setHtml(html)
    return " ".join(document.toPlainText().split())


def test_the_guide_names_the_entries_a_lab_is_prepared_and_handed_in_with(window):
    """The guide said nothing of Save as Lesson, the lesson folder, Undo, Open Recent or the lab report, and sent
    the reader to an "Export button" that most plots keep in their View button."""
    window.files.fill_lessons()
    named = {a.objectName(): a for a in window.findChildren(QAction)}
    guide = plain(guide_html())
    for name in ("action_save_lesson", "action_lesson_folder", "action_lab_report", "action_undo", "action_redo"):
        text = named[name].text().replace("&", "").rstrip(".")
        words = text.split(" ", 1)[0] if name in ("action_undo", "action_redo") else text
        assert words in guide, name
    assert window.files.recent_menu.title().replace("&", "") in guide
    assert "Export</b> button" not in guide_html()
    assert "runs at their start and no answers" in guide and "double-click a question to reword it" in guide


def test_the_lesson_dock_of_a_session_without_a_lesson_says_where_lessons_are(window):
    """View > Lesson in a session without a lesson showed an empty box."""
    said = window.lesson_panel.text.toPlainText()
    assert "no lesson" in said and "Lessons" in said and "Save as Lesson..." in said
    window.files.open_builtin_lesson("03_learning_rate_bound")
    assert "no lesson" not in window.lesson_panel.text.toPlainText()


def test_the_keys_table_and_the_guide_say_how_to_hide_a_run_by_keyboard(window):
    from app.help import shortcut_rows

    rows = dict(shortcut_rows(window.findChildren(QAction)))
    assert "runs' list: show or hide the run" in rows["Space after Tab"]
    assert "Tab to the list and press Space" in plain(guide_html())
