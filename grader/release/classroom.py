"""Generate the GitHub Classroom workflow of the student bundle from the public tests' exercise markers.

The workflow runs each exercise's public tests as one step of GitHub
Classroom's command grader (``classroom-resources/autograding-command-grader``),
worth the sum of the points of those tests, and reports the steps through
``classroom-resources/autograding-grading-reporter``. The reporter reads each
step's result from an environment variable named after the step id, in upper
case, followed by ``_RESULTS``. GitHub Classroom records scores only from a
workflow named ``Autograding Tests`` whose one job is ``run-autograding-tests``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from grader import curriculum

WORKFLOW_PATH = ".github/workflows/classroom.yml"
WORKFLOW_NAME = "Autograding Tests"
JOB_NAME = "run-autograding-tests"
COMMAND_GRADER = "classroom-resources/autograding-command-grader@v1"
REPORTER = "classroom-resources/autograding-grading-reporter@v1"
# PyTorch's CPU-only wheels: GitHub's hosted runners have no GPU, and the default wheels add gigabytes of CUDA libraries.
INSTALL_COMMAND = "python -m pip install --extra-index-url https://download.pytorch.org/whl/cpu -e ."
STARTUP_MINUTES = 2  # added to each exercise's time limit for a cold runner: importing torch, collecting the tests


@dataclass(frozen=True)
class ClassroomStep:
    exercise: curriculum.Exercise
    points: float  # the sum of the points of the exercise's public tests
    files: tuple[str, ...]  # the public test files that contain those tests, relative to the bundle root

    @property
    def step_id(self) -> str:
        """Return the step id, e.g. ``exercise-1-2``: letters, digits and dashes, as the reporter's runner list allows."""
        return "exercise-" + self.exercise.id.replace(".", "-")

    @property
    def command(self) -> str:
        return " ".join(["python -m pytest -q", f"--exercise {self.exercise.id}", *self.files])

    @property
    def timeout_minutes(self) -> int:
        return math.ceil(self.exercise.timeout / 60) + STARTUP_MINUTES


def classroom_steps(kit: Path) -> list[ClassroomStep]:
    """Return one step per exercise that has public tests, in curriculum order, read off the collected rubric.

    Tests marked ``cuda`` are left out of the rubric on a machine without CUDA,
    and GitHub's hosted runners have none, so they earn no points there either.
    """
    from grader.grade.runner import collect_rubric

    points: dict[str, float] = {}
    files: dict[str, set[str]] = {}
    for test in collect_rubric(kit):
        if test.visibility != "visible":
            continue
        points[test.exercise] = points.get(test.exercise, 0.0) + test.points
        files.setdefault(test.exercise, set()).add(test.nodeid.split("::")[0])
    return [ClassroomStep(exercise, points[exercise.id], tuple(sorted(files[exercise.id])))
            for exercise in curriculum.EXERCISES if exercise.id in points]


def quoted(text: str) -> str:
    """Return ``text`` as a double-quoted YAML scalar (a JSON string is one)."""
    return json.dumps(text)


def format_points(value: float) -> str:
    return f"{value:g}"


def workflow_text(steps: list[ClassroomStep]) -> str:
    """Return the workflow file for ``steps``."""
    lines = [
        "# Written by `grader release --out` from the exercise markers of tests/public: regenerate it, do not edit it.",
        "# GitHub Classroom runs it on every push: one autograding step per exercise, worth that exercise's public points.",
        f"name: {WORKFLOW_NAME}",
        '"on":',  # quoted because YAML 1.1 readers take a bare `on` for the boolean true
        "  - push",
        "  - repository_dispatch",
        "  - workflow_dispatch",
        "permissions:",
        "  checks: write",
        "  actions: read",
        "  contents: read",
        "jobs:",
        f"  {JOB_NAME}:",
        "    runs-on: ubuntu-latest",
        "    if: github.actor != 'github-classroom[bot]'",
        "    steps:",
        "      - name: Check out the code",
        "        uses: actions/checkout@v4",
        "      - name: Set up Python 3.11",
        "        uses: actions/setup-python@v5",
        "        with:",
        '          python-version: "3.11"',
        "      - name: Install the exercises and their dependencies",
        f"        run: {quoted(INSTALL_COMMAND)}",
    ]
    for step in steps:
        title = f"Exercise {step.exercise.id}: {step.exercise.title}"
        lines += [
            f"      - name: {quoted(title)}",
            f"        id: {step.step_id}",
            f"        uses: {COMMAND_GRADER}",
            "        with:",
            f"          test-name: {quoted(title)}",
            '          setup-command: ""',  # the install step above sets up every exercise once
            f"          command: {quoted(step.command)}",
            f"          timeout: {step.timeout_minutes}",
            f"          max-score: {format_points(step.points)}",
        ]
    lines += [
        "      - name: Autograding Reporter",
        f"        uses: {REPORTER}",
        "        env:",
        *(f"          {step.step_id.upper()}_RESULTS: {quoted('${{steps.' + step.step_id + '.outputs.result}}')}" for step in steps),
        "        with:",
        f"          runners: {','.join(step.step_id for step in steps)}",
    ]
    return "\n".join(lines) + "\n"


def classroom_workflow(kit: Path) -> str:
    """Return the GitHub Classroom workflow for the kit at ``kit``, or raise ``RuntimeError`` when its tests cannot be collected."""
    return workflow_text(classroom_steps(kit))
