"""Every colour GD Lab draws with, in one place (Qt-free: plain "#rrggbb" strings).

Runs and variants use the Okabe-Ito palette (Okabe & Ito, "Color Universal Design", 2008): eight colours that
stay distinguishable with every common form of colour-blindness, on light and dark backgrounds alike. Yellow and
black come last: they vanish on a white or a black plot respectively.

Colours that mean something (diverged, converged, an info banner) come in a light and a dark version; the views
ask :mod:`app.theme` for the one that fits the current palette. Everything else - backgrounds, axes, text - is
taken from the QPalette, never written here.
"""

from __future__ import annotations

OKABE_ITO = {
    "blue": "#0072B2", "vermillion": "#D55E00", "bluish_green": "#009E73", "reddish_purple": "#CC79A7",
    "orange": "#E69F00", "sky_blue": "#56B4E9", "yellow": "#F0E442", "black": "#000000",
}

#: Run colours, in the order new runs take them.
RUN_COLORS = tuple(OKABE_ITO[name] for name in ("blue", "vermillion", "bluish_green", "reddish_purple", "orange",
                                                "sky_blue", "yellow", "black"))

#: One fixed colour per variant: Compare variants, the learning-rate sweep and every view use these.
VARIANT_COLORS = {"batch": OKABE_ITO["blue"], "stochastic": OKABE_ITO["vermillion"],
                  "minibatch": OKABE_ITO["bluish_green"], "coordinate": OKABE_ITO["reddish_purple"]}

#: The samples of a data view, by class (Okabe-Ito again, so class colours survive colour-blindness too).
CLASS_COLORS = tuple(OKABE_ITO[name] for name in ("sky_blue", "orange", "bluish_green", "reddish_purple", "yellow",
                                                  "vermillion"))

#: The latest step's batch: its circled samples, its loss surface and its gradient arrow.
BATCH_COLOR = OKABE_ITO["orange"]

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

#: Marks drawn on the loss surface (minima outlines, the full gradient's arrow) and the fill of start points: the
#: surface is light in both themes, so these are fixed too.
ON_SURFACE = OKABE_ITO["black"]
SURFACE_MARK_FILL = SURFACE_COLORS[0]
ISOLINE_COLOR = "#283c5a"  # the surface's iso-lines, drawn at 35 % opacity
MINIMUM_COLOR = "#ffd54f"  # the star on a known minimum
