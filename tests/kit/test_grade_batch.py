"""Tests of batch grading: resumable records, git submissions, isolation levels, red flags and the command's outputs."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.cli import main
from grader.grade import Options, grade_paths, isolation
from grader.grade.records import load_record
from grader.grade.runner import collect_rubric
from grader.grade.scan import scan_source

KIT = Path(__file__).resolve().parents[2]
REFERENCE = KIT / "solutions" / "toy" / "perceptron.py"


@pytest.fixture(scope="module")
def rubric():
    return collect_rubric(KIT, ["1.1"])


def submission(folder: Path, source: Path = REFERENCE) -> Path:
    (folder / "exercises" / "toy").mkdir(parents=True)
    shutil.copyfile(source, folder / "exercises" / "toy" / "perceptron.py")
    return folder


def test_rerun_reuses_unchanged_records(tmp_path, rubric):
    alice = submission(tmp_path / "alice")
    records = tmp_path / "out"
    first = grade_paths(KIT, [alice], exercise_ids=["1.1"], rubric=rubric, records=records)[0]
    assert not first.reused
    assert load_record(records / "alice", type(first)).score == first.score

    again = grade_paths(KIT, [alice], exercise_ids=["1.1"], rubric=rubric, records=records)[0]
    assert again.reused
    assert again.score == first.score
    assert again.exercises[0].status == "passed"

    forced = grade_paths(KIT, [alice], exercise_ids=["1.1"], rubric=rubric, records=records, force=True)[0]
    assert not forced.reused

    module = alice / "exercises" / "toy" / "perceptron.py"
    module.write_text(module.read_text().replace("nn.Linear(in_features, 1)", "nn.Linear(in_features, 2)"))
    changed = grade_paths(KIT, [alice], exercise_ids=["1.1"], rubric=rubric, records=records)[0]
    assert not changed.reused
    assert changed.score < first.score


def test_record_of_other_exercises_is_not_reused(tmp_path, rubric):
    alice = submission(tmp_path / "alice")
    records = tmp_path / "out"
    grade_paths(KIT, [alice], exercise_ids=["1.1"], rubric=rubric, records=records)
    rubric_both = collect_rubric(KIT, ["1.1", "1.2"])
    both = grade_paths(KIT, [alice], exercise_ids=["1.1", "1.2"], rubric=rubric_both, records=records)[0]
    assert not both.reused
    assert [exercise.status for exercise in both.exercises] == ["passed", "missing"]


def git(*arguments: str, cwd: Path) -> None:
    environment = {**os.environ, "GIT_AUTHOR_NAME": "Student", "GIT_AUTHOR_EMAIL": "student@example.invalid",
                   "GIT_COMMITTER_NAME": "Student", "GIT_COMMITTER_EMAIL": "student@example.invalid"}
    subprocess.run(["git", *arguments], cwd=cwd, check=True, capture_output=True, env=environment)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_bundle_and_bare_repository(tmp_path, rubric):
    work = submission(tmp_path / "work")
    git("init", "-q", cwd=work)
    git("add", ".", cwd=work)
    git("commit", "-q", "-m", "Solve 1.1", cwd=work)
    git("bundle", "create", str(tmp_path / "bob.bundle"), "HEAD", "--all", cwd=work)
    git("clone", "-q", "--bare", str(work), str(tmp_path / "carol.git"), cwd=tmp_path)

    results = grade_paths(KIT, [tmp_path / "bob.bundle", tmp_path / "carol.git"], exercise_ids=["1.1"], rubric=rubric)
    maximum = sum(test.points for test in rubric)
    assert [result.name for result in results] == ["bob", "carol"]
    assert [result.score for result in results] == [maximum, maximum]


def test_unreadable_bundle_keeps_its_row(tmp_path, rubric):
    broken = tmp_path / "dave.bundle"
    broken.write_text("not a bundle")
    result = grade_paths(KIT, [broken], exercise_ids=["1.1"], rubric=rubric)[0]
    assert result.score == 0
    assert "git clone failed" in result.message or "needs git" in result.message


def test_result_records_environment(tmp_path, rubric):
    result = grade_paths(KIT, [submission(tmp_path / "erin")], exercise_ids=["1.1"], rubric=rubric)[0]
    for key in ("python", "torch", "torchvision", "timm", "numpy", "device", "isolation"):
        assert result.environment.get(key), key
    assert result.isolation == isolation.detect()
    assert len(result.content_hash) == 64


def test_rlimits_level_grades_reference(tmp_path, rubric):
    options = Options(isolation="rlimits")
    result = grade_paths(KIT, [submission(tmp_path / "frank")], exercise_ids=["1.1"], rubric=rubric, options=options)[0]
    assert result.isolation == "rlimits"
    assert result.exercises[0].status == "passed"
    assert result.score == sum(test.points for test in rubric)


def test_unknown_isolation_is_rejected():
    with pytest.raises(ValueError, match="unknown isolation 'docker'"):
        isolation.check_level("docker")


@pytest.mark.parametrize(("source", "expected"), [
    ("import pytest\n", "imports pytest"),
    ("from _pytest.config import Config\n", "imports pytest's internals"),
    ("import grader.pytest_plugin\n", "imports the grader"),
    ("import os\nos._exit(0)\n", "calls os._exit"),
    ("import sys\nsys.exit(1)\n", "calls sys.exit"),
    ("import torch\ntorch.nn.functional.mse_loss = None\n", "replaces torch.nn.functional.mse_loss"),
    ("import torch\nsetattr(torch, 'allclose', None)\n", "changes attributes of torch (setattr)"),
    ("import gc\n", "imports gc"),
    ("open('/proc/self/fd/3', 'w')\n", "names '/proc/self/fd/3'"),
    ("def f(:\n", "does not parse"),
])
def test_scan_flags_red_code(source, expected):
    flags = scan_source(source)
    assert any(expected in flag for flag in flags), flags


def test_scan_passes_every_reference_module():
    flagged = {path.relative_to(KIT).as_posix(): scan_source(path.read_text()) for path in (KIT / "solutions").rglob("*.py")}
    assert {path: flags for path, flags in flagged.items() if flags} == {}


def test_per_test_time_limit(tmp_path):
    (tmp_path / "test_sleep.py").write_text("import time\n\n\ndef test_sleeps():\n    time.sleep(30)\n")
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "grader.pytest_plugin", "-p", "no:cacheprovider", "--test-timeout=1", "-q",
         "test_sleep.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(KIT), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})
    assert completed.returncode == 1, completed.stdout
    assert "ran past its time limit of 1 s" in completed.stdout


def test_grade_command_policy_and_gradebook(tmp_path, capsys):
    pytest.importorskip("nbgrader")
    alice = submission(tmp_path / "alice")
    policy = tmp_path / "policy.toml"
    policy.write_text('due = 2026-01-01T00:00:00Z\n\n[default]\nhidden = "after_due_date"\n', encoding="utf-8")
    out = tmp_path / "grades"
    code = main(["grade", str(alice), "--exercise", "1.1", "--out", str(out), "--policy", str(policy),
                 "--gradebook", str(tmp_path / "gradebook.db"), "--no-progress"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "nbgrader gradebook" in printed
    results = json.loads((out / "alice" / "results.json").read_text())
    assert {test["visibility"] for test in results["tests"]} == {"visible", "after_due_date"}
    assert results["extra_data"]["environment"]["torch"]
    assert (out / "alice" / "feedback.md").read_text().count("1.1") >= 1
    assert "<html" in (out / "alice" / "feedback.html").read_text()
    assert (tmp_path / "gradebook.db").is_file()


def test_grade_command_rejects_bad_policy(tmp_path, capsys):
    policy = tmp_path / "policy.toml"
    policy.write_text('[default]\nhidden = "sometimes"\n', encoding="utf-8")
    code = main(["grade", str(tmp_path), "--policy", str(policy)])
    assert code == 2
    assert "sometimes" in capsys.readouterr().err


def test_rlimits_level_kills_escaped_daemon(tmp_path, rubric):
    marker = tmp_path / "daemon-survived"
    daemon = tmp_path / "daemon.py"
    daemon.write_text(
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        time.sleep(3)\n"
        f"        open({str(marker)!r}, 'w').write('yes')\n"
        "    os._exit(0)\n"
        + REFERENCE.read_text()
    )
    result = grade_paths(KIT, [submission(tmp_path / "gina", daemon)], exercise_ids=["1.1"], rubric=rubric,
                         options=Options(isolation="rlimits"))[0]
    assert result.exercises[0].status == "passed"
    time.sleep(5)
    assert not marker.exists(), "a double-forked process outlived its grading run"


def test_folder_linked_into_kit_is_rejected(tmp_path, rubric):
    linked = tmp_path / "hana"
    (linked / "exercises").mkdir(parents=True)
    (linked / "exercises" / "toy").symlink_to(KIT / "solutions" / "toy")
    result = grade_paths(KIT, [linked], exercise_ids=["1.1"], rubric=rubric)[0]
    assert result.score == 0
    assert result.exercises[0].status == "error"
    assert "leads outside the submission" in result.exercises[0].message


@pytest.mark.parametrize("kind", ["encrypted", "file_and_folder"])
def test_malformed_zip_keeps_every_row(tmp_path, rubric, kind):
    import zipfile

    archive = tmp_path / "ivan.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        if kind == "encrypted":
            bundle.writestr("exercises/toy/perceptron.py", REFERENCE.read_text())
        else:
            bundle.writestr("exercises/toy", "a file")
            bundle.writestr("exercises/toy/perceptron.py", REFERENCE.read_text())
    if kind == "encrypted":
        data = bytearray(archive.read_bytes())
        for offset in range(len(data) - 4):
            if data[offset:offset + 4] in (b"PK\x03\x04", b"PK\x01\x02"):
                flag_offset = offset + (6 if data[offset + 2] == 3 else 8)
                data[flag_offset] |= 1  # mark the entry encrypted
        archive.write_bytes(bytes(data))
    results = grade_paths(KIT, [archive, submission(tmp_path / "jo")], exercise_ids=["1.1"], rubric=rubric)
    assert [result.name for result in results] == ["ivan", "jo"]
    assert results[0].score == 0
    assert "cannot be extracted" in results[0].message or "not a valid zip" in results[0].message
    assert results[1].score == sum(test.points for test in rubric)


def test_grades_csv_quotes_formula_names(tmp_path):
    from grader.grade import SubmissionResult
    from grader.grade.report import write_grades_csv

    write_grades_csv([SubmissionResult("=HYPERLINK(1)", tmp_path)], tmp_path / "grades.csv")
    assert "'=HYPERLINK(1)" in (tmp_path / "grades.csv").read_text()
