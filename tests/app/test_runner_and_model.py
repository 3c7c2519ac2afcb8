"""The runner's pacing, the Qt-free session model, the screenshot mode and a soak of plot updates + signals."""

import subprocess
import sys
import time

import numpy as np
from PySide6.QtCore import QObject, Signal

from app.session import SessionModel


def test_session_model_is_qt_free():
    code = ("import sys, app.session; app.session.SessionModel().step(3); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_model_events_and_reset_reasons():
    model = SessionModel()
    seen = []
    model.events.advanced.connect(lambda runs: seen.append("advanced"))
    model.events.run_reset.connect(lambda run, reason: seen.append(reason))
    model.step(2)
    run = model.selected
    config = model.config_copy(run)
    config["optimizer"]["lr"] = 0.1
    assert model.update_config(run, config) == "applied" and run.trainer.step == 2
    model.set_start(run, [1.0, -1.0])
    assert run.trainer.step == 0 and list(run.history.params[0]) == [1.0, -1.0]
    assert seen[:2] == ["advanced", "Reset run 1: the seed or start point changed."]
    assert run.trainer.problem is not None


def test_redraws_follow_the_display_rate_not_the_step_rate(window, qtbot):
    window.speed.setCurrentText("Max")
    views = (window.loss_view, window.space_view, window.data_view)
    before = [v.redraw_count for v in views]
    trainer = window.model.selected.trainer
    window.model.update_config(window.model.selected, {**window.model.selected.config, "epochs": 10_000})
    start = time.perf_counter()
    window.runner.start()
    qtbot.wait(600)
    window.runner.pause()
    elapsed = time.perf_counter() - start
    redraws = [v.redraw_count - b for v, b in zip(views, before)]
    ticks_possible = elapsed / (window.runner.TICK_MS / 1000) + 3
    assert all(0 < r <= ticks_possible for r in redraws), (redraws, ticks_possible)
    assert trainer.step > 5 * max(redraws)  # many steps per redraw


def test_slow_speed_makes_single_steps(window, qtbot):
    window.speed.setCurrentText("10 steps/s")
    trainer = window.model.selected.trainer
    window.runner.start()
    qtbot.wait(450)
    window.runner.pause()
    assert 2 <= trainer.step <= 8


def test_finished_run_stops_the_runner_and_run_again_restarts(window, qtbot):
    run = window.model.selected
    window.model.update_config(run, {**run.config, "epochs": 1})
    window.speed.setCurrentText("Max")
    window.action_run.trigger()
    qtbot.waitUntil(lambda: not window.runner.running, timeout=3000)
    assert run.history.status == "completed" and window.state_label.text() == "Completed - Run restarts"
    assert window.action_run.text() == "Run again"  # says what it will do: never a silent reset
    window.action_run.trigger()  # runs again from the start
    assert run.trainer.step < 13 or window.runner.running
    assert "Restarted" in window.banner.text()
    window.runner.pause()


class Emitter(QObject):
    fired = Signal(object)


def test_soak_20000_plot_updates_and_signal_emissions(window, qtbot):
    """A broken Qt binding release (PySide6 6.12.0 on Python 3.11) crashes after a few thousand emissions."""
    emitter, received = Emitter(), []
    emitter.fired.connect(received.append)
    curve = window.loss_view._items[id(window.model.selected)][1]
    xs = np.arange(200.0)
    for i in range(20_000):
        emitter.fired.emit(i % 3 == 0 if i % 2 else None)
        curve.setData(xs, np.sin(xs / 10 + i))
        if i % 500 == 0:
            qtbot.wait(1)
    assert len(received) == 20_000
    window.model.step(2_000)  # and the real path: model events -> three views, through the runner's timer
    run = window.model.selected
    window.model.update_config(run, {**run.config, "epochs": 10_000})
    window.speed.setCurrentText("Max")
    target = window.loss_view.redraw_count + 200
    window.runner.start()
    qtbot.waitUntil(lambda: window.loss_view.redraw_count >= target, timeout=60_000)
    window.runner.pause()


def test_screenshot_mode_writes_a_png_and_exits_0(tmp_path):
    out = tmp_path / "shot.png"
    result = subprocess.run([sys.executable, "-m", "app", "--run-steps", "40", "--screenshot", str(out)],
                            capture_output=True, text=True, timeout=120,
                            env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and "40 steps" in result.stdout


def test_bad_config_file_exits_2_with_one_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"optimizer": {"name": "adam", "lr": -1}}')
    result = subprocess.run([sys.executable, "-m", "app", str(bad), "--screenshot", str(tmp_path / "x.png")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: optimizer.lr: must be a number in (0, 1e+12], got -1"
    assert not (tmp_path / "x.png").exists()


def test_the_data_view_redraws_at_its_own_rate_and_always_shows_the_last_step(window, qtbot):
    window.speed.setCurrentText("Max")
    model, view = window.model, window.data_view
    run = model.selected
    model.update_config(run, {**run.config, "epochs": 10_000})
    before = view.redraw_count
    start = time.perf_counter()
    window.runner.start()
    qtbot.wait(500)
    window.runner.pause()
    elapsed = time.perf_counter() - start
    assert 0 < view.redraw_count - before <= elapsed / view.live_refresh_s + 2
    xs, _ = view._lines[id(run)].getData()
    qtbot.waitUntil(lambda: np.allclose(view._lines[id(run)].getData()[1],
                                        run.trainer.problem.curve(run.trainer.params, xs)), timeout=1000)
