"""Run one exercise's graded tests in a separate pytest process and read back the outcome."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from grader import curriculum
from grader.grade import isolation
from grader.grade.sandbox import TEST_FOLDERS, assemble
from grader.grade.warm import WarmPool
from grader.pytest_plugin import RESULTS_FD_VARIABLE

OUTPUT_LIMIT = 4000  # characters of pytest's own output kept for an exercise that errored, read from the end of the log
MESSAGE_LIMIT = 2000  # characters of a test message kept from the results stream
DEFAULT_LIMITS = isolation.Limits()


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
    status: str  # passed, failed, error, timeout, out-of-memory, crashed, missing, tampered
    tests: list[TestResult] = field(default_factory=list)
    duration: float = 0.0
    message: str = ""

    @property
    def score(self) -> float:
        return sum(result.score for result in self.tests)

    @property
    def max_score(self) -> float:
        return sum(result.test.points for result in self.tests)


def child_environment(threads: int = 1, data_root: Path | None = None) -> dict[str, str]:
    """Return the environment for a grading process: no user site, no plugin autoload, nothing downloads.

    ``threads`` caps the process's compute threads, so parallel jobs share the cores instead of fighting for them.
    """
    kept = ("PATH", "LANG", "LC_ALL", "TZ", "KIT_DATA_ROOT", "HOME", "TMPDIR")
    environment = {key: os.environ[key] for key in kept if key in os.environ}
    environment.update(
        OMP_NUM_THREADS=str(threads),
        MKL_NUM_THREADS=str(threads),
        PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONNOUSERSITE="1",
        PYTHONHASHSEED="0",
        HF_HUB_OFFLINE="1",
        MPLBACKEND="Agg",
        KIT_CACHE_DIR=os.path.join(environment.get("TMPDIR", tempfile.gettempdir()), "kit-cache"),
    )
    if data_root is not None:
        environment["KIT_DATA_ROOT"] = str(data_root)
    return environment


PYTHON_PREFIX = (sys.executable, "-B", "-s", "-m")


def pytest_command(extra: list[str], files: list[str] | None = None) -> list[str]:
    """Return the pytest command line; ``files`` limits collection to those test files (default: every graded folder)."""
    paths = files or [f"tests/{folder}" for folder in TEST_FOLDERS]
    return [*PYTHON_PREFIX, "pytest", "-c", "pytest.ini", "--rootdir", ".", "-q", "--no-header",
            "-p", "no:randomly", "--continue-on-collection-errors", *extra, *paths]


@dataclass
class Run:
    """Outcome of one grading process: its exit code, the tail of its output and the events it streamed."""

    code: int | None  # None when the grader stopped it
    output: str
    events: list[dict]
    stream_error: str = ""  # set when the stream carried a line that the plugin did not write
    stopped: str = ""  # "timeout" or "memory" when the grader stopped the process


class TailBuffer:
    """Keep the last ``limit`` characters of a byte stream, read in a thread, so megabytes of output cost no memory."""

    def __init__(self, stream, limit: int) -> None:
        self.chunks: deque[bytes] = deque()
        self.size = 0
        self.limit = limit
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream) -> None:
        for chunk in iter(lambda: stream.read(65536), b""):
            self.chunks.append(chunk)
            self.size += len(chunk)
            while self.size - len(self.chunks[0]) >= 4 * self.limit:
                self.size -= len(self.chunks.popleft())

    def text(self) -> str:
        self.thread.join(timeout=5)
        return b"".join(self.chunks).decode("utf-8", errors="replace")[-self.limit:]


class EventReader:
    """Read the plugin's JSON lines from the results pipe in a thread, bounded in line length and count."""

    MAX_LINE = 1_000_000
    MAX_EVENTS = 100_000

    def __init__(self, stream) -> None:
        self.events: list[dict] = []
        self.error = ""
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream) -> None:
        while True:
            line = stream.readline(self.MAX_LINE + 1)
            if not line:
                return
            if self.error:
                continue  # drain, so the writer never blocks on a full pipe
            try:
                event = json.loads(line)
            except ValueError:
                event = None
            if not isinstance(event, dict) or not isinstance(event.get("event"), str) or len(line) > self.MAX_LINE \
                    or len(self.events) >= self.MAX_EVENTS:
                self.error = f"the results stream carried a line the plugin does not write: {line[:120]!r}"
                continue
            self.events.append(event)

    def finish(self) -> None:
        self.thread.join(timeout=5)


def run_pytest(workdir: Path, extra: list[str], timeout: float, *, threads: int = 1, files: list[str] | None = None,
               level: str = "rlimits", limits: isolation.Limits = DEFAULT_LIMITS, slot: int = 0,
               data_root: Path | None = None, warm: WarmPool | None = None) -> Run:
    """Run pytest on the grading copy in ``workdir`` under ``level`` isolation and return what it left.

    With ``warm``, the run is forked from a warm server instead, with no isolation: for trusted code only.
    """
    if warm is not None:
        return run_warm(warm, workdir, extra, timeout, threads=threads, files=files, slot=slot, data_root=data_root)
    uid = isolation.slot_uid(slot) if level == "uid+rlimits" else None  # bubblewrap switches the user id itself
    environment = child_environment(threads, data_root)
    command = pytest_command(extra, files)
    cwd: Path | None = workdir
    if level == "bubblewrap":
        read_only = [data_root] if data_root is not None else []
        command = [shutil.which("bwrap") or "bwrap", *isolation.bubblewrap_arguments(workdir, read_only, isolation.slot_uid(slot)),
                   "--", *command]
        environment.update(HOME="/tmp", TMPDIR="/tmp", KIT_CACHE_DIR="/tmp/kit-cache")
        cwd = None
    else:
        home = workdir.parent / "home"
        home.mkdir(exist_ok=True)
        environment.update(HOME=str(home), TMPDIR=str(home), KIT_CACHE_DIR=str(home / "kit-cache"))
        if uid is not None:
            for path in (workdir.parent, home):
                os.chown(path, uid, uid)
            os.chmod(workdir.parent, 0o700)

    results_read, results_write = os.pipe()
    environment[RESULTS_FD_VARIABLE] = str(results_write)
    token = secrets.token_hex(8)
    environment[isolation.RUN_TOKEN_VARIABLE] = token
    cpu_seconds = limits.cpu_seconds or int(timeout * max(1, threads) + 30)
    try:
        process = subprocess.Popen(command, cwd=cwd, env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, pass_fds=(results_write,),
                                   preexec_fn=isolation.preexec(limits, cpu_seconds, uid))
    finally:
        os.close(results_write)
    output = TailBuffer(process.stdout, OUTPUT_LIMIT)
    with os.fdopen(results_read, "r", encoding="utf-8", errors="replace") as results:
        events = EventReader(results)
        stopped = ""
        deadline = time.monotonic() + timeout
        while True:
            try:
                process.wait(timeout=0.25)
                break
            except subprocess.TimeoutExpired:
                pass
            if time.monotonic() > deadline:
                stopped = "timeout"
                break
            pids = isolation.tree_pids(process.pid) + (isolation.uid_pids(uid) if uid is not None else [])
            if isolation.resident_bytes(pids) > limits.memory_bytes:
                stopped = "memory"
                break
        code = None if stopped else process.returncode
        isolation.kill_everything(process, uid, token)
        process.wait()
        events.finish()
    return Run(code, output.text(), events.events, events.error, stopped)


def run_warm(warm: WarmPool, workdir: Path, extra: list[str], timeout: float, *, threads: int, files: list[str] | None,
             slot: int, data_root: Path | None) -> Run:
    """Run pytest on the grading copy in a child of the slot's warm server and read back what it left."""
    environment = child_environment(threads, data_root)
    home = workdir.parent / "home"
    home.mkdir(exist_ok=True)
    environment.update(HOME=str(home), TMPDIR=str(home), KIT_CACHE_DIR=str(home / "kit-cache"))
    results, log = workdir.parent / "results.jsonl", workdir.parent / "output.log"
    arguments = pytest_command(extra, files)[len(PYTHON_PREFIX) + 1:]
    code = warm.server(slot).run(workdir, arguments, environment, timeout, results, log)
    events, error = [], ""
    if results.exists():
        with results.open(encoding="utf-8", errors="replace") as stream:
            reader = EventReader(stream)
            reader.finish()
            events, error = reader.events, reader.error
    with log.open("rb") if log.exists() else open(os.devnull, "rb") as stream:
        size = stream.seek(0, os.SEEK_END)
        stream.seek(max(0, size - 4 * OUTPUT_LIMIT))
        output = stream.read().decode("utf-8", errors="replace")[-OUTPUT_LIMIT:]
    return Run(code, output, events, error, "timeout" if code is None else "")


def collect_rubric(kit: Path, exercises: list[str] | None = None) -> list[RubricTest]:
    """Collect every graded test of the kit (the rubric), read off the tests' exercise markers."""
    with tempfile.TemporaryDirectory(prefix="kit-rubric-") as folder:
        workdir = Path(folder) / "kit"
        canary = assemble(kit, kit / "solutions" / curriculum.EXERCISES[0].module, curriculum.EXERCISES[0], workdir)
        extra = ["--collect-only", "--target", "exercises", *(f"--exercise={e}" for e in exercises or [])]
        run = run_pytest(workdir, extra, timeout=300)
        collected = [event for event in run.events if event["event"] == "collected"]
        if run.code != 0 or not collected:
            raise RuntimeError(f"collecting the graded tests failed (exit code {run.code}):\n{run.output}")
    return [RubricTest(t["nodeid"], t["name"], t["exercise"], t["points"], t["visibility"])
            for t in collected[0]["tests"] if t["nodeid"] != canary]


def not_run(tests: list[RubricTest], message: str) -> list[TestResult]:
    return [TestResult(test, "not run", message) for test in tests]


def grade_exercise(kit: Path, module: Path | None, exercise: curriculum.Exercise, rubric: list[RubricTest],
                   scratch: Path, timeout_scale: float = 1.0, threads: int = 1, *, level: str = "rlimits",
                   limits: isolation.Limits = DEFAULT_LIMITS, slot: int = 0, data_root: Path | None = None,
                   warm: WarmPool | None = None) -> ExerciseResult:
    """Grade one exercise of one submission in a fresh copy of the kit under ``scratch``."""
    tests = [test for test in rubric if test.exercise == exercise.id]
    if module is None:
        return ExerciseResult(exercise, "missing", not_run(tests, f"{exercise.module} is missing from the submission"),
                              message=f"{exercise.module} not found")
    if module.is_symlink():
        message = f"{exercise.module} is a symbolic link; submit the file itself"
        return ExerciseResult(exercise, "error", not_run(tests, message), message=message)

    workdir = scratch / "kit"
    canary = assemble(kit, module, exercise, workdir)
    if level == "uid+rlimits" and warm is None:
        for path in [workdir, *workdir.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)  # readable by the slot's user id, writable only by the grader
    timeout = exercise.timeout * timeout_scale
    # Collecting only the files that hold this exercise's tests spares the imports of every other test module.
    # The canary runs last, so a submission that forges the stream and leaves early must also forge the canary.
    files = sorted({test.nodeid.split("::")[0] for test in tests}) + [canary.split("::")[0]]
    extra = ["--target", "exercises", f"--exercise={exercise.id}", f"--test-timeout={timeout / 2:.0f}"]
    started = time.monotonic()
    run = run_pytest(workdir, extra, timeout, threads=threads, files=files, level=level, limits=limits, slot=slot,
                     data_root=data_root, warm=warm)
    duration = time.monotonic() - started
    return judge(exercise, tests, canary, run, timeout, duration)


MEMORY_ERRORS = ("MemoryError:", "DefaultCPUAllocator: can't allocate memory", "Cannot allocate memory")


def judge(exercise: curriculum.Exercise, tests: list[RubricTest], canary: str, run: Run, timeout: float,
          duration: float) -> ExerciseResult:
    """Turn what the grading process left into the exercise's status and per-test outcomes."""
    phases = [event for event in run.events if event["event"] == "phase"]
    recorded = combine_phases(phases)
    reported = [(event.get("nodeid"), event.get("when")) for event in phases]
    ended = [event for event in run.events if event["event"] == "end"]
    tampering = [f"{event.get('nodeid', '?')}: {event.get('change', '?')}" for event in run.events if event["event"] == "tampered"]
    if run.stream_error:
        tampering.append(run.stream_error)
    complete = bool(ended) and ended[-1].get("exit_status") in (0, 1)  # pytest ran every test it collected
    if complete and canary not in recorded:
        tampering.append("the results stream left out a test that ran")
    elif canary in recorded and recorded[canary].get("outcome") != "failed":
        tampering.append("the results stream reported an outcome that the test did not have")
    if len(reported) != len(set(reported)):
        tampering.append("the results stream reported a test phase twice")
    if len(ended) > 1:
        tampering.append("the results stream ended twice")
    if ended and run.code == 0 and ended[-1].get("exit_status") != 0:
        tampering.append("the process exited with code 0 although pytest had failures")

    results = []
    for test in tests:
        entry = recorded.get(test.nodeid)
        if entry is None or entry.get("outcome") == "not run":
            results.append(TestResult(test, "not run", "this test did not run"))
        else:
            results.append(TestResult(test, str(entry.get("outcome")), str(entry.get("message", ""))[:MESSAGE_LIMIT]))

    if tampering:
        message = "the submission interfered with the tests, so the exercise scores 0: " + "; ".join(tampering[:5])
        for result in results:
            if result.outcome == "passed":
                result.outcome, result.message = "failed", "not counted: the submission interfered with the tests"
        return ExerciseResult(exercise, "tampered", results, duration, message[:MESSAGE_LIMIT])

    status, reason = "passed", ""
    out_of_memory = any(result.message.startswith(MEMORY_ERRORS) or "DefaultCPUAllocator: can't allocate memory" in result.message
                        for result in results)
    if run.stopped == "timeout" and complete:
        status = "passed" if all(result.outcome == "passed" for result in results) else "failed"
        reason = "every test ran, but the process did not exit afterwards (a thread or child process kept it alive)"
    elif run.stopped == "timeout":
        status, reason = "timeout", f"the tests of exercise {exercise.id} ran past {timeout:.0f} s and were stopped"
    elif run.stopped == "memory":
        status, reason = "out-of-memory", "the tests used more memory than the limit and were stopped"
    elif run.code is not None and (run.code < 0 or run.code >= 128):
        number = -run.code if run.code < 0 else run.code - 128
        status, reason = "crashed", f"the test process was killed by signal {signal_name(number)}"
        if number == signal.SIGXCPU:
            status, reason = "timeout", "the test process used up its CPU time limit"
        elif number == signal.SIGXFSZ:
            reason = "the test process wrote a file larger than the file-size limit"
        elif number == signal.SIGKILL and any(marker in run.output for marker in MEMORY_ERRORS):
            status, reason = "out-of-memory", "the test process ran out of memory"
    elif not ended:
        status, reason = "crashed", (f"the test process ended (exit code {run.code}) before pytest finished: "
                                     "does the module call sys.exit or os._exit, or kill its own process?")
    elif ended[-1].get("exit_status") not in (0, 1):
        status, reason = "error", f"pytest exited with code {ended[-1].get('exit_status')}: {run.output}"
    elif out_of_memory:
        status, reason = "out-of-memory", "a test ran out of memory"
    elif any(result.outcome != "passed" for result in results):
        status = "failed"
    if reason:
        for result in results:
            if result.outcome == "not run":
                result.message = reason
    return ExerciseResult(exercise, status, results, duration, reason[:MESSAGE_LIMIT])


def combine_phases(phases: list[dict]) -> dict[str, dict]:
    """Return each test's outcome and message from its setup, call and teardown reports, as pytest counts them."""
    combined: dict[str, dict] = {}
    for event in phases:
        entry = combined.setdefault(str(event.get("nodeid")), {"outcome": "not run", "message": ""})
        outcome, when, message = event.get("outcome"), event.get("when"), str(event.get("message", ""))
        if outcome == "failed":
            if entry["outcome"] not in ("failed", "error"):
                entry["outcome"], entry["message"] = ("failed" if when == "call" else "error"), message
        elif outcome == "skipped":
            entry["outcome"], entry["message"] = "skipped", message
        elif when == "call" and entry["outcome"] not in ("failed", "error"):
            entry["outcome"] = "passed"
    return combined


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)
