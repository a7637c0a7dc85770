"""Run one exercise's graded tests in a separate pytest process and read back the outcome."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader import curriculum
from grader.grade.sandbox import TEST_FOLDERS, assemble

OUTPUT_LIMIT = 4000  # characters of pytest's own output kept for an exercise that errored, read from the end of the log


@dataclass
class RubricTest:
    nodeid: str
    name: str
    exercise: str
    points: float
    visibility: str


@dataclass
class TestResult:
    test: RubricTest
    outcome: str  # passed, failed, error, skipped, not run
    message: str = ""

    @property
    def score(self) -> float:
        return self.test.points if self.outcome == "passed" else 0.0


@dataclass
class ExerciseResult:
    exercise: curriculum.Exercise
    status: str  # passed, failed, error, timeout, missing
    tests: list[TestResult] = field(default_factory=list)
    duration: float = 0.0
    message: str = ""

    @property
    def score(self) -> float:
        return sum(result.score for result in self.tests)

    @property
    def max_score(self) -> float:
        return sum(result.test.points for result in self.tests)


def child_environment(threads: int = 1) -> dict[str, str]:
    """Return the environment for a grading process: no user site, no plugin autoload, nothing downloads.

    ``threads`` caps the process's compute threads, so parallel jobs share the cores instead of fighting for them.
    """
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "PYTHON"))}
    environment.update(
        OMP_NUM_THREADS=str(threads),
        MKL_NUM_THREADS=str(threads),
        PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONNOUSERSITE="1",
        PYTHONHASHSEED="0",
        HF_HUB_OFFLINE="1",
        MPLBACKEND="Agg",
    )
    return environment


def pytest_command(results: Path, extra: list[str], files: list[str] | None = None) -> list[str]:
    """Return the pytest command line; ``files`` limits collection to those test files (default: every graded folder)."""
    paths = files or [f"tests/{folder}" for folder in TEST_FOLDERS]
    return [sys.executable, "-m", "pytest", "-c", "pytest.ini", "--rootdir", ".", "-q", "--no-header", "-p", "no:randomly",
            "--continue-on-collection-errors", "--results-json", str(results), *extra, *paths]


def run_pytest(workdir: Path, results: Path, extra: list[str], timeout: float, threads: int = 1,
               files: list[str] | None = None) -> tuple[int | None, str]:
    """Run pytest in ``workdir`` in its own process group; return ``(exit code or None on timeout, output)``."""
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as log:
        process = subprocess.Popen(pytest_command(results, extra, files), cwd=workdir, env=child_environment(threads),
                                   stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            code: int | None = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            code = None
        finally:
            try:
                os.killpg(process.pid, signal.SIGKILL)  # also ends any process the tests or the submission started
            except ProcessLookupError:
                pass
            process.wait()
        # Read only the end of the log: a submission may print hundreds of megabytes.
        size = log.seek(0, os.SEEK_END)
        log.seek(max(0, size - 4 * OUTPUT_LIMIT))
        output = log.read()[-OUTPUT_LIMIT:]
    return code, output


def collect_rubric(kit: Path, exercises: list[str] | None = None) -> list[RubricTest]:
    """Collect every graded test of the kit (the rubric), read off the tests' exercise markers."""
    with tempfile.TemporaryDirectory(prefix="kit-rubric-") as folder:
        workdir = Path(folder) / "kit"
        assemble(kit, kit / "solutions" / curriculum.EXERCISES[0].module, curriculum.EXERCISES[0], workdir)
        results = Path(folder) / "rubric.json"
        extra = ["--collect-only", "--target", "exercises", *(f"--exercise={e}" for e in exercises or [])]
        code, output = run_pytest(workdir, results, extra, timeout=300)
        if code != 0 or not results.exists():
            raise RuntimeError(f"collecting the graded tests failed (exit code {code}):\n{output[-OUTPUT_LIMIT:]}")
        tests = json.loads(results.read_text(encoding="utf-8"))["tests"]
    return [RubricTest(t["nodeid"], t["name"], t["exercise"], t["points"], t["visibility"]) for t in tests]


def grade_exercise(kit: Path, module: Path | None, exercise: curriculum.Exercise, rubric: list[RubricTest],
                   scratch: Path, timeout_scale: float = 1.0, threads: int = 1) -> ExerciseResult:
    """Grade one exercise of one submission in a fresh copy of the kit under ``scratch``."""
    tests = [test for test in rubric if test.exercise == exercise.id]
    if module is None:
        results = [TestResult(test, "not run", f"{exercise.module} is missing from the submission") for test in tests]
        return ExerciseResult(exercise, "missing", results, message=f"{exercise.module} not found")

    if module.is_symlink():
        message = f"{exercise.module} is a symbolic link; submit the file itself"
        return ExerciseResult(exercise, "error", [TestResult(test, "not run", message) for test in tests], message=message)

    workdir = scratch / "kit"
    assemble(kit, module, exercise, workdir)
    results_path = scratch / "results.json"
    timeout = exercise.timeout * timeout_scale
    started = time.monotonic()
    # Collecting only the files that hold this exercise's tests spares the imports of every other test module.
    files = sorted({test.nodeid.split("::")[0] for test in tests})
    code, output = run_pytest(workdir, results_path, ["--target", "exercises", f"--exercise={exercise.id}"],
                              timeout, threads, files)
    duration = time.monotonic() - started

    recorded: dict[str, dict] = {}
    if results_path.exists():
        try:
            recorded = {entry["nodeid"]: entry for entry in json.loads(results_path.read_text(encoding="utf-8"))["tests"]}
        except (ValueError, KeyError, TypeError):
            recorded = {}

    if code is None:
        status, reason = "timeout", f"the tests of exercise {exercise.id} ran past {timeout:.0f} s and were stopped"
    elif code in (0, 1) and recorded:
        status, reason = ("passed" if code == 0 else "failed"), ""
    elif code == 0:
        status, reason = "error", "the test process ended before recording any result: does the module call sys.exit or os._exit?"
    else:
        status, reason = "error", f"pytest exited with code {code}: {output}"

    results = []
    for test in tests:
        entry = recorded.get(test.nodeid)
        if entry is None or entry.get("outcome") == "not run":
            results.append(TestResult(test, "not run", reason or "this test did not run"))
        else:
            results.append(TestResult(test, str(entry.get("outcome")), str(entry.get("message", ""))))
    if status == "passed" and any(result.outcome != "passed" for result in results):
        status = "failed"
    return ExerciseResult(exercise, status, results, duration, reason)
