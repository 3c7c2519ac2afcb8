"""What an animation can record: the whole window or one of its plots. One row per target feeds the
Export > Animation dialog, ``gdlab --record-view`` and the tests (a new plot is one more row)."""

from __future__ import annotations

from typing import NamedTuple


class RecordView(NamedTuple):
    label: str
    attribute: str  #: the main window's attribute holding the widget ("" = the window itself)


RECORD_VIEWS = {
    "window": RecordView("Whole window", ""),
    "space": RecordView("Parameter space", "space_view"),
    "loss": RecordView("Loss curve", "loss_view"),
    "data": RecordView("Data view", "data_view"),
    "surface": RecordView("Surface 3D", "surface_view"),
}
