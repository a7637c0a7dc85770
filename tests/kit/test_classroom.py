"""Tests of the GitHub Classroom workflow that the student bundle carries."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from grader import curriculum
from grader.release import generate
from grader.release.bundle import build_bundle
from grader.release.classroom import COMMAND_GRADER, JOB_NAME, REPORTER, WORKFLOW_NAME, WORKFLOW_PATH

KIT = Path(__file__).resolve().parents[2]
LOSSES = curriculum.by_id("1.2")  # a fast exercise: no training, no images
# This interpreter runs the bundle's commands. Run from the bundle root, they import the bundle's own grader
# package, because the current folder comes before the kit's editable install on sys.path.
ENVIRONMENT = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("classroom") / "student"
    build_bundle(KIT, generate(KIT / "solutions"), out)
    return out


@pytest.fixture(scope="module")
def workflow(bundle) -> dict:
    return yaml.safe_load((bundle / WORKFLOW_PATH).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def public_points(bundle, tmp_path_factory) -> dict[str, float]:
    """Return each exercise's public points as the student's own pytest collects them in the bundle."""
    results = tmp_path_factory.mktemp("collect") / "collected.json"
    command = [sys.executable, "-m", "pytest", "-q", "--collect-only", "--results-json", str(results)]
    completed = subprocess.run(command, cwd=bundle, capture_output=True, text=True, timeout=300, env=ENVIRONMENT)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    points: dict[str, float] = {}
    for test in json.loads(results.read_text(encoding="utf-8"))["tests"]:
        points[test["exercise"]] = points.get(test["exercise"], 0.0) + test["points"]
    return points


def grader_steps(workflow: dict) -> list[dict]:
    return [step for step in workflow["jobs"][JOB_NAME]["steps"] if step.get("uses") == COMMAND_GRADER]


def step_of(workflow: dict, exercise_id: str) -> dict:
    [step] = [step for step in grader_steps(workflow) if f"--exercise {exercise_id} " in step["with"]["command"]]
    return step


def test_workflow_has_classroom_shape(workflow):
    assert workflow["name"] == WORKFLOW_NAME
    assert list(workflow["jobs"]) == [JOB_NAME]
    assert set(workflow["on"]) >= {"push", "workflow_dispatch"}
    steps = workflow["jobs"][JOB_NAME]["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@")
    assert steps[-1]["uses"] == REPORTER


def test_workflow_lists_every_exercise_once(workflow, public_points):
    ids = [step["with"]["command"].split("--exercise ")[1].split()[0] for step in grader_steps(workflow)]
    assert ids == [exercise.id for exercise in curriculum.EXERCISES if exercise.id in public_points]
    assert sorted(public_points, key=curriculum.sort_key) == [exercise.id for exercise in curriculum.EXERCISES]
    assert len({step["id"] for step in grader_steps(workflow)}) == len(ids)


def test_max_score_is_public_points(workflow, public_points):
    scores = {step["with"]["command"].split("--exercise ")[1].split()[0]: step["with"]["max-score"] for step in grader_steps(workflow)}
    assert scores == public_points
    assert all(step["with"]["timeout"] >= 1 for step in grader_steps(workflow))


def test_reporter_reads_every_step(workflow):
    reporter = workflow["jobs"][JOB_NAME]["steps"][-1]
    step_ids = [step["id"] for step in grader_steps(workflow)]
    assert reporter["with"]["runners"].split(",") == step_ids
    expected = {f"{step_id.upper()}_RESULTS": f"${{{{steps.{step_id}.outputs.result}}}}" for step_id in step_ids}
    assert reporter["env"] == expected


def run_step(step: dict, folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", step["with"]["command"]], cwd=folder, capture_output=True, text=True,
                          timeout=step["with"]["timeout"] * 60, env=ENVIRONMENT)


def test_step_command_fails_on_stub(workflow, bundle):
    completed = run_step(step_of(workflow, LOSSES.id), bundle)
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "NotImplementedError" in completed.stdout


def test_step_command_passes_on_reference(workflow, bundle, tmp_path):
    solved = tmp_path / "solved"
    shutil.copytree(bundle, solved)
    shutil.copyfile(KIT / "solutions" / LOSSES.module, solved / "exercises" / LOSSES.module)

    completed = run_step(step_of(workflow, LOSSES.id), solved)

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert " passed" in completed.stdout
