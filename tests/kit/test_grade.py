"""Tests of ``grader grade``: submissions as folders and zips, isolation per exercise, statuses, reports."""

import csv
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from grader import curriculum
from grader.cli import main
from grader.grade import grade_paths
from grader.grade.report import gradescope_results, table, write_reports
from grader.grade.runner import collect_rubric
from grader.grade.submission import SubmissionError, extract_zip, find_tree, submission_names

KIT = Path(__file__).resolve().parents[2]
LOSSES = curriculum.by_id("1.2")


@pytest.fixture(scope="module")
def rubric():
    return collect_rubric(KIT, ["1.2"])


def write_module(root: Path, exercise: curriculum.Exercise, text: str) -> Path:
    path = root / "exercises" / exercise.module
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return root


def test_rubric_is_read_off_the_markers(rubric):
    assert rubric, "no graded test of exercise 1.2 was collected"
    assert {test.exercise for test in rubric} == {"1.2"}
    assert all(test.points > 0 for test in rubric)
    assert {test.visibility for test in rubric} <= {"visible", "hidden"}


def test_find_tree_accepts_three_layouts(tmp_path):
    for layout in ("direct", "nested", "deep"):
        root = tmp_path / layout
        tree = {"direct": root, "nested": root / "exercises", "deep": root / "student-kit" / "exercises"}[layout]
        (tree / "toy").mkdir(parents=True)
        (tree / "toy" / "losses.py").write_text("")
        assert find_tree(root) == tree
    assert find_tree(tmp_path / "direct" / "toy") is None


def test_zip_with_parent_path_is_rejected(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("../outside.py", "x = 1")
    with pytest.raises(SubmissionError, match="points outside the archive"):
        extract_zip(archive, tmp_path / "out")
    assert not (tmp_path / "outside.py").exists()


def test_submission_names_are_unique(tmp_path):
    assert submission_names([tmp_path / "a.zip", tmp_path / "b", tmp_path / "x" / "a"]) == ["a", "b", "a-2"]
    assert submission_names([tmp_path / "a", tmp_path / "y" / "a", tmp_path / "a-2"]) == ["a", "a-2", "a-2-2"]
    assert submission_names([tmp_path / "grades.csv.zip"]) == ["grades.csv-2"]


def test_zip_skips_virtual_environment(tmp_path):
    archive = tmp_path / "whole-kit.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("kit/exercises/toy/losses.py", "x = 1")
        for index in range(30):
            bundle.writestr(f"kit/.venv/lib/file{index}.py", "")
    extract_zip(archive, tmp_path / "out")
    assert (tmp_path / "out" / "kit" / "exercises" / "toy" / "losses.py").is_file()
    assert not (tmp_path / "out" / "kit" / ".venv").exists()


def test_grade_statuses_and_rows(tmp_path, rubric):
    reference = write_module(tmp_path / "alice", LOSSES, (KIT / "solutions" / LOSSES.module).read_text())
    archive = tmp_path / "bob.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.write(reference / "exercises" / LOSSES.module, "bob-kit/exercises/" + LOSSES.module)
    broken = write_module(tmp_path / "carol", LOSSES, "def mse_loss(pred, target):\n    return (\n")
    hanging = write_module(tmp_path / "dave", LOSSES, "while True:\n    pass\n")
    exiting = write_module(tmp_path / "erin", LOSSES, "import os\nos._exit(0)\n")
    empty = tmp_path / "frank"
    empty.mkdir()
    unreadable = tmp_path / "gina.zip"
    unreadable.write_bytes(b"not a zip at all")

    paths = [reference, archive, broken, exiting, empty, unreadable]
    results = grade_paths(KIT, paths, exercise_ids=["1.2"], jobs=2, rubric=rubric)
    # A short limit for the one that hangs, so the test stays fast; the batch must still get its row.
    results[3:3] = grade_paths(KIT, [hanging], exercise_ids=["1.2"], timeout_scale=0.05, rubric=rubric)
    by_name = {result.name: result for result in results}
    maximum = sum(test.points for test in rubric)

    assert [result.name for result in results] == ["alice", "bob", "carol", "dave", "erin", "frank", "gina"]
    assert by_name["alice"].score == maximum
    assert by_name["alice"].exercises[0].status == "passed"
    assert by_name["bob"].score == maximum
    for name, status in [("carol", "failed"), ("dave", "timeout"), ("erin", "crashed"), ("frank", "missing"), ("gina", "error")]:
        assert by_name[name].score == 0, name
        assert by_name[name].exercises[0].status == status, (name, by_name[name].exercises[0].message)
        assert by_name[name].max_score == maximum, name
    assert "a .zip file" in by_name["gina"].message or "folder" in by_name["gina"].message

    write_reports(results, tmp_path / "out")
    with (tmp_path / "out" / "grades.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [row["submission"] for row in rows] == [result.name for result in results]
    assert rows[0]["1.2"] == f"{maximum:g}"
    assert rows[2]["total"] == "0"

    payload = json.loads((tmp_path / "out" / "alice" / "results.json").read_text())
    assert payload["score"] == maximum
    assert {test["number"] for test in payload["tests"]} == {"1.2"}
    assert {test["name"] for test in payload["tests"]} == {test.name for test in rubric}
    assert all(test["visibility"] in {"visible", "hidden"} for test in payload["tests"])
    assert "dave" in table(results)


def test_other_exercises_use_the_reference(tmp_path):
    """A submission with only a correct 1.2 must not lose 1.2's points because 1.3 is missing."""
    submission = write_module(tmp_path / "only-losses", LOSSES, (KIT / "solutions" / LOSSES.module).read_text())
    results = grade_paths(KIT, [submission], exercise_ids=["1.2", "1.3"], jobs=2)
    statuses = {e.exercise.id: e.status for e in results[0].exercises}
    assert statuses == {"1.2": "passed", "1.3": "missing"}


def test_gradescope_numbers_are_exercise_ids(tmp_path, rubric):
    submission = write_module(tmp_path / "s", LOSSES, "")
    result = grade_paths(KIT, [submission], exercise_ids=["1.2"], rubric=rubric)[0]
    payload = gradescope_results(result)
    assert payload["score"] == 0
    assert all(test["number"] == "1.2" and test["score"] == 0 for test in payload["tests"])


def test_grade_command_writes_outputs(tmp_path, capsys):
    shutil.copytree(KIT / "solutions", tmp_path / "ref" / "exercises")
    code = main(["grade", str(tmp_path / "ref"), "--exercise", "1.1", "--out", str(tmp_path / "out")])
    assert code == 0
    assert (tmp_path / "out" / "grades.csv").is_file()
    assert (tmp_path / "out" / "ref" / "results.json").is_file()
    assert "ref" in capsys.readouterr().out
    assert main(["grade", str(tmp_path / "ref"), "--exercise", "7.7", "--out", str(tmp_path / "out")]) == 2


def test_symlinked_module_is_rejected(tmp_path, rubric):
    secret = tmp_path / "secret.py"
    secret.write_text((KIT / "solutions" / LOSSES.module).read_text())
    submission = tmp_path / "linker"
    (submission / "exercises" / "toy").mkdir(parents=True)
    (submission / "exercises" / LOSSES.module).symlink_to(secret)
    result = grade_paths(KIT, [submission], exercise_ids=["1.2"], rubric=rubric)[0]
    assert result.exercises[0].status == "error"
    assert "symbolic link" in result.exercises[0].message
    assert result.score == 0


def test_grader_failure_keeps_the_row(tmp_path, rubric, monkeypatch):
    import grader.grade as grade_package

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(grade_package, "grade_exercise", broken)
    submission = write_module(tmp_path / "unlucky", LOSSES, "")
    results = grade_paths(KIT, [submission, submission], names=["a", "b"], exercise_ids=["1.2"], rubric=rubric)
    assert [result.name for result in results] == ["a", "b"]
    assert all(result.exercises[0].status == "error" for result in results)
    assert "disk full" in results[0].exercises[0].message
