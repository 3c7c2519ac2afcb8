"""A plot that moves under the pointer is a bug: rows above a plot keep their height whatever is selected."""

from app.views.data_view import DataView

from .conftest import lesson_view


def test_the_data_views_plot_stays_put_whichever_run_is_selected(qtbot):
    """Lesson 4: the batch of the orange run is circled in sky blue and the legend row says so; the other runs'
    batches are orange and their legend is empty - the row keeps its height (the plot moved a row down and up)."""
    model, view = lesson_view(qtbot, "04", DataView, (300, 260))
    model.step(1)  # a batch circled (the legend names none before)
    tops, said = set(), set()
    for run in model.runs:
        model.select(run)
        view.layout().activate()
        tops.add(view.stack.geometry().top())
        said.add("not orange" in view.legend.text().replace("\u2060", ""))
    assert said == {True, False}  # the row comes and goes
    assert len(tops) == 1 and view.legend.isVisible()  # its room does not
