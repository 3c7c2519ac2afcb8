"""The lab report: one self-contained HTML file with a session's plots, runs, results, questions and answers.

The window supplies the plots as PNG bytes; everything else comes from the session, the runs' histories and the
lesson's questions, so the report is built (and tested) without Qt. Nothing in it loads from outside the file:
the images are embedded as ``data:`` URLs and the style sheet is inline, so it can be handed in or printed.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .lessons import Question, format_answer, is_right, safe_html
from .results import run_summary, summary_text
from .settings import SETTINGS

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em; color: #222;
       line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.25em; margin-top: 1.6em;
       border-bottom: 1px solid #ccc; }
.meta { color: #555; font-size: 0.9em; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.92em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #eee; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; border: 1px solid #555; vertical-align: -0.1em;
          margin-right: 0.35em; }
figure { margin: 1em 0; page-break-inside: avoid; } figure img { max-width: 100%; border: 1px solid #ccc; }
figcaption { color: #555; font-size: 0.9em; }
.right { color: #1b5e20; font-weight: bold; } .wrong { color: #8a1c12; font-weight: bold; }
.lesson { background: #f6f6f6; padding: 0.4em 1em; border-left: 4px solid #999; }
@media print { body { margin: 0; max-width: none; } }
"""


@dataclass(frozen=True)
class ReportRun:
    """One run as the report shows it: its name, colour, config and history, its problem's known minimum, and
    its state as the window words it ("paused", "ready"; empty: the history's status)."""

    name: str
    color: str
    config: dict
    history: object
    min_loss: float | None
    state: str = ""


def _esc(value) -> str:
    return html.escape(str(value), quote=True)


#: A list of more numbers than this (a network's start: 129 weights for lesson 25's) is shown by its first few and
#: its length: written out whole it made each run's column of the settings table some 2,000 px tall.
LONG_LIST = 6


def _flat(config: dict, prefix: str = "", brief: bool = False) -> dict[str, str]:
    """A run's config as dotted keys -> value text (``optimizer.lr`` -> ``0.05``); ``brief``: a list of more than
    :data:`LONG_LIST` numbers as its first few and its length (``[0.1151, -0.1934, 0.3857, … 129 numbers]``)."""
    out: dict[str, str] = {}
    for key, value in config.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            out.update(_flat(value, name, brief))
        elif brief and _long_numbers(value):
            out[name] = f"[{', '.join(f'{v:.4g}' for v in value[:3])}, … {len(value):,} numbers]"
        elif value is not None:
            out[name] = json.dumps(value) if isinstance(value, (list, bool)) else str(value)
    return out


def _long_numbers(value) -> bool:
    """Whether ``value`` is a list of more than :data:`LONG_LIST` numbers (a network's start)."""
    return isinstance(value, list) and len(value) > LONG_LIST and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)


def _settings_table(runs: Sequence[ReportRun]) -> str:
    """One row per setting, one column per run; the settings in which the runs differ come first, in bold (judged
    on the whole text: a long list is shown summed up). A setting a run's steps do not use reads "not used"
    (lesson 01's batch run said batch size 32: it takes all 200 samples a step)."""
    def texts(run: ReportRun, brief: bool) -> dict[str, str]:
        return {key: value if key not in SETTINGS or SETTINGS[key].in_effect(run.config) else "not used"
                for key, value in _flat(run.config, brief=brief).items()}
    flats, shown = [texts(run, False) for run in runs], [texts(run, True) for run in runs]
    keys = list(dict.fromkeys(k for flat in flats for k in flat))
    differ = [k for k in keys if len({flat.get(k, "-") for flat in flats}) > 1]
    head = "".join(f"<th><span class=\"swatch\" style=\"background:{_esc(r.color)}\"></span>{_esc(r.name)}</th>"
                   for r in runs)
    rows = [f"<table><tr><th>setting</th>{head}</tr>"]
    for key in differ + [k for k in keys if k not in differ]:
        cells = "".join(f"<td>{_esc(cell.get(key, '-'))}</td>" for cell in shown)
        label = f"<b>{_esc(key)}</b>" if key in differ else _esc(key)
        rows.append(f"<tr><td>{label}</td>{cells}</tr>")
    rows.append("</table>")
    return "".join(rows)


def lab_report_html(title: str, lesson_text: str, runs: Sequence[ReportRun], tolerance: float,
                    images: Mapping[str, bytes], questions: Sequence[Question] = (),
                    truths: Sequence = (), given: Mapping[int, str] | None = None,
                    challenge: str = "", challenge_met: bool | None = None, author: str = "") -> str:
    """The whole report as one HTML document.

    ``images`` maps a caption to PNG bytes; ``truths`` holds each question's computed answer (empty when the
    answers are not revealed yet) and ``given`` the student's answers by question index.
    """
    given = given or {}
    now = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    parts = ["<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
             f"<title>{_esc(title or 'GD Lab report')}</title><style>{_STYLE}</style></head><body>",
             f"<h1>{_esc(title or 'GD Lab session')}</h1>",
             f"<p class=\"meta\">GD Lab lab report{' by ' + _esc(author) if author else ''}, {now}</p>"]
    if lesson_text:
        parts.append(f"<div class=\"lesson\">{safe_html(lesson_text)}</div>")
    if images:
        parts.append("<h2>Plots</h2>")
        for caption, png in images.items():
            data = base64.b64encode(png).decode("ascii")
            parts.append(f"<figure><img alt=\"{_esc(caption)}\" src=\"data:image/png;base64,{data}\">"
                         f"<figcaption>{_esc(caption)}</figcaption></figure>")
    parts.append("<h2>Runs</h2><p class=\"meta\">Settings in bold differ between the runs.</p>")
    parts.append(_settings_table(runs))
    target = "of the known minimum" if any(r.min_loss is not None for r in runs) else ""
    summaries = [run_summary(run.history, tolerance, run.min_loss) for run in runs]
    # with a validation split, the window's columns of it too (lessons 23-25 are about the validation loss)
    held_out = any(s["best_val_step"] is not None for s in summaries)
    parts.append(f"<h2>Results</h2><p class=\"meta\">Tolerance {tolerance:g} {target}</p><table><tr>"
                 "<th>run</th><th>status</th><th>final loss</th><th>best loss</th>"
                 + ("<th>best val. loss</th><th>at step</th>" if held_out else "")
                 + "<th>steps</th><th>epochs</th><th>steps to tol.</th></tr>")
    for run, s in zip(runs, summaries):
        validation = [summary_text(None if s["best_val_step"] is None else s["best_val_loss"]),
                      summary_text(s["best_val_step"], True)] if held_out else []
        cells = [summary_text(s["final_loss"]), summary_text(s["best_loss"]), *validation,
                 summary_text(s["steps"], True), summary_text(s["epochs"]),
                 summary_text(s["steps_to_tolerance"], True)]
        parts.append(f"<tr><td>{_esc(run.name)}</td><td>{_esc(run.state or s['status'])}</td>"
                     + "".join(f"<td class=\"num\">{cell}</td>" for cell in cells) + "</tr>")
    parts.append("</table>")
    if questions:
        parts.append("<h2>Questions</h2><table><tr><th>#</th><th>question</th><th>your answer</th>"
                     "<th>the runs say</th></tr>")
        for i, question in enumerate(questions):
            mine = given.get(i, "")
            if i < len(truths):
                truth = truths[i]
                verdict = ("<span class=\"right\">right</span>" if mine and is_right(question, mine, truth)
                           else "<span class=\"wrong\">not this</span>" if mine else "")
                said = f"{_esc(format_answer(truth))}"
                if question.explain:
                    said += f"<br><span class=\"meta\">{_esc(question.explain)}</span>"
            else:
                verdict, said = "", "<span class=\"meta\">not revealed yet</span>"
            mine_html = _esc(mine) if mine else "<span class=\"meta\">-</span>"
            parts.append(f"<tr><td>{i + 1}</td><td>{_esc(question.text)}</td>"
                         f"<td>{mine_html} {verdict}</td><td>{said}</td></tr>")
        parts.append("</table>")
    if challenge:
        state = {True: "<span class=\"right\">met</span>", False: "<span class=\"wrong\">not met</span>",
                 None: "-"}[challenge_met]
        parts.append(f"<h2>Challenge</h2><p>{_esc(challenge)} - {state}</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
