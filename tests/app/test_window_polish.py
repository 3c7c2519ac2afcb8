"""Window polish: what a student or an instructor sees at 1280x720 (pytest-qt, offscreen)."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QImage, QPainter
from PySide6.QtWidgets import QApplication, QLabel, QWidget


def label_rects(axis) -> list[tuple[str, object]]:
    """The (text, rectangle) of every tick label ``axis`` draws now."""
    image = QImage(10, 10, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    _, _, texts = axis.generateDrawSpecs(painter)
    painter.end()
    return [(text, rect) for rect, _, text in texts if text]


def test_optimizer_state_log_labels_never_overlap(window, qtbot):
    window.resize(1280, 720)
    window.state_dock.raise_()
    qtbot.waitUntil(lambda: bool(window.state_plot.plots), timeout=3000)
    window.model.step(2)  # values to label (before the first step the step-size plot has no ticks at all)
    qtbot.waitUntil(lambda: all(plot.getAxis("left").width() >= 70 for plot in window.state_plot.plots.values()),
                    timeout=3000)  # laid out
    for key in ("grad_norm", "steps"):
        plot = window.state_plot.plots[key]
        # pyqtgraph labelled every minor tick on the first three; the last two hold no 1, 2 or 5 (a bare axis)
        for low, high in ((0.3, 3.0), (3.0, 40.0), (1e-3, 1.0), (31.0, 36.0), (0.00061, 0.00094)):
            plot.setYRange(np.log10(low), np.log10(high), padding=0)
            labels = label_rects(plot.getAxis("left"))
            assert len(labels) >= 2, (key, low, high, labels)
            crowded = [(a, b) for i, (a, ra) in enumerate(labels) for b, rb in labels[i + 1:] if ra.intersects(rb)]
            assert not crowded, (key, low, high, crowded)


def test_results_table_follows_a_step_at_once(window):
    window.model.step(5)  # Step (S): no refresh asked for, no event loop turned
    table = window.results.table
    columns = {table.horizontalHeaderItem(c).text(): c for c in range(table.columnCount())}
    assert table.item(0, columns["status"]).text() == "paused" == window.state_label.text().lower()
    assert table.item(0, columns["steps"]).text() == "5"
    window.model.step(10_000)
    assert table.item(0, columns["status"]).text() == "completed"


def test_the_noise_scale_row_is_one_line_in_the_narrowest_settings_dock(window):
    from PySide6.QtCore import Qt

    from .conftest import panel
    window.resize(1280, 720)
    scroll = window.settings_scroll
    window.resizeDocks([window.settings_dock], [1], Qt.Orientation.Horizontal)  # as narrow as it goes
    width = scroll.minimumWidth()
    noise = panel(window, "VariantPanel").noise
    model = window.model
    model.update_config(model.selected, {**model.selected.config, "variant": "minibatch", "batch_size": 1})
    for text in (noise.text(), "≈ 120,000 > batch", "≈ 42,000 (all data)", "none (∇L = 0)"):
        noise.setText(text)
        window._fit_widths()
        assert scroll.minimumWidth() == width  # the row never widens the dock
        assert not noise.wordWrap() and noise.fontMetrics().horizontalAdvance(text) <= noise.width(), text
    assert "noise scale B = tr(Σ)/|G|²" in noise.toolTip()  # the whole explanation
    assert panel(window, "VariantPanel").findChild(type(noise), "noise_scale_label").text() == "noise scale B"


def test_large_text_refits_the_results_columns_and_keeps_the_state_plots_names_apart(window, qtbot):
    from app.theme import theme
    window.resize(1280, 720)
    window.state_dock.raise_()
    qtbot.waitUntil(lambda: bool(window.state_plot.plots), timeout=3000)
    window.model.step(5)
    window.results.refresh()
    table = window.results.table
    normal = table.fontMetrics().height()
    theme().set_text_size("large")
    qtbot.waitUntil(lambda: table.fontMetrics().height() > normal, timeout=3000)  # the font reaches it later
    for column in range(table.columnCount()):
        for text in (table.horizontalHeaderItem(column).text(), table.item(0, column).text()):
            assert table.columnWidth(column) >= table.fontMetrics().horizontalAdvance(text), text  # was clipped
    plots = window.state_plot.plots.values()
    qtbot.waitUntil(lambda: all(name_inside(plot.getAxis("left")) for plot in plots), timeout=3000)
    theme().set_text_size("normal")  # room again: the names come back
    qtbot.waitUntil(lambda: window.state_plot.plots["lr"].getAxis("left").labelText == "learning rate γₜ",
                    timeout=3000)
    assert all(name_inside(plot.getAxis("left")) for plot in plots)


def name_inside(axis) -> bool:
    """Whether the axis's name (drawn turned, along it) lies within the axis's height: never on the next plot's."""
    bottom = axis.label.pos().y()  # the turned text's start
    return 0 <= bottom - axis.label.boundingRect().width() and bottom <= axis.height()


def test_the_status_bar_keeps_its_room_at_every_text_size(window, qtbot):
    from app.palette import BATCH_COLORS
    from app.theme import theme
    from app.views.parameter_space import batch_tips
    state, widest = window.state_label, "Completed - Run restarts"
    normal = state.fontMetrics().horizontalAdvance(widest)
    theme().set_text_size("large")
    qtbot.waitUntil(lambda: state.fontMetrics().horizontalAdvance(widest) > normal
                    and state.minimumWidth() >= state.fontMetrics().horizontalAdvance(widest) + 8, timeout=3000)
    # no more than that (each refit added the last reservation: 324 px at Large text), and a button's status tip
    # is whole beside the labels on a 1280-px projector (it was cut to "Run or pause tr")
    assert state.minimumWidth() <= state.fontMetrics().horizontalAdvance(widest) + 8 + 4
    window.resize(1280, 720)
    bar, tip = window.statusBar(), window.action_run.statusTip()
    bar.showMessage(tip)
    QApplication.processEvents()
    room = min(label.x() for label in bar.findChildren(QLabel) if label.objectName().startswith("status_"))
    # every action's status tip is whole there too (the tooltip keeps the long words): seven ended in "…" at Large
    # text, "Batch, stochastic and mini-batch copies of the selected run with its start, seed and epoch budget" in
    # 788 px where 433 were free; the parameter space's options too (its batch colour named in them), and a
    # widget's: the parameter space's double-click hint ran into "Ready" (586 px)
    tips = {item.statusTip() for kind in (QAction, QWidget) for item in window.findChildren(kind) if item.statusTip()}
    tips |= {status for color in BATCH_COLORS for _, status in batch_tips(color)}  # each colour it may name
    cut = [t for t in tips | {"Restart every run from its start"} if bar.fontMetrics().horizontalAdvance(t) + 8 > room]
    assert len(tips) > 15 and not cut


def test_a_framed_labels_reserved_width_counts_its_frame_and_margin_once(qtbot):
    """The reservation is the widest text plus the label's chrome: its frame (which Qt counts in the contents
    margins, so adding frameWidth() again reserved 2 px per frame pixel too many) and its margin."""
    from PySide6.QtWidgets import QFrame

    from app.widgets import ReservedWidth
    label = QLabel("Run")
    qtbot.addWidget(label)
    label.setFrameStyle(QFrame.Shape.Box | QFrame.Shadow.Plain)
    label.setLineWidth(3)
    label.setMargin(2)
    widest = "Completed - Run restarts"
    ReservedWidth(label, (widest,))
    text = label.fontMetrics().size(Qt.TextFlag.TextShowMnemonic, widest).width()
    assert label.minimumWidth() == text + 2 * 3 + 2 * 2


def test_unticked_boxes_and_radio_buttons_show_on_the_dark_palette(qtbot):
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QCheckBox, QRadioButton, QStyle, QStyleOptionButton

    from app.theme import theme
    theme().set_mode("dark")
    for kind, element in ((QCheckBox, QStyle.SubElement.SE_CheckBoxIndicator),
                          (QRadioButton, QStyle.SubElement.SE_RadioButtonIndicator)):
        box = kind("on")  # a window of its own: it has the application's palette at once
        qtbot.addWidget(box)
        box.resize(box.sizeHint())
        option = QStyleOptionButton()
        box.initStyleOption(option)
        indicator = box.style().subElementRect(element, option, box)
        image = box.grab().toImage()
        background = QColor(image.pixel(box.width() - 1, 0)).lightness()
        edge = max(abs(QColor(image.pixel(x, y)).lightness() - background)
                   for x in range(indicator.left(), indicator.right() + 1)
                   for y in range(indicator.top(), indicator.bottom() + 1))
        assert edge >= 60, kind.__name__  # Fusion's own edge: about 15 (a dark square on dark grey)


def test_a_short_noise_scale_plot_names_its_axis_by_its_symbol(qtbot):
    from app import create_window
    win = create_window(lesson="17_how_big_a_batch")  # the lesson above the noise-scale view: a short plot
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    axis = win.noise_scale_view.plot.getPlotItem().getAxis("left")
    qtbot.waitUntil(lambda: name_inside(axis), timeout=3000)  # "gradient noise scale B" was cut off
    assert axis.labelText in ("gradient noise scale B", "B")


def test_a_plot_too_narrow_for_its_axis_name_shows_its_short_form_centred(qtbot):
    """The PCA plane's "direction 1 of Adam's path (94% of its variance)" was cut at both ends on a 1280-px
    screen at Large text (lesson 11), and after a GIF recording its old end "riance)" stayed painted beside it."""
    import pyqtgraph as pg

    from app.views.base import AxisNameFit
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    plot.resize(300, 200)
    plot.show()
    qtbot.waitExposed(plot)
    axis = plot.getPlotItem().getAxis("bottom")
    name = AxisNameFit(axis, "", "")
    name.rename("direction 1 of Adam's path (94% of its variance)", "direction 1 (94%)")
    assert axis.labelText == "direction 1 (94%)"
    plot.resize(900, 200)
    qtbot.waitUntil(lambda: axis.labelText.endswith("variance)"), timeout=3000)
    left = axis.label.pos().x()
    assert 0 <= left and left + axis.label.boundingRect().width() <= axis.width()  # centred on the axis


def test_plain_sgds_step_size_is_drawn_flat_not_as_rounding_spikes():
    """|Δθᵢ|/|gᵢ| of plain SGD is γ up to the rounding of θ_t − θ_(t−1); the optimizer-state plot fitted its range
    to that 1e-11 wobble and drew spikes near step 180 of the default run."""
    import gd_core
    from app.session import DEFAULT_CONFIG
    from app.views.optimizer_state import data_range
    history = gd_core.run(DEFAULT_CONFIG)
    sizes = history.effective_step_sizes()[1:]
    assert 0 < np.nanmax(np.abs(sizes / 0.05 - 1)) < 1e-9  # gamma, but not bit for bit
    low, high = data_range(sizes, log=True)
    assert high - low == pytest.approx(1.0)  # a decade around log10(0.05): a flat line
    low, high = data_range(np.array([1.0, 1.0 + 1e-4]), log=False)  # a real change, however small, fills the plot
    assert low < 1.0 and 1.0 + 1e-4 < high < 1.001


def test_a_text_size_change_scales_no_axis(qtbot):
    """Turning pyqtgraph's SI prefix off computed one from the axis's range: after a text-size (or theme) change
    a classifier's data view read 500 for 0.5 (its x2 spans about ±1), with no "(x0.001)" to say so."""
    import pyqtgraph as pg

    from app.theme import theme
    from app.views.base import PlotView

    from .conftest import shown_window
    win = shown_window(qtbot, "20_warmup_and_one_cycle", (1280, 720))
    theme().set_text_size("large")
    QApplication.processEvents()
    axes = [item for view in win.findChildren(PlotView) for item in view.plot.scene().items()
            if isinstance(item, pg.AxisItem)]
    assert len(axes) >= 8 and all(axis.autoSIPrefixScale == 1.0 for axis in axes)
    left = win.data_view.plot.getPlotItem().getAxis("left")
    assert left.range[1] < 1.5 and left.tickStrings([0.5], left.autoSIPrefixScale * left.scale, 0.5) == ["0.5"]


def test_a_menu_has_a_visible_edge_on_the_dark_palette(qtbot):
    """Fusion draws a menu's panel in the base colour - the plots' - and its edge in a darker window colour: the
    Export button's PNG resolution menu read as text floating on the plot (a student found it)."""
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QMenu

    from app.contrast import contrast_ratio
    from app.theme import theme
    theme().set_mode("dark")
    menu = QMenu()
    qtbot.addWidget(menu)
    menu.addAction("2× (slides)")
    menu.resize(menu.sizeHint())
    image = menu.grab().toImage()
    edge, base = QColor(image.pixel(0, menu.height() // 2)).name(), theme().color("base").name()
    assert contrast_ratio(edge, base) >= 3, (edge, base)


def test_a_message_longer_than_the_banner_ends_its_second_line_in_an_ellipsis(qtbot):
    """Compare variants' message took three lines at 1366x768: the banner (two lines tall) showed the middle one
    whole and the first and last cut in half. A standalone banner: two lines, the second elided, the whole text
    still its text (and its tooltip, as show_message sets it)."""
    from PySide6.QtGui import QTextLayout

    from app.main_window import MessageLabel

    banner = MessageLabel("")
    qtbot.addWidget(banner)
    banner.setWordWrap(True)
    banner.resize(300, banner.sizeHint().height())
    banner.show()
    whole = "Added batch, stochastic and mini-batch copies of run 1: same start, seed and epochs. " * 3
    banner.setText(whole)
    shown = QLabel.text(banner)
    assert banner.text() == whole and shown.endswith("…") and shown.count("\n") == 1
    first = QTextLayout(shown.split("\n")[0], banner.font())
    first.beginLayout()
    line = first.createLine()
    line.setLineWidth(banner.contentsRect().width())
    first.endLayout()
    assert line.textLength() == len(shown.split("\n")[0])  # the first line fits on one line
    banner.setText("Saved s1.gdlab.json.")
    assert QLabel.text(banner) == "Saved s1.gdlab.json."  # a short one is left whole
    banner.setText(whole)
    banner.resize(3000, banner.height())
    assert QLabel.text(banner) == whole  # room enough: whole again
