"""Declarative hyperparameter specs: one table row feeds validation, the CLI, the GUI forms and the tooltips."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from .errors import ConfigError
from .files import key_name, quote

#: The largest value a number setting without a narrower natural range may take (learning rates, noise,
#: curvature, decay rates, norms): far beyond any teaching use, and small enough that its products with
#: gradients, data and step counts stay inside float64.
MAX_MAGNITUDE = 1e12
#: The largest seed (what a spin box holds): numpy takes any, but a seed is a label, not a quantity.
MAX_SEED = 2**31 - 1
#: The longest run, in steps (and the longest period a schedule counts in).
MAX_STEPS = 100_000_000


@dataclass(frozen=True)
class Param:
    """One named setting with its default, its type, its allowed range and a one-sentence doc.

    ``low``/``high`` bound the value (``None`` = unbounded); ``low_open``/``high_open`` make a bound strict.
    ``log`` hints that a GUI should edit it on a log scale. ``kind=str`` takes one of ``choices``;
    ``kind=list`` takes a list of 1 to ``max_len`` integers, each within the bounds; ``kind=dict`` takes null (off)
    or an object of ``fields`` (each optional, with its default), e.g. a line search's settings.

    Every number setting has both bounds (a row without them is refused at import): whatever value passes
    :meth:`check` is safe to compute with, and :meth:`check` raises nothing but :class:`ConfigError`.
    """

    name: str
    default: Any
    doc: str
    kind: type = float
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    log: bool = False
    choices: tuple = ()
    max_len: int = 4
    fields: tuple = ()  # kind=dict: the Params of the object's keys (the value is null, off, or that object)

    def __post_init__(self):
        if self.kind in (int, float, list) and not (self.low is not None and self.high is not None
                                                    and math.isfinite(self.low) and math.isfinite(self.high)
                                                    and self.low <= self.high):
            raise TypeError(f"Param {self.name!r}: a number setting needs finite bounds low <= high")

    def allowed(self, unset: str = "null (the default)") -> str:
        """Say in words what values are allowed, e.g. ``"a number in [0, 1)"``; ``unset`` names the value that
        leaves a setting whose default is None unset (a config's null; a box's own word for it)."""
        if self.default is None and self.kind is not dict:
            return f"{self._allowed()} or {unset}"
        return self._allowed()

    def _allowed(self) -> str:
        if self.kind is dict:
            keys = ", ".join(f"{p.name} ({p.allowed()})" for p in self.fields)
            return f"null (off) or an object with {keys}"
        if self.kind is bool:
            return "true or false"
        if self.kind is str:
            return "one of " + ", ".join(self.choices)
        if self.kind is list:
            return f"a list of 1 to {self.max_len} integers in [{exact_text(self.low)}, {exact_text(self.high)}]"
        what = "an integer" if self.kind is int else "a number"
        left = "(" if self.low_open else "["
        right = ")" if self.high_open else "]"
        return f"{what} in {left}{exact_text(self.low)}, {exact_text(self.high)}{right}"

    def check(self, value: Any, key: str) -> Any:
        """Return ``value`` converted to this param's type, or raise :class:`ConfigError` naming ``key``.

        A setting whose default is None (null: "not set", as torch's None) takes None too."""
        if value is None and self.default is None:
            return None
        def refused() -> ConfigError:  # worded only when raised: checking is on the path of every run
            return ConfigError(key, f"must be {self.allowed()}, got {quote(value)}")

        if self.kind is dict:
            if value is None:
                return None
            if not isinstance(value, dict):
                raise refused()
            return check_params(self.fields, value, key + ".", key)
        if self.kind is str:
            if not isinstance(value, str) or value not in self.choices:
                raise refused()
            return value
        if self.kind is list:
            ok = isinstance(value, list) and 1 <= len(value) <= self.max_len and all(
                isinstance(v, int) and not isinstance(v, bool) and self.low <= v <= self.high for v in value)
            if not ok:
                raise refused()
            return list(value)
        if self.kind is bool:
            if isinstance(value, bool):
                return value
            raise refused()
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise refused()
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(key, f"must be {self.allowed()} (finite), got {quote(value)}")
        if self.kind is int and isinstance(value, float) and not value.is_integer():
            raise refused()
        # int-float comparisons are exact in Python: the bounds are checked before any conversion (float() of
        # a 401-digit integer would overflow)
        if value < self.low or (self.low_open and value == self.low):
            raise refused()
        if value > self.high or (self.high_open and value == self.high):
            raise refused()
        return int(value) if self.kind is int else float(value)


#: A number written with thousands commas ("1,250", "-12,345.5", "1,000e3").
_GROUPED = re.compile(r"[+\-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?(?:[eE][+\-]?\d+)?")


def commas_group_thousands(text: str) -> bool:
    """Whether every comma of the typed number ``text`` groups thousands ("1,250"), the only commas a typed number
    may hold: "1,5" is a decimal comma, which dropping the commas would read as 15. True without a comma."""
    text = text.strip()
    return "," not in text or _GROUPED.fullmatch(text) is not None


def counting_number(text: str, digits: int) -> int | None:
    """``text`` as a number if it is 1 to ``digits`` ASCII digits, else None: str.isdigit() also takes "²", which
    int() refuses, and int() refuses more than 4,300 digits (a lesson name or an answer's key so written raised
    ValueError)."""
    return int(text) if 0 < len(text) <= digits and text.isascii() and text.isdigit() else None


#: The values a step on a log scale lands on, in each decade: a rate of 0.01 steps to 0.015, 0.02, 0.03, 0.05,
#: 0.07, 0.1 - numbers a student reads and types (multiplying by 10^(1/10) gave 0.0125893, 0.0158489, ...).
LOG_RUNGS = ("1", "1.5", "2", "3", "5", "7")


def _rung(n: int) -> float:
    """The ``n``-th value of the log ladder (n = 0 is 1; :data:`LOG_RUNGS` per decade), read from its decimal
    text so that it is the float nearest to it (0.3, not 3 * 0.1)."""
    decade, k = divmod(n, len(LOG_RUNGS))
    return float(f"{LOG_RUNGS[k]}e{decade}")


def log_step(value: float, steps: int) -> float:
    """``value`` (> 0) moved ``steps`` rungs up (down where negative) the ladder of :data:`LOG_RUNGS`; a value
    between two rungs (typed: 0.038) moves first to the rung beside it on that side (0.05 up, 0.03 down)."""
    n = len(LOG_RUNGS) * math.floor(math.log10(value))
    while n > -400 * len(LOG_RUNGS) and _rung(n) > value:  # log10 may be a hair off: settle on the rung below
        n -= 1
    while _rung(n + 1) <= value:
        n += 1
    between = _rung(n) != value  # value lies above rung n: one step down reaches rung n itself
    target = n + steps + (1 if between and steps < 0 else 0)
    while steps < 0 and _rung(target) >= value > 0:  # rungs no float tells apart: 3e-324 and 7e-324 are 5e-324
        target -= 1
    return _rung(target)


def typed_number(text: str) -> float | None:
    """``text`` as a finite number where it is written as one, else None. Python's float() is the reader - digits
    of other scripts are digits ("١٢" is 12) - except that it takes "1_0" as 10 (an underscore groups digits in
    Python's numbers: to a student it is a slip, not ten), and "nan", "inf" and "1e400" are no finite number."""
    if "_" in text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


#: An integer as typed: ASCII digits (at most 30: more than any setting takes), a sign, spaces around it.
INTEGER = re.compile(r"\s*[+-]?[0-9]{1,30}\s*")


def integer_list(text: str) -> list[int] | None:
    """The integers of a typed list, separated by commas or spaces ("16, 8", "16 8"); None when any part is not
    an integer: the text is then refused whole, never read in part ("8, x" is not [8], nor "3 3" 33)."""
    parts = [part for part in re.split(r"[\s,]+", text) if part]
    if not all(INTEGER.fullmatch(part) for part in parts):
        return None
    return [int(part) for part in parts]


def exact_text(value: float) -> str:
    """``value`` as short text that reads back as it: ``0.001``, ``1e-05``, ``1e+06`` - and every digit where
    fewer would be another number (``0.0012345678``, not ``0.00123457``; ``2147483647``)."""
    text = f"{value:g}"
    if float(text) == value:
        return text
    return str(int(value)) if float(value).is_integer() and abs(value) < 2**53 else repr(value)


def check_params(specs: tuple[Param, ...], given: dict, prefix: str, owner: str) -> dict:
    """Validate ``given`` against ``specs``; return every param with defaults filled in.

    Unknown names are errors that list the allowed ones.
    """
    by_name = {p.name: p for p in specs}
    for name in given:
        if name not in by_name:
            allowed = ", ".join(by_name) or "none"
            raise ConfigError(f"{prefix}{key_name(name)}", f"is not a setting of {owner} (allowed: {allowed})")
    return {p.name: p.check(given[p.name], prefix + p.name) if p.name in given else p.default for p in specs}
