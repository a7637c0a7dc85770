"""``grader check``: run the public tests against ``exercises/`` and report each exercise's progress.

The public tests run in one pytest process, which writes each graded test's outcome
with the kit's plugin (``--results-json``). Each exercise then gets a status:

- ``done``: every public test of the exercise passes;
- ``not started``: its module is still the stub the student received, or every test
  failed with the stub's ``NotImplementedError("Exercise X.Y: ...")``;
- ``failing``: anything else, with the first failing test's message as a hint;
- ``error``: no result came back for its tests, because pytest could not collect them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

from grader import curriculum
from grader.check.stubs import load_stub_digests, untouched_modules

DONE = "done"
FAILING = "failing"
NOT_STARTED = "not started"
ERROR = "error"
HINT_WIDTH = 90  # characters of a failure message shown in the table
OUTPUT_TAIL = 3000  # characters of pytest's output shown when it wrote no results


class CheckError(RuntimeError):
    """The public tests could not run or wrote no results. The message gives the cause and the fix."""


@dataclass
class ExerciseProgress:
    exercise: curriculum.Exercise
    status: str
    passed: int = 0
    total: int = 0
    points: float = 0.0  # what the exercise's public tests are worth together
    hint: str = ""
    test_files: tuple[str, ...] = ()


def check_tree(root: Path) -> None:
    """Raise ``CheckError`` unless ``root`` contains ``exercises/`` and ``tests/public/``."""
    missing = [folder for folder in ("exercises", "tests/public") if not (root / folder).is_dir()]
    if missing:
        raise CheckError(f"{root} has no {' and no '.join(f'{folder}/' for folder in missing)}. "
                         f"Run the check from your copy of the exercises, or pass its folder with --root")


def child_environment(root: Path) -> dict[str, str]:
    """Return the environment of the pytest process: the tree first on the path, no third-party plugins, nothing downloads."""
    environment = {key: value for key, value in os.environ.items() if key not in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "KIT_TARGET")}
    environment.update(
        PYTHONPATH=os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
        # Plugins such as pytest-randomly would change which failure comes first, and every plugin slows the start.
        PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
        PYTHONDONTWRITEBYTECODE="1",
        HF_HUB_OFFLINE="1",
        MPLBACKEND="Agg",
    )
    # The public tests are small: on a busy 2-core machine one thread ran them faster than two.
    environment.setdefault("OMP_NUM_THREADS", "1")
    return environment


def stop(process: subprocess.Popen) -> None:
    """Kill ``process`` and, on POSIX, every process it started (its session), then wait for it."""
    if hasattr(os, "killpg"):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # it exited between the check and the kill
    else:
        process.kill()
    process.wait()


def run_public_tests(root: Path, exercise_ids: list[str] | None = None, timeout: float = 300.0) -> dict:
    """Run the public tests of ``root`` against its ``exercises`` package and return the plugin's results.

    Returns the ``--results-json`` payload: ``{"exit_status": int, "tests": [...]}``.
    Raises ``CheckError`` when pytest runs longer than ``timeout`` seconds or writes no results.
    """
    with tempfile.TemporaryDirectory(prefix="kit-check-") as folder:
        results = Path(folder) / "results.json"
        command = [sys.executable, "-m", "pytest", "-q", "--no-header", "-p", "no:cacheprovider", "-p", "grader.pytest_plugin",
                   "--rootdir", str(root), "--continue-on-collection-errors", "--target", "exercises",
                   "--results-json", str(results), *(f"--exercise={exercise_id}" for exercise_id in exercise_ids or []),
                   "tests/public"]
        with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as log:
            process = subprocess.Popen(command, cwd=root, env=child_environment(root), stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
            timed_out = False
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
            finally:
                if process.poll() is None:  # timed out, or the user pressed Ctrl-C, which the new session does not receive
                    stop(process)
            if timed_out:
                raise CheckError(f"the public tests did not finish within {timeout:g} s, so an exercise may loop forever. "
                                 f"Run 'pytest tests/public -x' to find the test that hangs")
            log.seek(0)
            output = log.read()
        if not results.is_file():
            raise CheckError(f"pytest exited with status {process.returncode} and wrote no results:\n{output[-OUTPUT_TAIL:]}")
        return json.loads(results.read_text(encoding="utf-8"))


def shorten(message: str, width: int = HINT_WIDTH) -> str:
    """Return the first line of a failure message, without the ``AssertionError:`` prefix, cut to ``width`` characters."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    first = lines[0] if lines else ""
    first = first.removeprefix("AssertionError: ")
    return textwrap.shorten(first, width=width, placeholder=" ...") if len(first) > width else first


def is_stub_failure(test: dict, exercise_id: str) -> bool:
    """Return whether ``test`` failed with the ``NotImplementedError`` of exercise ``exercise_id``'s stub."""
    return test["outcome"] in ("failed", "error") and test["message"].startswith(f"NotImplementedError: Exercise {exercise_id}:")


def summarize(tests: list[dict], exercises: list[curriculum.Exercise], untouched: set[str]) -> list[ExerciseProgress]:
    """Return one ``ExerciseProgress`` per exercise, in the order of ``exercises``.

    ``tests`` are the plugin's result entries, in collection order, and ``untouched``
    contains the module paths that are still their stub.
    """
    progress = []
    for exercise in exercises:
        own = [test for test in tests if test["exercise"] == exercise.id and test["visibility"] == "visible"]
        ran = [test for test in own if test["outcome"] != "skipped"]
        passed = sum(1 for test in ran if test["outcome"] == "passed")
        files = tuple(dict.fromkeys(test["nodeid"].split("::")[0] for test in own))
        entry = ExerciseProgress(exercise, ERROR, passed, len(ran), sum(test["points"] for test in ran), test_files=files)
        if not ran:
            entry.hint = "no test result came back, so run pytest tests/public to see why"
        elif exercise.module in untouched or all(is_stub_failure(test, exercise.id) for test in ran):
            entry.status = NOT_STARTED
        elif passed == len(ran):
            entry.status = DONE
        else:
            entry.status = FAILING
            first = next(test for test in ran if test["outcome"] != "passed")
            entry.hint = shorten(first["message"]) or f"{first['name']} {first['outcome']}"
        progress.append(entry)
    return progress


def format_points(points: float) -> str:
    return f"{points:g}"


def table(progress: list[ExerciseProgress]) -> str:
    """Return the progress table: one row per exercise, in curriculum order."""
    header = ["id", "exercise", "status", "tests", "points", "hint"]
    rows = [[entry.exercise.id, entry.exercise.title, entry.status, f"{entry.passed}/{entry.total}", format_points(entry.points),
             entry.hint] for entry in progress]
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header) - 1)]
    lines = []
    for row in [header, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def next_exercise(progress: list[ExerciseProgress]) -> ExerciseProgress | None:
    """Return the first exercise that is not done, or ``None`` when every one is."""
    return next((entry for entry in progress if entry.status != DONE), None)


def check(root: Path, exercise_ids: list[str] | None = None, timeout: float = 300.0) -> list[ExerciseProgress]:
    """Run the public tests of the tree at ``root`` and return the progress of the chosen exercises (default: all).

    Raises ``KeyError`` for an unknown exercise id and ``CheckError`` when the tests cannot run.
    """
    if exercise_ids:
        chosen = {curriculum.by_id(exercise_id).id for exercise_id in exercise_ids}
        exercises = [exercise for exercise in curriculum.EXERCISES if exercise.id in chosen]
    else:
        exercises = list(curriculum.EXERCISES)
    check_tree(root)
    results = run_public_tests(root, [exercise.id for exercise in exercises] if exercise_ids else None, timeout)
    untouched = untouched_modules(root / "exercises", load_stub_digests(root))
    return summarize(results["tests"], exercises, untouched)
