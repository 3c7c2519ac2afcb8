"""What a user's change to a session was, so it can be undone and redone exactly (Qt-free, like the model).

The :class:`~app.session.SessionModel` records one :class:`Edit` per user action (a settings edit, a start
point, a run added, duplicated, removed, renamed, recoloured or hidden, a view setting, a reset) and emits it;
``app.undo`` puts each on a ``QUndoStack``. An edit keeps what it needs to go either way: names, colours and
view values before and after, the Run objects it added or removed (left untouched while out of the session),
and for a run's training the :class:`RunState` it is not showing. Undo and redo call the model's own
operations, with recording switched off, so views hear of them as of any change.
"""

from __future__ import annotations

import math
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gd_core.files import file_name

if TYPE_CHECKING:
    import gd_core

    from .session import Run, SessionModel


@dataclass(frozen=True)
class RunState:
    """A run's training at one moment: its timeline of configs (see :mod:`gd_core.replay`) and its step count,
    with the trainer itself when that trainer is out of the session and so still exactly there; else the state
    is rebuilt by replay (deterministic by seed: the same trajectory)."""

    timeline: tuple
    step: int
    trainer: gd_core.Trainer | None = None


class StepBurst:
    """The steps of one input in quick succession - wheel notches, arrow keys, its arrow buttons held: one burst,
    whose edits undo as one (``app.undo`` merges them). A burst ends when the input loses the keyboard (:meth:`end`)
    or after a pause of more than :attr:`PAUSE` seconds; a value typed between steps is an edit of its own."""

    PAUSE = 1.5
    clock = staticmethod(time.monotonic)
    #: The burst whose step is under way, if any (steps run one at a time, in the GUI thread)
    current: object | None = None

    def __init__(self) -> None:
        self._token: object | None = None
        self._last = -math.inf

    @contextmanager
    def stepping(self):
        """One step: the edits made inside belong to this burst (:attr:`current`)."""
        now = self.clock()
        if self._token is None or now - self._last > self.PAUSE:
            self._token = object()
        self._last, outer, StepBurst.current = now, StepBurst.current, self._token
        try:
            yield
        finally:
            StepBurst.current = outer

    def end(self) -> None:
        self._token = None


class Edit:
    """One user action: ``text`` says what it did ("Set lr to 0.1 (run 1)"); undo and redo apply it."""

    text = ""

    def undo(self, model: SessionModel) -> None:
        raise NotImplementedError

    def redo(self, model: SessionModel) -> None:
        raise NotImplementedError

    def absorb(self, later: Edit) -> bool:
        """Take in ``later``, the next edit of the same burst of steps, so that both undo as one; False where
        they cannot be one (by default)."""
        return False


class TrainingEdit(Edit):
    """A change of runs' configs or training (settings, start point, reset): each run's other state waits here.

    Undo and redo are the same swap: the run's current state (its trainer, which from then on stays as it is)
    goes here, the waiting one comes back - so redo returns exactly what undo took, training made since
    included, and undoing a live change rebuilds the run as it was at that step.
    """

    def __init__(self, text: str, waiting: list[tuple[Run, RunState]]):
        self.text, self.waiting = text, waiting

    def undo(self, model: SessionModel) -> None:
        """Swap; every replay is made before anything changes, so a cancelled replay leaves all as it was."""
        trainers = [model.rebuilt(run, state) for run, state in self.waiting]
        waiting, self.waiting = self.waiting, [(run, model.run_state(run)) for run, _ in self.waiting]
        for (run, state), trainer in zip(waiting, trainers):
            model.restore(run, state, trainer)

    redo = undo

    def absorb(self, later: Edit) -> bool:
        """The same runs changed again: undo goes back to the state before the first change (kept here), redo to
        the last (the runs' own); what ``later`` kept in between is let go."""
        if not isinstance(later, TrainingEdit) or len(later.waiting) != len(self.waiting) or any(
                mine is not theirs for (mine, _), (theirs, _) in zip(self.waiting, later.waiting)):
            return False
        self.text = later.text
        return True


class RunsAdded(Edit):
    """Runs added (add, duplicate): undo takes them out, redo puts the same runs back."""

    def __init__(self, text: str, runs: list[Run], selected_before: Run):
        self.text, self.runs, self.selected_before = text, runs, selected_before
        self.selected_after: Run | None = None
        self.indices: list[int] = []

    def undo(self, model: SessionModel) -> None:
        self.selected_after = model.selected
        self.indices = [model.runs.index(run) for run in self.runs]
        for run in reversed(self.runs):
            model.take_run(run)
        model.select_if_present(self.selected_before)

    def redo(self, model: SessionModel) -> None:
        for run, index in zip(self.runs, self.indices):
            model.put_run(run, index, select=False)
        model.select_if_present(self.selected_after)


class RunRemoved(Edit):
    def __init__(self, text: str, run: Run, index: int, was_selected: bool):
        self.text, self.run, self.index, self.was_selected = text, run, index, was_selected

    def undo(self, model: SessionModel) -> None:
        model.put_run(self.run, self.index)
        if self.was_selected:
            model.select(self.run)

    def redo(self, model: SessionModel) -> None:
        model.take_run(self.run)


class Styled(Edit):
    """A run's name, colour or visibility."""

    SETTERS = {"name": "rename", "color": "set_color", "visible": "set_visible"}

    def __init__(self, text: str, run: Run, attribute: str, before, after):
        self.text, self.run, self.attribute, self.before, self.after = text, run, attribute, before, after

    def undo(self, model: SessionModel) -> None:
        getattr(model, self.SETTERS[self.attribute])(self.run, self.before)

    def redo(self, model: SessionModel) -> None:
        getattr(model, self.SETTERS[self.attribute])(self.run, self.after)


class ViewSet(Edit):
    def __init__(self, text: str, key: str, before, after):
        self.text, self.key, self.before, self.after = text, key, before, after

    def undo(self, model: SessionModel) -> None:
        model.set_view(self.key, self.before)

    def redo(self, model: SessionModel) -> None:
        model.set_view(self.key, self.after)


class Group(Edit):
    """Several edits made by one action (compare variants, reset every run): undone in reverse order."""

    def __init__(self, text: str, edits: list[Edit], selected_before: Run, selected_after: Run):
        self.text, self.edits = text, edits
        self.selected_before, self.selected_after = selected_before, selected_after

    def undo(self, model: SessionModel) -> None:
        _all_or_none(model, list(reversed(self.edits)), "undo", "redo")
        model.select_if_present(self.selected_before)

    def redo(self, model: SessionModel) -> None:
        _all_or_none(model, self.edits, "redo", "undo")
        model.select_if_present(self.selected_after)


def _all_or_none(model: SessionModel, edits: list[Edit], forward: str, back: str) -> None:
    """Apply ``forward`` of each edit in turn; when one raises (a replay cancelled), take back the ones applied
    (at once: their runs' trainers are kept, nothing replays) and raise again - the group is one action."""
    done = []
    try:
        for edit in edits:
            getattr(edit, forward)(model)
            done.append(edit)
    except BaseException:
        for edit in reversed(done):
            getattr(edit, back)(model)
        raise


def _leaves(config: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in config.items():
        if isinstance(value, dict):
            out.update(_leaves(value, f"{prefix}{key}."))
        else:
            out[prefix + key] = value
    return out


def describe_change(name: str, old: dict, new: dict) -> str:
    """What a config change did, for the Edit menu: "Set lr to 0.1 (run 1)", "Load points.csv (run 1)"."""
    if new.get("problem") != old.get("problem"):
        return f"Switch {name} to {new['problem']}"
    data = new.get("data") or {}
    if data.get("name") == "csv" and data != old.get("data"):
        return f"Load {file_name(data['path'])} ({name})"
    before, after = _leaves(old), _leaves(new)
    changed = [key for key in dict.fromkeys([*before, *after]) if before.get(key) != after.get(key)]
    if changed == ["init"]:
        return f"Move the start of {name}"
    switched = [key for key in changed if key.endswith(".name")]  # another optimizer, schedule or data
    if switched:  # generator: its own settings come with it and are not the change
        return f"Set {switched[0].split('.')[0]} to {after[switched[0]]} ({name})"
    if len(changed) == 1:
        key = changed[0]
        short = key.rsplit(".", 1)[-1].replace("_", " ")
        value = after.get(key)
        return f"Set {short} to {value:g} ({name})" if isinstance(value, float) else \
            f"Set {short} to {value} ({name})"
    return f"Change {', '.join(key.rsplit('.', 1)[-1].replace('_', ' ') for key in changed[:3])}" \
           f"{'...' if len(changed) > 3 else ''} ({name})"
