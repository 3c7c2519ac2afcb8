"""How well a colour reads on another, measured (Qt-free: colours are "#rrggbb" strings).

- :func:`contrast_ratio`: WCAG 2.x contrast ratio ``(L1 + 0.05) / (L2 + 0.05)`` of the relative luminances
  ``L = 0.2126 R + 0.7152 G + 0.0722 B`` (linear sRGB, L1 the lighter). WCAG asks 4.5:1 of text (1.4.3) and 3:1
  of lines, markers and other graphics needed to read a plot (1.4.11).
- :func:`with_contrast`: a colour moved just far enough from a background to reach a ratio, its hue kept.
- :func:`simulate`: what a dichromat sees (protanopia, deuteranopia, tritanopia): Machado, Oliveira & Fernandes,
  "A physiologically-based model for simulation of color vision deficiency" (IEEE TVCG 2009), severity 1.0,
  a 3x3 matrix on linear sRGB.
- :func:`delta_e`: CIEDE2000 colour difference of two colours (Sharma, Wu & Dalal, Color Res. Appl. 2005), in
  CIELAB under D65: about 1 is just noticeable side by side; lines of a plot want well over 10.
"""

from __future__ import annotations

import functools
import math

#: WCAG 2.x minimum contrast: text (1.4.3, AA) and graphics such as plot lines and markers (1.4.11).
TEXT_CONTRAST, GRAPHIC_CONTRAST = 4.5, 3.0
#: Two colours told apart by hue alone (two arrows side by side, each meaning something else): CIEDE2000 at least
#: this far apart with normal vision, and at least the second figure as each dichromat sees them (Machado 2009).
#: Okabe-Ito's own least difference is 11 (tritanopia): these ask for a clear gap, not a just-visible one.
APART, APART_DICHROMAT = 30.0, 15.0

#: Machado et al. 2009, severity 1.0, applied to linear sRGB.
DICHROMACY = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}


def rgb(color: str) -> tuple[int, int, int]:
    """(r, g, b), 0-255, of "#rrggbb"."""
    text = color.lstrip("#")
    if len(text) != 6:
        raise ValueError(f"not a #rrggbb colour: {color!r}")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def hex_color(r: float, g: float, b: float) -> str:
    """"#rrggbb" of channels 0-255 (rounded, clipped)."""
    return "#" + "".join(f"{min(255, max(0, round(v))):02x}" for v in (r, g, b))


def _linear(channel: float) -> float:
    """sRGB transfer function undone: 0-255 -> linear light 0-1."""
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _encoded(linear: float) -> float:
    """Linear light 0-1 -> sRGB 0-255."""
    linear = min(1.0, max(0.0, linear))
    return 255 * (12.92 * linear if linear <= 0.0031308 else 1.055 * linear ** (1 / 2.4) - 0.055)


def relative_luminance(color: str) -> float:
    """WCAG relative luminance: 0.2126 R + 0.7152 G + 0.0722 B of the linear channels (0 black, 1 white)."""
    r, g, b = (_linear(c) for c in rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio (L_lighter + 0.05) / (L_darker + 0.05): 1 (the same) to 21 (black on white)."""
    la, lb = relative_luminance(a), relative_luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def blend(color: str, other: str, share: float) -> str:
    """``color`` moved ``share`` (0-1) of the way to ``other``, channel by channel in sRGB."""
    return hex_color(*(c + (o - c) * share for c, o in zip(rgb(color), rgb(other))))


def away_from(background: str) -> str:
    """White or black: whichever has more contrast against ``background``."""
    white, black = hex_color(255, 255, 255), hex_color(0, 0, 0)
    return white if contrast_ratio(white, background) >= contrast_ratio(black, background) else black


@functools.lru_cache(maxsize=4096)
def with_contrast(color: str, background: str, ratio: float) -> str:
    """``color`` blended towards white (on a dark background) or black (on a light one) by the least amount that
    gives it ``ratio`` against ``background``; unchanged where it already has it. Blending with white or black
    keeps the hue (HSV) exactly: blue stays blue, lighter or darker. Kept per (colour, background, ratio): a
    bisection of 20 blends, asked again for each axis of each plot as a window is built and restyled."""
    if contrast_ratio(color, background) >= ratio:
        return color
    # towards whichever end can get further from the background (white on dark, black on light)
    end = away_from(background)
    low, high = 0.0, 1.0  # bisection on the share of the end colour: the ratio grows with it
    for _ in range(20):
        middle = (low + high) / 2
        low, high = (low, middle) if contrast_ratio(blend(color, end, middle), background) >= ratio else (middle, high)
    return blend(color, end, high)


def simulate(color: str, deficiency: str) -> str:
    """``color`` as a dichromat with ``deficiency`` (a key of :data:`DICHROMACY`) sees it (Machado 2009)."""
    linear = [_linear(c) for c in rgb(color)]
    return hex_color(*(_encoded(sum(m * v for m, v in zip(row, linear))) for row in DICHROMACY[deficiency]))


def lab(color: str) -> tuple[float, float, float]:
    """CIELAB (L*, a*, b*) of an sRGB colour, D65 white."""
    r, g, b = (_linear(c) for c in rgb(color))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e(a: str, b: str) -> float:
    """CIEDE2000 difference of two sRGB colours."""
    return ciede2000(lab(a), lab(b))


def ciede2000(lab1: tuple[float, float, float], lab2: tuple[float, float, float]) -> float:
    """CIEDE2000 ΔE00 of two CIELAB colours (kL = kC = kH = 1), as written out by Sharma, Wu & Dalal 2005."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean ** 7 / (c_mean ** 7 + 25 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dl, dc = l2 - l1, c2p - c1p
    dh = 0.0
    if c1p * c2p:
        dh = h2p - h1p
        dh = dh - 360 if dh > 180 else dh + 360 if dh < -180 else dh
    dhp = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_mean, cp_mean = (l1 + l2) / 2, (c1p + c2p) / 2
    h_mean = h1p + h2p
    if c1p * c2p:
        h_mean = (h1p + h2p) / 2 if abs(h1p - h2p) <= 180 else (h1p + h2p + 360) / 2 if h1p + h2p < 360 \
            else (h1p + h2p - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(h_mean - 30)) + 0.24 * math.cos(math.radians(2 * h_mean))
         + 0.32 * math.cos(math.radians(3 * h_mean + 6)) - 0.20 * math.cos(math.radians(4 * h_mean - 63)))
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / math.sqrt(20 + (l_mean - 50) ** 2)
    s_c = 1 + 0.045 * cp_mean
    s_h = 1 + 0.015 * cp_mean * t
    r_t = (-2 * math.sqrt(cp_mean ** 7 / (cp_mean ** 7 + 25 ** 7))
           * math.sin(math.radians(60 * math.exp(-(((h_mean - 275) / 25) ** 2)))))
    return math.sqrt((dl / s_l) ** 2 + (dc / s_c) ** 2 + (dhp / s_h) ** 2 + r_t * (dc / s_c) * (dhp / s_h))


@functools.lru_cache(maxsize=4096)
def apartness(a: str, b: str) -> float:
    """How far apart two colours are for everyone, as a share of what telling them apart asks: the least of
    ΔE00 / :data:`APART` with normal vision and ΔE00 / :data:`APART_DICHROMAT` for each dichromacy (>= 1: every
    student tells them apart). Kept per pair: the data view's legend asks it for each run's colour against the
    batch colours at every change of the runs (~0.2 ms a pair)."""
    shares = [delta_e(a, b) / APART]
    shares += [delta_e(simulate(a, deficiency), simulate(b, deficiency)) / APART_DICHROMAT for deficiency in DICHROMACY]
    return min(shares)


def least_difference(colors, deficiency: str | None = None) -> tuple[float, str, str]:
    """(ΔE00, a, b) of the closest pair among ``colors``, as seen with ``deficiency`` (None: normal vision)."""
    seen = {c: simulate(c, deficiency) if deficiency else c for c in colors}
    pairs = [(delta_e(seen[a], seen[b]), a, b) for i, a in enumerate(colors) for b in colors[i + 1:]]
    return min(pairs)
