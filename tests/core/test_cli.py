"""The headless command line: flags, CSV output, summary, and exit 2 with one error line for bad input."""

import json
import subprocess
import sys

import numpy as np
import pytest

from gd_core.cli import main


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_run_writes_csv_and_prints_one_summary_line(tmp_path, capsys):
    out_file = tmp_path / "h.csv"
    code, out, err = run_cli(capsys, "--problem", "linear_regression", "--data", "linear", "--n-samples", "64",
                             "--noise", "0.1", "--variant", "minibatch", "--batch-size", "16", "--optimizer",
                             "momentum", "--lr", "0.05", "--momentum", "0.8", "--steps", "40", "--seed", "2",
                             "--out", str(out_file))
    assert code == 0 and err == ""
    assert len(out.strip().splitlines()) == 1 and "completed" in out and "momentum lr=0.05" in out
    lines = out_file.read_text().splitlines()
    assert lines[0] == ("step,epoch,samples_seen,lr,batch_loss,loss,grad_norm,val_loss,accuracy,val_accuracy,"
                        "evaluations,w,b") and len(lines) == 42
    last = np.array(lines[-1].split(","), dtype=float)
    assert last[0] == 40 and last[1] == 10.0 and last[2] == 640


def test_function_problem_columns_and_init(tmp_path, capsys):
    code, out, _ = run_cli(capsys, "--problem", "rosenbrock", "--optimizer", "adam", "--lr", "0.01",
                           "--beta1", "0.8", "--beta2", "0.99", "--eps", "1e-6", "--epochs", "5",
                           "--init", "-1.5", "2", "--out", str(tmp_path / "r.csv"))
    assert code == 0
    lines = (tmp_path / "r.csv").read_text().splitlines()
    assert lines[0].endswith("grad_norm,val_loss,accuracy,val_accuracy,evaluations,x,y")
    assert lines[1].endswith(",-1.5,2.0") and len(lines) == 7


def test_config_file_with_flag_overrides(tmp_path, capsys):
    (tmp_path / "c.json").write_text(json.dumps({"problem": "quadratic", "kappa": 4, "optimizer":
                                                 {"name": "plain", "lr": 0.1}, "epochs": 3}))
    code, out, _ = run_cli(capsys, "--config", str(tmp_path / "c.json"), "--steps", "7", "--optimizer", "nesterov",
                           "--out", str(tmp_path / "q.csv"))
    assert code == 0 and "nesterov lr=0.1" in out and "after 7 steps" in out


def test_list(capsys):
    code, out, _ = run_cli(capsys, "--list")
    assert code == 0
    for word in ("linear_regression", "rastrigin", "moons", "coordinate", "adadelta", "cosine", "torch.optim.NAdam"):
        assert word in out


@pytest.mark.parametrize("args,message", [
    (["--problem", "nope"], "error: problem: must be one of"),
    (["--lr", "-1"], "error: optimizer.lr: must be a number in (0, 1e+12]"),
    (["--optimizer", "adam", "--momentum", "0.9"], "error: optimizer.momentum: is not a setting of adam"),
    (["--batch-size", "500"], "error: batch_size: must lie in 1..n = 1..200"),
    (["--steps", "5", "--epochs", "2"], "error: argument --epochs: not allowed with argument --steps"),
    (["--steps", "many"], "error: argument --steps: 'many' is not an integer"),
    (["--init", "1", "x"], "error: --init: 'x' is not a number"),
    (["--config", "/no/such/file.json"], "error: config: cannot read /no/such/file.json"),
    (["--data", "/no/such.csv"], "error: data.path: cannot read /no/such.csv"),
    (["--problem", "quadratic", "--init", "1"], "error: init: needs 2 numbers (x, y); got 1"),
    (["--whatever"], "error: unrecognized arguments: --whatever"),
])
def test_bad_input_exits_2_with_one_error_line_and_no_file(tmp_path, capsys, args, message):
    out_file = tmp_path / "never.csv"
    code, out, err = run_cli(capsys, *args, "--out", str(out_file))
    assert code == 2 and out == ""
    assert err.startswith(message) and len(err.strip().splitlines()) == 1
    assert not out_file.exists() and list(tmp_path.iterdir()) == []


def test_unwritable_output_is_an_error(tmp_path, capsys):
    code, out, err = run_cli(capsys, "--steps", "3", "--out", str(tmp_path / "no" / "dir" / "h.csv"))
    assert code == 2 and err.startswith("error: --out: cannot write")


def test_diverged_run_is_a_result_not_an_error(capsys):
    code, out, _ = run_cli(capsys, "--problem", "quadratic", "--lr", "0.5", "--steps", "500")
    assert code == 0 and "diverged" in out and "2/L = 0.2" in out


def test_module_entry_point_runs_without_traceback(tmp_path):
    ok = subprocess.run([sys.executable, "-m", "gd_core", "--steps", "3"], capture_output=True, text=True)
    assert ok.returncode == 0 and "completed after 3 steps" in ok.stdout
    bad = subprocess.run([sys.executable, "-m", "gd_core", "--variant", "full"], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.startswith("error: variant:") and "Traceback" not in bad.stderr


def test_a_reader_that_goes_away_ends_the_listing_quietly():
    import subprocess
    import sys

    done = subprocess.run(f"'{sys.executable}' -m gd_core --list | head -1", shell=True, capture_output=True,
                          text=True, timeout=60)
    assert done.stdout.startswith("problems:") and "Traceback" not in done.stderr and "Error" not in done.stderr
