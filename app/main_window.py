"""The main window: panels in a left dock, the three plots in splitters, a toolbar and menus, a status bar.

It fits the screen it opens on (never larger than the available geometry), and nothing whose text changes - a
read-out, a banner, a status - changes its size. Geometry, dock layout, theme and text size persist between
launches (QSettings) once :meth:`MainWindow.remember_layout` is called; View > Reset layout restores the docks.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QByteArray, QEvent, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QFont, QFontMetrics, QKeySequence, QTextLayout
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStatusBar,
    QTabBar,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gd_core.files import file_name
from gd_core.results import epoch_text

from . import help as help_dialogs
from .deferred import Deferred, deferred_view
from .files import FileActions
from .folders import stored
from .guard import WorkGuard
from .keyboard import install_keyboard_rules
from .lesson_panel import LessonPanel
from .panels import PANELS
from .run_list import RunList
from .runner import DEFAULT_SPEED, SPEEDS, Runner, planned_steps, speed_for
from .session import SessionModel
from .theme import MODES, TEXT_SIZES, theme
from .undo import UndoHistory
from .views.accuracy import AccuracyView
from .views.base import PlotView
from .views.data_view import DataView
from .views.formula import FormulaPanel
from .views.loss_curve import LossCurveView
from .views.optimizer_state import OptimizerStatePlot
from .views.parameter_space import ParameterSpaceView
from .views.results_table import ResultsTable, run_state
from .views.surface3d import Surface3DView
from .views.tracked import NoiseScaleView, SharpnessView
from .widgets import ComboBox, ReservedWidth

pg.setConfigOptions(imageAxisOrder="row-major", useOpenGL=False)  # colours: app.theme, from the palette

PREFERRED_SIZE = QSize(1560, 960)
#: Room left for a window manager's frame and title bar: the framed window must fit the available geometry.
FRAME_ALLOWANCE = QSize(16, 40)
LAYOUT_VERSION = 4  # bump when docks are added or renamed: an older saved layout is then ignored
#: The least width of the message in the toolbar (it grows into the toolbar's free room).
MESSAGE_MIN_WIDTH = 80
#: Messages that stay until the student closes them (or, an error, until an edit succeeds): something failed and
#: says what. Every other kind (info, a run's end) goes by itself after :func:`reading_time`.
LASTING_MESSAGES = ("error", "diverged")
#: What the Run action says: ready, training, every run ended (Run then restarts them).
RUN_TEXTS = ("Run", "Pause", "Run again")
#: The results strip is given room for up to this many runs' rows as a session opens (where the plots have it).
RESULTS_ROWS = 4
SETTINGS_MAX_WIDTH = 400  # the settings dock never asks for more, whatever a form holds
#: The titles of the tabs a session may bring to the front, by their names in its "view": {"tab": ...}
#: (gd_core.sessions.TABS): beside the lesson, or below the plots (see MainWindow._tab_groups).
TAB_TITLES = {"update_rule": "Update rule", "optimizer_state": "Optimizer state", "sharpness": "Sharpness",
              "noise_scale": "Noise scale", "accuracy": "Accuracy"}


def front_tab(view: dict, configs) -> str:
    """The tab beside the lesson a session opens with (a gd_core.sessions.TABS name): the one its view names
    ("view": {"tab": "accuracy"}), else the first quantity its runs track (a lesson about the sharpness opens
    with it), else the update rule."""
    tracked = [quantity for config in configs for quantity in config.get("track", {}) if quantity in TAB_TITLES]
    return view.get("tab") or (tracked[0] if tracked else "update_rule")


def readable_tabs(bar: QTabBar) -> None:
    """Every tab's name whole: the bar scrolls instead of eliding names ("U... O... S..." named nothing)."""
    bar.setElideMode(Qt.TextElideMode.ElideNone)
    bar.setUsesScrollButtons(True)


def tab_names_width(*docks: QDockWidget) -> int:
    """px a tab bar needs for the titles of ``docks``, whole, at the text size shown (a bar as Qt makes for docks
    tabbed together, measured: the window's bar exists only while the group is shown)."""
    bar = QTabBar()
    bar.setShape(QTabBar.Shape.RoundedSouth)
    for dock in docks:
        bar.addTab(dock.windowTitle())
    width = bar.sizeHint().width()
    bar.deleteLater()
    return width


def reading_time(text: str) -> int:
    """How long (ms) a message that goes by itself stays: 6 s, and 70 ms a character more (a slow reader's 14
    characters a second) - Compare variants' 160 characters: 17 s."""
    return 6000 + 70 * len(text)


class MessageLabel(QLabel):
    """A label that takes the room it is given and asks for none: its text never widens the toolbar it is in
    (QToolBar gives room to an expanding item, but lays out an Ignored one at zero width). It is two lines tall
    in its current font, message or not: the height follows a new text size when the font arrives (a fixed
    height set when the theme changed was the old font's - launched at Large text, the first message grew the
    toolbar and moved every plot 10 px down under the pointer). A message has a close button at its right end
    (``dismissed`` when clicked); its owner keeps room for it (:meth:`button_room`)."""

    dismissed = Signal()

    def __init__(self, text: str = ""):
        super().__init__()
        self._whole = ""
        self.close_button = QToolButton(self)
        self.close_button.setObjectName("dismiss_message")
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Close this message")
        self.close_button.setAccessibleName("Close message")
        self.close_button.clicked.connect(self.dismissed)
        self.setText(text)

    def button_room(self) -> int:
        """px the text leaves at its right end for the close button."""
        return self.close_button.sizeHint().width() + 2

    def sizeHint(self) -> QSize:
        return QSize(MESSAGE_MIN_WIDTH, 2 * self.fontMetrics().lineSpacing() + 4)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        """Show ``text`` in the two lines there are, the second ending in "…" where it is cut: a longer message
        was drawn centred on its middle lines, the first and last cut in half (Compare variants at 1366x768)."""
        self._whole = text
        self.close_button.setVisible(bool(text))
        self._fit()

    def text(self) -> str:
        """The whole message, however much of it is shown."""
        return self._whole

    def clear(self) -> None:
        self.setText("")

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        size = self.close_button.sizeHint()
        self.close_button.setGeometry(self.width() - size.width() - 2, (self.height() - size.height()) // 2,
                                      size.width(), size.height())
        self._fit()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit()

    def _fit(self) -> None:
        shown = two_lines(self._whole, self.font(), self.contentsRect().width() - 2)  # 2 px: QLabel's own wrap
        if shown != QLabel.text(self):
            QLabel.setText(self, shown)


def two_lines(text: str, font: QFont, width: int) -> str:
    """``text`` as word wrap lays it out in ``width`` pixels: whole if it takes two lines at most, else its first
    line and the rest elided into the second ("…")."""
    if width <= 0 or not text:
        return text
    layout = QTextLayout(text, font)
    layout.beginLayout()
    starts = []
    while len(starts) < 3:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        starts.append(line.textStart())
    layout.endLayout()
    if len(starts) < 3:
        return text
    rest = QFontMetrics(font).elidedText(text[starts[1]:].strip(), Qt.TextElideMode.ElideRight, width)
    return f"{text[:starts[1]].rstrip()}\n{rest}"


class StatusBar(QStatusBar):
    """A status tip wider than the room left of the status labels ends in "…": the bar cut it where the labels
    begin, mid-word and with no sign ("Double-click to start the selected runReady" at Extra large text). The
    whole tip stays in the tooltip, and in the bar once it is wide enough again."""

    def __init__(self):
        super().__init__()
        self._whole = self._shown = ""
        self.messageChanged.connect(self._changed)

    def _changed(self, text: str) -> None:
        if text != self._shown:  # a new tip, not the cut one this bar shows
            self._whole = text
            self._fit()

    def _fit(self) -> None:
        labels = [w.geometry().left() for w in self.findChildren(QLabel) if w.parent() is self and w.isVisible()]
        room, metrics = min(labels, default=self.width()) - 12, self.fontMetrics()
        shown = self._whole
        if shown and room > 0 and metrics.horizontalAdvance(shown) > room:
            shown = metrics.elidedText(shown, Qt.TextElideMode.ElideRight, room)
        if shown != self.currentMessage():
            self._shown = shown
            self.showMessage(shown)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit()


class MainWindow(QMainWindow):
    def __init__(self, model: SessionModel):
        super().__init__()
        install_keyboard_rules(QApplication.instance())
        self.model = model
        self.runner = Runner(model, self)
        self._persist = False  # remember_layout() turns it on
        self._sized = False
        # a tab group's first dock (the results, the update rule) -> its height before a plot tabbed with it took
        # room from the docks beside it: given back when that first dock comes to the front again
        self._room_taken: dict[QDockWidget, int] = {}
        self.setWindowTitle("GD Lab")
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)
        # the right column (lesson, update rule) runs down to the status bar: a lesson's text gets the height
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.fit_to_screen()
        self._build_views()
        self._build_panels()
        self.files = FileActions(self)  # before the docks: the lesson dock lists the lessons it knows
        self._build_docks()
        self._build_actions()
        self._build_run_menu()
        self._build_runs_menu()
        self._build_view_menu()
        self._build_safeguards()  # the Edit menu (undo, redo)
        self._build_help_menu()  # last, as on every desktop
        self._build_toolbar()
        self._build_status()
        self._arrange_docks()
        self._default_layout = self.saveState(LAYOUT_VERSION)  # what View > Reset layout returns to
        self.sweep_window = self.lr_finder = self.scaling_window = None  # made when first opened
        self.recorder = None  # an animation being recorded (File > Export > Animation...)
        events = model.events
        events.advanced.connect(lambda runs: self._update_status())
        events.run_changed.connect(lambda run: self._update_status())
        events.selection_changed.connect(lambda run: self._update_status())
        events.run_added.connect(lambda run: self._update_status())  # Run / Run again
        events.run_removed.connect(lambda run: self._update_status())
        events.run_reset.connect(self._on_reset)
        events.session_loaded.connect(self._on_session_loaded)
        self.runner.running_changed.connect(self._running_changed)
        self.runner.rate_measured.connect(lambda rate: self.rate_label.setText(f"{rate:,.0f} steps/s"))
        theme().changed.connect(self._restyle_banner)
        theme().changed.connect(self._room_for_tab_names_soon)  # (a method: the theme outlives the window)
        events.edited.connect(self._edit_succeeded)
        self._on_session_loaded()

    # -- size and layout -------------------------------------------------------------------------------------
    def available(self):
        """The available geometry of the screen the window is on (without panels and docks of the desktop)."""
        return self.screen().availableGeometry()

    def fit_to_screen(self) -> None:
        """Take the preferred size, or less on a smaller screen (room left for a frame), centred on it."""
        area = self.available()
        size = PREFERRED_SIZE.boundedTo(area.size() - FRAME_ALLOWANCE)
        self.resize(size)
        self.move(area.x() + (area.width() - size.width()) // 2, area.y() + max(0, (area.height() - size.height()
                                                                                   - FRAME_ALLOWANCE.height()) // 2))

    def _build_views(self) -> None:
        self.space_view = ParameterSpaceView(self.model)
        self.surface_view = Surface3DView(self.model)  # its OpenGL widget is made when its tab is first shown
        self.space_tabs = QTabWidget()
        self.space_tabs.setObjectName("space_tabs")
        self.space_tabs.setDocumentMode(True)  # a slim tab bar: the plots keep their height on a 720-px screen
        for view in (self.space_view, self.surface_view):
            self.space_tabs.addTab(view, view.title)
        # its tab names it (see _fit_widths for its least width)
        self.space_tabs.tabBar().setUsesScrollButtons(False)  # both tabs' names always whole
        self.space_view.heading.hide()
        self.loss_view = LossCurveView(self.model)
        self.data_view = DataView(self.model)
        self.banner = MessageLabel("")
        self.banner.setObjectName("run_message")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)  # messages quote user text: never markup that loads files
        # two lines' height whatever the message (the tooltip holds a longer one): its text never resizes anything
        # in the toolbar's free room (see _build_toolbar): a message never moves a plot under the pointer
        self.banner.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.banner.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self._banner_kind = "info"
        self.banner.dismissed.connect(lambda: self.show_message(""))
        self._banner_timer = QTimer(self)  # an info message goes by itself (see show_message)
        self._banner_timer.setSingleShot(True)
        self._banner_timer.timeout.connect(self._message_read)
        self._announced = None  # the selected run's end last told in the banner: (run id, status, message)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.loss_view)
        right.addWidget(self.data_view)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.space_tabs)
        split.addWidget(right)
        split.setSizes([560, 440])
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.addWidget(split, 1)
        self.setCentralWidget(central)

    def _build_panels(self) -> None:
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 4, 0, 4)  # the panels' frames are the edge: 8 px of the window's least width
        self.panels = [panel_type(self.model, self.show_message) for panel_type in PANELS]
        for panel in self.panels:
            column.addWidget(panel)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("settings_scroll")
        scroll.setWidget(holder)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # the dock is wide enough
        self.settings_scroll = scroll
        self._fit_widths()
        # forms are replaced when the problem or optimizer changes, and the space view's header with the problem;
        # fit once the new ones are laid out (and the widgets have taken a new text size)
        for event in (self.model.events.selection_changed, self.model.events.run_reset,
                      self.model.events.run_changed, self.model.events.session_loaded, theme().changed):
            event.connect(self._fit_widths_soon)  # (a method: the theme outlives the window)
        self.settings_dock = self._dock("settings_dock", "Settings", scroll, Qt.DockWidgetArea.LeftDockWidgetArea)

    def _fit_widths_soon(self, *_) -> None:
        QTimer.singleShot(0, self, self._fit_widths)

    def _fit_widths(self) -> None:
        """The least widths the window's parts are given, measured at the text size and with the forms shown now
        (measured once, at whatever size the window was built at, a window built at Large text was 1,434 px wide
        at least for lesson 21, and one switched to Large later squeezed its settings form by 63 px): the settings
        dock is as wide as its widest row (no horizontal scroll bar, no clipped label); the parameter space's tabs
        as its header's controls and both tab names need."""
        scroll = self.settings_scroll
        needed = (scroll.widget().minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width()
                  + 2 * scroll.frameWidth())
        scroll.setMinimumWidth(min(needed, SETTINGS_MAX_WIDTH))
        view = self.space_view
        for layout in (view.controls, view.header, view.layout()):  # a layout keeps the least size it measured
            layout.invalidate()                                         # (with the heading, hidden since)
        self.space_tabs.setMinimumWidth(max(view.minimumSizeHint().width(),
                                            self.space_tabs.tabBar().sizeHint().width()))

    def _dock(self, name: str, title: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        if isinstance(widget, Deferred):
            widget.build_when_seen(dock)
        return dock

    def _build_docks(self) -> None:
        self.run_list = RunList(self.model, self.show_message)
        self.runs_dock = self._dock("runs_dock", "Runs", self.run_list, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.results = ResultsTable(self.model, self.runner)
        self.results_dock = self._dock("results_dock", "Results", self.results, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.lesson_panel = LessonPanel(self.model, lambda name: self.files.open_lesson(name),
                                        lambda: self.files.lesson_names())
        self.lesson_text = self.lesson_panel.text
        self.lesson_dock = self._dock("lesson_dock", "Lesson", self.lesson_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.formula = FormulaPanel(self.model)
        right = Qt.DockWidgetArea.RightDockWidgetArea
        formula_scroll = QScrollArea()  # a short dock scrolls; its wrapped lines are never squeezed together
        formula_scroll.setWidget(self.formula)
        formula_scroll.setWidgetResizable(True)
        formula_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        formula_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.formula_dock = self._dock("formula_dock", TAB_TITLES["update_rule"], formula_scroll, right)
        # the docks behind another tab (the update rule's, the results'): their views are built when first seen (see
        # app.deferred). None sets the window's least size: for every lesson at every text size it is the same
        # before and after they are built (the sharpness view, once built at once for its header's least size, too)
        self.state_dock = self._dock("state_dock", TAB_TITLES["optimizer_state"],
                                     Deferred(lambda: OptimizerStatePlot(self.model)), right)
        # it draws only while seen: catch up when seen again (built by then: Deferred's own handler runs first)
        self.state_dock.visibilityChanged.connect(lambda seen: seen and self.state_plot.shown(True))
        self.sharpness_dock = self._dock("sharpness_dock", TAB_TITLES["sharpness"],
                                         Deferred(lambda: SharpnessView(self.model)), right)
        self.noise_scale_dock = self._dock("noise_scale_dock", TAB_TITLES["noise_scale"],
                                           Deferred(lambda: NoiseScaleView(self.model)), right)
        self.accuracy_dock = self._dock("accuracy_dock", TAB_TITLES["accuracy"],
                                        Deferred(lambda: AccuracyView(self.model)), right)
        self.docks = (self.settings_dock, self.runs_dock, self.results_dock, self.lesson_dock, self.formula_dock,
                      self.state_dock, self.sharpness_dock, self.noise_scale_dock, self.accuracy_dock)
        #: the tabs beside the lesson by their names in a session's "view": {"tab": ...} (gd_core.sessions.TABS)
        self.tab_docks = {"update_rule": self.formula_dock, "optimizer_state": self.state_dock,
                          "sharpness": self.sharpness_dock, "noise_scale": self.noise_scale_dock,
                          "accuracy": self.accuracy_dock}
        for dock in self.docks:  # a plot brought to the front gets a readable height (see _give_room)
            dock.visibilityChanged.connect(lambda seen, dock=dock: seen and QTimer.singleShot(
                0, self, lambda: self._give_room(dock)))

    state_plot = deferred_view("state_dock")
    sharpness_view = deferred_view("sharpness_dock")
    noise_scale_view = deferred_view("noise_scale_dock")
    accuracy_view = deferred_view("accuracy_dock")

    def _tab_groups(self) -> tuple[tuple[QDockWidget, tuple[QDockWidget, ...]], ...]:
        """The docks tabbed together, each group's first in front by default: the update rule and the optimizer
        state beside the lesson (a narrow column: two names fit it whole, at Large text on 1280 px), the results
        and the plots of measured quantities against steps below the plots (wide: all four names fit; five in the
        column scrolled its tab bar, and names at its edges were cut to "...zer state")."""
        return ((self.formula_dock, (self.state_dock,)),
                (self.results_dock, (self.sharpness_dock, self.noise_scale_dock, self.accuracy_dock)))

    def _arrange_docks(self) -> None:
        """The original arrangement: settings and runs left, lesson above the update rule and optimizer state
        (tabbed) right, results (tabbed with the sharpness, noise scale and accuracy) below; sizes in proportion
        to the window."""
        left, bottom = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea
        areas = {self.settings_dock: left, self.runs_dock: left, self.results_dock: bottom,
                 self.sharpness_dock: bottom, self.noise_scale_dock: bottom, self.accuracy_dock: bottom}
        for dock in self.docks:
            dock.setFloating(False)
            self.removeDockWidget(dock)  # out of any tab group first: re-tabbing a tabbed dock doubles its tab
            self.addDockWidget(areas.get(dock, Qt.DockWidgetArea.RightDockWidgetArea), dock)
            dock.setVisible(dock is not self.lesson_dock or self.has_lesson)
        for first, others in self._tab_groups():
            for dock in others:
                self.tabifyDockWidget(first, dock)
            first.raise_()
        self._size_docks()

    def _size_docks(self) -> None:
        width, height = self.width(), self.height()
        self.resizeDocks([self.settings_dock, self.formula_dock],
                         [min(max(round(0.25 * width), 260), 400), min(max(round(0.23 * width), 240), 380)],
                         Qt.Orientation.Horizontal)
        self.resizeDocks([self.results_dock], [min(max(round(0.15 * height), 100), 160)], Qt.Orientation.Vertical)
        self.resizeDocks([self.settings_dock, self.runs_dock], [round(0.55 * height), round(0.17 * height)],
                         Qt.Orientation.Vertical)
        self._size_lesson()
        self._room_for_tab_names()

    def _room_for_tab_names_soon(self) -> None:
        QTimer.singleShot(0, self, self._room_for_tab_names)  # once the least widths are measured at the new size

    def _room_for_tab_names(self) -> None:
        """The column beside the plots as wide as its tab group's names where the plots leave room for them
        ("Update rule" and "Optimizer state" whole: at Extra large text on a 1280-px projector the column's share,
        294 px, scrolled the 308-px bar and cut the second name). Not its least width: in a window made narrower,
        or one at its least width, the bar scrolls (the lesson's column needs 246 px, the names 308)."""
        dock = self.formula_dock
        if dock.isVisible() and not dock.isFloating():
            names = tab_names_width(dock, *self.tabifiedDockWidgets(dock))
            if dock.width() < names:
                self.resizeDocks([dock], [names], Qt.Orientation.Horizontal)

    def _size_lesson(self) -> None:
        """An open lesson gets 70 % of the right column: its text is readable at once (a third of the window)."""
        if self.has_lesson and not self.lesson_dock.isFloating():
            column = self.height() * 0.85
            self.resizeDocks([self.lesson_dock, self.formula_dock], [round(0.7 * column), round(0.3 * column)],
                             Qt.Orientation.Vertical)

    @staticmethod
    def _view_in(dock: QDockWidget) -> QWidget:
        widget = dock.widget()
        return widget.built() if isinstance(widget, Deferred) else widget

    def _give_room(self, dock: QDockWidget) -> None:
        """A dock whose view declares a ``readable_height()`` (the optimizer state's four plots, a tracked
        quantity's or the accuracy's plot) is unreadable in the room the update rule gets under a lesson (~45-70
        px of plot at 1280x720): brought to the front, it grows to that height, taken from the docks beside it
        (the lesson text scrolls). Only when chosen: the lesson keeps its room until then. The room is given back
        when the group's first dock comes to the front again: below the plots the results (the table had three
        rows in 250 px, the loss plot 60 px above it), beside them the update rule (the lesson's text kept two
        lines)."""
        if dock.isFloating() or not dock.isVisible():  # closed, or behind another tab
            return
        if dock in self._room_taken:  # (its widget may not be laid out yet: a scroll area has no visible region)
            self._resize_group(dock, self._room_taken.pop(dock))
            return
        if dock.widget().visibleRegion().isEmpty():
            return
        need = getattr(self._view_in(dock), "readable_height", lambda: 0)()
        if dock.widget().height() >= need:
            return
        group = {dock, *self.tabifiedDockWidgets(dock)}
        first = next((first for first, _ in self._tab_groups() if first in group), None)
        bar = self._tab_bar_below(dock)  # Qt sizes a tab group with its tab bar: the dock got 26 px less
        if first is not None and first not in self._room_taken:
            self._room_taken[first] = dock.height() + (bar.height() if bar else 0)
        self._resize_group(dock, dock.height() + need - dock.widget().height() + (bar.height() if bar else 0))

    def _results_rows_in_view(self) -> None:
        """The results strip, in front, as tall as the session's runs' rows need (up to :data:`RESULTS_ROWS`), taken
        from the plots above down to their least heights: it keeps room for two rows (the plots' height on a
        720-px screen), and lesson 23's third run was half a row over the scroll bar at 1280x720. Only as a session
        opens or the layout is set: a run added later never moves the plots."""
        dock, table = self.results_dock, self.results.table
        if dock.isFloating() or not dock.isVisible() or dock.widget().visibleRegion().isEmpty():
            return
        rows = sum(table.rowHeight(r) for r in range(min(table.rowCount(), RESULTS_ROWS)))
        short = rows - table.viewport().height()
        if short > 0:
            bar = self._tab_bar_below(dock)
            self._resize_group(dock, dock.height() + short + (bar.height() if bar else 0))

    def _resize_group(self, dock: QDockWidget, height: int) -> None:
        """Make the tab group ``dock`` is shown in ``height`` tall (its tab bar included), the docks beside it in
        its area giving or taking the difference in proportion to their heights - named with their new heights,
        or Qt shares it out by the old ones (the dock got half of it)."""
        group, area = {dock, *self.tabifiedDockWidgets(dock)}, self.dockWidgetArea(dock)
        beside = [d for d in self.docks if d not in group and d.isVisible() and not d.isFloating()
                  and self.dockWidgetArea(d) == area]
        bar = self._tab_bar_below(dock)
        change, total = height - dock.height() - (bar.height() if bar else 0), sum(d.height() for d in beside)
        self.resizeDocks([dock, *beside], [height, *(d.height() - change * d.height() // max(total, 1)
                                                     for d in beside)], Qt.Orientation.Vertical)

    def _tab_bar_below(self, dock: QDockWidget) -> QTabBar | None:
        """The shown tab bar of ``dock``'s tab group (right below it), or None."""
        if not self.tabifiedDockWidgets(dock):
            return None
        return next((bar for bar in self.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly)
                     if bar.isVisible() and abs(bar.y() - dock.geometry().bottom() - 1) <= 3
                     and abs(bar.x() - dock.x()) <= 8), None)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._sized:  # dock sizes set before the first show are not all kept
            self._sized = True
            self._size_docks()
        # tabbing three docks onto the results (or a restored layout) left the bar of the first two shown, below
        # the window's edge
        QTimer.singleShot(0, self, self._hide_stale_tab_bars)

    def reset_layout(self) -> None:
        """View > Reset layout: every dock back in its place and shown (the lesson when there is one). Restored
        from the state saved when the window was built."""
        if self.restoreState(self._default_layout, LAYOUT_VERSION):
            for dock in self.docks:
                dock.setVisible(dock is not self.lesson_dock or self.has_lesson)
            self._size_docks()
            QTimer.singleShot(0, self._hide_stale_tab_bars)
        else:
            self._arrange_docks()
        self._show_session_docks()

    def _hide_stale_tab_bars(self) -> None:
        """Qt can leave a tab group's old tab bar on screen after a restored layout (seen after a text-size
        change): hide every bar that does not sit right below a tabbed dock."""
        below = {self._tab_bar_below(dock) for dock in self.docks if dock.isVisible()}
        for bar in self.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if bar.isVisible() and bar not in below:
                bar.hide()

    def keyboard_home(self) -> None:
        """Where the keyboard goes after a field is committed or left: the plots (Space, S, R work there)."""
        self.space_view.plot.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- persistence -----------------------------------------------------------------------------------------
    @staticmethod
    def settings() -> QSettings:
        return QSettings("GD Lab", "GD Lab")

    def remember_layout(self) -> None:
        """Restore the last launch's geometry, dock layout, theme and text size, kept inside this screen, and
        save them when the window closes. (Not called by tests or screenshots: they start from defaults.)"""
        self._persist = True
        settings = self.settings()
        look = theme()
        mode, size = stored(settings, "view/theme", str, "system"), stored(settings, "view/text_size", str, "normal")
        if mode in MODES and size in TEXT_SIZES:
            look.mode, look.text_size = mode, size
            look.apply()
            self._check_view_actions()
        geometry, state = stored(settings, "window/geometry", QByteArray, None), \
            stored(settings, "window/state", QByteArray, None)
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None and self.restoreState(state, LAYOUT_VERSION):
            self._sized = True  # the docks keep the sizes they had: the first show must not set the defaults
        self.keep_on_screen()
        self._show_session_docks()

    def keep_on_screen(self) -> None:
        """A geometry saved on a larger screen is shrunk and moved into this one."""
        area, frame = self.available(), self.frameGeometry()
        if area.contains(frame):
            return
        size = self.size().boundedTo(area.size() - FRAME_ALLOWANCE)
        self.resize(size)
        self.move(max(area.x(), min(self.x(), area.right() - size.width() - FRAME_ALLOWANCE.width())),
                  max(area.y(), min(self.y(), area.bottom() - size.height() - FRAME_ALLOWANCE.height())))

    def _save_layout(self) -> None:
        """Save the window's geometry, docks, theme and text size - the docks with the room a tab took to be readable
        given back (:meth:`_give_room`): a layout saved with the Accuracy tab grown over the results kept the strip
        that tall at the next launch, the results in front and the plots above ~30 px shorter, for good."""
        for first, height in list(self._room_taken.items()):
            group = [first, *self.tabifiedDockWidgets(first)]
            self._resize_group(next((d for d in group if not d.visibleRegion().isEmpty()), first), height)
        self._room_taken.clear()
        settings = self.settings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState(LAYOUT_VERSION))
        settings.setValue("view/theme", theme().mode)
        settings.setValue("view/text_size", theme().text_size)

    # -- menus and toolbar -----------------------------------------------------------------------------------
    def _action(self, name: str, text: str, shortcut: str, tip: str, slot, status: str = "") -> QAction:
        """An action of the window; ``status``: the status bar's shorter words where ``tip`` does not fit beside
        its labels at 1280x720 and Large text (the status bar cuts it with "…"; the tooltip keeps it whole)."""
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setToolTip(f"{tip} ({QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)})")
        else:
            action.setToolTip(tip)
        action.setStatusTip(status or tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.action_run = self._action("action_run", "Run", "Space", "Run or pause training", self.toggle_run)
        self.action_step = self._action("action_step", "Step", "S", "Make exactly one update, then pause",
                                        self.step_once)
        # the Keyboard shortcuts table reads What's This: the status tip follows Run / Pause / Run again
        self.action_run.setWhatsThis("Run or pause training; once every run has ended, run them all again from "
                                     "their start")
        self.action_reset = self._action("action_reset", "Reset", "R", "Return every run to its start point",
                                         self.reset)
        self.action_quit = self._action("action_quit", "Quit", "Ctrl+Q", "Close GD Lab", self.close)
        self.files.file_menu.addAction(self.action_quit)
        self.action_compare = self._action("action_compare", "Compare variants", "Ctrl+K",
                                           "Batch, stochastic and mini-batch copies of the selected run with its "
                                           "start, seed and epoch budget", self.compare_variants,
                                           "Batch, stochastic and mini-batch copies of the run")
        self.action_sweep = self._action("action_sweep", "Learning-rate sweep...", "Ctrl+L",
                                         "Final loss against learning rate for the selected run", self.open_sweep)
        self.action_add_run = self._action("action_add_run", "Add run", "Ctrl+Shift+N",
                                           "Add a run with the default settings", self.run_list.add)
        self.action_duplicate_run = self._action("action_duplicate_run", "Duplicate run", "Ctrl+D",
                                                 "Copy the selected run: same settings, seed and start point",
                                                 self.run_list.duplicate, "Copy the run: settings, seed and start")
        self.action_remove_run = self._action("action_remove_run", "Remove run", "Ctrl+Delete",
                                              "Remove the selected run (one run always remains)", self.run_list.remove)
        self.action_find_lr = self._action("action_find_lr", "Find learning rate...", "Ctrl+Shift+L",
                                           "The learning-rate range test of the selected run, with a suggestion",
                                           self.open_lr_finder, "The learning-rate range test of the run")
        self.action_scaling = self._action("action_scaling", "Batch-size scaling...", "Ctrl+Shift+B",
                                           "Steps and epochs to a target loss against the batch size, with the "
                                           "critical batch size fitted", self.open_batch_scaling,
                                           "Steps to a target loss against the batch size")

    def _build_run_menu(self) -> None:
        menu = self.menuBar().addMenu("&Run")
        menu.setObjectName("run_menu")
        for action in (self.action_run, self.action_step, self.action_reset):
            menu.addAction(action)

    def _build_runs_menu(self) -> None:
        menu = self.menuBar().addMenu("R&uns")
        menu.setObjectName("runs_menu")
        for action in (self.action_add_run, self.action_duplicate_run, self.action_remove_run):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.action_compare)
        menu.addAction(self.action_sweep)
        menu.addAction(self.action_find_lr)
        menu.addAction(self.action_scaling)

    def _build_view_menu(self) -> None:
        menu = self.menuBar().addMenu("&View")
        menu.setObjectName("view_menu")
        for dock in self.docks:
            menu.addAction(dock.toggleViewAction())
        self.action_surface3d = self._action("action_surface3d", "Surface 3D", "",
                                             "The loss surface in 3D with the runs' paths on it (needs OpenGL), "
                                             "in the tab beside the parameter space", self.show_surface3d,
                                             "The loss surface in 3D, with the runs' paths")
        menu.addAction(self.action_surface3d)
        menu.addSeparator()
        self.action_reset_layout = self._action("action_reset_layout", "Reset layout", "",
                                                "Put every dock back in its original place", self.reset_layout)
        menu.addAction(self.action_reset_layout)
        menu.addSeparator()
        self.view_actions = {}
        look = theme()
        for title, options, current, setter, prefix in (
                ("&Text size", {k: label for k, (label, _) in TEXT_SIZES.items()}, look.text_size,
                 look.set_text_size, "text"),
                ("T&heme", MODES, look.mode, look.set_mode, "theme")):
            submenu = menu.addMenu(title)
            group = QActionGroup(self)
            for key, label in options.items():
                action = submenu.addAction(label)
                action.setObjectName(f"action_{prefix}_{key}")
                action.setCheckable(True)
                action.setChecked(key == current)
                action.triggered.connect(lambda _=False, k=key, set_=setter: set_(k))
                group.addAction(action)
                self.view_actions[prefix, key] = action

    def _check_view_actions(self) -> None:
        look = theme()
        for (prefix, key), action in self.view_actions.items():
            action.setChecked(key == (look.text_size if prefix == "text" else look.mode))

    def _build_help_menu(self) -> None:
        menu = self.menuBar().addMenu("&Help")
        menu.setObjectName("help_menu")
        for name, text, shortcut, tip, slot, status in (
                ("action_shortcuts", "Keyboard shortcuts", "F1", "Every key GD Lab knows", self.show_shortcuts, ""),
                ("action_guide", "GD Lab guide", "", "A short guide to the window, offline", self.show_guide, ""),
                ("action_about", "About GD Lab", "", "Versions of GD Lab, Python, Qt, PySide6, pyqtgraph and numpy",
                 self.show_about, "Versions of GD Lab and its libraries")):
            menu.addAction(self._action(name, text, shortcut, tip, slot, status))

    def show_shortcuts(self) -> None:
        self._shortcuts = help_dialogs.ShortcutsDialog(self.findChildren(QAction), self)
        self._shortcuts.open()

    def show_guide(self) -> None:
        self._guide = help_dialogs.GuideDialog(self)
        self._guide.open()

    def show_about(self) -> None:
        self._about = help_dialogs.show_about(self)

    def _build_toolbar(self) -> None:
        toolbar = self.addToolBar("Run")
        toolbar.setObjectName("run_toolbar")
        toolbar.setMovable(False)
        for action in (self.action_run, self.action_step, self.action_reset):
            toolbar.addAction(action)
        self.run_button = toolbar.widgetForAction(self.action_run)
        ReservedWidth(self.run_button, RUN_TEXTS)  # Step, Reset and Speed never move under the pointer
        toolbar.addSeparator()
        toolbar.addWidget(QLabel(" Speed "))
        self.speed = ComboBox()
        self.speed.setObjectName("speed")
        self.speed.addItems(list(SPEEDS))
        self.speed.setMinimumContentsLength(12)
        self.speed.setCurrentText(DEFAULT_SPEED)
        self.speed.setToolTip("Steps per second: slow to watch single steps, Max to go as fast as the core can.")
        self.speed.currentTextChanged.connect(self.runner.set_speed)
        toolbar.addWidget(self.speed)
        toolbar.addSeparator()
        toolbar.addAction(self.action_compare)
        toolbar.addAction(self.action_sweep)
        toolbar.addSeparator()
        toolbar.addWidget(self.banner)  # the rest of the row: messages live here, above everything, moving nothing

    def _build_safeguards(self) -> None:
        """Undo and redo (Edit menu), the modified marker and asking before discarding, autosave."""
        from .recovery import Autosaver

        self.undo = UndoHistory(self)
        self.guard = WorkGuard(self)
        self.autosaver = Autosaver(self)

    def _build_status(self) -> None:
        bar = StatusBar()
        self.setStatusBar(bar)
        self.state_label, self.step_label, self.epoch_label = QLabel(), QLabel(), QLabel()
        self.loss_label, self.rate_label = QLabel(), QLabel("0 steps/s")
        for name, label, widest in (("status_state", self.state_label, "Completed - Run restarts"),
                                    ("status_step", self.step_label, "step 10,000,000"),
                                    ("status_epoch", self.epoch_label, "epoch 999,999.99"),
                                    ("status_loss", self.loss_label, "loss -1.2345e+100"),
                                    ("status_rate", self.rate_label, "100,000 steps/s")):
            label.setObjectName(name)
            ReservedWidth(label, (widest,), gap=8)  # fixed room, at every text size: no reflow
            bar.addPermanentWidget(label)

    # -- behaviour -------------------------------------------------------------------------------------------
    @property
    def has_lesson(self) -> bool:
        model = self.model
        return bool(model.title or model.text or model.questions or model.challenge)

    def toggle_run(self) -> None:
        """Run or pause; once every run has ended, Run says "Run again" and restarts them (one undoable
        action); a run whose length was extended continues instead."""
        if self.runner.running:
            self.runner.pause()
            return
        if self.model.all_done:
            self.model.reset_runs("Restart runs")
            self.show_message("Restarted every run from its start (Ctrl+Z brings the finished runs back).", "info")
        self.runner.start()

    def step_once(self) -> None:
        if self.model.all_done:
            self.show_message("The run has ended: press Reset (R) to start again, or make it longer.", "info")
            self.runner.pause()
            return
        self.runner.step_once()

    def reset(self) -> None:
        self.runner.pause()
        self.model.reset_runs()
        if len(self.model.runs) > 1:  # each run's reset named only itself: the last one's stayed in the banner
            self.show_message("Reset every run to its start.", "info")

    def compare_variants(self) -> None:
        self.runner.pause()
        original = self.model.selected
        try:
            self.model.compare_variants(original)
        except ValueError as error:
            self.show_message(f"Not compared - {error}.", "info")
            return
        # two lines at 1280x720 (the banner shows no more): it named each copy, and the last line - what to
        # press - was cut off
        self.show_message(f"Added batch, stochastic and mini-batch copies of {original.name}: same start, seed and "
                          f"epochs, the loss per epoch; {original.name} is hidden. Space runs them together.", "info")

    def open_sweep(self) -> None:
        if self.sweep_window is None:
            from .views.sweep import SweepWindow
            self.sweep_window = SweepWindow(self.model, self)
        self.sweep_window.show()
        self.sweep_window.raise_()

    def show_surface3d(self) -> None:
        """View > Surface 3D: its tab in front (made and drawn the first time)."""
        self.bring_to_front(self.surface_view)

    def bring_to_front(self, view: QWidget) -> None:
        """Show ``view`` if it is a tab behind another (the parameter space and the 3D view share a place)."""
        if self.space_tabs.indexOf(view) >= 0:
            self.space_tabs.setCurrentWidget(view)

    def open_lr_finder(self) -> None:
        if self.lr_finder is None:
            from .views.lr_finder import LearningRateFinder
            self.lr_finder = LearningRateFinder(self.model, self)
        self.lr_finder.show()
        self.lr_finder.raise_()

    def open_batch_scaling(self) -> None:
        if self.scaling_window is None:
            from .views.batch_scaling import BatchScalingWindow
            self.scaling_window = BatchScalingWindow(self.model, self)
        if not self.scaling_window.points:  # shown again over points computed for a target: it keeps that target
            self.scaling_window.suggest_target()
        self.scaling_window.show()
        self.scaling_window.raise_()

    def update_title(self) -> None:
        name = file_name(self.files.path) if self.files.path else self.model.title
        self.setWindowTitle(f"GD Lab - {name}[*]" if name else "GD Lab[*]")  # [*]: the modified marker

    def _on_session_loaded(self) -> None:
        model = self.model
        self._show_session_docks()
        # another session's settings read from their top (the problem): a lesson opened with the panel left
        # scrolled to the last one's schedule showed the middle of its form
        self.settings_scroll.verticalScrollBar().setValue(0)
        # a long lesson starts fast enough to show its point within seconds; a short one at the default speed
        self.speed.setCurrentText(speed_for(max(planned_steps(run) for run in model.runs)))
        self.show_message("")
        self._announced = None  # the new session's selected run is told about if it has ended
        self.update_title()
        self._update_status()

    def _show_session_docks(self) -> None:
        """The docks the session asks for: its lesson shown, in front and given room; and the tab its view names
        ("view": {"tab": "accuracy"}: the one its text asks the student to open) in front, else where its runs
        measure the sharpness or the noise scale (a lesson about them) that view's tab, else the update rule's and
        the results' (never a view of what this session does not measure, left in front by the last session or
        launch).

        Applied whenever the docks were (re)arranged - a session loaded, the last launch's layout restored, the
        layout reset - so a remembered layout keeps its places and sizes but never hides what the lesson asks
        for (``gdlab --lesson 17_...`` opened with the tab in front that the previous launch had left there)."""
        self.lesson_dock.setVisible(self.has_lesson)
        if self.has_lesson:
            self.lesson_dock.raise_()
            self._size_lesson()
        for first, _ in self._tab_groups():
            first.raise_()
        front = self.tab_docks[front_tab(self.model.view, [run.config for run in self.model.runs])]
        front.raise_()
        # already in front (a remembered layout, the last lesson's choice) it is not shown again, and the lesson's
        # new size above squeezed it: give it its room here too
        QTimer.singleShot(0, self, lambda: self._give_room(front))
        QTimer.singleShot(0, self, self._results_rows_in_view)

    def childEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        # Not event(): a Python event() is on the stack when deleteLater's DeferredDelete destroys the window, so
        # the GIL is held while Qt waits for a surface worker's job that needs the GIL to end - a deadlock.
        if event.type() == QEvent.Type.ChildPolished and isinstance(event.child(), QTabBar):
            readable_tabs(event.child())  # a tab bar Qt made for docks tabbed together (restored, dragged, reset)
        super().childEvent(event)

    def _on_reset(self, run, reason) -> None:
        self.show_message(reason, "info")
        self._update_status()

    def _running_changed(self, running: bool) -> None:
        self._update_status()

    def _update_run_action(self) -> None:
        """Run, Pause, or "Run again" when every run has ended (Run then restarts them: never silently)."""
        again = not self.runner.running and self.model.all_done
        self.action_run.setText(RUN_TEXTS[1] if self.runner.running else RUN_TEXTS[2] if again else RUN_TEXTS[0])
        self.action_run.setStatusTip("Restart every run from its start" if again else "Run or pause training")

    def show_message(self, text: str, kind: str = "info") -> None:
        """Show a message (up to two lines; the tooltip holds a longer one) in the toolbar's row, "" to clear it.
        No dialogs: a diverging run must not open a dialog storm. The row keeps its height, message or not.

        Every message has a close button. One of :data:`LASTING_MESSAGES` stays until closed or replaced - and an
        error (a refused edit, a file not saved) until an edit succeeds too (:meth:`_edit_succeeded`): it never
        goes unread; any other goes by itself after :func:`reading_time`, later while the pointer is on it."""
        self.banner.setText(text)
        self.banner.setToolTip(text)
        self._banner_kind = kind
        self._restyle_banner()
        if text and kind not in LASTING_MESSAGES:
            self._banner_timer.start(reading_time(text))
        else:
            self._banner_timer.stop()

    def _message_read(self) -> None:
        if self.banner.underMouse():  # being read, or about to be closed: not pulled away now
            self._banner_timer.start(2000)
        else:
            self.show_message("")

    def _edit_succeeded(self, edit) -> None:
        """An edit went through: an error still shown is out of date (its cause fixed, or left for another)."""
        if self._banner_kind == "error":
            self.show_message("")

    def _restyle_banner(self) -> None:
        close = self.banner.close_button
        if self.banner.text():
            color, background, border = theme().semantic(self._banner_kind)
            look = f"color: {color}; background: {background}; border: 1px solid {border};"
            close.setStyleSheet(f"QToolButton {{ color: {color}; background: transparent; border: 1px solid "
                                f"transparent; border-radius: 3px; }} QToolButton:hover {{ border-color: {color}; }}")
        else:  # nothing to say: an empty, frameless box of the same size
            look = "background: transparent; border: 1px solid transparent;"
        # the application's font, told: a style sheet fixes a label's font at the one its parent had, and a window
        # not yet shown when the last launch's text size was applied kept the old size until the next message
        self.banner.setFont(QApplication.font())
        close.setFont(QApplication.font())
        self.banner.setStyleSheet(f"QLabel {{ {look} padding: 1px {6 + self.banner.button_room()}px 1px 6px; "
                                  f"border-radius: 3px; }}")

    def closeEvent(self, event) -> None:
        if not self.guard.may_discard("closing GD Lab"):
            event.ignore()
            return
        self.autosaver.discard()  # closed on purpose: nothing to recover
        if self.recorder is not None:
            self.recorder.cancel()  # an animation cut short by quitting is not written,
            self.recorder.wait()  # one already stopped is
        self.runner.pause()  # no tick may reach views that are going away
        self.space_view.worker.stop()  # nor a surface still being computed: stopped, not waited for (a large
        self.surface_view.stop()  # one took 0.9 s of closing lesson 21), within gd_core.landscape.CANCEL_WORK
        for window in (self.sweep_window, self.scaling_window):
            if window is not None:
                window.runner.wait()  # nor a sweep or a scaling
        if self._persist:
            self._save_layout()
        super().closeEvent(event)

    def catch_up(self) -> None:
        """Bring every view, the status bar, the results and the update rule up to the latest step now, instead
        of at their display rate (before a screenshot or an animation frame)."""
        for view in (*self.findChildren(PlotView), self.surface_view):
            view.catch_up()
        self._update_status()
        self.results.refresh()
        self.formula.refresh()

    def _update_status(self) -> None:
        run = self.model.selected
        has_data = run.trainer.problem.dataset is not None
        self.action_compare.setEnabled(has_data)
        history, trainer = run.history, run.trainer
        self._update_run_action()
        again = " - Run restarts" if self.action_run.text() == RUN_TEXTS[2] else ""
        self.state_label.setText(run_state(run, self.runner.running).capitalize() + again)
        self.step_label.setText(f"step {trainer.step:,}")
        self.epoch_label.setText(f"epoch {epoch_text(history.epoch[-1])}" if has_data else "epoch -")
        self.loss_label.setText(f"loss {history.loss[-1]:.5g}")
        # told once as the run ends (or is selected ended), not at every update: the ticks of the runs still
        # training wrote it again over any later message - a refused edit's error lasted one frame
        announced = (id(run), history.status, history.message) if history.status != "running" else None
        if announced != self._announced:
            self._announced = announced
            if announced is not None:
                self.show_message(f"{run.name}: {history.message}", history.status)
