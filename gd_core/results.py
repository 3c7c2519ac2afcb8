"""What a finished (or running) history amounts to: final and best loss, and the cost of reaching a tolerance."""

from __future__ import annotations

import numpy as np

from .history import History
from .spec import Param

#: The default tolerance on the loss gap: loss - known minimum (or the loss itself where none is known).
DEFAULT_TOLERANCE = 1e-3
#: The tolerance a session's view and the results' box take: one range, so that the box shows what the table
#: measures (the box took [1e-15, 1e12] while a session could set anything in (0, 1e300]).
TOLERANCE = Param("tolerance", DEFAULT_TOLERANCE, "A run has reached the tolerance once loss − known minimum ≤ "
                                                  "this (the loss itself where no minimum is known).",
                  low=1e-300, high=1e300, log=True)


def run_summary(history: History, tolerance: float = DEFAULT_TOLERANCE, min_loss: float | None = None) -> dict:
    """Status, final and best full loss, length, and the first step, epoch and sample count at which
    ``loss - min_loss <= tolerance`` (``0 <= loss <= tolerance`` where the minimum is unknown: a loss below 0 there
    is a problem unbounded below, not one that arrived); None if never. With a
    validation split, the lowest validation loss and the step where it was reached (NaN and None without). The best
    loss is None where no loss was finite (a run that diverged at its start): there is no best to show."""
    loss = history.loss
    with np.errstate(invalid="ignore"):
        if min_loss is not None:
            reached = np.flatnonzero(loss - min_loss <= tolerance)
        else:  # a loss whose minimum is unknown is >= 0 where it has one; below 0 (the saddle's) it falls without end
            reached = np.flatnonzero((loss >= 0) & (loss <= tolerance))
    finite = loss[np.isfinite(loss)]
    row = int(reached[0]) if len(reached) else None
    val_loss = history.val_loss
    best_val = int(np.nanargmin(val_loss)) if np.isfinite(val_loss).any() else None
    return {
        "status": history.status,
        "final_loss": float(loss[-1]),
        "best_loss": float(finite.min()) if len(finite) else None,
        "steps": int(history.step[-1]),
        "epochs": float(history.epoch[-1]),
        "samples_seen": int(history.samples_seen[-1]),
        "steps_to_tolerance": None if row is None else int(history.step[row]),
        "epochs_to_tolerance": None if row is None else float(history.epoch[row]),
        "samples_to_tolerance": None if row is None else int(history.samples_seen[row]),
        "best_val_loss": float("nan") if best_val is None else float(val_loss[best_val]),
        "best_val_step": None if best_val is None else int(history.step[best_val]),
    }


def state_word(status: str, steps: int, running: bool) -> str:
    """The word for a run's state, the same in the results table, the status bar and the lab report: how it ended
    (``status``, the history's), or - while it can still advance - running, paused, or ready (before its first
    step)."""
    if status != "running":
        return status
    if running:
        return "running"
    return "ready" if steps == 0 else "paused"


def summary_text(value, integer: bool = False) -> str:
    """A :func:`run_summary` value as the results table and the report show it: "-" where there is none (None),
    a count with thousands separators ("12,345"), any other number to 5 significant digits, grouped alike
    ("3,000" epochs beside "3,000" steps)."""
    if value is None:
        return "-"
    return f"{value:,}" if integer else f"{value:,.5g}"


def epoch_text(epoch: float) -> str:
    """Epochs as people read them: "2,250", "3.2", "0.31" (two decimals at most), two
    significant digits below 0.01, powers of ten from a million."""
    if not 0.01 <= abs(epoch) < 1e6:
        return f"{epoch:.2g}" if abs(epoch) < 0.01 else f"{epoch:.3g}"
    return f"{epoch:,.2f}".rstrip("0").rstrip(".")
