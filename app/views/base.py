"""What the plot views share: a header row (title, a one-line read-out, controls) and a legend row over a
pyqtgraph PlotWidget, and per-run item bookkeeping.

Neither row ever changes the window's size: the read-out and the legend take the width they are given (their
text changes with every pointer move or run), so a hover cannot make the plots re-flow under the pointer. A
caption in the header clips what does not fit; a read-out that follows the pointer (:attr:`PlotView.readout_row`)
has a row of its own under the header, as tall as its widest text needs (the header leaves it a few pixels in a
narrow view); the legend, which changes only with the runs, wraps whole entries onto a further line. Legends sit
above the plot, never on it, so they hide no data.
"""

from __future__ import annotations

import html
import math
from typing import NamedTuple

import numpy as np
import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPalette, QTextDocument, QTransform
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from gd_core.display import axis_end, log_tick_rank, log_tick_text, plain_log_ticks

from ..export_menu import ExportButton
from ..exports import Picture, picture_taken
from ..palette import BATCH_COLOR, batch_color, color_name
from ..session import Run, SessionModel
from ..theme import TEXT_SIZES, theme
from ..throttle import Throttle
from ..widgets import ElidedLabel, ReadoutLabel, ShortestFitLabel

#: A legend row names at most this many entries (the tooltip names them all): a 100-run session stays cheap.
LEGEND_SHOWN = 12


def lighter(color: str, amount: float = 0.6) -> QColor:
    """``color`` blended towards white: an opaque light shade (opaque pens draw much faster than alpha)."""
    c = QColor(color)
    return QColor(*(round(v + (255 - v) * amount) for v in (c.red(), c.green(), c.blue())))


def fainter(color: str) -> QColor:
    """``color`` faded towards the plot background as a line drawn under a run's main curve (its batch loss),
    never below 3:1 against the background."""
    return theme().shade(color, "faint")


def stronger(color: str) -> QColor:
    """``color`` as a run's main curve: its line shade, 3:1 against the plot background and apart from the other
    runs' for dichromats too (drawn over its fainter batch loss)."""
    return theme().shade(color)


#: A legend entry's symbol for a dashed curve (a run's validation measure).
DASHED = "╍╍"


#: A cased path's legend mark: a bar as thick as most of the line, so the run's colour fills the swatch and its
#: casing shows as the rim around it, as on the surface (a thin line on a block of casing read as a black square).
CASED_LINE = "▬▬"


class Cased(NamedTuple):
    """A legend entry's colour as drawn inside a casing (the loss surface's paths and batch items, the data view's
    batch circles): its swatch is ``color`` on a block of ``casing``, as on the plot - not the theme's shade of it,
    which is not what the plot shows (a yellow run's olive on the light theme beside its yellow path)."""
    color: str
    casing: str


def legend_html(entries: list[tuple], symbol: str = "━━", shown: int = LEGEND_SHOWN,
                keys: list[tuple] = (), first: tuple[int, ...] = (), wide: frozenset[str] = frozenset()
                ) -> tuple[str, str]:
    """(rich text, tooltip) of a legend row: each entry ``(colour, name)`` or ``(colour, name, its own symbol)``
    a swatch (see :func:`swatch`) and a name, never broken across lines (a row that wraps breaks between
    entries) - but a name in ``wide`` (an entry wider than the row) between its words, never inside one;
    ``shown`` entries are written out - those at the indices ``first`` before the others, each in its place -
    then "+k more", then every one of ``keys`` (what a line style means: "╍╍ validation"); the
    tooltip names all. Cased swatches are blocks as tall as the line:
    lines of them are parted by :data:`CASED_LINE_GAP` (a wrapped row's, or the tooltip's, stacked into one black
    column)."""
    def item(color, name, mark=symbol, breaks=False) -> str:
        drawn = f"{swatch(color, mark)}&nbsp;" if mark else ""  # no mark: words alone (:func:`run_named`)
        words = html.escape(unbreakable(name))  # (a wide one breaks at its spaces, the mark kept with its word)
        return f"{drawn}{words}" if breaks else f"<nobr>{drawn}{words}</nobr>"
    preferred = [k for k in first if k < len(entries)]
    named = sorted([*preferred, *(k for k in range(len(entries)) if k not in preferred)][:shown])
    written = [item(*entries[k], breaks=entries[k][1] in wide) for k in named]
    if len(entries) > shown:
        written.append(f"<nobr>+{len(entries) - shown} more</nobr>")
    written += [item(*key, breaks=key[1] in wide) for key in keys]
    every = [*entries, *keys]
    tip = "<br>".join(item(*entry) for entry in every) if len(every) > 1 else ""
    text = "&nbsp;&nbsp; ".join(written)
    if any(isinstance(entry[0], Cased) for entry in every):
        spaced = f'<div style="-qt-line-height-type:line-distance;line-height:{CASED_LINE_GAP}px">'
        text, tip = spaced + text + "</div>", spaced + tip + "</div>" if tip else ""
    return text, tip


#: Pixels between the lines of a legend with cased swatches, so that the swatches of one line do not meet those
#: of the next (Qt paints a span's background the line's full height).
CASED_LINE_GAP = 2


def swatch(color, mark: str) -> str:
    """A legend entry's symbol ``mark`` in ``color`` as the plot draws it: a colour in its legend shade (3:1
    against the row, as the plots' lines are drawn in its line shade), a :class:`Cased` one in its own colour on a
    block of its casing (3:1 against the casing, as on the plot)."""
    if isinstance(color, Cased):
        return f'<span style="color:{color.color};background-color:{color.casing}"><b>{mark}</b></span>'
    return f'<span style="color:{theme().shade(color, "legend").name()}"><b>{mark}</b></span>'


def run_named(name: str) -> tuple:
    """A legend entry naming the run ``name`` in words alone, with no mark: a picture's legend entries for a lone
    run's curves ("full loss"), or for what only the selected run shows (a classifier's regions), say whose."""
    return (theme().color("text"), f"run: {name}", "")


def with_run_named(name: str, legend: str = "") -> str:
    """A picture's legend (rich text) after the words naming the run it was computed for: a sweep's, a range
    test's, a batch-size plan's - the selected run's when computed, whichever is selected when it is exported."""
    named = legend_html([run_named(name)])[0]
    return f"{named}&nbsp;&nbsp; {legend}" if legend else named


def batch_name(color: str) -> str:
    """The batch's colour in words, for a legend entry or a tooltip: "orange" - what the lessons call it - or,
    where the selected run's colour made it another (:func:`app.palette.batch_color`), "sky blue, not orange"."""
    return color_name(color) if color == BATCH_COLOR else f"{color_name(color)}, not orange"


#: U+2060 WORD JOINER: an invisible character that forbids a line break where it stands.
WORD_JOINER = "\u2060"
#: Where Qt breaks a line inside ``<nobr>``: after a hyphen, a slash or a dash.
BREAKS_AFTER = frozenset("-/\u2010\u2013\u2014")


def unbreakable(name: str) -> str:
    """``name`` with no place to break a line: Qt's rich text keeps spaces inside ``<nobr>`` but still breaks
    after a hyphen or a slash there ("mini-" on one line of a legend, "batch 16" on the next)."""
    return "".join(c + WORD_JOINER if c in BREAKS_AFTER else c for c in name)


class LegendRow(ReadoutLabel):
    """A plot's legend row, which yields to the plot: it wraps whole entries onto further lines while the plot
    below keeps its least height (:meth:`PlotView.least_plot_height`); beyond that it names as many entries as fit
    its lines, then "+k more", then its keys (what a line style means: "╍╍ validation") - always at least one
    line; its tooltip names all. Its height is that of the tallest legend the selection can give (the reserved
    ones, each fitted the same way): the plot stays where it is. Six runs at Large text on 1280x720 wrapped the
    loss legend onto five lines over 24 px of plot, whose tick labels ran into each other."""

    _legends: tuple = ()  # (entries, keys) of the legend shown, then of each reserved one
    _symbol = "━━"
    _first: tuple[int, ...] = ()  # the indices of the entries named before the others (legend_html)
    _least = 0  # the row's height at its fewest lines

    def __init__(self, name: str, room):
        """``room()``: the most pixels the row may take now (its own height and what the plot has above its
        least)."""
        super().__init__(name, rich=True)
        self._room = room

    def show_legends(self, legends: list[tuple[list[tuple], list[tuple]]], symbol: str,
                     first: tuple[int, ...] = ()) -> None:
        """Show the first of ``legends`` ((entries, keys) each), keeping room for the tallest of all; the entries
        at the indices ``first`` are named before the others where not all fit."""
        self._legends, self._symbol, self._first = tuple(legends), symbol, tuple(first)
        self._fit()

    def refit(self) -> None:
        """Fit the legend to the room it has now (its view was resized)."""
        self._fit()

    def _fit(self) -> None:
        if not self._legends:  # (while ReadoutLabel is made)
            return super()._fit()
        self._probe.setFont(self.font())
        margins = self.contentsMargins()
        width = self.width() - margins.left() - margins.right()
        line = self._probe.fontMetrics().height()
        room = max(line, self._room() - margins.top() - margins.bottom())
        height, least, shown = line, line, None
        for entries, keys in self._legends:
            text, needs = self._fitted(entries, keys, width, room)
            height, shown = max(height, needs), shown if shown is not None else text
            least = max(least, self._fitted(entries, keys, width, 0)[1])
        self._least = least + margins.top() + margins.bottom()
        height += margins.top() + margins.bottom()
        if height != self.maximumHeight() or height != self.minimumHeight():
            self.setFixedHeight(height)
        self._whole = shown
        QLabel.setText(self, shown)

    def _fitted(self, entries: list[tuple], keys: list[tuple], width: int, room: int) -> tuple[str, int]:
        """(rich text, its height) of the legend naming the most of ``entries`` (at least one) that fits ``room``
        pixels at ``width``, with ``keys``; the fewest with a line of room (the row's least) where none fits."""
        wide = self._wider_than(width, [*entries, *keys]) if width > 0 else frozenset()

        def laid_out(shown: int) -> tuple[str, int]:
            text = legend_html(entries, self._symbol, shown, keys, self._first, wide)[0]
            return text, self._needs(text, width)
        whole = laid_out(LEGEND_SHOWN) if width > 0 else (legend_html(entries, self._symbol, keys=keys)[0], 0)
        if whole[1] <= room or len(entries) <= 1:
            return whole
        low, high = 1, min(len(entries), LEGEND_SHOWN) - 1  # the most entries that fit: binary search
        while low < high:
            middle = (low + high + 1) // 2
            if laid_out(middle)[1] <= room:
                low = middle
            else:
                high = middle - 1
        fewest = laid_out(low)
        return whole if fewest[1] > room and whole[1] <= fewest[1] else fewest  # "… and 1 more" saves no line

    def _wider_than(self, width: int, entries: list[tuple]) -> frozenset[str]:
        """The names of ``entries`` wider than ``width`` on a line of their own: they break between their words (at
        Extra large text "◯ latest batch (sky blue, not orange)" is 351 px, the data plot's row at 1280 px 276,
        and it read "latest batch (sky blue, not" - its end cut off)."""
        doc = QTextDocument()
        doc.setDocumentMargin(0)
        doc.setDefaultFont(self.font())
        wide = set()
        for entry in entries:
            doc.setHtml(legend_html([entry], self._symbol)[0])
            if doc.idealWidth() > width:
                wide.add(entry[1])
        return frozenset(wide)

    def least_height(self) -> int:
        """The row's height at its fewest lines (one entry, "+k more" and the keys): what it yields to, in a
        view squeezed below it."""
        return self._least if self._legends else self.height()


def least_size(pixels: int) -> int:
    """A plot's least height of ``pixels`` at the normal text size, at the current one: it grows with the text up to
    Large's (at Extra large the window must still fit a 1366x768 laptop)."""
    return round(pixels * min(theme().scale, TEXT_SIZES["large"][1]))


class PlotView(QWidget):
    """A view: a header (title + controls) above one PlotWidget, subscribed to the session model."""

    title = ""
    #: Whether ``info`` is a read-out that follows the pointer, on a row of its own under the header (else a
    #: caption in the header, between the title and the controls).
    readout_row = False
    #: False for a view without a caption (``info`` is None): the header holds its title and controls alone - an
    #: empty caption still cost the header's spacing, 8 px of the loss view's least width (the window's, at
    #: Large text on a 1280-px projector, where none is to spare).
    has_caption = True
    #: While runs train, redraw at most this often (seconds; 0: on every tick). Any other change redraws at once.
    live_refresh_s = 0.0
    #: The height (pixels at the normal text size) at which the view is readable: ~120 px of plot under its
    #: header, a two-row legend and the x axis. A dock holding the view grows to it when brought to the front
    #: (MainWindow._give_room).
    readable = 250
    #: True for a plot tabbed with the results below the plots (the measured quantities): as wide as the plots
    #: above, it is readable at 180 px (a one-row legend, ~100 px of plot), and it asks for no height of its own
    #: - the results' table sets the strip's least height (the sharpness view's 153 px took 38 px from the plots
    #: above in every session).
    beside_results = False
    #: The session's view settings (``model.view``) the view draws by: a change of another leaves it as it is
    #: (None: every setting - Compare variants' switch to epochs rebuilt the data view and the parameter space).
    view_keys: tuple[str, ...] | None = None
    #: False for a view in a dock of its own: the dock's tab or title names it, a bold heading would repeat the
    #: name (and take the width the right column's header needs for its controls and the Export button).
    shows_heading = True
    #: The plot's least height (pixels at the normal text size, its x axis included: ~50 px of data area, 66 px
    #: at Large text - three tick labels clear of each other): a legend that would leave it less yields
    #: (:class:`LegendRow`). It grows with the text size up to Large's (110 px): at Extra large the window must
    #: still fit a 1366x768 laptop (least heights of 130 px made it 786 px tall at least).
    least_plot = 85

    def __init__(self, model: SessionModel, parent=None):
        super().__init__(parent)
        self.model = model
        self.plot = plot_widget(enableMenu=False)  # not made and then disabled: a view box menu costs ~5 ms
        theme().style_plot(self.plot)
        self.header = QHBoxLayout()
        self.header.setContentsMargins(6, 2, 6, 0)
        self.header.setSpacing(8)
        # the title where the header has room for it beside the controls, else nothing (the plot's axis names it):
        # at Extra large text the loss plot's "Loss" set the plots' least width, 48 px of the window's 1,346
        self.heading = heading = ShortestFitLabel(f"{type(self).__name__}_heading")
        heading.set_forms(self.title, "")
        bold = QFont()  # bold, at the size the theme sets (only the weight is this label's own)
        bold.setBold(True)
        heading.setFont(bold)
        self.header.addWidget(heading)
        if not self.shows_heading:  # (never setVisible(True): without a parent yet, it would open a window)
            heading.hide()
        name = f"{type(self).__name__}_info"  # a read-out or caption; never resizes anything
        self.info = ReadoutLabel(name) if self.readout_row else ElidedLabel(name) if self.has_caption else None
        if self.info is not None:
            self.info.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        if self.readout_row:
            self.info.setContentsMargins(6, 0, 6, 0)
        if self.has_caption and not self.readout_row:
            self.header.addWidget(self.info, 1)
        else:
            self.header.addStretch(1)
        self.controls = QHBoxLayout()  # a view's own controls, between the read-out and the Export button
        self.controls.setSpacing(8)
        self.header.addLayout(self.controls)
        self.export_button = ExportButton(lambda: [self.picture()])
        self.export_menu = self.export_button.export_menu
        self.header.addWidget(self.export_button)
        # a narrow dock gets a second row of entries, not a clipped one; the row is as tall as the tallest legend
        # the selection can give (set_legend's reserve): a plot that moves under the pointer is a bug
        self.legend = LegendRow(f"{type(self).__name__}_legend", self._legend_room)
        self.legend.setContentsMargins(6, 0, 6, 0)
        self.legend.hide()
        self._legend_entries: tuple[list[tuple], str] = ([], "━━")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(self.header)
        if self.readout_row:
            layout.addWidget(self.info)
        if self.beside_results:  # as wide as the plots above: its legend fits beside the controls, a row saved
            self.legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)  # wrapped: taller
            self.header.insertWidget(1, self.legend, 2)
        else:
            layout.addWidget(self.legend)
        layout.addWidget(self.plot, 1)
        self.plot.setMinimumHeight(self.least_plot_height())
        if self.beside_results:
            self.readable = 180
            self.setMinimumHeight(1)
        self.redraw_count = 0
        self._moved: set[int] = set()  # ids of the runs that stepped since the last redraw
        self._token = None  # what the view was last built for (rebuild)
        self._selected: Run | None = None  # the run selected then
        events = model.events
        events.run_added.connect(lambda run: self._in_place(run, self._add_items))
        events.run_removed.connect(lambda run: self._in_place(run, self._remove_items))
        events.run_styled.connect(self.restyle)
        events.session_loaded.connect(self.rebuild)
        events.run_reset.connect(lambda run, reason: self.rebuild())
        events.run_changed.connect(lambda run: self.refresh())
        events.selection_changed.connect(lambda run: self._in_place(run, lambda run: True))
        self._live = Throttle(self.live_refresh_s, self._draw_moved, self) if self.live_refresh_s else None
        events.advanced.connect(self._advanced)
        events.view_changed.connect(lambda key: self.rebuild())
        theme().changed.connect(self._restyle)

    def readable_height(self) -> int:
        """:attr:`readable` at the current text size."""
        return round(self.readable * theme().scale)

    def least_plot_height(self) -> int:
        """:attr:`least_plot` at the current text size (:func:`least_size`)."""
        return least_size(self.least_plot)

    def _legend_room(self) -> int:
        """The most pixels the legend row may take: its height now and what the plot has above its least; beside
        the results, the header's height less its margins and what the plot needs (the header's least height,
        cached by its own layout, can be the legend's last one: a wrapped legend stayed a line too tall)."""
        if self.beside_results:
            margins = self.header.contentsMargins()
            return (self.height() - self.plot.minimumHeight() - self.layout().spacing() - margins.top()
                    - margins.bottom())
        return self.legend.height() + self.height() - self.layout().minimumSize().height()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """The least size with the legend row yielding down to one line: a row sized for a taller view must not
        keep its dock from being made shorter (a shorter view fits the row again, :meth:`resizeEvent`)."""
        hint = super().minimumSizeHint()
        if self.legend.isVisibleTo(self) and not self.beside_results:
            hint.setHeight(hint.height() - self.legend.height() + min(self.legend.height(), self.legend.least_height()))
        return hint

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self.legend.refit()  # a shorter view leaves the legend fewer lines, a taller one more

    def follow_pointer(self, hovered) -> None:
        """Call ``hovered(scene position)`` whenever the pointer moves over the plot, and ``hovered(None)`` when it
        leaves the plot (pyqtgraph's scene reports moves only: a read-out and a hover marker stayed on after the
        pointer had left for another widget)."""
        self.plot.scene().sigMouseMoved.connect(hovered)
        self._pointer_left = lambda: hovered(None)
        self.plot.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.plot and event.type() == QEvent.Type.Leave:
            self._pointer_left()
        return super().eventFilter(watched, event)

    def _restyle(self) -> None:
        theme().style_plot(self.plot)
        self.plot.setMinimumHeight(self.least_plot_height())
        self.rebuild()  # pens and colours are made in _rebuild; the token holds the theme's generation

    def set_legend(self, entries: list[tuple], symbol: str = "━━", reserve: list[list[tuple]] = (),
                   keys: list[tuple] = (), first: tuple[int, ...] = ()) -> None:
        """Show ``(colour, name)`` (or ``(colour, name, symbol)``) entries, then ``keys`` (what a line style
        means: always shown), in the legend row above the plot; entries that do not fit the row's width go on to a
        further line, those that would leave the plot less than its least height are summed up ("+3 more",
        :class:`LegendRow`). The row is as tall as the tallest of ``entries`` and the ``reserve`` legends (what
        another selection would show: the plot stays where it is), and is left out when all are empty. Where not
        all entries fit, those at the indices ``first`` (of ``entries`` and of each reserve legend) are named
        before the others: what the plot's marks mean, before what a reader can tell without a legend."""
        self._legend_entries = ([*entries, *keys], symbol)
        self.legend.show_legends([(entries, keys), *((other, keys) for other in reserve if other)], symbol, first)
        self.legend.setToolTip(legend_html(entries, symbol, keys=keys)[1])
        self.legend.setVisible(bool(entries) or bool(keys) or any(reserve))

    def export_in(self, menu) -> None:
        """Offer Export as a submenu of the view's own menu (its "View" button) instead of a button of its own:
        a header with several controls must still fit a 1280x720 screen."""
        self.export_button.hide()
        self.header.removeWidget(self.export_button)
        self.export_menu.setParent(menu, self.export_menu.windowFlags())
        menu.addSeparator()
        menu.addMenu(self.export_menu)

    def picture(self) -> Picture:
        """What Export saves: the plot, with :meth:`picture_legend` as its title."""
        entries, symbol = self.picture_legend()
        return Picture(self.title, self.plot.getPlotItem(), self.plot.getPlotItem(),
                       legend_html(entries, symbol)[0] if entries else "")

    def nothing_to_picture(self) -> str:
        """Why the view has no picture to give (its problem has nothing it can draw), or "" where it has one."""
        return ""

    def picture_legend(self) -> tuple[list[tuple], str]:
        """(entries, symbol) of the legend a picture of the plot carries: the legend row's (when shown). A view
        whose row does not name the runs it draws names them here: a picture leaves the window, whose other views
        and run list say which run is which."""
        entries, symbol = self._legend_entries
        return (list(entries) if self.legend.isVisibleTo(self) else []), symbol

    def visible_runs(self) -> list[Run]:
        return [run for run in self.model.runs if run.visible]

    def batch_color(self, selected: Run | None = None) -> str:
        """What the selected run's latest batch is drawn in, in every view (its contours and gradient arrow on the
        loss surface, its circled samples in the data view): :func:`app.palette.batch_color` of the selected
        run's colour beside the other runs on its problem (``selected``: were that run on it selected instead)."""
        selected = selected or self.model.selected
        others = tuple(run.color for run in self.runs_on_selected_problem() if run is not selected)
        return batch_color(selected.color, others)

    def runs_on_selected_problem(self) -> list[Run]:
        """Visible runs on the selected run's problem and data: the ones a landscape or data plot can show."""
        key = self.model.selected.problem_key
        return [run for run in self.visible_runs() if run.problem_key == key]

    def _token_now(self) -> tuple:
        """What the view's drawing depends on: the selection, each run (its trainer, visibility, colour and name),
        the view settings it reads (:attr:`view_keys`) and the theme."""
        model, keys = self.model, self.view_keys
        return (id(model.selected), tuple((id(r), id(r.trainer), r.visible, r.color, r.name) for r in model.runs),
                tuple(sorted((k, str(v)) for k, v in model.view.items() if keys is None or k in keys)),
                theme().generation)

    def rebuild(self) -> None:
        """Recreate what depends on the problem, the runs and the view settings - unless none of that changed
        since the last rebuild (adding a run, say, announces the run and then its selection)."""
        token = self._token_now()
        if token == self._token:
            return
        self._token, self._selected = token, self.model.selected
        self._rebuild()

    def _rebuild(self) -> None:
        self.refresh()

    def _in_place(self, run: Run, update) -> None:
        """``run`` was added, removed, restyled or selected: ``update(run)`` changes the view's items for it in
        place (False: it cannot - the view rebuilds), after :meth:`_reselect` where the selection moved too (a
        run added and selected at once). Only when nothing else changed since the view was built. Adding n runs
        one by one rebuilt the view n times (its every run's items): O(n²), seconds for Compare variants in a
        session of many runs."""
        token, built, previous = self._token_now(), self._token, self._selected
        if built is None or _without(built, run)[1:] != _without(token, run)[1:] or (
                built[0] != token[0] and not self._reselect(previous)) or not update(run):
            self.rebuild()
            return
        self._token, self._selected = token, self.model.selected

    def _reselect(self, previous: Run) -> bool:
        """The selection moved from ``previous`` (it may be gone) to the model's selected run: restyle what shows
        which run is selected, as :meth:`_add_items`."""
        return False

    def _add_items(self, run: Run) -> bool:
        """Draw ``run`` (added, or shown again) as a full rebuild would, changing nothing else that need not
        change; False where the view cannot (it rebuilds)."""
        return False

    def _remove_items(self, run: Run) -> bool:
        """Take ``run``'s items out (removed, or hidden), as :meth:`_add_items` adds them."""
        return False

    def _restyle_items(self, run: Run, what: str) -> bool:
        """Give ``run``'s items and legend entry its new name or colour (``what``), as :meth:`_add_items`."""
        return False

    def restyle(self, run: Run, what: str) -> None:
        """``run``'s name, colour or visibility (``what``) changed: the view updates that run's items in place
        where it can (:meth:`_in_place`), else rebuilds."""
        if what == "visible":
            self._in_place(run, self._add_items if run.visible else self._remove_items)
        else:
            self._in_place(run, lambda run: self._restyle_items(run, what))

    def last_drawn(self, run: Run, drawn) -> bool:
        """Whether ``run`` comes after every other run in ``drawn`` (ids of the runs the view draws): its items,
        added last, then lie over theirs as a full rebuild stacks them (in the order of the runs)."""
        after = self.model.runs[self.model.runs.index(run) + 1:]
        return not any(id(other) in drawn for other in after)

    def _advanced(self, runs: list[Run]) -> None:
        """``runs`` made steps: redraw what shows them, at most every ``live_refresh_s``."""
        self._moved.update(id(run) for run in runs)
        self._live.request() if self._live is not None else self._draw_moved()

    def catch_up(self) -> None:
        """Draw now what a throttled live redraw still holds back (a picture must show the latest step)."""
        if self._moved:
            self._draw_moved()

    def _draw_moved(self) -> None:
        moved, self._moved = self._moved, set()
        self.refresh(moved)

    def refresh(self, moved: set[int] | None = None) -> None:
        """Redraw from the current histories (cheap: setData on existing items). ``moved``: the ids of the runs
        that stepped since the last redraw, the only ones whose curves changed (None: any may have)."""
        self.redraw_count += 1

    def span_x(self, curves: list[tuple[float, float, float]], empty: tuple | None = None) -> None:
        """Keep the auto-ranged x-axis over ``curves`` - (first x, last x, a drawn y) per curve - from the first
        start to a round number at or past the last end (:func:`axis_end`; the axis then changes now and then, not
        on every frame of a growing run), or to ``first + 1`` while there is one point - pyqtgraph pads a lone
        point by 0.5 each side: a run at its start read steps -0.4..0.4. The span sits at the first finite drawn
        y, in view coordinates (log10 on a log axis: the span is a PlotCurveItem, invisible but ranged like any
        item); with one point it also reaches half a decade (log) or half of |y| (linear) above and below it -
        pyqtgraph keeps the last height for a range of none, and a new session's loss plot read ±5e8 from the
        diverged run it replaced. No curve with a finite y: no span, or the corners ``empty`` = (xs, ys) of a
        frame to show (an auto-range with nothing to fit keeps the range of curves that are gone)."""
        extent = getattr(self, "_x_span", None)
        if extent is None:
            extent = self._x_span = pg.PlotCurveItem(pen=None)
            self.plot.addItem(extent)
        heights = [y for _, _, y in curves if math.isfinite(y)]
        if not heights:
            extent.setData(*empty) if empty is not None else extent.clear()
            return
        first, last, y = min(c[0] for c in curves), max(c[1] for c in curves), heights[0]
        if last > first:
            extent.setData([first, axis_end(last)], [y, y])
        else:
            pad = 0.5 if self.plot.getPlotItem().getAxis("left").logMode else abs(y) / 2 or 0.5
            extent.setData([first, first + 1], [y - pad, y + pad])


class RunItemsView(PlotView):
    """A view that draws each run it shows with items of its own (``_items`` by run id): adding, removing, showing
    or hiding a run adds or takes that run's items alone, then :meth:`_settle` updates the rest."""

    def _draws(self, run: Run) -> bool:
        """Whether the view draws ``run`` (it has items)."""
        return run.visible

    def _made(self, run: Run):
        """``run``'s items, added to the plot."""
        raise NotImplementedError

    def _take_items(self, run_id: int) -> None:
        """Take a run's items off the plot, and forget what they showed."""
        raise NotImplementedError

    def _settle(self, moved: set[int] | None) -> None:
        """After runs' items came or went: the legend and the rest again, the runs ``moved`` redrawn (None:
        every run)."""
        raise NotImplementedError

    def _main_line(self, items) -> pg.PlotCurveItem:
        """Which of a run's ``items`` is its main line (bold for the selected run)."""
        raise NotImplementedError

    def bold_pen(self, run: Run):
        """A run's main line: bold for the selected run (wide pens cost: only that one is bold)."""
        return theme().pen(stronger(run.color), 2 if run is self.model.selected else 1)

    def _reselect(self, previous: Run) -> bool:
        """Another run selected: its main line bold, the last one's thin."""
        for run in (previous, self.model.selected):
            items = self._items.get(id(run))
            if items is not None:
                self._main_line(items).setPen(self.bold_pen(run))
        self._settle(set())
        return True

    def _add_items(self, run: Run) -> bool:
        if self._draws(run):
            if not self.last_drawn(run, self._items):
                return False
            self._items[id(run)] = self._made(run)
            self._settle({id(run)})
        return True

    def _remove_items(self, run: Run) -> bool:
        if id(run) in self._items:
            self._take_items(id(run))
            self._settle(set())  # the others as drawn (unless, say, their common range or floor moved)
        return True


#: The size (pixels) of the dot that shows a curve's lone point (:func:`lone_point`).
LONE_POINT_SIZE = 7


def lone_point(x, y) -> tuple[float, float] | None:
    """The point of a curve of one row, where it is finite: a line through one point draws nothing (pyqtgraph
    strokes the segments between points), and a run at step 0 left its loss and optimizer-state plots empty - ticks
    around a value with no mark. None for a longer curve (drawn as a line) - a test of lengths alone, as cheap on
    every frame of a long run."""
    if len(x) != 1 or len(y) != 1:
        return None
    px, py = float(x[0]), float(y[0])
    return (px, py) if math.isfinite(px) and math.isfinite(py) else None


class LoneDot(pg.ScatterPlotItem):
    """A curve's lone point (:func:`lone_point`) as a dot in ``color``, on ``plot``; set only when the point comes,
    moves or goes (a scatter's setData costs ~60 us a frame)."""

    def __init__(self, plot, color):
        super().__init__(size=LONE_POINT_SIZE, symbol="o", pen=None, brush=color)
        self._at: tuple | None = None
        plot.addItem(self)

    def follow(self, x, y) -> None:
        """Show the lone point of the curve (x, y), or none."""
        at = lone_point(x, y)
        if at != self._at:
            self._at = at
            self.setData([at[0]], [at[1]]) if at is not None else self.clear()


def _without(token: tuple, run: Run) -> tuple:
    """A view's token (:meth:`PlotView._token_now`) leaving ``run`` out."""
    selected, runs, *rest = token
    return (selected, tuple(entry for entry in runs if entry[0] != id(run)), *rest)


def crisp_color_bar(bar: pg.ColorBarItem, columns: int = 16) -> None:
    """Draw a vertical colour bar's gradient from ``columns`` equal columns instead of pyqtgraph's one: the bar
    looks the same, but an SVG renderer that smooths images (cairosvg ignores image-rendering: pixelated) blends
    a one-pixel-wide image with the transparency beside it across the whole bar - washed-out edges."""
    pixmap = bar.bar.pixmap()
    if pixmap.width() != 1:
        return
    bar.bar.setPixmap(pixmap.scaled(columns, pixmap.height(), Qt.AspectRatioMode.IgnoreAspectRatio,
                                    Qt.TransformationMode.FastTransformation))
    bar.bar.setTransform(QTransform.fromScale(1 / columns, 1))


#: The largest decade a float holds (10^308 < 1.8e308 < 10^309): a log axis names no tick beyond it.
MAX_DECADE = 308


class EdgeAxis(pg.AxisItem):
    """An axis whose tick labels are drawn whole inside the plot widget or not at all."""

    def boundingRect(self):  # noqa: N802 (Qt's name)
        """Where the axis may draw, which is where its labels must fit or be left out: pyqtgraph lets a vertical
        axis's labels reach 15 px past its ends, and a label there was cut in half by the plot widget's edge, right
        under the row above it (the loss plot's top label under its legend row, lesson 22 at 1280x720; the
        parameter space's "3" under its second legend row, lesson 5 at Large text) - so no further than the plot
        widget shows (a bottom label may still reach into the x axis's room below)."""
        rect = super().boundingRect()
        view = self.getViewWidget()  # (not the scene's rect: unset, Qt computes it from every boundingRect)
        if view is None or self.orientation not in ("left", "right"):
            return rect
        taken = picture_taken()  # a picture's bounds, which may reach past the widget's (its legend above)
        rect &= self.mapRectFromItem(taken, taken.boundingRect()) if taken is not None else \
            self.mapRectFromScene(view.mapToScene(view.viewport().rect()).boundingRect())
        # and no further than its own plot: the optimizer state's lower plots wrote their top label into the plot
        # above ("0.054" over the step sizes' plot, lesson 25 at Large text). The plot's rect as the axis last
        # resized, never asked of the plot here: Qt asks a child for its boundingRect as its parent is destroyed,
        # and asking the half-destroyed plot crashed the app on quit (exit 139 once the Optimizer state was shown)
        return rect & self._plot_rect.translated(-self.pos()) if self._plot_rect is not None else rect

    _plot_rect = None  # the PlotItem it belongs to: its rect in its own coordinates, as the axis last resized

    def resizeEvent(self, event=None):  # noqa: N802 (Qt's name)
        owner = self.parentItem()
        self._plot_rect = owner.boundingRect() if isinstance(owner, pg.PlotItem) else None
        super().resizeEvent(event)

    def tickSpacing(self, minVal, maxVal, size):  # noqa: N802, N803 (pyqtgraph's names)
        """pyqtgraph's spacing, widened on a linear axis (to 2, 2.5, 5 or 10 times a power of ten) until its labels
        keep apart: upright, a label's height (as pyqtgraph measures one: 0.8 of a line); along, the widest label
        and a gap of half a line. pyqtgraph puts 2.25 intervals at least on an axis of any length, whatever the
        text size, and draws its widest level's labels whatever they cover: lesson 24's data plot, 66 px tall at
        Large text, wrote 4, 2, 0 and -2 each into the next; a narrow plot's x axis read "0.20.40.60.8"."""
        levels = super().tickSpacing(minVal, maxVal, size)
        if not levels or self.logMode or size <= 0:
            return levels
        metrics = QFontMetrics(self.style["tickFont"] or QApplication.font())
        per_px = abs(maxVal - minVal) / size
        major = levels[0][0]
        while major < self._label_room(major, minVal, maxVal, metrics) * per_px:
            decade = 10.0 ** math.floor(math.log10(major) + 1e-9)
            major = decade * next(step for step in (2, 2.5, 5, 10) if step > major / decade + 1e-9)
        if major == levels[0][0]:
            return levels
        return [(major, 0)] + [(spacing, offset) for spacing, offset in levels[1:]
                               if abs(major / spacing - round(major / spacing)) < 1e-6]

    def _label_room(self, spacing: float, low: float, high: float, metrics: QFontMetrics) -> float:
        """Pixels from one tick to the next that the labels at ``spacing`` on ``low``..``high`` need."""
        if self.orientation in ("left", "right"):
            return 0.8 * metrics.height()
        low, high = sorted((low, high))
        values = np.arange(math.ceil(low / spacing - 1e-9), math.floor(high / spacing + 1e-9) + 1) * spacing
        widest = max((metrics.horizontalAdvance(text) for text in self.tickStrings(values.tolist(), 1.0, spacing)),
                     default=0)
        return widest + metrics.height() / 2

    _plain = True  # whether the log ticks placed last are written as plain numbers (plain_log_ticks)

    def tickValues(self, minVal, maxVal, size):  # noqa: N802, N803 (pyqtgraph's names)
        """pyqtgraph's ticks; on a log axis, the notation of all their labels chosen from every tick named, at
        every level (pyqtgraph writes each level apart, "%g" of each value: "0.0001" beside "10⁻⁵" on the loss
        plot of a long run, lesson 5)."""
        levels = super().tickValues(minVal, maxVal, size)
        if self.logMode:
            self._plain = plain_log_ticks([v for _, values in levels for v in values if self._named(v)])
            if self.orientation in ("top", "bottom"):
                self._apart = self._kept_apart([v for _, values in levels for v in values], minVal, maxVal, size)
        return levels

    _apart: dict = {}  # along a log axis, the labels that keep apart, by their ticks (log10, rounded)

    def _kept_apart(self, values: list, low: float, high: float, size: float) -> dict[float, str]:
        """The ticks along a log axis whose labels keep half a line apart, chosen in the order of
        :func:`log_tick_rank` (the decades, then the 5s, the 2s, the rest): pyqtgraph wrote every minor tick it
        thought it had room for, and a decade's labels crowd at its top - "0.60.70.80.9" on a sweep of less than
        a decade, "0.010.11" along the learning-rate finder 120 px wide. Returns the labels measured, to be drawn
        as they are."""
        metrics = QFontMetrics(self.style["tickFont"] or QApplication.font())
        per_decade = size / (high - low) if high > low else 0.0
        spans: list[tuple[float, float]] = []
        kept = {}
        for v in sorted({float(v) for v in values}, key=lambda v: (log_tick_rank(v, self.floor), v)):
            text = self._log_label(v)
            if not text:
                continue
            x, half = (v - low) * per_decade, (metrics.horizontalAdvance(text) + metrics.height() / 2) / 2
            if all(x + half <= left or right <= x - half for left, right in spans):
                spans.append((x - half, x + half))
                kept[round(v, 9)] = text
        return kept

    floor: float | None = None  # (SparseLogAxis) the log10 value on which values <= 0 are drawn

    def _named(self, exponent: float) -> bool:
        """Whether the log axis names its tick at 10^``exponent`` (pyqtgraph's way: every tick it has room for)."""
        return -MAX_DECADE < float(exponent) < MAX_DECADE

    def _log_label(self, exponent: float) -> str:
        """The label of the tick at 10^``exponent`` before any is left out for room ("": none)."""
        return log_tick_text(exponent, self._plain) if self._named(exponent) else ""

    def logTickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph's name)
        """Every label in one notation (:func:`gd_core.display.log_tick_text`): plain numbers from 0.001 to 10,000,
        else powers of ten; no label beyond the float range (a zoom far out, a range left from a linear axis);
        along the axis, only labels that keep apart (:meth:`_kept_apart`)."""
        if self.orientation in ("top", "bottom"):
            return [self._apart.get(round(float(v), 9), "") for v in values]
        shift = math.log10(scale) if scale and scale > 0 else 0.0
        return [self._log_label(float(v) + shift) for v in values]

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph's name)
        """pyqtgraph's labels, with the decimals a spacing of 2.5 times a power of ten needs (pyqtgraph writes as
        many as the power of ten has: 2.5 read "2")."""
        step = spacing * scale if spacing else 0.0  # (None: a log axis's own ticks, SparseLogAxis)
        if step > 0 and abs(step / 10.0 ** math.floor(math.log10(step) + 1e-9) - 2.5) < 1e-6:
            spacing /= 10
        return super().tickStrings(values, scale, spacing)


def plot_widget(**options) -> pg.PlotWidget:
    """A PlotWidget whose axes are :class:`EdgeAxis` ones (``options``: PlotWidget's keyword arguments)."""
    return pg.PlotWidget(axisItems={side: EdgeAxis(side) for side in ("left", "bottom")}, **options)


class SparseLogAxis(EdgeAxis):
    """An axis whose log-scale labels name only the 1, 2 and 5 of each decade (pyqtgraph labels every minor
    tick it has room for, and 0.8, 0.9 and 1 then run into each other), as plain numbers from 0.001 to 10,000
    ("50", not "5·10¹") or, where one named lies outside, every one as a power of ten (:class:`EdgeAxis`). On a
    range of less than a decade holding fewer than two of them (a run's first steps, a loss that barely moves) it
    names the round values a linear axis would: 32, 34, 36 - never a bare axis. Upright, a label closer to a kept
    one than a label is tall is left out (a short plot at Extra large text wrote 10 and 5 into each other; the
    optimizer state's 40-px step-size plot 0.1, 0.05 and 0.02)."""

    _linear: frozenset = frozenset()  # the log10 values (rounded) of such linear ticks, labelled too
    _decade_px = math.inf  # pixels per decade, as the ticks were last placed
    _span = (-math.inf, math.inf)  # the range (log10) they were placed on
    #: The log10 value on which a plot draws values <= 0 (gd_core.display.log_floor), labelled ``floor_label``
    #: ("0"), with no tick in the decade above it (which holds no value): None when nothing is drawn there.
    floor: float | None = None
    floor_label = "0"

    def _log_label(self, exponent: float) -> str:
        if self.floor is not None and float(exponent) == self.floor:
            return self.floor_label
        return super()._log_label(exponent)

    def logTickValues(self, minVal, maxVal, size, stdTicks):  # noqa: N802, N803 (pyqtgraph's names)
        ticks = self._log_tick_values(minVal, maxVal, size, stdTicks)
        if self.floor is None or not minVal <= self.floor <= maxVal:
            return ticks
        # the floor names 0, not 10^floor: no tick may read as a value of the scale under the lowest drawn value
        # (at least a decade, and at least the spacing of the widest labelled ticks, above the floor)
        gap = max([1.0] + [spacing for spacing, _ in ticks if spacing is not None])
        kept = [(spacing, [v for v in values if v >= self.floor + gap - 1e-9]) for spacing, values in ticks]
        return [(gap, [self.floor])] + kept

    def _log_tick_values(self, minVal, maxVal, size, stdTicks):  # noqa: N803 (pyqtgraph's names)
        ticks = super().logTickValues(minVal, maxVal, size, stdTicks)
        self._decade_px = size / (maxVal - minVal) if maxVal > minVal else math.inf
        self._span = (minVal, maxVal)
        self._linear = frozenset()
        if maxVal - minVal >= 1 or sum(log_tick_rank(v) < 4 for _, level in ticks for v in level) >= 2 \
                or not -MAX_DECADE < minVal < maxVal < MAX_DECADE:
            return ticks
        low, high = 10.0 ** minVal, 10.0 ** maxVal
        for spacing, _ in self.tickSpacing(low, high, size):  # from the widest spacing to finer ones
            values = np.arange(math.ceil(low / spacing), math.floor(high / spacing) + 1) * spacing
            if len(values) >= 2:
                logs = np.log10(values).tolist()
                self._linear = frozenset(round(v, 9) for v in logs)
                return [(None, logs)]
        return ticks

    def _named(self, exponent: float) -> bool:
        """The 1, 2 and 5 of each decade and the round values of a range of less than a decade; not the floor."""
        v = float(exponent)
        return super()._named(v) and v != self.floor and (round(v, 9) in self._linear or log_tick_rank(v) < 4)

    def logTickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph's name)
        out = super().logTickStrings(values, scale, spacing)
        return self._uncrowded(values, out) if self.orientation in ("left", "right") else out

    def _uncrowded(self, values, labels: list[str]) -> list[str]:
        """``labels`` without those closer to a kept label than a label is tall (as pyqtgraph measures one: 0.8 of
        a line), kept in the order 0 (the floor), the decades, the 5s, the 2s, other round values; a label too near
        an end for the axis to draw it whole (:class:`EdgeAxis`) keeps no other out."""
        tall_px = 0.8 * QFontMetrics(self.style["tickFont"] or QApplication.font()).height()
        tall, high, bounds = tall_px / self._decade_px, self._span[1], self.boundingRect()

        def drawn(v: float) -> bool:  # whole inside the room the axis draws in (the top of the axis is ``high``)
            y = (high - v) * self._decade_px
            return bounds.top() <= y - tall_px / 2 and y + tall_px / 2 <= bounds.bottom()

        out, kept = list(labels), []
        for k in sorted(range(len(values)), key=lambda k: log_tick_rank(float(values[k]), self.floor)):
            v = float(values[k])
            if not out[k]:
                continue
            if any(abs(v - w) < tall for w in kept):
                out[k] = ""
            elif drawn(v):
                kept.append(v)
        return out


def use_sparse_log_axes(plot: pg.PlotWidget, *sides: str) -> None:
    """Give ``plot`` :class:`SparseLogAxis` axes on ``sides`` ("left", "bottom"), styled as its other axes (a new
    axis item has pyqtgraph's own pen and fonts, not the theme's text size)."""
    plot.setAxisItems({side: SparseLogAxis(side) for side in sides})
    theme().style_plot(plot)


def fit_axis_name(axis: pg.AxisItem, name: str, symbol: str) -> None:
    """Name an axis ``name``, or ``symbol`` where the name is longer than the axis, or nothing where the symbol is
    too (large text, a short dock, a narrow plot: names ran into the next plot's or were cut off at both ends),
    centred along the axis (pyqtgraph places a label on a resize only, so a new name sat where the old one began,
    and a longer old name's end stayed painted beside it)."""
    if axis.labelText != name:
        axis.setLabel(name)
    length = axis.height() if axis.orientation in ("left", "right") else axis.width()
    if axis.label.boundingRect().width() > length:
        axis.setLabel(symbol)
        # none rather than a name cut at both ends (its glyphs, not its box: the box has a margin each side)
        if QFontMetrics(axis.label.font()).horizontalAdvance(axis.label.toPlainText().strip()) > length:
            axis.setLabel("")
    axis.resizeEvent()


class AxisNameFit(QObject):
    """Keeps :func:`fit_axis_name` true whenever the axis is resized or the text size changes; it lets go of the
    theme once the axis is gone (a closed window)."""

    def __init__(self, axis: pg.AxisItem, name: str, symbol: str):
        super().__init__(axis)
        self.axis, self.name, self.symbol = axis, name, symbol
        axis.geometryChanged.connect(self.fit)
        theme().changed.connect(self.fit)
        self.fit()

    def rename(self, name: str, symbol: str) -> None:
        """Name the axis ``name`` from now on, or ``symbol`` where that is too long."""
        self.name, self.symbol = name, symbol
        self.fit()

    def fit(self) -> None:
        if not shiboken6.isValid(self.axis):
            theme().changed.disconnect(self.fit)
            return
        fit_axis_name(self.axis, self.name, self.symbol)
