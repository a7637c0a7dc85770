"""Write grading results: the terminal table, ``grades.csv`` and Gradescope ``results.json`` files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from grader import curriculum
from grader.grade import SubmissionResult

STATUS_MARKS = {"passed": "", "failed": "", "error": " E", "timeout": " T", "missing": " -"}


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
    rows.insert(1, ["(max)", *(format_points(maxima.get(i, 0)) for i in ids), ""])
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    lines = ["  ".join(cell.ljust(width) if column == 0 else cell.rjust(width) for column, (cell, width) in enumerate(zip(row, widths)))
             for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    lines.append("E: error, T: timeout, -: module missing")
    return "\n".join(lines)


def write_grades_csv(results: list[SubmissionResult], path: Path) -> None:
    """Write one row per submission: a column per exercise and the total."""
    ids = exercise_ids(results)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["submission", *ids, "total", "max_total"])
        for result in results:
            scores = {e.exercise.id: e.score for e in result.exercises}
            writer.writerow([result.name, *(format_points(scores.get(i, 0.0)) for i in ids),
                             format_points(result.score), format_points(result.max_score)])


def gradescope_results(result: SubmissionResult) -> dict:
    """Return ``result`` in Gradescope's ``results.json`` format, one entry per graded test."""
    tests = []
    for exercise in result.exercises:
        for test in exercise.tests:
            output = test.message if test.outcome != "passed" else ""
            tests.append({
                "name": test.test.name,
                "number": exercise.exercise.id,
                "score": test.score,
                "max_score": test.test.points,
                "status": "passed" if test.outcome == "passed" else "failed",
                "output": output,
                "visibility": test.test.visibility,
            })
    summary = "; ".join(f"{e.exercise.id} {e.status} {format_points(e.score)}/{format_points(e.max_score)}" for e in result.exercises)
    return {
        "score": result.score,
        "execution_time": round(result.duration, 2),
        "output": (result.message + "\n" if result.message else "") + summary,
        "tests": tests,
        "extra_data": {"exercises": {e.exercise.id: {"status": e.status, "message": e.message} for e in result.exercises}},
    }


def write_reports(results: list[SubmissionResult], out: Path) -> None:
    """Write ``out/grades.csv`` and ``out/<submission>/results.json``."""
    out.mkdir(parents=True, exist_ok=True)
    write_grades_csv(results, out / "grades.csv")
    for result in results:
        folder = out / result.name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "results.json").write_text(json.dumps(gradescope_results(result), indent=1), encoding="utf-8")
