"""Colours that work for everyone, in the light and the dark palette, measured: WCAG 2.x contrast (4.5:1 for
text, 3:1 for lines, markers and bands) against what they are drawn on, and run colours that stay apart for
protan-, deuter- and tritanopes (Machado 2009, CIEDE2000)."""

import re

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.contrast import (
    GRAPHIC_CONTRAST,
    TEXT_CONTRAST,
    apartness,
    blend,
    contrast_ratio,
    delta_e,
    least_difference,
    simulate,
    with_contrast,
)
from app.palette import (
    BATCH_CASING,
    BATCH_COLOR,
    BATCH_COLORS,
    CLASS_COLORS,
    OKABE_ITO,
    RUN_COLORS,
    RUN_SHADES,
    SEMANTIC,
    SHADE_ROLES,
    SURFACE_CASING,
    VARIANT_COLORS,
    batch_color,
    color_name,
    on_casing,
    shade,
)
from app.theme import theme

from .conftest import shown_window

DEFICIENCIES = (None, "protanopia", "deuteranopia", "tritanopia")
#: The least CIEDE2000 difference between two run colours' lines, with normal vision and each dichromacy. Dark:
#: the shades barely move Okabe-Ito (whose own least is 11.1, tritanopia). Light: every shade must be dark
#: enough for 3:1 on white, which squeezes orange, vermillion and the olive left of yellow together (before:
#: 11.1, with five of the eight colours below 3:1).
LEAST_APART = {"dark": 8.0, "light": 6.0}


def test_contrast_ratio_is_wcags():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#777777") == 1.0
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the usual grey-on-white AA pair
    assert contrast_ratio("#0072B2", "#1e1f22") == pytest.approx(3.18, abs=0.01)  # the student walk's blue


def test_with_contrast_keeps_the_hue_and_moves_only_as_far_as_needed():
    assert with_contrast("#0072B2", "#ffffff", 4.5) == "#0072B2"  # already enough: untouched
    lighter = with_contrast("#0072B2", "#1e1f22", 4.5)
    assert 4.5 <= contrast_ratio(lighter, "#1e1f22") < 4.6
    assert QColor(lighter).hsvHue() == pytest.approx(QColor("#0072B2").hsvHue(), abs=2)
    darker = with_contrast("#F0E442", "#ffffff", 3.0)
    assert 3.0 <= contrast_ratio(darker, "#ffffff") < 3.1
    assert QColor(darker).hsvHue() == pytest.approx(QColor("#F0E442").hsvHue(), abs=2)


def test_ciede2000_matches_sharma_wu_dalals_test_data():
    from app.contrast import ciede2000
    assert ciede2000((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485)) == pytest.approx(2.0425, abs=1e-4)
    assert ciede2000((50.0, 0.0, 0.0), (50.0, -1.0, 2.0)) == pytest.approx(2.3669, abs=1e-4)
    assert ciede2000((50.0, 2.5, 0.0), (73.0, 25.0, -18.0)) == pytest.approx(27.1492, abs=1e-4)
    assert ciede2000((2.0776, 0.0795, -1.135), (0.9033, -0.0636, -0.5514)) == pytest.approx(0.9082, abs=1e-4)


def test_dichromat_simulation_keeps_greys_and_merges_red_with_green():
    for deficiency in DEFICIENCIES[1:]:
        assert delta_e(simulate("#808080", deficiency), "#808080") < 1  # rows of each matrix sum to 1
    assert delta_e("#D55E00", "#009E73") > 50  # vermillion and bluish green, for most
    red, green = "#cc3333", "#558800"
    assert delta_e(simulate(red, "deuteranopia"), simulate(green, "deuteranopia")) < delta_e(red, green) / 3


@pytest.fixture(params=["light", "dark"])
def palette_of(request, qapp):
    """(theme name, plot background, legend-row background) of each palette, applied."""
    theme().set_mode(request.param)
    return request.param, theme().color("base").name(), theme().color("window").name()


def test_every_colour_reaches_its_contrast_on_what_it_is_drawn_on(palette_of):
    name, base, window = palette_of
    look = theme()
    failures = []

    def need(what, color, background, ratio):
        if contrast_ratio(color, background) < ratio - 1e-9:
            failures.append(f"{what} {color} on {background}: {contrast_ratio(color, background):.2f}:1")

    drawn = set(RUN_COLORS) | set(VARIANT_COLORS.values()) | set(CLASS_COLORS) | {BATCH_COLOR} | \
        set(OKABE_ITO.values()) | {"#ff00ff", "#123456", "#fafafa"}  # and colours picked in the colour dialog
    for color in sorted(drawn):
        for role in ("line", "faint"):
            need(f"{role} of {color}", shade(color, name, base, window, role), base, GRAPHIC_CONTRAST)
        need(f"legend swatch of {color}", shade(color, name, base, window, "legend"), window, GRAPHIC_CONTRAST)
        need(f"legend swatch of {color} (on the plot)", shade(color, name, base, window, "legend"), base,
             GRAPHIC_CONTRAST)
        need(f"text of {color}", shade(color, name, base, window, "text"), base, TEXT_CONTRAST)
    for role in ("text", "muted"):
        need(f"theme {role}", look.color(role).name(), base, TEXT_CONTRAST)
        need(f"theme {role} (legend row)", look.color(role).name(), window, TEXT_CONTRAST)
    need("theme faint (samples behind the runs)", look.color("faint").name(), base, GRAPHIC_CONTRAST)
    for kind, (text, background, _) in SEMANTIC[name].items():
        need(f"{kind} text", text, background or base, TEXT_CONTRAST)  # banners on their own colour, else on the table
    assert not failures, "\n".join(failures)


def test_run_colours_stay_apart_for_dichromats_and_keep_their_hue(palette_of):
    name, base, window = palette_of
    for role in ("line", "legend"):
        shades = [shade(c, name, base, window, role) for c in RUN_COLORS]
        for deficiency in DEFICIENCIES:
            difference, a, b = least_difference(shades, deficiency)
            assert difference >= LEAST_APART[name], (role, deficiency or "normal vision", a, b, difference)
    for color, drawn in RUN_SHADES[name].items():
        if color != OKABE_ITO["black"]:  # a grey has no hue to keep
            assert QColor(drawn).hsvHue() == pytest.approx(QColor(color).hsvHue(), abs=3), (color, drawn)


def test_an_unknown_colour_role_is_named():
    with pytest.raises(ValueError, match="allowed: " + ", ".join(SHADE_ROLES)):
        shade("#0072B2", "light", "#ffffff", "#efefef", "bold")


def _drawn_colours(item, base: QColor):
    """(what, colour) of every pen and brush ``item`` draws with, translucent ones as seen over ``base``."""
    def seen(color: QColor) -> str:
        return blend(color.name(), base.name(), 1 - color.alphaF())

    def pen_colour(pen):
        pen = pg.mkPen(pen)
        return None if pen.style() == pg.QtCore.Qt.PenStyle.NoPen else seen(pen.color())

    kind = type(item).__name__
    if isinstance(item, pg.FillBetweenItem):  # a band: its translucent fill lets the loss over it read, its
        for edge in item.curves:  # edges carry the 3:1 (a band without them fails here)
            yield kind + " edge", pen_colour(edge.opts["pen"]) if edge.opts["pen"] is not None else base.name()
    elif isinstance(item, pg.InfiniteLine):
        yield kind, pen_colour(item.pen)
    elif isinstance(item, pg.PlotDataItem):
        if item.opts["pen"] is not None and len(item.xData if item.xData is not None else []):
            yield kind + " line", pen_colour(item.opts["pen"])
        if item.opts["symbol"] is not None and item.opts["symbolBrush"] is not None:
            yield kind + " symbol", seen(pg.mkBrush(item.opts["symbolBrush"]).color())
    elif isinstance(item, pg.PlotCurveItem):
        if item.opts["pen"] is not None and item.getData()[0] is not None and len(item.getData()[0]):
            yield kind, pen_colour(item.opts["pen"])
    elif isinstance(item, pg.ScatterPlotItem) and len(item.data):
        brushes = {pg.mkBrush(b if b is not None else item.opts["brush"]).color().name(QColor.NameFormat.HexArgb)
                   for b in item.data["brush"]}
        pens = {pen_colour(p if p is not None else item.opts["pen"]) for p in item.data["pen"]}
        for brush in brushes:
            if QColor(brush).alpha():
                yield kind + " point", seen(QColor(brush))
        for pen in pens - {None}:
            yield kind + " outline", pen


def _plot_failures(win) -> list[str]:
    """Every visible line, marker and band of every plot on the window's palette background that has less than
    3:1 against it (plots over a picture - the loss surface, a heat map, region shading - are left out: their
    background is the picture's)."""
    failures = []
    for widget in win.findChildren(pg.PlotWidget):
        plot = widget.getPlotItem()
        items = plot.items
        if any(isinstance(item, pg.ImageItem) and item.isVisible() for item in items) or not widget.isVisible():
            continue
        base = widget.backgroundBrush().color()
        assert base.name() == theme().color("base").name(), widget.objectName()
        for item in items:
            if not item.isVisible():
                continue
            for what, color in _drawn_colours(item, base):
                if color is not None and contrast_ratio(color, base.name()) < GRAPHIC_CONTRAST:
                    owner = widget.parent().parent().__class__.__name__ if widget.parent() else ""
                    failures.append(f"{owner} {what} {color}: {contrast_ratio(color, base.name()):.2f}:1")
    return failures


def test_what_the_window_draws_reads_in_both_palettes_after_switching(qtbot):
    """A mini-batch lesson with every run colour, drawn in the light palette and then switched to the dark one
    (and back): each plot line, marker, band and legend swatch has 3:1 against its background (a cased swatch:
    against its casing), each run's name in
    the results table 4.5:1, the run list's swatches 3:1 - everything already drawn is restyled."""
    win = shown_window(qtbot, "02_what_is_a_batch", (1366, 768))
    model = win.model
    while len(model.runs) < len(RUN_COLORS):
        model.duplicate_run(model.selected)
    assert {run.color for run in model.runs} == set(RUN_COLORS)
    model.step(60)
    for view in (win.accuracy_view, win.state_plot):  # docks built when first seen: build them here
        view.show()
    for mode in ("light", "dark", "light"):
        theme().set_mode(mode)
        for view in win.findChildren(pg.PlotWidget):
            view.repaint()
        base, window = theme().color("base").name(), theme().color("window").name()
        failures = _plot_failures(win)
        for label in win.findChildren(pg.QtWidgets.QLabel):
            if label.isVisible() and label.objectName().endswith("_legend"):
                # a cased swatch (as drawn on the loss surface) is measured against its casing, as on the plot
                for color, casing in re.findall(r"[^-]color:(#[0-9a-fA-F]{6});?(?:background-color:(#[0-9a-fA-F]{6}))?",
                                                label.text()):
                    if contrast_ratio(color, casing or window) < GRAPHIC_CONTRAST:
                        failures.append(f"{label.objectName()} swatch {color} on {casing or window}: "
                                        f"{contrast_ratio(color, casing or window):.2f}:1")
        table = win.findChild(pg.QtWidgets.QTableWidget, "results_table")
        for row in range(table.rowCount()):
            color = table.item(row, 0).foreground().color().name()
            if contrast_ratio(color, base) < TEXT_CONTRAST:
                failures.append(f"results table, {table.item(row, 0).text()}: {contrast_ratio(color, base):.2f}:1")
        runs = win.findChild(pg.QtWidgets.QListWidget, "run_list")
        for row in range(runs.count()):
            color = runs.item(row).icon().pixmap(14, 14).toImage().pixelColor(7, 7).name()
            if contrast_ratio(color, base) < GRAPHIC_CONTRAST:
                failures.append(f"run list swatch {runs.item(row).text()}: {contrast_ratio(color, base):.2f}:1")
        assert not failures, f"{mode}:\n" + "\n".join(failures)
    win.runner.pause()


def test_compared_variants_take_colours_no_other_run_has(qtbot, palette_of):
    """Compare variants gave each copy its variant's fixed colour whatever the session held: the batch copy took
    run 1's blue (run 1 hidden, but in the run list and the results table, and on every plot once ticked back on,
    the two looked alike), the stochastic copy a second run's vermillion. A copy takes its variant's colour where
    no run has it, else a free one (not the batch's orange): every run is drawn apart from every other, for
    dichromats too, in both palettes."""
    name, base, window = palette_of
    win = shown_window(qtbot, None, (1366, 768))
    model = win.model
    first = model.runs[0]
    model.duplicate_run(first)  # run 1 blue, run 1 copy vermillion
    model.select(first)
    win.action_compare.trigger()
    copies = model.runs[2:]
    # orange is the batch's: the mini-batch copy's circled batch is not taken for the stochastic copy
    assert [color_name(run.color) for run in copies] == ["reddish purple", "sky blue", "bluish green"]
    model.set_visible(first, True)  # ticked back on, to compare with its copies
    win.loss_view.refresh()
    pens = [item.opts["pen"].color().name() for _, item, *_ in win.loss_view._items.values()]
    runs = win.findChild(pg.QtWidgets.QListWidget, "run_list")
    swatches = [runs.item(row).icon().pixmap(14, 14).toImage().pixelColor(7, 7).name() for row in range(runs.count())]
    for drawn in (pens, swatches):
        assert len(drawn) == len(model.runs) == 5
        for deficiency in DEFICIENCIES:
            difference, a, b = least_difference(drawn, deficiency)
            assert difference >= LEAST_APART[name], (deficiency or "normal vision", a, b, difference)
    win.runner.pause()


def test_the_widgets_palette_reads_in_both_themes(palette_of):
    """The palette roles widgets draw text with, on the roles they draw it on (Fusion's light palette, the app's
    dark one): 4.5:1; a check box's edge (PlaceholderText, see app.theme.OutlinedIndicators) 3:1."""
    from PySide6.QtGui import QPalette
    role = QPalette.ColorRole
    palette = theme().app.palette()
    pairs = [(role.WindowText, role.Window), (role.Text, role.Base), (role.Text, role.AlternateBase),
             (role.ButtonText, role.Button), (role.HighlightedText, role.Highlight),
             (role.ToolTipText, role.ToolTipBase), (role.PlaceholderText, role.Window),
             (role.PlaceholderText, role.Base), (role.Link, role.Base)]
    failures = [f"{text.name} on {background.name}: {contrast_ratio(*names):.2f}:1"
                for text, background in pairs
                if contrast_ratio(*(names := (palette.color(text).name(), palette.color(background).name())))
                < TEXT_CONTRAST]
    assert not failures, failures


def test_a_lab_reports_swatches_have_the_colours_of_its_pictures(window):
    """The report's pictures are drawn in the light palette whatever the window's (a printed page: see
    test_a_report_written_in_the_dark_theme_has_light_pictures): its swatches are the light palette's shades too,
    not the dark window's."""
    from app.exports import lab_report
    theme().set_mode("light")
    light = theme().shade(OKABE_ITO["blue"]).name()
    theme().set_mode("dark")
    dark = theme().shade(OKABE_ITO["blue"]).name()
    html = lab_report(window)
    assert dark != light and f"background:{light}" in html and dark not in html


def test_samples_on_a_classifiers_shaded_regions_have_3_to_1_against_every_region(qtbot):
    """The hollow held-out circles (no outline of their own) lie on the class regions, a light picture in both
    themes: sky-blue circles on the light-blue region were 1.9:1. (The batch's circles: see below.)"""
    from app.views.data_view import REGION_COLORS
    theme().set_mode("dark")
    win = shown_window(qtbot, "25_small_batch_generalization")
    view = win.data_view
    assert view.regions.isVisible()
    pens = {pg.mkPen(p).color().name() for p in view.held.data["pen"]}
    assert len(pens) == 2  # two classes
    for color in pens:
        for region in REGION_COLORS:
            assert contrast_ratio(color, region) >= GRAPHIC_CONTRAST, (color, region)


def test_the_batch_circles_read_on_every_background_and_sample_of_the_data_view(palette_of):
    """The data view's batch circles, in any batch colour, read where they sit: the black casing or the colour
    inside it has 3:1 against the plot, every class region and every sample colour (a class's, as drawn on the
    plot or on the regions; a regression's grey), and the colour has 3:1 against its casing. Before, an orange
    circle (no casing) sat on orange samples (1.0:1 on the dark theme's plot) and would have, sky blue, on the
    sky-blue class; lesson 11's orange class on its regions: 1.0:1."""
    from app.views.data_view import REGION_COLORS, _class_colors
    name, base, _ = palette_of
    look = theme()
    failures = []
    for kind, backgrounds in (("boundary", [base]), ("regions", list(REGION_COLORS))):
        samples = list(_class_colors(look, kind)) + [look.color("faint").name()]
        for batch in BATCH_COLORS:
            if contrast_ratio(batch, BATCH_CASING) < GRAPHIC_CONTRAST:
                failures.append(f"{batch} in its casing: {contrast_ratio(batch, BATCH_CASING):.2f}:1")
            for under in backgrounds + samples:
                best = max(contrast_ratio(BATCH_CASING, under), contrast_ratio(batch, under))
                if best < GRAPHIC_CONTRAST:
                    failures.append(f"{name} {kind}: {batch} circle on {under}: {best:.2f}:1")
    assert not failures, "\n".join(failures)


def test_the_data_view_circles_the_batch_in_the_parameter_spaces_batch_colour(qtbot):
    """One batch colour across the window: with each of lesson 4's runs selected (its batch-size-8 run is orange),
    the data view's circles are drawn in the colour of the parameter space's batch arrow and contours, inside a
    black casing, and the data view's tooltip and legend name it ("sky blue, not orange"). Before, the circles
    were orange whatever the colour the parameter space used, around the orange run's own fit line, and the
    tooltip said "circled in orange"."""
    win = shown_window(qtbot, "04_batch_size_noise")
    model, data, space = win.model, win.data_view, win.space_view
    model.step(2)
    seen = set()
    for run in model.runs:
        model.select(run)
        batch = space.arrow_items["step_gradient"][0].opts["pen"].color().name()
        assert batch == space.batch_color().lower()
        assert data.batch.opts["pen"].color().name() == batch, run.name
        assert data.batch_casing.opts["pen"].color().name() == BATCH_CASING.lower()
        assert data.batch_casing.opts["pen"].widthF() >= data.batch.opts["pen"].widthF() + 2
        indices = run.trainer.latest.indices  # None: every sample (batch size 500)
        assert len(data.batch.data) == len(data.batch_casing.data) == (500 if indices is None else len(indices))
        tip, legend = data.plot.toolTip(), data.legend.text()
        if batch == OKABE_ITO["orange"].lower():
            assert "circled in orange:" in tip and "orange" not in legend
        else:
            assert f"circled in {color_name(batch)}, not orange" in tip, tip
            assert f"latest batch ({color_name(batch)}, not orange)" in legend.replace("\u2060", ""), legend
            assert f"color:{batch}" in legend.lower()  # the swatch, in the circles' colour
        seen.add(batch)
    assert seen == {OKABE_ITO["orange"].lower(), OKABE_ITO["sky_blue"].lower()}  # the orange run: sky blue
    win.runner.pause()


def test_the_data_legend_names_the_latest_batch_only_once_one_is_circled(qtbot):
    """Lesson 4 with its orange run selected: before any step the data view's legend said "latest batch (sky
    blue, not orange)" beside a plot with no circle on it. The legend names the batch from the first step, and
    no longer after a reset; its row keeps its height all the while (the plot under it stays put)."""
    win = shown_window(qtbot, "04_batch_size_noise")
    model, data = win.model, win.data_view
    model.select(next(run for run in model.runs if run.color.lower() == OKABE_ITO["orange"].lower()))
    qtbot.waitUntil(lambda: data.legend.height() > 0)

    def named() -> bool:
        return "latest batch" in data.legend.text()

    height = data.legend.height()
    assert not named() and len(data.batch.data) == 0
    model.step(1)
    assert named() and len(data.batch.data) > 0 and data.legend.height() == height
    win.reset()
    assert not named() and len(data.batch.data) == 0 and data.legend.height() == height
    win.runner.pause()


def _outlines_on_the_surface(view):
    """(what, colour) of the outermost colour of every line and marker drawn over the parameter space's loss
    surface - what meets the surface: a casing (a curve's shadow pen wider than its pen, or a wider line under
    the same points), a marker's outline, else the item's own colour. The surface's own iso-lines are its picture."""
    plot = view.plot.getPlotItem()
    items = [item for item in plot.items if item.isVisible() and item not in (view.image, view.isolines)]

    def points(item):
        x, y = item.getData()
        return None if x is None or not len(x) else (tuple(x), tuple(y))

    lines = [(item, points(item), item.opts["pen"], item.opts["shadowPen"]) for item in items
             if isinstance(item, (pg.PlotCurveItem, pg.PlotDataItem)) and points(item) is not None]
    for item, xy, pen, shadow in lines:
        pen = pg.mkPen(pen)
        casings = [pg.mkPen(other_pen) for other, other_xy, other_pen, _ in lines
                   if other is not item and other_xy == xy and other.zValue() < item.zValue()
                   and pg.mkPen(other_pen).widthF() >= pen.widthF() + 2]
        if shadow is not None and pg.mkPen(shadow).widthF() >= pen.widthF() + 2:
            casings.append(pg.mkPen(shadow))
        yield type(item).__name__, (casings[0] if casings else pen).color()
    for item in items:
        if isinstance(item, pg.ScatterPlotItem):
            for spot in item.points():
                pen = spot.pen()
                yield "marker", spot.brush().color() if pen.style() == Qt.PenStyle.NoPen else pen.color()
        elif isinstance(item, pg.ArrowItem):
            pen = item.pen()
            yield "arrow head", item.brush().color() if pen.style() == Qt.PenStyle.NoPen else pen.color()


def test_what_is_drawn_on_the_loss_surface_has_3_to_1_against_every_colour_of_it(qtbot):
    """Lesson 12 (batch surface and arrows on) with a run of every colour, in both palettes: every path, start and
    current point, batch contour, arrow and arrow head meets the loss surface (the same light picture in both
    themes) with an outline of 3:1 against every colour of the surface's colour map - sampled along it, since its
    lightness is not monotonic. Before, the paths and markers met it in the runs' own colours (orange 2.2:1 on its
    light end, 1.3:1 on its dark one; blue 5.0 and 1.8:1), the dashed batch contours and the orange arrow in
    orange. The runs' own colours are still what is drawn inside the casings."""
    win = shown_window(qtbot, "12_batch_surface")
    model, view = win.model, win.space_view
    while len(model.runs) < len(RUN_COLORS):
        model.duplicate_run(model.selected)
    model.step(4)
    table = view.image.getColorMap().getLookupTable(nPts=64, alpha=False)
    surface = [QColor(*map(int, rgb)).name() for rgb in table]
    for mode in ("light", "dark"):
        theme().set_mode(mode)
        view.refresh()
        view._update_overlays(force=True)
        outlines = list(_outlines_on_the_surface(view))
        kinds = {what for what, _ in outlines}
        assert {"PlotCurveItem", "PlotDataItem", "marker", "arrow head"} <= kinds, kinds  # paths, batch lines...
        assert len(outlines) >= 2 * len(RUN_COLORS) + 3 + 3  # a start and a current point per run, three arrows
        worst = {(what, color.name(), color.alpha()): min((contrast_ratio(color.name(), background), background)
                                                          for background in surface) for what, color in outlines}
        failures = sorted(f"{what} {color} (alpha {alpha}): {ratio:.2f}:1 on {background}"
                          for (what, color, alpha), (ratio, background) in worst.items()
                          if alpha < 255 or ratio < GRAPHIC_CONTRAST)
        assert not failures, f"{mode}:\n" + "\n".join(failures)
        assert {path.opts["pen"].color().name() for path in view.paths.values()} == \
            {on_casing(color).lower() for color in RUN_COLORS}  # the runs' own colours (black: grey, see below)
        # the legend row's swatches are the colours as drawn here, each on a block of the casing (3:1 against it,
        # as on the surface) - before, the theme's shade for plain plots: a yellow run's olive #605b1a on the
        # light theme beside its yellow path
        swatches = re.findall(r"color:(#[0-9a-fA-F]{6});background-color:(#[0-9a-fA-F]{6})", view.legend.text())
        assert sorted(swatches) == sorted((on_casing(color), SURFACE_CASING) for color in RUN_COLORS), mode
    win.runner.pause()


def test_every_lesson_that_calls_the_batch_orange_keeps_it_orange_for_each_of_its_runs():
    """A lesson's text that says "the orange arrow" or "dashed orange contours" (lesson 12) stays true whichever
    of its runs is selected: app.palette.batch_color gives orange for each run's colour beside the others. (A
    vermillion or orange run would make it sky blue; lesson 12's blue and bluish-green runs keep it orange.)
    So does a lesson that opens on the trajectory plane, which draws no batch items: a batch coloured away from
    orange left the data view's legend saying "latest batch (yellow, not orange)" about an orange nothing in sight
    (lesson 11's vermillion Adam run beside its yellow-circled samples; its runs are blue and bluish green now)."""
    from gd_core.lesson_library import list_lessons, load_lesson
    saying, planes = 0, []
    for name, _ in list_lessons():
        lesson = load_lesson(name)
        words = " ".join([lesson.text] + [" ".join((q.text, q.explain) + q.choices) for q in lesson.questions]).lower()
        if lesson.view.get("space_mode") == "plane":
            planes.append(name)
        elif "orange" not in words:
            continue
        saying += 1
        colors = [run.color for run in lesson.runs]
        for i, color in enumerate(colors):
            assert batch_color(color, tuple(colors[:i] + colors[i + 1:])) == BATCH_COLOR, (name, color)
    assert saying >= 2 and "11_mlp_landscape" in planes  # 12 says orange; 11 opens on the plane (any other may too)


def test_lesson_12_tells_the_runs_arrow_from_the_orange_batch_arrow(qtbot):
    """Lesson 12's text tells "the orange arrow" (the batch's gradient) from "the arrow in the run's colour" (the
    step taken): for each of its runs, the two arrows as drawn differ by CIEDE2000 >= 30, and >= 15 for each
    dichromacy (Machado 2009). Its batch-size-4 run was vermillion: 22 from the orange arrow, 12.5 for
    deuteranopes - an orange arrow beside another orange one."""
    win = shown_window(qtbot, "12_batch_surface")
    assert "orange arrow" in win.model.text and "arrow in the run's colour" in win.model.text
    model, view = win.model, win.space_view
    model.step(2)
    for run in model.runs:
        model.select(run)
        view._update_overlays(force=True)
        batch, update = (view.arrow_items[key][0].opts["pen"].color().name() for key in ("step_gradient", "update"))
        assert batch == OKABE_ITO["orange"].lower()
        for deficiency in DEFICIENCIES:
            seen = [simulate(c, deficiency) if deficiency else c for c in (batch, update)]
            assert delta_e(*seen) >= (15 if deficiency else 30), (run.name, deficiency or "normal vision", update)
    win.runner.pause()


def _surface_colours(view) -> list[str]:
    """64 colours along the loss surface's colour map (its lightness is not monotonic: sampled, not its ends)."""
    return [QColor(*map(int, rgb)).name() for rgb in view.image.getColorMap().getLookupTable(nPts=64, alpha=False)]


def _lesson_12_with_every_colour(qtbot, arrows: bool = True):
    """Lesson 12's window, a run of each run colour, the arrows and the batch surface on, four steps made."""
    win = shown_window(qtbot, "12_batch_surface")
    model = win.model
    while len(model.runs) < len(RUN_COLORS):
        model.duplicate_run(model.selected)
    model.set_view("arrows", arrows)
    model.set_view("batch_surface", True)
    model.step(4)
    return win, model, win.space_view


def test_the_batch_arrow_and_contours_stay_apart_from_the_selected_runs_colour(qtbot):
    """Whatever the selected run's colour, the batch's arrow, its head and its dashed contours as drawn differ from
    the run's update arrow beside them by CIEDE2000 >= 30, >= 15 for each dichromacy (app.palette.batch_color);
    where they are not orange the legend row and View > Batch surface / Arrows say what colour they are instead.
    Before they were orange whatever the run: 22 from a vermillion run (13 for deuteranopes), 22 from yellow, 11
    from reddish purple for protanopes, nothing from an orange one."""
    win, model, view = _lesson_12_with_every_colour(qtbot)
    orange = OKABE_ITO["orange"].lower()
    for color in RUN_COLORS:
        model.select(next(run for run in model.runs if run.color == color))
        view._update_overlays(force=True)
        arrow_line, arrow_head = view.arrow_items["step_gradient"]
        batch = {arrow_line.opts["pen"].color().name(), arrow_head.brush().color().name(),
                 view.batch_lines.opts["pen"].color().name()}
        assert len(batch) == 1 and len(view.batch_lines.getData()[0]), batch  # one colour, contours drawn
        batch = batch.pop()
        update = view.arrow_items["update"][0].opts["pen"].color().name()
        assert update == view.paths[id(model.selected)].opts["pen"].color().name()  # "the arrow in the run's colour"
        for deficiency in DEFICIENCIES:
            seen = [simulate(c, deficiency) if deficiency else c for c in (batch, update)]
            assert delta_e(*seen) >= (15 if deficiency else 30), (color, batch, deficiency or "normal vision")
        said = (view.legend.text(), view.arrows.toolTip(), view.batch_surface.toolTip())
        if batch == orange:
            assert not any("not orange" in text for text in said)
        else:
            assert all(f"{color_name(batch)}, not orange" in text.lower() for text in said), (color, said)
    assert {batch_color(color) for color in RUN_COLORS} == {OKABE_ITO[name] for name in ("orange", "sky_blue",
                                                                                        "bluish_green")}
    purple, green = OKABE_ITO["reddish_purple"], OKABE_ITO["bluish_green"]
    assert batch_color(purple) == green
    # lesson 12's other run is bluish green: its contours would pass for the batch's - yellow is apart from both
    assert batch_color(purple, (green,)) == OKABE_ITO["yellow"]
    assert batch_color(OKABE_ITO["blue"], (OKABE_ITO["vermillion"],)) == OKABE_ITO["orange"]  # orange where it can
    for run in model.runs[2:]:  # lesson 12's two runs again: blue (selected) and bluish green
        model.remove_run(run)
    model.set_color(model.runs[0], purple)
    model.select(model.runs[0])
    view._update_overlays(force=True)
    assert view.batch_lines.opts["pen"].color().name() == OKABE_ITO["yellow"].lower()
    win.runner.pause()


def test_a_colour_picked_in_the_dialog_gets_the_batch_colour_furthest_from_it():
    assert batch_color("#FFA500") != OKABE_ITO["orange"] and apartness(batch_color("#FFA500"), "#FFA500") >= 1
    green = "#40e060"  # a light green: none of the four is apart from it for every dichromat, the furthest is drawn
    assert apartness(batch_color(green), green) == max(apartness(c, green) for c in BATCH_COLORS) < 1


def test_every_runs_colour_reads_inside_its_casing_on_the_loss_surface(qtbot):
    """A run's path, start ring, current disc and update arrow (and the batch's arrow and contours) have 3:1 against
    the near-black casing around them: a black run's line merged into its casing (1.2:1 - a casing with no colour
    inside it, the look of every path's outline) and is drawn grey now (app.palette.on_casing)."""
    win, model, view = _lesson_12_with_every_colour(qtbot)
    view._update_overlays(force=True)
    failures = []

    def need(what, inside, casing):
        if contrast_ratio(inside.name(), casing.name()) < GRAPHIC_CONTRAST:
            failures.append(f"{what} {inside.name()} in {casing.name()}: "
                            f"{contrast_ratio(inside.name(), casing.name()):.2f}:1")
    for path in view.paths.values():
        need("path", path.opts["pen"].color(), path.opts["shadowPen"].color())
    for item in (view.starts, view.currents):
        assert len(item.points()) == len(RUN_COLORS)
        for spot in item.points():
            need("marker", spot.brush().color(), spot.pen().color())
    for key in ("step_gradient", "update"):  # the full gradient's arrow is black: a dark arrow, its casing its edge
        line, head = view.arrow_items[key]
        need(f"{key} arrow", line.opts["pen"].color(), view.arrow_casings[key].opts["pen"].color())
        need(f"{key} arrow head", head.brush().color(), head.pen().color())
    need("batch contours", view.batch_lines.opts["pen"].color(), view.batch_lines.opts["shadowPen"].color())
    assert not failures, "\n".join(failures)
    assert {path.opts["shadowPen"].color().name() for path in view.paths.values()} == {SURFACE_CASING}
    win.runner.pause()


def _pixel(view, image, x: float, y: float) -> str:
    """The colour ``image`` (a grab of the view's plot) has at the plot point (x, y)."""
    point = view.plot.mapFromScene(view.plot.getPlotItem().vb.mapViewToScene(pg.QtCore.QPointF(x, y)))
    return image.pixelColor(point).name()


def test_off_the_loss_surface_every_casing_has_3_to_1_against_what_is_behind_it(qtbot):
    """Zoomed out past the surface's grid, in both palettes: what the plot shows there (its pixels, sampled) has
    3:1 against every casing and marker outline of the view. Before, the dark palette's plot (#1e1f22) showed
    there: 1.06:1 against the near-black casing - paths and markers lost their outline off the surface."""
    win, model, view = _lesson_12_with_every_colour(qtbot)
    vb = view.plot.getPlotItem().vb
    for mode in ("light", "dark"):
        theme().set_mode(mode)
        vb.scaleBy((3, 3))
        view.refresh()
        view._update_overlays(force=True)
        image = view.plot.grab().toImage()
        (x0, x1), (y0, y1) = vb.viewRange()
        surface = view.image.mapRectToView(view.image.boundingRect())
        off = [(x0 + (x1 - x0) * fx, y0 + (y1 - y0) * fy) for fx in (0.1, 0.9) for fy in (0.1, 0.9)]
        assert not any(surface.contains(pg.QtCore.QPointF(*point)) for point in off)
        behind = {_pixel(view, image, *point) for point in off}
        outlines = {color.name() for _, color in _outlines_on_the_surface(view)}
        assert SURFACE_CASING in outlines
        failures = [f"{outline} on {background}: {contrast_ratio(outline, background):.2f}:1"
                    for outline in outlines for background in behind
                    if contrast_ratio(outline, background) < GRAPHIC_CONTRAST]
        assert not failures, f"{mode}:\n" + "\n".join(failures)
        vb.scaleBy((1 / 3, 1 / 3))
    win.runner.pause()


def test_the_step_arrows_leave_the_current_point_in_view(qtbot):
    """The latest step's arrows start at its first point and run on over the current one (the batch's arrow is
    1/lr times the update): the selected run's current disc, drawn over them, keeps its colour - most of its pixels
    (grabbed) are the run's colour. Before, the arrows lay over it: black and orange stripes across a blue disc."""
    win = shown_window(qtbot, "12_batch_surface")
    model, view = win.model, win.space_view
    model.set_view("arrows", True)
    model.step(5)
    view._update_overlays(force=True)
    run = model.selected
    x, y = view.marker(view.currents, run)
    image = view.plot.grab().toImage()
    centre = view.plot.mapFromScene(view.plot.getPlotItem().vb.mapViewToScene(pg.QtCore.QPointF(x, y)))
    disc = [image.pixelColor(centre.x() + dx, centre.y() + dy).name() for dx in range(-3, 4) for dy in range(-3, 4)
            if dx * dx + dy * dy <= 9]
    own = on_casing(run.color)
    assert sum(delta_e(pixel, own) < 10 for pixel in disc) >= 0.9 * len(disc), disc
    win.runner.pause()


def test_the_sweep_heat_maps_colours_rise_in_lightness_for_every_vision():
    """The learning-rate sweep's heat map reads in order without telling hues apart: CIELAB lightness rises at
    every step of its colour map, for normal vision and as each dichromat sees it (Machado 2009), its ends far
    apart for all."""
    from app.contrast import lab
    from app.views.sweep import HEAT_COLORS
    colors = [QColor(*map(int, rgb)).name() for rgb in HEAT_COLORS.getLookupTable(nPts=32, alpha=False)]
    for deficiency in DEFICIENCIES:
        seen = [simulate(c, deficiency) if deficiency else c for c in colors]
        lightness = [lab(c)[0] for c in seen]
        assert all(b > a for a, b in zip(lightness, lightness[1:])), (deficiency, lightness)
        assert delta_e(seen[0], seen[-1]) >= 60, deficiency


def test_a_diverged_runs_cross_reads_on_its_heat_map_cell(qtbot, palette_of):
    """A diverged run's cell takes the map's top colour under a cross: the cross has 3:1 against it in both
    palettes, and the colour bar beside the map says what the colours and the cross mean. Before, the dark
    palette's light-red cross had 1.35:1 on viridis' yellow."""
    from app.session import SessionModel
    from app.views.sweep import SweepWindow
    sweep = SweepWindow(SessionModel())
    qtbot.addWidget(sweep)
    sweep.lrs, sweep.sizes = np.logspace(-3, 0, 4), [1, 2, 4]
    sweep.grid = np.array([[3.0, 0.5, 0.1, np.nan], [2.0, 0.4, 0.2, np.nan], [1.0, 0.3, 0.2, 40.0]])
    sweep._grid_done = {0, 1, 2}
    sweep._draw_grid()
    image, (low, high) = sweep.heat_image.image, sweep.heat_image.getLevels()
    crosses = sweep.diverged.points()
    assert len(crosses) == 2
    for cross in crosses:
        row, col = round(cross.pos().y()), int(np.argmin(abs(np.log10(sweep.lrs) - cross.pos().x())))
        cell = sweep.heat_image.getColorMap().map([(image[row, col] - low) / (high - low)], mode="qcolor")[0].name()
        mark = cross.pen().color().name()
        assert contrast_ratio(mark, cell) >= GRAPHIC_CONTRAST, (palette_of[0], mark, cell)
    assert sweep.heat_bar.isVisible() and sweep.heat_bar.colorMap() is sweep.heat_image.getColorMap()
    label = " ".join(sweep.heat_bar.getAxis(side).labelText for side in ("left", "right"))
    assert "final loss" in label and "diverged" in label


def test_the_arrows_to_runs_outside_the_view_are_cased_like_the_runs(qtbot):
    """The arrows on the parameter space's edge pointing at runs outside the view lie on the surface or off it:
    their outline has 3:1 against every colour of the surface and the backdrop off it, and their fill (the run's
    colour) 3:1 against the outline, in both palettes. Before, the outline was the surface's lightest colour
    (#fdfcf3): 1.0:1 on its light end, 2.9:1 on its dark one."""
    win = shown_window(qtbot, "12_batch_surface")
    view = win.space_view
    win.model.step(2)
    surface = _surface_colours(view)
    for mode in ("light", "dark"):
        theme().set_mode(mode)
        view.plot.setRange(xRange=(3.8, 4.0), yRange=(-0.9, -0.7), padding=0)  # a corner far from the runs
        arrows = view.off_view.shown()
        assert len(arrows) == len(win.model.runs)
        backdrop = view.plot.getPlotItem().vb.background  # hidden: the plot's base shows
        behind = surface + [(backdrop.brush() if backdrop.isVisible() else view.plot.backgroundBrush()).color().name()]
        for arrow in arrows:
            outline, fill = arrow.opts["pen"].color().name(), arrow.opts["brush"].color().name()
            assert min(contrast_ratio(outline, b) for b in behind) >= GRAPHIC_CONTRAST, (mode, outline)
            assert contrast_ratio(fill, outline) >= GRAPHIC_CONTRAST, (mode, fill, outline)
    win.runner.pause()


def test_a_cased_legend_swatch_shows_its_runs_colour_as_a_bar_not_a_stripe(qtbot):
    """The parameter space's swatches (a run's colour inside its casing, as on the surface) drew a thin line on a
    block of casing: a black square with a 2-px stripe, the runs told apart only by peering (lesson 12)."""
    win = shown_window(qtbot, "12_batch_surface", (1280, 720))
    image = win.space_view.legend.grab().toImage()
    pixels = np.array([[image.pixelColor(x, y).getRgb()[:3] for x in range(image.width())]
                       for y in range(image.height())])
    casing = np.array(QColor(SURFACE_CASING).getRgb()[:3])
    casing_pixels = np.sum(np.abs(pixels - casing).sum(axis=2) < 30)
    for run in win.model.runs:
        color = np.array(QColor(on_casing(run.color)).getRgb()[:3])
        color_pixels = np.sum(np.abs(pixels - color).sum(axis=2) < 30)
        # at least a fifth of a swatch's casing in the run's colour (the thin line: about a sixteenth offscreen)
        assert color_pixels > 0.2 * casing_pixels / len(win.model.runs), (run.name, color_pixels, casing_pixels)


def test_a_selected_runs_swatch_stands_out_from_the_selection(palette_of):
    """Run 1's blue square on its selected row: Qt tinted it with the selection's blue, and it vanished there."""
    from PySide6.QtGui import QIcon, QPalette
    from PySide6.QtWidgets import QApplication

    from app.run_list import swatch

    highlight = QApplication.palette().color(QPalette.ColorRole.Highlight).name()
    blue = OKABE_ITO["blue"]
    image = swatch(blue).pixmap(14, 14, QIcon.Mode.Selected).toImage()
    assert image.pixelColor(7, 7).name() == blue.lower()  # the run's own colour, not tinted
    assert contrast_ratio(image.pixelColor(0, 7).name(), highlight) >= GRAPHIC_CONTRAST  # in a ring that stands out


def test_the_theme_works_out_its_colours_once_per_palette(qtbot, monkeypatch):
    """A new window asked the theme for its colours ~550 times, each a palette lookup and, for the muted and
    faint ones, the blends and contrasts again (part of the launch's time): they are worked out once per palette.
    A second window works out none; a palette change (dark) gives that palette's colours; each answer is a copy."""
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    from app import theme as theme_module
    worked_out = []
    contrast = theme_module.with_contrast
    monkeypatch.setattr(theme_module, "with_contrast", lambda *args: worked_out.append(args) or contrast(*args))
    shown_window(qtbot)
    worked_out.clear()
    shown_window(qtbot)
    assert worked_out == []
    look = theme()
    light = {role: look.color(role).name() for role in ("base", "text", "window", "muted", "faint")}
    look.color("text").setAlpha(10)  # the caller's copy
    assert look.color("text").alpha() == 255
    look.set_mode("dark")
    palette = QApplication.palette()
    assert look.dark and look.color("base") == palette.color(QPalette.ColorRole.Base)
    assert look.color("muted").name() != light["muted"] and look.color("faint").name() != light["faint"]
    assert contrast_ratio(look.color("muted").name(), look.color("base").name()) >= TEXT_CONTRAST
