"""A "which run" question where runs share the lowest (or highest) value: each of them is right."""

import gd_core
from gd_core.lessons import RunResult, answer, format_answer, is_right, parse_questions, run_lesson
from gd_core.report import ReportRun, lab_report_html

QUAD = {"problem": "quadratic", "kappa": 10.0, "steps": 50}
FAST = {**QUAD, "optimizer": {"name": "plain", "lr": 0.1}}
SLOW = {**QUAD, "optimizer": {"name": "plain", "lr": 0.02}}


def test_runs_that_tie_for_the_lowest_loss_are_each_a_right_answer():
    """An instructor duplicated a run and asked "Which run ends lowest?": the copy ended exactly where the original
    did, the check said "The runs say: run 1" and marked the student who chose the copy wrong."""
    configs = {"run 1": FAST, "slow": SLOW, "run 1 copy": FAST}
    results = run_lesson(configs)
    names = {name: ("x", "y") for name in configs}
    lowest, highest = parse_questions([{"text": "Which run ends lowest?", "answer": {"lowest": "final_loss"}},
                                       {"text": "Which run ends highest?", "answer": {"highest": "final_loss"}}],
                                      names)
    truth = answer(lowest, results, 1e-3)
    assert format_answer(truth) == "run 1 and run 1 copy (a tie)"
    assert is_right(lowest, "run 1", truth) and is_right(lowest, "run 1 copy", truth)
    assert not is_right(lowest, "slow", truth)
    assert answer(highest, results, 1e-3) == "slow"  # no tie: one name, as before
    runs = [ReportRun(name, "#0072b2", c, results[name].history, 0.0) for name, c in configs.items()]
    page = lab_report_html("Ties", "", runs, 1e-3, {}, [lowest], [truth], {0: "run 1 copy"})
    assert '<span class="right">right</span>' in page and "run 1 and run 1 copy (a tie)" in page


def test_one_run_stepped_alone_ties_with_its_copy():
    alone = RunResult(gd_core.run(FAST), gd_core.build_problem(gd_core.validate(FAST)))
    results = {"a": alone, "b": run_lesson({"b": FAST, "c": SLOW})["b"]}
    question = parse_questions([{"text": "?", "answer": {"lowest": "final_loss"}}], {"a": ("x", "y"),
                                                                                     "b": ("x", "y")})[0]
    assert answer(question, results, 1e-3).names == ("a", "b")
