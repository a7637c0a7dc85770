"""Tests of ``grader check``: statuses, hints and the next exercise, in the kit and in a student bundle."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader import curriculum
from grader.check import DONE, ERROR, FAILING, NOT_STARTED, check, next_exercise, shorten, summarize, table
from grader.check.command import add_arguments, run
from grader.check.stubs import DIGEST_FILE, load_stub_digests, stub_digests, text_digest, untouched_modules, write_stub_digests
from grader.release import generate
from grader.release.bundle import build_bundle

KIT = Path(__file__).resolve().parents[2]
TOY = ["1.1", "1.2", "1.3", "1.4"]
CHECK_FILES = ("grader/check/__init__.py", "grader/check/command.py", "grader/check/stubs.py")


@pytest.fixture(scope="module")
def tree():
    return generate(KIT / "solutions")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory, tree):
    out = tmp_path_factory.mktemp("check") / "student"
    build_bundle(KIT, tree, out)
    return out


def copy_reference(root: Path, exercise_id: str) -> None:
    module = curriculum.by_id(exercise_id).module
    shutil.copyfile(KIT / "solutions" / module, root / "exercises" / module)


def result(exercise: str, outcome: str, message: str = "", name: str = "test_x", points: float = 1.0) -> dict:
    return {"nodeid": f"tests/public/x/test_x.py::{name}", "name": name, "exercise": exercise, "points": points,
            "visibility": "visible", "outcome": outcome, "message": message, "duration": 0.0}


def run_command(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return run(parser.parse_args(list(argv)))


# ---------------------------------------------------------------------------
# Statuses, without running pytest


def test_summarize_gives_each_status():
    exercises = [curriculum.by_id(exercise_id) for exercise_id in TOY]
    tests = [
        result("1.1", "passed", points=2), result("1.1", "passed", points=3),
        result("1.2", "passed"), result("1.2", "failed", "AssertionError: expected 4.333, got 13.0\nassert 13.0 == 4.333"),
        result("1.2", "failed", "AssertionError: second failure"),
        result("1.3", "failed", "NotImplementedError: Exercise 1.3: store the points"),
        result("1.3", "error", "NotImplementedError: Exercise 1.3: return the number of points"),
    ]
    progress = {entry.exercise.id: entry for entry in summarize(tests, exercises, untouched=set())}

    assert progress["1.1"].status == DONE
    assert (progress["1.1"].passed, progress["1.1"].total, progress["1.1"].points) == (2, 2, 5.0)
    assert progress["1.2"].status == FAILING
    assert progress["1.2"].hint == "expected 4.333, got 13.0"
    assert progress["1.3"].status == NOT_STARTED
    assert progress["1.4"].status == ERROR, "an exercise without results has no status of its own"
    assert next_exercise(list(progress.values())).exercise.id == "1.2"


def test_summarize_reads_untouched_stub_as_not_started():
    exercise = curriculum.by_id("1.4")
    tests = [result("1.4", "failed", "AssertionError: Before the sigmoid, the output is an affine function")]
    assert summarize(tests, [exercise], untouched=set())[0].status == FAILING
    assert summarize(tests, [exercise], untouched={exercise.module})[0].status == NOT_STARTED


def test_summarize_counts_another_exercises_stub_as_failing():
    tests = [result("2.6", "failed", "NotImplementedError: Exercise 1.5: evaluate without training")]
    entry = summarize(tests, [curriculum.by_id("2.6")], untouched=set())[0]
    assert entry.status == FAILING
    assert "Exercise 1.5" in entry.hint


def test_skipped_tests_do_not_count():
    tests = [result("1.1", "passed"), result("1.1", "skipped", "needs a CUDA device")]
    entry = summarize(tests, [curriculum.by_id("1.1")], untouched=set())[0]
    assert entry.status == DONE
    assert (entry.passed, entry.total) == (1, 1)


def test_shorten_keeps_first_line_within_width():
    message = "AssertionError: " + "word " * 40 + "\nassert False"
    hint = shorten(message, width=50)
    assert len(hint) <= 50
    assert hint.endswith("...")
    assert not hint.startswith("AssertionError")
    assert shorten("TypeError: bad operand") == "TypeError: bad operand"


def test_table_lists_exercises_in_curriculum_order():
    tests = [result(exercise.id, "passed") for exercise in curriculum.EXERCISES]
    text = table(summarize(tests, list(curriculum.EXERCISES), untouched=set()))
    ids = [line.split()[0] for line in text.splitlines()[2:]]
    assert ids == [exercise.id for exercise in curriculum.EXERCISES]
    assert text.splitlines()[0].split() == ["id", "exercise", "status", "tests", "points", "hint"]


# ---------------------------------------------------------------------------
# Stub digests


def test_stub_digests_match_committed_stubs(tree):
    digests = stub_digests(tree.files)
    assert set(digests) == {exercise.module for exercise in curriculum.EXERCISES}
    assert untouched_modules(KIT / "exercises", digests) == set(digests), "exercises/ is out of date: run grader release"


def test_digest_ignores_line_ends_and_trailing_spaces():
    assert text_digest("x = 1\r\ny = 2  \n\n\n") == text_digest("x = 1\ny = 2\n")
    assert text_digest("x = 1\n") != text_digest("x = 2\n")


def test_bundle_digests_round_trip(tmp_path, tree):
    write_stub_digests(tree.files, tmp_path)
    assert load_stub_digests(tmp_path) == stub_digests(tree.files)
    (tmp_path / DIGEST_FILE).write_text("{broken", encoding="utf-8")
    assert load_stub_digests(tmp_path) == {}


# ---------------------------------------------------------------------------
# Runs of the public tests


def test_kit_stubs_are_not_started(capsys):
    # 1.4 and 2.2 have stubs that run, so only the stub digests tell them apart from a wrong answer.
    assert run_command("--root", str(KIT), "--exercise", "2.2", "--exercise", "1.4", "--exercise", "1.1") == 1
    output = capsys.readouterr().out
    rows = output.split("\n\n")[1].splitlines()[2:]
    assert [row.split()[0] for row in rows] == ["1.1", "1.4", "2.2"]
    assert all(NOT_STARTED in row for row in rows), output
    assert "next: exercise 1.1 — Perceptron (exercises/toy/perceptron.py)" in output
    # The kit's pytest configuration targets solutions/, so the suggested command must name the student package.
    assert "run its tests: pytest --target exercises tests/public/toy/test_perceptron.py" in output


def test_check_reports_done_failing_and_not_started(bundle, tmp_path):
    root = tmp_path / "student"
    shutil.copytree(bundle, root)
    for exercise_id in ("1.1", "1.4"):
        copy_reference(root, exercise_id)
    losses = (KIT / "solutions" / "toy" / "losses.py").read_text(encoding="utf-8")
    broken = losses.replace("    pred = pred.reshape(target.shape)\n    return ((pred - target) ** 2).mean()",
                            "    return ((pred - target) ** 2).mean()")
    assert broken != losses, "the broken variant of 1.2 no longer applies to the reference"
    (root / "exercises" / "toy" / "losses.py").write_text(broken, encoding="utf-8")

    progress = {entry.exercise.id: entry for entry in check(root, TOY)}

    assert progress["1.1"].status == DONE
    assert progress["1.4"].status == DONE
    assert progress["1.2"].status == FAILING
    assert "(4, 4) matrix" in progress["1.2"].hint
    assert 0 < progress["1.2"].passed < progress["1.2"].total
    assert progress["1.3"].status == NOT_STARTED
    assert next_exercise(list(progress.values())).exercise.id == "1.2"


def test_command_reports_all_done(monkeypatch, capsys):
    finished = summarize([result("1.1", "passed")], [curriculum.by_id("1.1")], untouched=set())
    monkeypatch.setattr("grader.check.command.check", lambda root, exercise_ids, timeout: finished)
    assert run_command("--exercise", "1.1") == 0
    assert "Every checked exercise passes its public tests." in capsys.readouterr().out


def test_command_rejects_invalid_arguments(tmp_path, capsys):
    assert run_command("--root", str(KIT), "--exercise", "9.9") == 2
    assert "unknown exercise id '9.9'" in capsys.readouterr().err
    assert run_command("--root", str(tmp_path)) == 2
    assert "has no exercises/ and no tests/public/" in capsys.readouterr().err
    assert run_command("--timeout", "0") == 2
    assert "--timeout must be a positive number" in capsys.readouterr().err


def test_check_runs_in_student_bundle(bundle, tree):
    # With the kit installed in editable mode, a module missing from the bundle would be imported from the kit instead.
    missing = [path for path in (*CHECK_FILES, DIGEST_FILE) if not (bundle / path).is_file()]
    assert missing == [], "build_bundle must ship grader/check and write its stub digests (grader.check.stubs.write_stub_digests)"
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "KIT_"))}
    environment["PYTHONPATH"] = str(bundle)
    completed = subprocess.run([sys.executable, "-m", "grader", "check"], cwd=bundle, capture_output=True, text=True,
                               timeout=300, env=environment)

    assert completed.returncode == 1, completed.stdout + completed.stderr
    rows = completed.stdout.split("\n\n")[1].splitlines()[2:]
    assert [row.split()[0] for row in rows] == [exercise.id for exercise in curriculum.EXERCISES]
    assert all(NOT_STARTED in row for row in rows), completed.stdout
    assert f"Public tests of {bundle / 'exercises'}" in completed.stdout
    assert "next: exercise 1.1 — Perceptron" in completed.stdout
    assert "run its tests: pytest tests/public/toy/test_perceptron.py" in completed.stdout
    assert json.loads((bundle / DIGEST_FILE).read_text(encoding="utf-8"))["modules"] == stub_digests(tree.files)
