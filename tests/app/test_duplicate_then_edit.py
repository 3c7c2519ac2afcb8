"""A duplicated run takes every edit its original takes."""

from .conftest import panel


def test_a_duplicate_takes_another_degree(window):
    """Duplicate names the copy's start ([0, 0] for w, b); raising the copy's degree to 2 was refused with "Not
    applied - init: needs 3 numbers (w1, w2, b); got 2" - a start point the user never set, and no way to change
    the degree of a copy. Now the start that no longer fits goes (as when the problem changes) and Undo brings
    both back."""
    model = window.model
    window.run_list.duplicate()
    copy = model.selected
    assert copy.config["init"] == [0.0, 0.0]
    assert panel(window, "ProblemPanel").set_key("degree", 2)
    assert copy.config["degree"] == 2 and copy.config.get("init") is None
    assert copy.trainer.problem.param_names == ("w1", "w2", "b")
    assert "init" not in window.banner.text()
    window.undo.stack.undo()
    assert copy.config["degree"] == 1 and copy.config["init"] == [0.0, 0.0]
