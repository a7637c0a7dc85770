"""Write grading results: the terminal table, ``grades.csv``, and per submission Gradescope's ``results.json``
and the feedback files."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

from grader import curriculum
from grader.grade import SubmissionResult
from grader.grade.feedback import write_feedback
from grader.grade.visibility import VISIBLE_LIMIT, Policy, bound_message, short_message

STATUS_MARKS = {"passed": "", "failed": "", "error": " E", "timeout": " T", "missing": " -", "out-of-memory": " M",
                "crashed": " C", "tampered": " X"}


def format_points(value: float) -> str:
    return f"{value:g}"


def exercise_ids(results: list[SubmissionResult]) -> list[str]:
    ids = {exercise.exercise.id for result in results for exercise in result.exercises}
    return sorted(ids, key=curriculum.sort_key)


def table(results: list[SubmissionResult]) -> str:
    """Return a plain-text grade table: one row per submission, score per exercise, the total."""
    ids = exercise_ids(results)
    header = ["submission", *ids, "total"]
    rows = [header]
    maxima = {}
    for result in results:
        cells = {e.exercise.id: e for e in result.exercises}
        row = [result.name]
        for exercise_id in ids:
            entry = cells.get(exercise_id)
            if entry is None:
                row.append("")
                continue
            maxima[exercise_id] = entry.max_score
            row.append(f"{format_points(entry.score)}{STATUS_MARKS.get(entry.status, ' ?')}")
        row.append(f"{format_points(result.score)}/{format_points(result.max_score)}")
        rows.append(row)
    rows.insert(1, ["(max)", *(format_points(maxima.get(i, 0)) for i in ids), format_points(sum(maxima.values()))])
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    lines = ["  ".join(cell.ljust(width) if column == 0 else cell.rjust(width) for column, (cell, width) in enumerate(zip(row, widths)))
             for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    lines.append("E: error, T: timeout, M: out of memory, C: crashed, X: tampered with the tests (scores 0), -: module missing")
    return "\n".join(lines)


def spreadsheet_safe(text: str) -> str:
    """Return ``text`` with a leading quote when a spreadsheet would read it as a formula (a name like ``=HYPERLINK(...)``)."""
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def write_grades_csv(results: list[SubmissionResult], path: Path) -> None:
    """Write one row per submission: a column per exercise and the total."""
    ids = exercise_ids(results)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["submission", *ids, "total", "max_total", "statuses", "flags", "isolation", "content_hash"])
        for result in results:
            scores = {e.exercise.id: e.score for e in result.exercises}
            statuses = " ".join(f"{e.exercise.id}:{e.status}" for e in result.exercises if e.status != "passed")
            writer.writerow([spreadsheet_safe(result.name), *(format_points(scores.get(i, 0.0)) for i in ids),
                             format_points(result.score), format_points(result.max_score), statuses,
                             len(result.flags), result.isolation, result.content_hash])


def gradescope_results(result: SubmissionResult, policy: Policy | None = None) -> dict:
    """Return ``result`` in Gradescope's ``results.json`` format, one entry per graded test.

    Each test's ``visibility`` comes from ``policy``, and its output is bounded, because student code writes it.
    """
    policy = policy or Policy()
    tests = []
    for exercise in result.exercises:
        for test in exercise.tests:
            output = ""
            if test.outcome != "passed":
                hidden = policy.level(test.test) == "hidden"
                output = short_message(test.message) if hidden else bound_message(test.message, VISIBLE_LIMIT)
            tests.append({
                "name": test.test.name,
                "number": exercise.exercise.id,
                "score": test.score,
                "max_score": test.test.points,
                "status": "passed" if test.outcome == "passed" else "failed",
                "output": output,
                "visibility": policy.gradescope_visibility(test.test),
            })
    summary = "; ".join(f"{e.exercise.id} {e.status} {format_points(e.score)}/{format_points(e.max_score)}" for e in result.exercises)
    return {
        "score": result.score,
        "execution_time": round(result.duration, 2),
        "output": (result.message + "\n" if result.message else "") + summary,
        "tests": tests,
        "extra_data": {
            "exercises": {e.exercise.id: {"status": e.status, "message": bound_message(e.message, VISIBLE_LIMIT)} for e in result.exercises},
            "environment": result.environment,
            "content_hash": result.content_hash,
        },
    }


def write_reports(results: list[SubmissionResult], out: Path, policy: Policy | None = None, now: datetime | None = None) -> None:
    """Write ``out/grades.csv``, and ``results.json``, ``feedback.md`` and ``feedback.html`` in ``out/<submission>/``."""
    policy = policy or Policy()
    out.mkdir(parents=True, exist_ok=True)
    write_grades_csv(results, out / "grades.csv")
    for result in results:
        folder = out / result.name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "results.json").write_text(json.dumps(gradescope_results(result, policy), indent=1), encoding="utf-8")
        write_feedback(result, folder, policy, now)
