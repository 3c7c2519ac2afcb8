"""Lesson questions and challenges: reading, computing answers from runs, judging a student's answer."""

import json
import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gd_core
from gd_core.lessons import (
    Challenge,
    Question,
    RunResult,
    answer,
    challenge_met,
    format_answer,
    is_right,
    parse_challenge,
    parse_number,
    parse_questions,
)
from gd_core.sessions import Session, SessionRun, parse_session
from gd_core.spec import MAX_STEPS

QUAD = {"problem": "quadratic", "kappa": 10.0, "steps": 50}
RUNS = {"slow": ("x", "y"), "fast": ("x", "y")}


@pytest.fixture(scope="module")
def results():
    configs = {"slow": {**QUAD, "optimizer": {"name": "plain", "lr": 0.02}},
               "fast": {**QUAD, "optimizer": {"name": "plain", "lr": 0.1}}}
    return {name: RunResult(gd_core.run(c), gd_core.build_problem(gd_core.validate(c))) for name, c in configs.items()}


def question(**item):
    return parse_questions([{"text": "?", **item}], RUNS)[0]


def test_choice_number_status_and_yes_no_answers(results):
    q = question(answer={"lowest": "final_loss"}, choices="runs")
    assert q.choices == ("slow", "fast") and answer(q, results, 1e-3) == "fast"
    assert answer(question(answer={"highest": "final_loss"}), results, 1e-3) == "slow"
    steps = question(answer={"metric": "steps", "run": "fast"}, tolerance=0)
    assert answer(steps, results, 1e-3) == 50 and not steps.is_choice
    status = question(answer={"status": "fast"})
    assert answer(status, results, 1e-3) == "completed" and "diverged" in status.choices
    cmp = question(answer={"compare": [{"metric": "final_loss", "run": "slow"}, ">",
                                       {"metric": "final_loss", "run": "fast"}]})
    assert cmp.choices == ("yes", "no") and answer(cmp, results, 1e-3) == "yes"
    factor = question(answer={"ratio": [{"metric": {"name": "param_at", "param": "y", "step": 2}, "run": "slow"},
                                        {"metric": {"name": "param_at", "param": "y", "step": 1}, "run": "slow"}]})
    assert answer(factor, results, 1e-3) == pytest.approx(1 - 10 * 0.02)
    moved = question(answer={"difference": [{"metric": {"name": "param_at", "param": "x", "step": 1}, "run": "fast"},
                                            {"metric": {"name": "param_at", "param": "x", "step": 0}, "run": "fast"}]})
    x0 = results["fast"].history.params[0, 0]
    assert answer(moved, results, 1e-3) == pytest.approx(-0.1 * x0)


def test_metrics(results):
    fast, slow = results["fast"].history, results["slow"].history

    def value(metric, run="fast"):
        return answer(question(answer={"metric": metric, "run": run}), results, 1e-3)

    assert value("final_loss") == fast.loss[-1] and value("best_loss") == fast.loss.min()
    assert value("excess_loss") == fast.loss[-1] and value("min_loss") == 0  # the quadratic's minimum is 0
    assert value("final_lr") == 0.1 and value("epochs") == 50 and value("samples_seen") == 50
    assert value("steps_to_tolerance") == fast.step[fast.loss <= 1e-3][0]
    assert math.isnan(value({"name": "steps_to_loss", "below": 1e-30}, "slow"))  # never reached
    assert format_answer(math.nan) == "never"
    assert value("distance_to_minimum") == pytest.approx(abs(fast.params[-1]).max())
    assert value({"name": "distance_to", "point": [1, 0]}, "slow") == pytest.approx(
        math.dist(slow.params[-1], (1, 0)))
    assert value({"name": "loss_at", "step": 3}) == fast.loss[3]
    assert value({"name": "param", "param": "y"}) == fast.params[-1, 1]
    assert value({"name": "max_abs_param", "param": "x", "from": 10, "to": 20}, "slow") == abs(slow.params[10, 0])
    assert value("params_moved_per_step", "slow") == 2


@pytest.mark.parametrize("item, key, words", [
    ({"answer": {"lowest": "final_loss"}, "choices": ["slow"]}, "questions[0].choices", "at least two"),
    ({"answer": {"lowest": "final_loss"}, "choices": ["slow", "other"]}, "questions[0].choices", "fast is missing"),
    ({"answer": {"metric": "steps", "run": "nope"}}, "questions[0].answer.run", "names no run"),
    ({"answer": {"metric": "speed", "run": "fast"}}, "questions[0].answer.metric", "unknown metric"),
    ({"answer": {"metric": {"name": "param", "param": "z"}, "run": "fast"}}, "questions[0].answer.metric.param",
     "no parameter"),
    ({"answer": {"metric": {"name": "loss_at"}, "run": "fast"}}, "questions[0].answer.metric.step", "is missing"),
    ({"answer": {"metric": "steps", "run": "fast"}, "choices": ["a", "b"]}, "questions[0].choices", "number"),
    ({"answer": {"lowest": "final_loss"}, "tolerance": 0.1}, "questions[0].tolerance", "only a number"),
    ({"answer": {"ratio": [{"lowest": "steps"}, {"metric": "steps", "run": "fast"}]}},
     "questions[0].answer.ratio[0]", "must give a number"),
    ({"answer": {"compare": [1, "=", 2]}}, "questions[0].answer.compare", "must be"),
    ({"answer": {"lowest": "steps", "among": ["fast"]}}, "questions[0].answer.among", "at least two"),
    ({"answer": {"metric": "steps", "run": "fast"}, "tolerance": -1}, "questions[0].tolerance", ">= 0"),
    ({"answer": {"metric": "steps", "run": "fast"}, "hint": "x"}, "questions[0].hint", "unknown key"),
    ({"answer": 5}, "questions[0].answer", "answer object"),
])
def test_bad_questions_are_refused_naming_the_key(item, key, words):
    with pytest.raises(gd_core.ConfigError) as error:
        parse_questions([{"text": "?", **item}], RUNS)
    assert error.value.key == key and words in error.value.problem


def test_is_right():
    number = Question("?", {"metric": "steps", "run": "fast"}, tolerance=0.05)
    assert is_right(number, "104", 100.0) and is_right(number, 95.5, 100.0) and not is_right(number, "106", 100.0)
    assert not is_right(number, "abc", 100.0) and not is_right(number, "inf", 100.0)
    exact = Question("?", {"metric": "steps", "run": "fast"}, tolerance=0)
    assert is_right(exact, "65", 65.0) and not is_right(exact, "66", 65.0)
    choice = Question("?", {"lowest": "steps"}, choices=("slow", "fast"))
    assert is_right(choice, "fast", "fast") and not is_right(choice, "slow", "fast")


@pytest.mark.parametrize("typed, value", [
    ("50 steps", 50.0), ("3 times", 3.0), ("2x", 2.0),  # a unit word after the number, as the question asks it
    ("1,234", 1234.0), ("1,234.5", 1234.5),  # thousands commas, as format_answer prints counts
    ("−0.3", -0.3), ("1.5e−3", 1.5e-3),  # the typographic minus the lesson texts print
    ("87%", 0.87), ("12 %", 0.12), ("~130", 130.0), (" .5 ", 0.5)])
def test_a_typed_number_is_read_as_a_student_writes_it(typed, value):
    assert parse_number(typed) == pytest.approx(value)
    question = Question("?", {"metric": "steps", "run": "fast"}, tolerance=0)
    assert is_right(question, typed, value)  # was: "50 steps" for 50, "1,234", "−0.3" and "87%" judged wrong
    assert math.isnan(parse_number("never")) and is_right(question, "never", math.nan)  # as the answers print it


@pytest.mark.parametrize("typed, says", [
    ("abc", "is not a number: type one number, such as 42"), ("1,5", "write decimals with a point (1.5)"),
    ("50-60", "is not a number"), ("1e", "is not a number"), ("9" * 200, "too long")])
def test_an_unreadable_answer_says_what_is_wrong_and_what_is_allowed(typed, says):
    with pytest.raises(ValueError, match=re.escape(says)):
        parse_number(typed)


@settings(max_examples=150, deadline=None)
@given(st.floats(min_value=-1e12, max_value=1e12) | st.just(math.nan))
def test_an_answer_typed_back_as_the_app_printed_it_is_right(value):
    printed = format_answer(value)
    assert is_right(Question("?", {"metric": "steps", "run": "fast"}), printed, value)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=80))
def test_any_typed_text_is_a_number_or_a_message(text):
    try:
        assert isinstance(parse_number(text), float)
    except ValueError as error:
        assert "number" in str(error)


def test_challenge_is_met_only_within_its_steps(results):
    challenge = parse_challenge({"text": "Below 1e-3 within 40 steps.", "goal": {"metric": "best_loss", "below": 1e-3},
                                 "within_steps": 40}, RUNS)
    fast = results["fast"].history
    first = int(fast.step[fast.loss < 1e-3][0])
    assert first <= 40 and challenge_met(challenge, results["fast"], 1e-3)
    assert not challenge_met(challenge, results["slow"], 1e-3)
    late = Challenge("", "best_loss", 1e-3, within_steps=first - 1)
    assert not challenge_met(late, results["fast"], 1e-3)
    with pytest.raises(gd_core.ConfigError, match="challenge.goal"):
        parse_challenge({"text": "x", "goal": {"metric": "best_loss"}}, RUNS)
    with pytest.raises(gd_core.ConfigError, match="challenge.run"):
        parse_challenge({"text": "x", "run": "nope", "goal": {"metric": "best_loss", "below": 1}}, RUNS)


@pytest.mark.parametrize("within", [0, MAX_STEPS + 1, 10**400, 1.5, True])
def test_a_challenge_is_within_steps_a_run_can_take_and_says_so(within):
    """A challenge's steps are a run's: 1..MAX_STEPS. Any larger number loaded, and the lesson editor's box,
    which holds at most MAX_STEPS, saved it back cut to 100,000,000 unsaid; now the file is refused by name."""
    goal = {"metric": "best_loss", "below": 1e-3}
    assert parse_challenge({"text": "x", "goal": goal, "within_steps": MAX_STEPS}, RUNS).within_steps == MAX_STEPS
    with pytest.raises(gd_core.ConfigError, match=re.escape("challenge.within_steps: must be a number of steps "
                                                            "1..100,000,000; got ")):
        parse_challenge({"text": "x", "goal": goal, "within_steps": within}, RUNS)


def test_questions_and_challenge_round_trip_through_a_session():
    session = Session("t", "x", [SessionRun("slow", "#000000", {**QUAD}), SessionRun("fast", "#ffffff", {**QUAD})])
    data = session.to_dict()
    data["questions"] = [{"text": "Which?", "choices": ["fast", "slow"], "answer": {"lowest": "final_loss"},
                          "explain": "because"},
                         {"text": "How many?", "answer": {"metric": "steps", "run": "fast"}, "tolerance": 0}]
    data["challenge"] = {"text": "Go.", "run": "fast", "goal": {"metric": "final_loss", "below": 0.5},
                         "within_steps": 10}
    parsed = parse_session(json.loads(json.dumps(data)))
    assert parse_session(json.loads(json.dumps(parsed.to_dict()))) == parsed
    assert parsed.to_dict()["questions"] == data["questions"] and parsed.to_dict()["challenge"] == data["challenge"]


_json = st.recursive(st.none() | st.booleans() | st.integers(-10, 10) | st.floats(allow_nan=False)
                     | st.sampled_from(["slow", "fast", "steps", "final_loss", "lowest", "x", "<", "runs"]),
                     lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.sampled_from(["text", "answer", "choices", "tolerance", "metric", "run",
                                                        "lowest", "ratio", "compare", "name", "param", "step",
                                                        "among", "status", "explain", "goal", "below"]),
                                       inner, max_size=4), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(_json)
def test_fuzz_questions_and_challenges_raise_only_config_errors(data):
    for parse, wrap in ((parse_questions, lambda d: [d]), (parse_questions, lambda d: d),
                        (parse_challenge, lambda d: d)):
        try:
            parse(wrap(data), RUNS)
        except gd_core.ConfigError as error:
            assert error.key and error.problem


def test_cli_answers_prints_the_instructors_key(capsys):
    from gd_core.cli import main

    assert main(["--lesson", "03_learning_rate_bound", "--answers"]) == 0
    out = capsys.readouterr().out
    assert "1. For lr 0.19, each step multiplies the y error by a factor. What is it?" in out
    assert "answer: -0.9 (within 1%)" in out and "answer: diverged" in out and "answer: lr 0.1 = 1/L" in out
    assert main(["--answers", "--steps", "3"]) == 2
    assert "--answers: goes with --lesson or --session" in capsys.readouterr().err


def test_lock_groups_cover_every_config_key():
    from gd_core.lessons import LOCKS, lock_group, locked_change

    assert lock_group("optimizer.lr") == "lr" and lock_group("optimizer.momentum") == "optimizer"
    assert lock_group("schedule") == "lr" and lock_group("batch_size") == "variant" and lock_group("init") == "start"
    assert lock_group("kappa") == "problem" and lock_group("data") == "problem" and lock_group("seed") == "run"
    config = gd_core.validate({**QUAD, "optimizer": {"name": "momentum", "lr": 0.1}})
    every = set(LOCKS)
    for key, value, group in (("init", [1.0, 2.0], "start"), ("kappa", 3.0, "problem"), ("steps", 9, "run"),
                              ("variant", "coordinate", "variant")):
        changed = {**config, key: value}
        assert locked_change(config, changed, every) == group
        assert locked_change(config, changed, every - {group}) is None
    faster = {**config, "optimizer": {**config["optimizer"], "lr": 0.2}}
    assert locked_change(config, faster, {"optimizer"}) is None and locked_change(config, faster, {"lr"}) == "lr"
    with pytest.raises(gd_core.ConfigError, match=r"locked\[0\]"):
        parse_session({**Session("t", "", [SessionRun("a", "#000000", QUAD)]).to_dict(), "locked": ["colour"]})
