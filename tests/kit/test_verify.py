"""Tests of ``grader verify``: the kit itself verifies, and verify catches a kit that is not sound."""

import shutil
from pathlib import Path

import pytest

from grader.verify import verify

KIT = Path(__file__).resolve().parents[2]


def failures(checks):
    return {check.name: check.detail for check in checks if not check.ok}


@pytest.mark.slow
def test_kit_verifies():
    checks = verify(KIT, jobs=2, log=lambda *_: None)
    assert failures(checks) == {}
    assert any(check.name.startswith("wrong/") for check in checks), "the corpus of wrong answers is empty"
    assert any(check.name.startswith("correct/") for check in checks), "the corpus of correct variants is empty"


@pytest.fixture
def broken_kit(tmp_path):
    """A copy of the kit whose stub of 1.2 is the reference and whose corpus labels are swapped."""
    kit = tmp_path / "kit"
    ignore = shutil.ignore_patterns("__pycache__", "corpus", "hostile", "generated", "cache")
    # The grading copy takes the plugin and the data-root code from the kit it grades with.
    for folder in ("solutions", "exercises", "tests", "grader", "data"):
        shutil.copytree(KIT / folder, kit / folder, ignore=ignore)
    reference = KIT / "solutions" / "toy" / "losses.py"
    shutil.copyfile(reference, kit / "exercises" / "toy" / "losses.py")
    (kit / "tests" / "kit" / "corpus" / "wrong" / "1.2").mkdir(parents=True)
    (kit / "tests" / "kit" / "corpus" / "correct" / "1.2").mkdir(parents=True)
    shutil.copyfile(reference, kit / "tests" / "kit" / "corpus" / "wrong" / "1.2" / "really_right.py")
    summed = reference.read_text().replace("return ((pred - target) ** 2).mean()", "return ((pred - target) ** 2).sum()")
    assert summed != reference.read_text()
    (kit / "tests" / "kit" / "corpus" / "correct" / "1.2" / "really_wrong.py").write_text(summed)
    return kit


def test_verify_reports_each_defect(broken_kit):
    found = failures(verify(broken_kit, jobs=2, exercise_ids=["1.2"], log=lambda *_: None))
    assert set(found) == {
        "release in sync",
        "stub fails every test of 1.2",
        "wrong/1.2/really_right (Exercise 1.2: three loss functions written by hand, each averaged over the samples.)",
        "correct/1.2/really_wrong (Exercise 1.2: three loss functions written by hand, each averaged over the samples.)",
    }
    assert "toy/losses.py" in found["release in sync"]
