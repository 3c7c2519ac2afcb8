"""Every colour GD Lab draws with, in one place (Qt-free: plain "#rrggbb" strings).

Runs and variants use the Okabe-Ito palette (Okabe & Ito, "Color Universal Design", 2008): eight colours that
stay distinguishable with every common form of colour-blindness, on light and dark backgrounds alike. Yellow and
black come last: they vanish on a white or a black plot respectively.

A colour is stored (in a run, a session file) as itself; what is drawn is its *shade* for the palette in use
(:func:`shade`): a run's line reaches 3:1 against the plot and the legend row, its name in a table 4.5:1 (WCAG
1.4.11 and 1.4.3), with the hue kept. Most Okabe-Ito colours fail that somewhere (sky blue, orange and yellow on
white; blue and black on the dark palette), so each theme has its own shades (:data:`RUN_SHADES`), chosen so that
the eight stay apart for protan-, deuter- and tritanopes too (tests/app/test_colour_contrast.py measures both).

Colours that mean something (diverged, converged, an info banner) come in a light and a dark version; the views
ask :mod:`app.theme` for the one that fits the current palette. Everything else - backgrounds, axes, text - is
taken from the QPalette, never written here.
"""

from __future__ import annotations

from functools import lru_cache

from .contrast import GRAPHIC_CONTRAST, TEXT_CONTRAST, apartness, blend, contrast_ratio, with_contrast

OKABE_ITO = {
    "blue": "#0072B2", "vermillion": "#D55E00", "bluish_green": "#009E73", "reddish_purple": "#CC79A7",
    "orange": "#E69F00", "sky_blue": "#56B4E9", "yellow": "#F0E442", "black": "#000000",
}

#: Run colours, in the order new runs take them.
RUN_COLORS = tuple(OKABE_ITO[name] for name in ("blue", "vermillion", "bluish_green", "reddish_purple", "orange",
                                                "sky_blue", "yellow", "black"))

#: One colour per variant: the learning-rate sweep draws in these, and Compare variants gives them to its copies
#: unless another run of the session has one already (run 1's blue: the batch copy takes a free colour instead).
VARIANT_COLORS = {"batch": OKABE_ITO["blue"], "stochastic": OKABE_ITO["vermillion"],
                  "minibatch": OKABE_ITO["bluish_green"], "coordinate": OKABE_ITO["reddish_purple"]}

#: The samples of a data view, by class (Okabe-Ito again, so class colours survive colour-blindness too).
CLASS_COLORS = tuple(OKABE_ITO[name] for name in ("sky_blue", "orange", "bluish_green", "reddish_purple", "yellow",
                                                  "vermillion"))

#: The latest step's batch: its circled samples, its loss surface and its gradient arrow, in every view - unless the
#: selected run's own colour is too close to it (see :func:`batch_color`).
BATCH_COLOR = OKABE_ITO["orange"]
#: The casing of the data view's batch circles: black, not :data:`SURFACE_CASING` - it must reach 3:1 against
#: every class's samples too, and the light theme's olive of a yellow class has 3.0:1 against black, 2.5:1 against
#: #1a1a1a (every batch colour has 5:1 and more against it; the class regions 13:1 and more).
BATCH_CASING = OKABE_ITO["black"]
#: What the batch's dashed contours and gradient arrow on the loss surface are drawn in, by preference: orange, else
#: (the selected run orange, vermillion or yellow) sky blue, else (reddish purple) bluish green, else yellow -
#: see :func:`batch_color`.
BATCH_COLORS = (BATCH_COLOR, OKABE_ITO["sky_blue"], OKABE_ITO["bluish_green"], OKABE_ITO["yellow"])

#: Loss surface, low to high: light and low-saturation so that the runs' saturated colours stand out on it
#: (the same in both themes: it is a picture of the loss, like a map).
SURFACE_COLORS = ("#fdfcf3", "#e4eed8", "#b9cfdc", "#8597b8")

#: Meaningful colours: (text, background, border) per kind, for a light and a dark palette.
SEMANTIC = {
    "light": {"diverged": ("#8a1c12", "#fdecea", "#f5c2bd"), "error": ("#8a1c12", "#fdecea", "#f5c2bd"),
              "converged": ("#1b5e20", "#e8f5e9", "#b9dfbb"), "stopped early": ("#1b5e20", "#e8f5e9", "#b9dfbb"),
              "completed": ("#1a3e6e", "#eef3fb", "#c9d8ef"),
              "info": ("#5d4300", "#fff8e1", "#f0dc9a"), "good": ("#1b5e20", "", ""), "bad": ("#b00020", "", "")},
    "dark": {"diverged": ("#ffb4a9", "#4a1f1b", "#7d3a33"), "error": ("#ffb4a9", "#4a1f1b", "#7d3a33"),
             "converged": ("#a5d6a7", "#1e3a22", "#38603c"), "stopped early": ("#a5d6a7", "#1e3a22", "#38603c"),
             "completed": ("#a9c7f0", "#1d2c42", "#3a5378"),
             "info": ("#ffe08a", "#3d3317", "#6b5a26"), "good": ("#a5d6a7", "", ""), "bad": ("#ff8a80", "", "")},
}


def run_color(index: int) -> str:
    return RUN_COLORS[index % len(RUN_COLORS)]


#: How each run colour is drawn on a theme's plots and legend rows: the least change of lightness (blended with
#: black on the light theme, with white on the dark one, which keeps the hue) that gives 3:1 against both the
#: plot (base) and the legend row (window), adjusted where two would look alike to a dichromat (Machado 2009):
#: on white, vermillion and orange are kept apart in lightness, and yellow - which has no shade with 3:1 on white
#: that still looks yellow - is the dark olive that stays apart from both. Colours not listed (picked in the
#: colour dialog) get :func:`~app.contrast.with_contrast`'s least change.
RUN_SHADES = {
    "light": {"#0072B2": "#0072B2", "#D55E00": "#C05500", "#009E73": "#008E68", "#CC79A7": "#BC6F9A",
              "#E69F00": "#B87F00", "#56B4E9": "#4590BA", "#F0E442": "#605B1A", "#000000": "#000000"},
    "dark": {"#0072B2": "#1A80BA", "#D55E00": "#D55E00", "#009E73": "#009E73", "#CC79A7": "#CC79A7",
             "#E69F00": "#E69F00", "#56B4E9": "#56B4E9", "#F0E442": "#F0E442", "#000000": "#7A7A7A"},
}

#: What a colour is drawn as (see :func:`shade`).
SHADE_ROLES = ("line", "legend", "text", "faint")
#: How far at most a companion line ("faint": the batch loss under a run's loss) fades towards the background.
FAINTER = 0.65


@lru_cache(maxsize=4096)
def shade(color: str, theme: str, base: str, window: str, role: str = "line") -> str:
    """``color`` ("#rrggbb") as drawn on the ``theme`` ("light" or "dark") palette whose plot background is
    ``base`` and legend rows' ``window``:

    - "line": lines, markers, swatches, a run's loss curve - this theme's :data:`RUN_SHADES`, at least 3:1
      against ``base`` (no more: a darker shade on white would squeeze the colours together for dichromats);
    - "legend": a legend row's swatch - the line, at least 3:1 against ``window`` too;
    - "text": a run's name in its colour - at least 4.5:1 against ``base``;
    - "faint": a companion line drawn under the main curve - the line faded up to 65 % towards the background,
      but never below 3:1.
    """
    line = with_contrast(RUN_SHADES[theme].get(color.upper(), color), base, GRAPHIC_CONTRAST)
    if role == "line":
        return line
    if role == "legend":
        return with_contrast(line, window, GRAPHIC_CONTRAST)
    if role == "text":
        return with_contrast(line, base, TEXT_CONTRAST)
    if role == "faint":
        return blend(line, base, fade_share(line, base, FAINTER))
    raise ValueError(f"unknown colour role {role!r} (allowed: {', '.join(SHADE_ROLES)})")

#: Marks drawn on the loss surface (minima outlines, the full gradient's arrow): the surface is light in both themes,
#: so these are fixed too.
ON_SURFACE = OKABE_ITO["black"]
#: The casing of every line and marker on the loss surface, as a map cases its roads: the surface runs from near
#: white to a mid blue-grey, and no colour reaches 3:1 against both ends (blue 5.0:1 on the light end, 1.8:1 on
#: the dark one; white 2.95:1 on the dark end) - but a near-black outline does (5.9:1 and 17:1), and each run's
#: own Okabe-Ito colour inside it stays recognisable (3.4:1 and more against it; black runs: see :func:`on_casing`).
SURFACE_CASING = "#1a1a1a"
#: px of casing on each side of a cased line or marker (the loss surface's items, the data view's batch circles).
CASING_WIDTH = 1.0
ISOLINE_COLOR = "#283c5a"  # the surface's iso-lines, drawn at 35 % opacity
MINIMUM_COLOR = "#ffd54f"  # the star on a known minimum


def on_picture(color: str, picture: tuple[str, ...]) -> str:
    """``color`` as drawn on a light picture made of the colours ``picture`` (a classifier's shaded class regions):
    its light-theme shade, darkened where needed to 3:1 against every colour of the picture. The picture looks
    the same in both themes, so what is drawn on it does too."""
    drawn = RUN_SHADES["light"].get(color.upper(), color)
    for background in picture:  # all light: each step only darkens, keeping the contrast already reached
        drawn = with_contrast(drawn, background, GRAPHIC_CONTRAST)
    return drawn


def fade_share(color: str, background: str, most: float) -> float:
    """The largest share (at most ``most``) by which ``color`` can be blended towards ``background`` keeping 3:1
    against it (0 where it has less to start with)."""
    if contrast_ratio(blend(color, background, most), background) >= GRAPHIC_CONTRAST:
        return most
    low, high = 0.0, most  # bisection: the contrast falls as the share grows
    for _ in range(20):
        middle = (low + high) / 2
        faded = contrast_ratio(blend(color, background, middle), background) >= GRAPHIC_CONTRAST
        low, high = (middle, high) if faded else (low, middle)
    return low


_COLOR_NAMES = {value.upper(): name.replace("_", " ") for name, value in OKABE_ITO.items()}


def color_name(color: str) -> str:
    """An Okabe-Ito colour's name ("sky blue"), else the colour itself ("#123456")."""
    return _COLOR_NAMES.get(color.upper(), color)


@lru_cache(maxsize=256)
def on_casing(color: str) -> str:
    """``color`` as drawn inside :data:`SURFACE_CASING` (a path, a marker, an arrow on the loss surface): lightened
    (hue kept) to 3:1 against the casing where it has less - a black run's line is a grey one, else it merged into
    its casing (1.2:1) - unchanged otherwise (every other Okabe-Ito colour has 3.4:1 or more)."""
    return with_contrast(color, SURFACE_CASING, GRAPHIC_CONTRAST)


@lru_cache(maxsize=1024)
def batch_color(run_color: str, others: tuple[str, ...] = ()) -> str:
    """The colour of the latest batch - its contours and gradient arrow on the loss surface, its circled samples in
    the data view - beside the selected run coloured ``run_color`` (its update arrow and fit line are drawn beside
    them): orange - what the lessons call it - wherever
    every student tells it apart from the run's colour as drawn (:func:`~app.contrast.apartness` >= 1: CIEDE2000
    >= 30, >= 15 for each dichromacy); else the first of the other :data:`BATCH_COLORS` that is, preferring one
    apart from the ``others`` runs' colours on the surface too, so the contours are not taken for another run's
    (reddish purple beside bluish green: yellow); else (a colour picked in the colour dialog) the one furthest."""
    drawn, beside = on_casing(run_color), [on_casing(color) for color in others]
    apart = [color for color in BATCH_COLORS if apartness(color, drawn) >= 1.0]
    if not apart:
        return max(BATCH_COLORS, key=lambda color: apartness(color, drawn))
    if apart[0] == BATCH_COLOR:
        return BATCH_COLOR
    return next((color for color in apart if all(apartness(color, other) >= 1.0 for other in beside)), apart[0])


def surface_backdrop(base: str) -> str:
    """What the parameter space shows where the loss surface is not (zoomed out past its grid, or before it is
    computed): the plot's ``base`` colour, lifted (hue kept) to 3:1 against :data:`SURFACE_CASING` - the cased
    paths and markers read there too. The light theme's white is kept; the dark one's near-black becomes a grey."""
    return with_contrast(base, SURFACE_CASING, GRAPHIC_CONTRAST)
