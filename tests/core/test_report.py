"""The lab report: a self-contained HTML file with what it says it holds."""

import re
from html.parser import HTMLParser

from gd_core.lesson_library import list_lessons, load_lesson
from gd_core.lessons import answer, run_lesson, safe_html
from gd_core.report import ReportRun, lab_report_html

PNG = b"\x89PNG\r\n\x1a\nfake"


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.srcs, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.srcs += [v for k, v in attrs if k in ("src", "href")]

    def handle_data(self, data):
        self.text.append(data)


def report_of(name="03_learning_rate_bound", given=None, reveal=True):
    session = load_lesson(name)
    results = run_lesson({r.name: r.config for r in session.runs})
    runs = [ReportRun(r.name, r.color, r.config, results[r.name].history, results[r.name].problem.min_loss)
            for r in session.runs]
    truths = [answer(q, results, session.view["tolerance"]) for q in session.questions] if reveal else []
    return session, results, lab_report_html(session.title, session.text, runs, session.view["tolerance"],
                                             {"Parameter space": PNG, "Loss": PNG}, session.questions, truths,
                                             given or {}, "Reach 1e-6.", True, author="Ada")


def test_report_holds_plots_runs_results_questions_and_answers():
    session, results, page = report_of(given={0: "-0.9", 1: "completed"})
    parsed = _Collect()
    parsed.feed(page)
    text = " ".join(parsed.text)
    assert page.startswith("<!DOCTYPE html>") and parsed.tags.count("img") == 2
    assert all(src.startswith("data:image/png;base64,") for src in parsed.srcs)  # self-contained
    for run in session.runs:
        assert run.name in text and run.color in page
    assert "<td><b>optimizer.lr</b></td><td>0.02</td><td>0.1</td><td>0.19</td><td>0.21</td>" in page
    assert "<td>kappa</td><td>10.0</td>" in page  # the same for all: not bold
    diverged = results["lr 0.21 (too large)"].history
    assert f"{diverged.loss[-1]:.5g}" in text and "diverged" in text
    for question in session.questions:
        assert question.text in text
    assert page.count('class="right"') >= 1 + 1  # question 1 right, and the challenge met
    assert "not this" in text  # question 2: completed is wrong (it diverged)
    assert "by Ada" in text and "Reach 1e-6." in text


def test_unrevealed_answers_are_not_in_the_report():
    _, _, page = report_of(reveal=False)
    assert "not revealed yet" in page and "-0.9<" not in page


def test_lesson_html_is_reduced_to_a_safe_subset():
    text = '<p class="x">a <b>b</b><img src="/dev/zero"><script>alert(1)</script><a href="http://x">l</a></p>'
    assert safe_html(text) == "<p>a <b>b</b>l</p>"
    for name, _ in list_lessons():  # the shipped lessons lose nothing
        original = load_lesson(name).text
        assert safe_html(original) == re.sub(r"<(\w+)[^>]*>", r"<\1>", original)


def test_a_setting_a_run_does_not_use_reads_not_used():
    """Lesson 01's report said its batch and stochastic runs had batch size 32 (the default the window fills
    in): their steps take all 200 samples, and one. A setting a run's variant does not use reads "not used"."""
    from gd_core.config import resolve

    session = load_lesson("01_variants_same_epochs")
    results = run_lesson({r.name: r.config for r in session.runs})
    runs = [ReportRun(r.name, r.color, resolve(r.config, results[r.name].problem)[0], results[r.name].history,
                      results[r.name].problem.min_loss) for r in session.runs]
    assert [run.config["batch_size"] for run in runs] == [32, 32, 16]  # as the window holds them
    page = lab_report_html(session.title, session.text, runs, session.view["tolerance"], {})
    assert "<td><b>batch_size</b></td><td>not used</td><td>not used</td><td>16</td>" in page
    assert "<td><b>sampling</b></td><td>not used</td><td>shuffle</td><td>shuffle</td>" in page


def test_a_networks_start_is_summed_up_and_the_validation_losses_are_reported():
    """Lesson 25 after Compare variants: the copies carry the selected run's start, 129 weights, which the settings
    table wrote out whole in each copy's column (some 2,000 px tall), and the results left out the validation
    losses the lesson is about (the window's table shows the best and its step)."""
    session = load_lesson("25_small_batch_generalization")
    results = run_lesson({r.name: r.config for r in session.runs})
    one = results["batch 1"]
    start = one.history.params[0].tolist()
    runs = [ReportRun(r.name, r.color, r.config, results[r.name].history, None) for r in session.runs]
    runs.append(ReportRun("batch 1 · batch", "#CC79A7", {**session.runs[0].config, "variant": "batch", "init": start},
                          results["full batch"].history, None))
    page = lab_report_html(session.title, session.text, runs, session.view["tolerance"], {})
    assert len(start) == 129
    assert f"<td><b>init</b></td><td>-</td><td>-</td><td>[{start[0]:.4g}, {start[1]:.4g}, {start[2]:.4g}, … 129 " \
           f"numbers]</td>" in page
    assert max(len(cell) for cell in re.findall(r"<td>(.*?)</td>", page)) < 100
    assert "<th>best val. loss</th><th>at step</th>" in page
    assert '<td class="num">0.44665</td><td class="num">63</td>' in page  # batch 1's best, as the window says it
    assert '<td class="num">0.44978</td><td class="num">76</td>' in page
    # without a validation split there are no such columns
    assert "best val. loss" not in report_of()[2]


def test_a_setting_whose_text_starts_with_a_bracket_is_written_as_it_is():
    """A data file's path is a setting's text as it is: one starting with "[" ("[draft] points.csv") was read as a
    list of numbers to sum up, and the report was not written (json.decoder.JSONDecodeError)."""
    session = load_lesson("03_learning_rate_bound")
    results = run_lesson({r.name: r.config for r in session.runs})
    runs = [ReportRun(r.name, r.color, {**r.config, "data": {"name": "csv", "path": "[draft] points.csv"}},
                      results[r.name].history, None) for r in session.runs]
    page = lab_report_html(session.title, session.text, runs, session.view["tolerance"], {})
    assert "<td>data.path</td>" + "<td>[draft] points.csv</td>" * len(runs) in page
