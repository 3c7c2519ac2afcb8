"""A long run's batch losses are a translucent band in the run's colour, not a zigzag line (moiré stripes)."""

import json

import numpy as np

from app import create_window
from app.theme import theme
from gd_core.display import PeakEnvelope


def test_a_long_runs_batch_losses_are_a_filled_band_holding_the_envelopes_numbers(qtbot, tmp_path):
    path = tmp_path / "long.json"
    path.write_text(json.dumps({"problem": "linear_regression", "variant": "stochastic", "steps": 4000,
                                "optimizer": {"name": "plain", "lr": 0.01}}))
    win = create_window(str(path))
    qtbot.addWidget(win)
    win.show()
    win.resize(1280, 720)
    view, run = win.loss_view, win.model.selected
    win.model.step(40)
    view.refresh()
    band, full, *_ = view._items[id(run)]
    assert band.line and band.fill.path().isEmpty()  # a short series: a thin light line, nothing to fill
    assert band.low.opts["pen"] is not None
    win.model.step(3960)
    view.refresh()
    assert not band.line and not band.fill.path().isEmpty()
    color = band.fill.brush().color()
    # translucent, the run's colour (its line shade); edged by the envelope's two sides (one point per block: no
    # line zigzags through the blocks) in the run's faint shade, which has the 3:1 the translucent fill has not
    assert 0 < color.alpha() < 255 and color.rgb() == theme().shade(run.color).rgb()
    for edge in (band.low, band.high):
        assert edge.opts["pen"].color() == theme().shade(run.color, "faint")
    assert full.zValue() > band.fill.zValue()  # the loss line reads over it
    width = max(100, int(view.plot.getPlotItem().vb.width()))
    x, low, high = PeakEnvelope(width).band(run.history.step, run.history.batch_loss)
    np.testing.assert_array_equal(band.low.getData()[0], x)  # exactly the envelope's blocks
    np.testing.assert_array_equal(band.low.getData()[1], low)
    np.testing.assert_array_equal(band.high.getData()[1], high)
    win.runner.pause()
