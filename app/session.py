"""The session model: the runs (config + Trainer + colour + visibility), the selection and the view settings.

Qt-free (a test proves it): it owns the gd_core Trainers and emits coarse events that the Qt views subscribe
to. Edits go through :meth:`SessionModel.update_config`, which applies a change live or resets the run when the
problem, data, seed or start point changed. Sessions and lessons load into it and save from it, with each run's
progress (replayed on load: runs are deterministic by seed).

Every user action is also emitted as one :class:`~app.edits.Edit` (``events.edited``) that can undo and redo
it; :meth:`SessionModel.edit_group` makes several changes one action, and :meth:`SessionModel.applying_edits`
applies an undo or redo without recording it again.
"""

from __future__ import annotations

import copy
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace

import gd_core
from gd_core.config import in_epochs
from gd_core.files import check_plain_name
from gd_core.lessons import LOCKS, among_lesson_runs, locked_change, runs_asked_about
from gd_core.replay import replay
from gd_core.samplers import compared_batch_size
from gd_core.sessions import MAX_NAME_CHARS, MAX_RUNS, VIEW_DEFAULTS, Session, SessionRun

from .edits import Edit, Group, RunRemoved, RunsAdded, RunState, Styled, TrainingEdit, ViewSet, describe_change
from .events import Event
from .palette import BATCH_COLOR, RUN_COLORS, VARIANT_COLORS

#: What the app opens with: linear regression on generated data, mini-batch, ready to train.
DEFAULT_CONFIG = {
    "problem": "linear_regression",
    "data": {"name": "linear", "n_samples": 200, "noise": 0.5, "seed": 0},
    "variant": "minibatch",
    "batch_size": 16,
    "optimizer": {"name": "plain", "lr": 0.05},
    "epochs": 20,
    "seed": 0,
}


X_AXES = {"step": "Steps", "epoch": "Epochs", "samples_seen": "Samples seen", "evaluations": "Evaluations"}

#: The variants "Compare variants" sets side by side.
COMPARED_VARIANTS = ("batch", "stochastic", "minibatch")


@dataclass(eq=False)
class Run:
    """One run in the session: its trainer (which holds the config and history), name, colour, visibility.

    ``timeline`` is the ``(step, config)`` the trainer went through since it started (its first config, then
    each one applied live): replaying it to ``trainer.step`` rebuilds the trainer exactly (:mod:`gd_core.replay`).
    """

    trainer: gd_core.Trainer
    name: str
    color: str
    visible: bool = True
    problem_key: tuple = field(default=(), repr=False)
    timeline: tuple = field(default=(), repr=False)

    @property
    def config(self) -> dict:
        return self.trainer.config

    @property
    def history(self) -> gd_core.History:
        return self.trainer.history


class SessionModel:
    """Runs and view settings, with events:

    run_added(run), run_removed(run), run_reset(run, reason), run_changed(run) (config applied live),
    run_styled(run, what) (what: "name", "color" or "visible"), advanced(runs) (the runs that made steps),
    selection_changed(run), view_changed(key), session_loaded() (everything replaced), edited(edit) (a user
    action, see :mod:`app.edits`). Each says which run and what changed, so that a view updates only that.
    """

    def __init__(self, config: dict | None = None):
        self.runs: list[Run] = []
        self.selected: Run | None = None
        self.lesson_name: str | None = None  # the lesson file the session came from, if any
        self.title, self.text = "", ""
        self._reset_lesson(None, ())
        self.view = {**VIEW_DEFAULTS, "pair": (0, 1)}
        del self.view["selected"]
        self.events = SimpleNamespace(
            run_added=Event(), run_removed=Event(), run_reset=Event(), run_changed=Event(), run_styled=Event(),
            advanced=Event(), selection_changed=Event(), view_changed=Event(), session_loaded=Event(),
            edited=Event(), answered=Event())
        self._group: list[Edit] | None = None  # edits of the action under way (edit_group)
        self._recording = True
        self._progress = None  # hears of replays made while applying edits
        self.add_run(config or DEFAULT_CONFIG)

    # -- recording edits -------------------------------------------------------------------------------------
    def _record(self, edit: Edit) -> None:
        if not self._recording:
            return
        if self._group is not None:
            self._group.append(edit)
        else:
            self.events.edited.emit(edit)

    @contextmanager
    def edit_group(self, text: str):
        """Record every change made inside as one action called ``text`` (nested groups join the outer one)."""
        if self._group is not None or not self._recording:
            yield
            return
        self._group, selected = [], self.selected
        try:
            yield
        except BaseException:  # all or nothing: what was done is taken back, and nothing is recorded
            edits, self._group = self._group, None
            with self.applying_edits():
                for edit in reversed(edits):
                    edit.undo(self)
                self.select_if_present(selected)
            raise
        else:
            edits, self._group = self._group, None
            if len(edits) == 1 and self.selected is selected:
                edits[0].text = text
                self._record(edits[0])
            elif edits:
                self._record(Group(text, edits, selected, self.selected))

    @contextmanager
    def applying_edits(self, progress=None):
        """Apply undo or redo: the model's operations run without being recorded again; ``progress(done,
        total)`` hears of any replay they make."""
        recording, self._recording, self._progress = self._recording, False, progress
        try:
            yield
        finally:
            self._recording, self._progress = recording, None

    # -- a run's training state (undo, redo, sessions) -------------------------------------------------------
    def run_state(self, run: Run) -> RunState:
        """The run's training now; the trainer is kept in it (exact as long as nobody advances it)."""
        return RunState(run.timeline, run.trainer.step, run.trainer)

    def rebuilt(self, run: Run, state: RunState, progress=None) -> gd_core.Trainer:
        """The trainer of ``state`` for ``run``, changing nothing: its own trainer when that is still at the
        state's step, else one replayed from the state's timeline (``progress(done, total)`` hears of a long
        replay and may cancel it by raising)."""
        trainer = state.trainer
        if trainer is None or trainer.step != state.step:
            problem = self._problem_for(run, gd_core.validate(state.timeline[0][1]))
            trainer = replay(state.timeline, state.step, problem, progress or self._progress)
        return trainer

    def restore(self, run: Run, state: RunState, trainer: gd_core.Trainer | None = None) -> None:
        """Give ``run`` the training of ``state`` (``trainer``: its :meth:`rebuilt` trainer, made already)."""
        self._install(run, trainer or self.rebuilt(run, state), state.timeline)
        self.events.run_reset.emit(run, "")

    def _install(self, run: Run, trainer: gd_core.Trainer, timeline: tuple | None = None) -> None:
        run.trainer, run.problem_key = trainer, gd_core.problem_key(trainer.config)
        run.timeline = timeline if timeline is not None else ((0, copy.deepcopy(trainer.config)),)

    def _problem_for(self, run: Run | None, checked: dict):
        """A problem already built for the problem and data of ``checked`` (a validated config): the run's own,
        or another run's."""
        key = gd_core.problem_key(checked)
        if run is not None and key == run.problem_key:
            return run.trainer.problem
        return next((r.trainer.problem for r in self.runs if r.problem_key == key), None)

    # -- runs ------------------------------------------------------------------------------------------------
    def _new_run(self, config: dict, name: str | None, color: str | None, visible: bool = True,
                 timeline: tuple | None = None, steps: int = 0, progress=None) -> Run:
        """A run of ``config`` at its start, or of ``timeline`` replayed to ``steps`` (a saved run)."""
        timeline = timeline or ((0, config),)
        trainer = replay(timeline, steps, self._problem_for(None, gd_core.validate(timeline[0][1])), progress)
        run = Run(trainer, name or self.unique_name("run"), color or self.next_color(), visible)
        self._install(run, trainer, timeline if len(timeline) > 1 or steps else None)
        return run

    def unique_name(self, base: str) -> str:
        """``base``, or ``base k`` with the least k no run has; cut to :data:`MAX_NAME_CHARS` (a copy of a copy
        adds " copy" each time: a name a session could not hold, which would not open again)."""
        names = {r.name for r in self.runs}
        base = base[:MAX_NAME_CHARS].strip()
        if base not in names and base != "run":
            return base
        k = 1
        while (name := f"{base[:MAX_NAME_CHARS - len(str(k)) - 1].strip()} {k}") in names:
            k += 1
        return name

    def next_color(self, prefer: str | None = None, spare: tuple[str, ...] = ()) -> str:
        """The colour a new run takes, so that no two runs look alike: ``prefer`` (a variant's fixed colour) if no
        run has it, else the first of :data:`RUN_COLORS` no run has, leaving ``spare`` (the colours runs about to
        be added prefer) to them; with all eight taken, the one fewest shown runs have, then fewest hidden ones (a
        hidden run is ticked back on to compare with)."""
        shown = Counter(r.color.upper() for r in self.runs if r.visible)
        hidden = Counter(r.color.upper() for r in self.runs if not r.visible)
        candidates = ([prefer] if prefer else []) + [c for c in RUN_COLORS if c != prefer]
        return min(candidates, key=lambda c: (shown[c], hidden[c], c != prefer and c in spare))  # ties: the first

    def add_run(self, config: dict, name: str | None = None, color: str | None = None, select: bool = True) -> Run:
        if len(self.runs) >= MAX_RUNS:  # a session of more would not open again
            raise ValueError(f"a session holds at most {MAX_RUNS} runs: remove one first")
        selected = self.selected
        run = self._new_run(config, name, color)
        self.put_run(run, len(self.runs), select)
        self._record(RunsAdded(f"Add {run.name}", [run], selected))
        return run

    def put_run(self, run: Run, index: int, select: bool = True) -> None:
        """Insert ``run`` at ``index`` (a new run, or one undo brings back)."""
        self.runs.insert(index, run)
        if select:
            self.selected = run  # views hear of the run once, already selected
        self.events.run_added.emit(run)
        if select:
            self.events.selection_changed.emit(run)

    def duplicate_run(self, run: Run) -> Run:
        """A copy with the same config, seed and start point, starting afresh."""
        self.check_runs_unlocked()
        config = self.config_copy(run)
        config["init"] = [float(v) for v in run.history.params[0]]
        with self.edit_group(f"Duplicate {run.name}"):
            return self.add_run(config, self.unique_name(f"{run.name} copy"))

    def asked_about(self, run: Run) -> bool:
        """Whether the lesson's questions or challenge name ``run`` (it keeps its name and stays in the session)."""
        return run.name in runs_asked_about(self.questions, self.challenge, self.lesson_configs)

    def check_not_asked_about(self, run: Run, instead: str) -> None:
        """Refuse to remove or rename a run that the lesson's questions or challenge name: saved without it, the
        session - its autosaved copy too - would not open again ("names no run of this lesson")."""
        if self.asked_about(run):
            raise ValueError(f"the lesson's questions ask about {run.name}; {instead}")

    def remove_run(self, run: Run) -> None:
        self.check_runs_unlocked()
        if len(self.runs) == 1:
            raise ValueError("a session keeps at least one run")
        self.check_not_asked_about(run, "untick it to hide it instead")
        index, was_selected = self.runs.index(run), self.selected is run
        self.take_run(run)
        self._record(RunRemoved(f"Remove {run.name}", run, index, was_selected))

    def take_run(self, run: Run) -> None:
        """Take ``run`` out of the session (removed, or an added run undone); it stays as it is meanwhile."""
        index = self.runs.index(run)
        self.runs.remove(run)
        was_selected = self.selected is run
        if was_selected:  # choose the new selection before anyone hears of the removal
            self.selected = self.runs[min(index, len(self.runs) - 1)]
        self.events.run_removed.emit(run)
        if was_selected:
            self.events.selection_changed.emit(self.selected)

    def rename(self, run: Run, name: str) -> None:
        name = name.strip()
        if not name:
            raise ValueError("a run name must not be empty")
        check_plain_name(name, "name", "the run name")  # a ConfigError is a ValueError
        if len(name) > MAX_NAME_CHARS:  # (a session could not hold it: it would not open again)
            raise ValueError(f"a run name has at most {MAX_NAME_CHARS} characters; this one has {len(name):,}")
        if any(r.name == name for r in self.runs if r is not run):
            raise ValueError(f"another run is already called {name!r}")
        if name != run.name:
            self.check_not_asked_about(run, "it keeps the name they use")
        self._style(run, "name", name, f"Rename {run.name} to {name}")

    def set_color(self, run: Run, color: str) -> None:
        self._style(run, "color", color, f"Recolour {run.name}")

    def set_visible(self, run: Run, visible: bool) -> None:
        self._style(run, "visible", visible, f"{'Show' if visible else 'Hide'} {run.name}")

    def _style(self, run: Run, attribute: str, value, text: str) -> None:
        before = getattr(run, attribute)
        if before == value:
            return
        setattr(run, attribute, value)
        self.events.run_styled.emit(run, attribute)
        self._record(Styled(text, run, attribute, before, value))

    def select(self, run: Run) -> None:
        self.selected = run
        self.events.selection_changed.emit(run)

    def select_if_present(self, run: Run | None) -> None:
        if run is not None and run in self.runs and run is not self.selected:
            self.select(run)

    def compare_variants(self, run: Run) -> list[Run]:
        """Batch, stochastic and mini-batch copies of ``run`` with its start, seed and epoch budget, each in its
        variant's fixed colour unless another run has it (:meth:`next_color`); the original is hidden and the loss
        axis switches to epochs, so the comparison is fair per sample seen."""
        self.check_runs_unlocked()
        problem = run.trainer.problem
        if problem.dataset is None:
            raise ValueError(f"{run.config['problem']} has no data: every variant sees the same exact gradient")
        config = in_epochs(run.config, problem.n_samples)  # the run's budget, fair per sample
        config["init"] = [float(v) for v in run.history.params[0]]
        copies = []
        with self.edit_group(f"Compare variants of {run.name}"):
            # a taken variant colour is replaced by a free one, sparing the other variants' and the batch's orange
            # (the mini-batch copy's circled batch would look like another copy's marks)
            spare = tuple(VARIANT_COLORS[variant] for variant in COMPARED_VARIANTS) + (BATCH_COLOR,)
            k = compared_batch_size(problem.n_samples, config["batch_size"])
            for variant in COMPARED_VARIANTS:
                label = f"mini-batch {k}" if variant == "minibatch" else variant
                color = self.next_color(VARIANT_COLORS[variant], spare)  # run 1's blue is not the batch copy's
                batch = {"batch_size": k} if variant == "minibatch" else {}
                copies.append(self.add_run({**config, "variant": variant, **batch},
                                           self.unique_name(f"{run.name} · {label}"), color=color, select=False))
            self.set_visible(run, False)
            self.set_view("x_axis", "epoch")
            self.select(copies[-1])
        return copies

    def update_config(self, run: Run, config: dict) -> str:
        """Change a run's config; returns what happened ("applied" or the reset reason).

        Raises :class:`gd_core.ConfigError` for a bad config, or a change the lesson locked, leaving the run
        untouched.
        """
        checked = gd_core.validate(config)  # once: what follows takes it as checked
        self.check_unlocked(run.config, checked)
        old, before = run.config, self.run_state(run)
        if gd_core.needs_reset(checked, run.config):
            key = gd_core.problem_key(checked)
            problem = self._problem_for(run, checked) or gd_core.build_problem(checked)
            start = checked["init"]
            if start is not None and len(start) != problem.n_params and start == run.config.get("init"):
                # the run's start no longer fits the problem (a duplicate names its start: a degree or a feature
                # more was refused as "init: needs 3 numbers (w1, w2, b); got 2"): it goes, as with another problem
                checked = {**checked, "init": None}
            trainer = gd_core.Trainer(checked, problem, validated=True)
            reason = "the problem or data changed" if key != run.problem_key else "the seed or start point changed"
            self._install(run, trainer)
            self.events.run_reset.emit(run, f"Reset {run.name}: {reason}.")
        else:
            reason = "applied"
            run.trainer.apply(checked, validated=True)
            if run.config == old:  # nothing changed: nothing to undo
                self.events.run_changed.emit(run)
                return reason
            run.timeline += ((run.trainer.step, copy.deepcopy(run.trainer.config)),)
            before = RunState(before.timeline, before.step)  # the trainer itself goes on: undo replays
            self.events.run_changed.emit(run)
        self._record(TrainingEdit(describe_change(run.name, old, run.config), [(run, before)]))
        return reason

    def check_unlocked(self, old: dict, new: dict) -> None:
        """Refuse a change of something the lesson fixed (:data:`gd_core.lessons.LOCKS`)."""
        group = locked_change(old, new, self.locked)
        if group is not None:
            raise gd_core.ConfigError(group, f"the lesson fixes {LOCKS[group]}")

    def check_runs_unlocked(self) -> None:
        """Refuse adding, duplicating or removing runs where the lesson fixed its runs."""
        if "runs" in self.locked:
            raise ValueError(f"the lesson fixes {LOCKS['runs']}")

    def reset(self, run: Run) -> None:
        before = self.run_state(run)
        self._install(run, gd_core.Trainer(run.config, run.trainer.problem, validated=True))
        self.events.run_reset.emit(run, f"Reset {run.name} to its start.")
        self._record(TrainingEdit(f"Reset {run.name}", [(run, before)]))

    def reset_runs(self, text: str = "Reset runs") -> None:
        """Every run back to its start, as one action."""
        with self.edit_group(text):
            for run in self.runs:
                self.reset(run)

    def set_start(self, run: Run, point) -> None:
        """Restart a run from ``point`` (one number per parameter)."""
        self.update_config(run, {**run.config, "init": [float(v) for v in point]})

    def config_copy(self, run: Run) -> dict:
        return copy.deepcopy(run.config)

    # -- sessions --------------------------------------------------------------------------------------------
    def to_session(self) -> Session:
        view = {**self.view, "pair": list(self.view["pair"]), "selected": self.runs.index(self.selected)}
        names = {run.name for run in self.runs}
        lesson_runs = [name for name in self.lesson_configs if name in names]
        questions = tuple(among_lesson_runs(q, lesson_runs) for q in self.questions)
        return Session(self.title, self.text, [self._session_run(r) for r in self.runs], view,
                       questions, self.challenge, self.locked, dict(self.answers))

    def _session_run(self, run: Run) -> SessionRun:
        """The run with its progress: its step count and the configs it ran before its current one."""
        timeline = run.timeline
        earlier = tuple((copy.deepcopy(config), timeline[i + 1][0]) for i, (_, config) in enumerate(timeline[:-1]))
        return SessionRun(run.name, run.color, self.config_copy(run), run.visible, run.trainer.step, earlier)

    def _reset_lesson(self, session: Session | None, runs) -> None:
        """The lesson part of a session: its questions and challenge, the student's answers, and the runs as
        the lesson gives them (the answers are computed from these, whatever the student changes later)."""
        self.questions = session.questions if session else ()
        self.challenge = session.challenge if session else None
        self.locked = session.locked if session else frozenset()
        self.lesson_configs = {r.name: copy.deepcopy(r.config) for r in runs}
        self.answers: dict[int, str] = {}
        self.answers_revealed = False
        self.challenge_met: bool | None = None

    def set_answer(self, index: int, text: str) -> None:
        """A student's answer to question ``index`` (empty: none); saved with the session."""
        before = self.answers.get(index, "")
        if text:
            self.answers[index] = text
        else:
            self.answers.pop(index, None)
        if text != before:
            self.events.answered.emit()

    def load_session(self, session: Session, lesson_name: str | None = None, progress=None) -> None:
        """Replace everything by a (checked) session: build all its runs first (each replayed to the step it
        was saved at), then swap them in. ``progress(done, total)`` hears of the replay, in steps of all runs;
        it may raise to cancel, which leaves the session as it was."""
        runs: list[Run] = []
        total, base = sum(item.steps or 0 for item in session.runs), 0

        def replay_progress(done: int, _total: int) -> None:
            progress(base + done, total)

        for item in session.runs:
            self.runs, previous = runs, self.runs  # share problems among the new runs while building
            try:
                runs.append(self._new_run(item.config, item.name, item.color, item.visible, item.timeline(),
                                          item.steps or 0, replay_progress if progress else None))
            finally:
                self.runs = previous
            base += item.steps or 0
        self.runs = runs
        self.title, self.text = session.title, session.text
        self.lesson_name = lesson_name
        self._reset_lesson(session, session.runs)
        self.answers = dict(session.answers)
        view = session.view
        self.view = {k: v for k, v in view.items() if k != "selected"}
        self.view["pair"] = tuple(view["pair"])
        self.selected = runs[view["selected"]]
        self.events.session_loaded.emit()

    # -- stepping --------------------------------------------------------------------------------------------
    def active_runs(self) -> list[Run]:
        return [run for run in self.runs if not run.trainer.done]

    @property
    def all_done(self) -> bool:
        return not self.active_runs()

    def step(self, count: int = 1) -> int:
        """Advance every unfinished run by up to ``count`` steps; returns the most steps any run made."""
        steps = {id(run): run.trainer.advance(count) for run in self.active_runs()}
        self._announce_advanced(steps)
        return max(steps.values(), default=0)

    def advance(self, time_budget: float, max_steps: int | None = None) -> int:
        """Advance the unfinished runs for about ``time_budget`` seconds in all; returns steps made (summed)."""
        active = self.active_runs()
        if not active:
            return 0
        share = time_budget / len(active)
        steps = {id(run): run.trainer.advance(max_steps, time_budget=share) for run in active}
        self._announce_advanced(steps)
        return sum(steps.values())

    def _announce_advanced(self, steps: dict[int, int]) -> None:
        moved = [run for run in self.runs if steps.get(id(run))]
        if moved:
            self.events.advanced.emit(moved)

    # -- view settings ---------------------------------------------------------------------------------------
    VIEW_LABELS = {"x_axis": "loss axis", "log_y": "log scale", "pair": "parameter pair", "tolerance": "tolerance",
                   "space_mode": "parameter-space mode", "batch_surface": "batch surface", "arrows": "arrows",
                   "batch_losses": "batch losses"}

    def set_view(self, key: str, value) -> None:
        before = self.view.get(key)
        if before != value:
            self.view[key] = value
            self.events.view_changed.emit(key)
            shown = "on" if value is True else "off" if value is False else f"{value:g}" if isinstance(value, float) \
                else value
            self._record(ViewSet(f"Set {self.VIEW_LABELS.get(key, key)} to {shown}", key, before, value))
