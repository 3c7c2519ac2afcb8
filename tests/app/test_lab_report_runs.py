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
