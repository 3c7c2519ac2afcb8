"""Light, dark or the system's palette, and the text size (a projector wants larger text and thicker lines).

One :class:`Theme` per application. Widgets take their colours from the QPalette it sets (palette roles, never
fixed colours); plots are styled from the same palette by :meth:`Theme.style_plot`; colours that mean something
come from :mod:`app.palette` in the version that fits the palette. Views listen to :attr:`Theme.changed`.
"""

from __future__ import annotations

import contextlib

import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPainter, QPalette, QPen
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QWidget

from .contrast import GRAPHIC_CONTRAST, TEXT_CONTRAST, with_contrast
from .palette import SEMANTIC, shade

MODES = {"system": "Follow the system", "light": "Light", "dark": "Dark"}
#: Text size -> scale of fonts and line widths.
TEXT_SIZES = {"normal": ("Normal", 1.0), "large": ("Large (projector)", 1.3), "huge": ("Extra large", 1.6)}

_DARK = {  # a calm dark palette for the Fusion style (text on base: contrast ratio 12:1)
    QPalette.ColorRole.Window: "#2b2d31", QPalette.ColorRole.WindowText: "#e4e4e4",
    QPalette.ColorRole.Base: "#1e1f22", QPalette.ColorRole.AlternateBase: "#34373c",
    QPalette.ColorRole.Text: "#e4e4e4", QPalette.ColorRole.Button: "#35383d",
    QPalette.ColorRole.ButtonText: "#e4e4e4", QPalette.ColorRole.BrightText: "#ff6e6e",
    QPalette.ColorRole.Highlight: "#3f74c4", QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.ToolTipBase: "#3a3d42", QPalette.ColorRole.ToolTipText: "#e4e4e4",
    QPalette.ColorRole.PlaceholderText: "#9a9da3", QPalette.ColorRole.Link: "#8ab4f8",
    QPalette.ColorRole.LinkVisited: "#c58af9", QPalette.ColorRole.Light: "#4a4d53",
    QPalette.ColorRole.Midlight: "#3d4045", QPalette.ColorRole.Mid: "#26282b", QPalette.ColorRole.Dark: "#18191b",
    QPalette.ColorRole.Shadow: "#000000",
}
_DARK_DISABLED = {QPalette.ColorRole.WindowText: "#7c7f85", QPalette.ColorRole.Text: "#7c7f85",
                  QPalette.ColorRole.ButtonText: "#7c7f85", QPalette.ColorRole.Highlight: "#4a4d53"}


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, color in _DARK.items():
        palette.setColor(role, QColor(color))
    for role, color in _DARK_DISABLED.items():
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(color))
    return palette


def is_dark(palette: QPalette) -> bool:
    return dark_window(palette.color(QPalette.ColorRole.Window))


def dark_window(window: QColor) -> bool:
    """Whether a palette whose window colour is ``window`` is a dark one: its lightness below half."""
    return window.lightness() < 128


def _readable_selection(palette: QPalette) -> None:
    """Darken (lighten) the selection colour of ``palette`` until its text has 4.5:1 on it: Fusion's light
    palette selects in #308cc6 with white text, 3.7:1 (a selected run's row). A palette that has it is kept."""
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        highlight = palette.color(group, QPalette.ColorRole.Highlight).name()
        text = palette.color(group, QPalette.ColorRole.HighlightedText).name()
        palette.setColor(group, QPalette.ColorRole.Highlight, QColor(with_contrast(highlight, text, TEXT_CONTRAST)))


class OutlinedIndicators(QProxyStyle):
    """Fusion with check boxes, radio buttons and menus that show on a dark palette: Fusion outlines them in the
    window colour made darker, so an unticked box was a dark square on dark grey (contrast 1.2:1) and a menu
    opened over a plot (Export > PNG resolution) read as text floating on it - the menu's panel is the base
    colour, as the plot; here their edge is drawn in the muted text colour (above 3:1, what WCAG asks of a
    control's edge)."""

    INDICATORS = (QStyle.PrimitiveElement.PE_IndicatorCheckBox, QStyle.PrimitiveElement.PE_IndicatorRadioButton)

    def drawPrimitive(self, element, option, painter, widget=None) -> None:  # noqa: N802 (Qt's name)
        super().drawPrimitive(element, option, painter, widget)
        if not is_dark(option.palette):
            return
        if element == QStyle.PrimitiveElement.PE_PanelMenu:  # Fusion draws the edge here (its menu frame is 0 px)
            painter.save()
            painter.setPen(QPen(option.palette.color(QPalette.ColorRole.PlaceholderText), 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(option.rect.adjusted(0, 0, -1, -1))
            painter.restore()
            return
        if element not in self.INDICATORS:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(option.palette.color(QPalette.ColorRole.PlaceholderText), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        edge = QRectF(option.rect).adjusted(0.5, 0.5, -0.5, -0.5)
        if element == QStyle.PrimitiveElement.PE_IndicatorRadioButton:
            painter.drawEllipse(edge)
        else:
            painter.drawRoundedRect(edge, 1.5, 1.5)
        painter.restore()


class Theme(QObject):
    """The application's palette mode and text size; emits :attr:`changed` after applying either."""

    changed = Signal()

    def __init__(self, app: QApplication):
        super().__init__(app)
        self.app = app
        if app.style().name() == "fusion":  # before the palette is read: setting a style may reset it
            app.setStyle(OutlinedIndicators("fusion"))
        self._system_palette = QPalette(app.palette())
        self._base_point_size = app.font().pointSizeF()
        self.mode, self.text_size = "system", "normal"
        self._monospace: list[QWidget] = []  # widgets kept in the monospace font
        self._colors_of, self._colors = None, {}  # color()'s answers, for the palette whose cacheKey() is the first
        self.generation = 0  # grows with every change: views compare it to know when to restyle
        pg.setConfigOptions(background=self.color("base"), foreground=self.color("text"))  # never pyqtgraph's black
        app.styleHints().colorSchemeChanged.connect(lambda _: self.mode == "system" and self.apply())

    # -- state -----------------------------------------------------------------------------------------------
    @property
    def dark(self) -> bool:
        return dark_window(self.color("window"))  # is_dark(the application's palette), from color()'s answers

    @property
    def scale(self) -> float:
        """Fonts and line widths are multiplied by this (1 at the normal text size)."""
        return TEXT_SIZES[self.text_size][1]

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown theme {mode!r} (allowed: {', '.join(MODES)})")
        self.mode = mode
        self.apply()

    def set_text_size(self, size: str) -> None:
        if size not in TEXT_SIZES:
            raise ValueError(f"unknown text size {size!r} (allowed: {', '.join(TEXT_SIZES)})")
        self.text_size = size
        self.apply()

    def apply(self) -> None:
        """Set the palette and font of the application and of new plots, then tell the views."""
        if self.mode == "dark" or (self.mode == "system" and not is_dark(self._system_palette)
                                   and QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark):
            palette = dark_palette()
        elif self.mode == "light" and is_dark(self._system_palette):
            palette = self.app.style().standardPalette()
        else:
            palette = QPalette(self._system_palette)
        _readable_selection(palette)
        self.app.setPalette(palette)
        font = QFont(self.app.font())
        font.setPointSizeF(self._base_point_size * self.scale)
        self.app.setFont(font)
        mono = self.monospace_font()
        self._monospace = [widget for widget in self._monospace if shiboken6.isValid(widget)]
        for widget in self._monospace:
            widget.setFont(mono)
        pg.setConfigOptions(background=self.color("base"), foreground=self.color("text"))
        self.generation += 1
        self.changed.emit()

    @contextlib.contextmanager
    def on_paper(self):
        """The light palette while what is drawn goes on paper (a lab report's pictures: a light page, printed
        black on white - dark pictures on it were dark blocks that cost toner and broke the page), then the
        palette as it was. Views restyle with each change, as when the user switches the theme; the window is
        not painted in between."""
        if not self.dark:
            yield
            return
        mode = self.mode
        self.set_mode("light")
        try:
            yield
        finally:
            self.set_mode(mode)

    # -- what views ask for ----------------------------------------------------------------------------------
    def color(self, role: str) -> QColor:
        """A palette colour by role name: "base", "text", "window", "muted" (secondary: text blended 45 %
        towards base, but at least 4.5:1 against base and window: axes and secondary text) or "faint" (70 %
        towards base, but at least 3:1 against it: data points behind the runs' lines). Opaque: opaque pens and
        brushes draw much faster than translucent ones. Worked out once per palette (a new window asked ~550
        times, each a palette lookup, the blends and contrasts again); a copy each time: callers change theirs."""
        palette = self.app.palette()
        if palette.cacheKey() != self._colors_of:  # another palette: what was worked out for the last one is not
            self._colors_of, self._colors = palette.cacheKey(), {}  # this one's
        if role not in self._colors:
            self._colors[role] = self._work_out(palette, role)
        return QColor(self._colors[role])

    @staticmethod
    def _work_out(palette: QPalette, role: str) -> QColor:
        if role in ("muted", "faint"):
            share = 0.55 if role == "muted" else 0.3
            text, base = palette.color(QPalette.ColorRole.Text), palette.color(QPalette.ColorRole.Base)
            mixed = QColor(*(round(share * t + (1 - share) * b) for t, b in zip(text.getRgb()[:3], base.getRgb()[:3])))
            if role == "faint":
                return QColor(with_contrast(mixed.name(), base.name(), GRAPHIC_CONTRAST))
            window = palette.color(QPalette.ColorRole.Window).name()
            return QColor(with_contrast(with_contrast(mixed.name(), base.name(), TEXT_CONTRAST), window, TEXT_CONTRAST))
        return palette.color(getattr(QPalette.ColorRole, role[0].upper() + role[1:]))

    def shade(self, color, role: str = "line") -> QColor:
        """``color`` (a run's, a class's: any colour) as drawn on this palette - its version with the contrast WCAG
        asks against the plot background: "line" (3:1), "legend" (3:1 against the legend row too), "text"
        (4.5:1) or "faint" (a line under a run's loss curve); see :func:`app.palette.shade`."""
        return QColor(shade(QColor(color).name(), "dark" if self.dark else "light", self.color("base").name(),
                            self.color("window").name(), role))

    def semantic(self, kind: str) -> tuple[str, str, str]:
        """(text, background, border) of a meaningful colour ("diverged", "info", "good", ...) for this palette."""
        table = SEMANTIC["dark" if self.dark else "light"]
        return table.get(kind, (self.color("text").name(), "", ""))

    def pen(self, color, width: float = 1.0, **style):
        """A pyqtgraph pen whose width follows the text size (thicker lines for a projector)."""
        return pg.mkPen(color, width=width * self.scale, **style)

    def monospace_font(self) -> QFont:
        font = QFont(self.app.font())
        font.setFamilies(["DejaVu Sans Mono", "Liberation Mono", "Monospace"])
        font.setStyleHint(QFont.StyleHint.Monospace)
        return font

    def mark_monospace(self, widget: QWidget) -> None:
        """Keep ``widget`` in the monospace font through text-size changes. The theme holds its own list:
        walking ``QApplication.allWidgets()`` wraps widgets half-way through destruction and crashed (SIGSEGV)."""
        self._monospace.append(widget)
        widget.setFont(self.monospace_font())

    def style_plot(self, widget) -> None:
        """Background, axes, tick and label fonts of a pyqtgraph widget from the palette and the text size; no
        axis scales its ticks by an SI prefix (a "(x0.001)" beside a rate of 0.05, or "(x1e+09)" on a log axis whose
        ticks pyqtgraph then scales too: every tick label carries its own magnitude)."""
        widget.setBackground(self.color("base"))
        font = QFont(self.app.font())
        for item in widget.scene().items():
            if isinstance(item, pg.AxisItem):
                # not enableAutoSIPrefix(False): pyqtgraph 0.14 computes a prefix while turning it off, from the
                # range the axis has now - an axis spanning ±0.98 (a classifier's data) read 500 for 0.5 after a
                # theme or text-size change, and a log axis whose range went beyond 10^308 overflowed (a warning)
                item.autoSIPrefix, item.autoSIPrefixScale, item.labelUnitPrefix = False, 1.0, ""
                item.setPen(self.color("muted"))
                item.setTextPen(self.color("text"))
                item.labelStyle["font-size"] = f"{font.pointSizeF():g}pt"
                item.setStyle(tickFont=font)
                item._updateLabel()  # the label's HTML is rebuilt from labelStyle only here


_theme: Theme | None = None


def theme() -> Theme:
    """The application's theme (made on first use; a QApplication must exist)."""
    global _theme
    app = QApplication.instance()
    if _theme is None or _theme.app is not app:
        _theme = Theme(app)
    return _theme
