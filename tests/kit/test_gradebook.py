"""Tests of the nbgrader gradebook export: scores written through nbgrader's API and read back by its CSV exporter."""

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader import curriculum
from grader.grade import SubmissionResult, runner
from grader.grade.gradebook import INSTALL_HINT, NOTEBOOK, alembic_on_path, cell_name, export_gradebook

api = pytest.importorskip("nbgrader.api", reason=f"nbgrader is not installed; {INSTALL_HINT} to run these tests")

ASSIGNMENT = "plants-2026"
PERCEPTRON = curriculum.by_id("1.1")
LOSSES = curriculum.by_id("1.2")
POINTS = {"1.1": (1.0, 2.0), "1.2": (2.0, 3.0, 5.0)}  # points of each exercise's tests: maxima 3 and 10


def exercise_result(exercise: curriculum.Exercise, passed: int) -> runner.ExerciseResult:
    """Return a result of ``exercise`` in which the first ``passed`` tests passed and the others failed."""
    tests = []
    for index, points in enumerate(POINTS[exercise.id]):
        rubric_test = runner.RubricTest(f"tests/public/test_{index}.py::test_{index}", f"test_{index}", exercise.id, points, "visible")
        outcome = "passed" if index < passed else "failed"
        tests.append(runner.TestResult(rubric_test, outcome, "" if outcome == "passed" else "assert 1 == 2"))
    status = "passed" if passed == len(tests) else "failed"
    return runner.ExerciseResult(exercise, status, tests, duration=1.0)


def submission(name: str, perceptron_passed: int, losses_passed: int) -> SubmissionResult:
    exercises = [exercise_result(PERCEPTRON, perceptron_passed), exercise_result(LOSSES, losses_passed)]
    return SubmissionResult(name, Path(f"/submissions/{name}.zip"), exercises, duration=2.0)


@pytest.fixture(scope="module")
def empty_gradebook(tmp_path_factory) -> Path:
    """Return an empty gradebook, made once: creating one runs nbgrader's alembic command, which takes seconds."""
    path = tmp_path_factory.mktemp("gradebook") / "empty.db"
    with alembic_on_path():
        api.Gradebook(f"sqlite:///{path}").close()
    return path


@pytest.fixture
def database(empty_gradebook, tmp_path) -> Path:
    path = tmp_path / "gradebook.db"
    shutil.copyfile(empty_gradebook, path)
    return path


def scores_by_student(database: Path) -> dict[str, dict[str, float]]:
    """Read back each student's score per grade cell, plus the submission's total under ``total``."""
    scores: dict[str, dict[str, float]] = {}
    with api.Gradebook(f"sqlite:///{database}") as gradebook:
        for student in gradebook.students:
            entry = scores.setdefault(student.id, {})
            submission = gradebook.find_submission(ASSIGNMENT, student.id)
            entry["total"] = submission.score
            for exercise_id in POINTS:
                grade = gradebook.find_grade(cell_name(exercise_id), NOTEBOOK, ASSIGNMENT, student.id)
                entry[exercise_id] = grade.score
    return scores


def nbgrader_csv(database: Path, folder: Path) -> list[dict[str, str]]:
    """Run ``nbgrader export`` (its CSV exporter) on ``database`` and return the rows it wrote."""
    destination = folder / "nbgrader-grades.csv"
    environment = dict(os.environ, JUPYTER_CONFIG_DIR=str(folder / "jupyter-config"))
    command = [sys.executable, "-m", "nbgrader", "export", f"--db=sqlite:///{database}", f"--to={destination}"]
    completed = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=120, env=environment)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    with destination.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_export_writes_scores_and_maxima(tmp_path):
    database = tmp_path / "gradebook.db"
    results = [submission("alice", 2, 3), submission("bob", 1, 1)]

    assert export_gradebook(results, database, ASSIGNMENT) == 2

    assert scores_by_student(database) == {
        "alice": {"1.1": 3.0, "1.2": 10.0, "total": 13.0},
        "bob": {"1.1": 1.0, "1.2": 2.0, "total": 3.0},
    }
    with api.Gradebook(f"sqlite:///{database}") as gradebook:
        assignment = gradebook.find_assignment(ASSIGNMENT)
        assert assignment.max_score == 13.0
        assert [notebook.name for notebook in assignment.notebooks] == [NOTEBOOK]
        cells = {cell.name: cell.max_score for cell in gradebook.find_notebook(NOTEBOOK, ASSIGNMENT).grade_cells}
        assert cells == {"exercise-1.1": 3.0, "exercise-1.2": 10.0}
        grade = gradebook.find_grade("exercise-1.2", NOTEBOOK, ASSIGNMENT, "bob")
        assert grade.auto_score == 2.0
        assert grade.needs_manual_grade is False


def test_reexport_updates_without_duplicates(database):
    export_gradebook([submission("alice", 2, 3), submission("bob", 1, 1)], database, ASSIGNMENT)

    assert export_gradebook([submission("alice", 0, 2), submission("bob", 2, 3)], database, ASSIGNMENT) == 2

    assert scores_by_student(database) == {
        "alice": {"1.1": 0.0, "1.2": 5.0, "total": 5.0},
        "bob": {"1.1": 3.0, "1.2": 10.0, "total": 13.0},
    }
    with api.Gradebook(f"sqlite:///{database}") as gradebook:
        assert [assignment.name for assignment in gradebook.assignments] == [ASSIGNMENT]
        assert len(gradebook.students) == 2
        assert len(gradebook.assignment_submissions(ASSIGNMENT)) == 2
        assert len(gradebook.find_notebook(NOTEBOOK, ASSIGNMENT).grade_cells) == 2
        assert gradebook.db.query(api.Grade).count() == 4


def test_reexport_adds_new_exercise_cell(database):
    only_perceptron = SubmissionResult("alice", Path("alice"), [exercise_result(PERCEPTRON, 2)])
    export_gradebook([only_perceptron], database, ASSIGNMENT)

    export_gradebook([submission("alice", 2, 1), submission("carol", 0, 0)], database, ASSIGNMENT)

    assert scores_by_student(database) == {
        "alice": {"1.1": 3.0, "1.2": 2.0, "total": 5.0},
        "carol": {"1.1": 0.0, "1.2": 0.0, "total": 0.0},
    }


def test_manual_score_survives_reexport(database):
    export_gradebook([submission("alice", 1, 1)], database, ASSIGNMENT)
    with api.Gradebook(f"sqlite:///{database}") as gradebook:
        grade = gradebook.find_grade("exercise-1.2", NOTEBOOK, ASSIGNMENT, "alice")
        grade.manual_score = 7.0
        gradebook.db.commit()

    export_gradebook([submission("alice", 1, 3)], database, ASSIGNMENT)

    with api.Gradebook(f"sqlite:///{database}") as gradebook:
        grade = gradebook.find_grade("exercise-1.2", NOTEBOOK, ASSIGNMENT, "alice")
        assert grade.auto_score == 10.0
        assert grade.score == 7.0
        assert grade.needs_manual_grade is True


def test_nbgrader_csv_export_shows_scores(database, tmp_path):
    export_gradebook([submission("alice", 2, 3), submission("bob", 1, 1)], database, ASSIGNMENT)
    export_gradebook([submission("alice", 2, 2), submission("bob", 1, 1)], database, ASSIGNMENT)

    rows = nbgrader_csv(database, tmp_path)

    by_student = {row["student_id"]: row for row in rows}
    assert sorted(by_student) == ["alice", "bob"]
    assert {row["assignment"] for row in rows} == {ASSIGNMENT}
    assert float(by_student["alice"]["raw_score"]) == 8.0
    assert float(by_student["alice"]["score"]) == 8.0
    assert float(by_student["bob"]["score"]) == 3.0
    assert {float(row["max_score"]) for row in rows} == {13.0}


def test_duplicate_submission_name_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="appears twice"):
        export_gradebook([submission("alice", 1, 1), submission("alice", 2, 2)], tmp_path / "gradebook.db", ASSIGNMENT)


def test_missing_nbgrader_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "nbgrader", None)  # makes `from nbgrader import api` raise ImportError

    with pytest.raises(ImportError, match=r'pip install "plant-dl-kit\[nbgrader\]"'):
        export_gradebook([submission("alice", 1, 1)], tmp_path / "gradebook.db", ASSIGNMENT)
    assert not (tmp_path / "gradebook.db").exists()
