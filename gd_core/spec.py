"""Declarative hyperparameter specs: one table row feeds validation, the CLI, the GUI forms and the tooltips."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .errors import ConfigError


@dataclass(frozen=True)
class Param:
    """One named setting with its default, its type, its allowed range and a one-sentence doc.

    ``low``/``high`` bound the value (``None`` = unbounded); ``low_open``/``high_open`` make a bound strict.
    ``log`` hints that a GUI should edit it on a log scale. ``kind=str`` takes one of ``choices``;
    ``kind=list`` takes a list of 1 to ``max_len`` integers, each within the bounds.
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

    def allowed(self) -> str:
        """Say in words what values are allowed, e.g. ``"a number in [0, 1)"``."""
        if self.kind is bool:
            return "true or false"
        if self.kind is str:
            return "one of " + ", ".join(self.choices)
        if self.kind is list:
            return f"a list of 1 to {self.max_len} integers in [{self.low:g}, {self.high:g}]"
        what = "an integer" if self.kind is int else "a number"
        if self.low is None and self.high is None:
            return what
        if self.high is None:
            return f"{what} {'>' if self.low_open else '>='} {self.low:g}"
        if self.low is None:
            return f"{what} {'<' if self.high_open else '<='} {self.high:g}"
        left = "(" if self.low_open else "["
        right = ")" if self.high_open else "]"
        return f"{what} in {left}{self.low:g}, {self.high:g}{right}"

    def check(self, value: Any, key: str) -> Any:
        """Return ``value`` converted to this param's type, or raise :class:`ConfigError` naming ``key``."""
        given = value
        if self.kind is str:
            if value not in self.choices:
                raise ConfigError(key, f"must be {self.allowed()}, got {value!r}")
            return value
        if self.kind is list:
            ok = isinstance(value, list) and 1 <= len(value) <= self.max_len and all(
                isinstance(v, int) and not isinstance(v, bool) and self.low <= v <= self.high for v in value)
            if not ok:
                raise ConfigError(key, f"must be {self.allowed()}, got {value!r}")
            return list(value)
        if self.kind is bool:
            if isinstance(value, bool):
                return value
            raise ConfigError(key, f"must be {self.allowed()}, got {value!r}")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(key, f"must be {self.allowed()}, got {value!r}")
        if self.kind is int:
            if isinstance(value, float) and not value.is_integer():
                raise ConfigError(key, f"must be {self.allowed()}, got {value!r}")
            value = int(value)
        else:
            value = float(value)
            if not math.isfinite(value):
                raise ConfigError(key, f"must be {self.allowed()} (finite), got {value!r}")
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            raise ConfigError(key, f"must be {self.allowed()}, got {given!r}")
        if self.high is not None and (value > self.high or (self.high_open and value == self.high)):
            raise ConfigError(key, f"must be {self.allowed()}, got {given!r}")
        return value


def check_params(specs: tuple[Param, ...], given: dict, prefix: str, owner: str) -> dict:
    """Validate ``given`` against ``specs``; return every param with defaults filled in.

    Unknown names are errors that list the allowed ones.
    """
    by_name = {p.name: p for p in specs}
    for name in given:
        if name not in by_name:
            allowed = ", ".join(by_name) or "none"
            raise ConfigError(f"{prefix}{name}", f"is not a setting of {owner} (allowed: {allowed})")
    return {p.name: p.check(given[p.name], prefix + p.name) if p.name in given else p.default for p in specs}
