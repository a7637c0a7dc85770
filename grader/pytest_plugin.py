"""The pytest plugin behind every graded test.

It provides:

- the ``exercise(id, points=1)`` marker, required on every test under a
  ``public`` or ``hidden`` test folder, so the rubric is read off the tests;
- ``--target PACKAGE``: the package that tests import exercise modules from
  (``exercises`` by default, ``solutions`` for the reference), through the
  ``load`` fixture, so an import error fails one test instead of a whole file;
- ``--exercise ID``: run only the tests of these exercises;
- ``--results-json PATH``: write every collected graded test with its outcome;
- a results stream for the grader: when ``KIT_RESULTS_FD`` names an inherited
  file descriptor, one JSON line per event goes there as it happens (the
  collected tests, each phase of each graded test, each tampering found, and
  the end of the session), so a process that dies early still leaves what it had recorded;
- a tampering guard: after each test it compares torch, numpy, pytest and this
  plugin with a snapshot taken before any test ran, restores what a test or the
  code under test replaced, and reports it;
- a fixed seed before every test, so results do not depend on test order.
"""

from __future__ import annotations

import importlib
import json
import os
import types
from pathlib import Path

import pytest

from grader import curriculum
from grader.seeding import seed_everything

TEST_SEED = 0
MESSAGE_LIMIT = 2000  # characters of a failure message kept in the results
RESULTS_FD_VARIABLE = "KIT_RESULTS_FD"
GRADED_FOLDERS = {"public": "visible", "hidden": "hidden"}

_results_key = pytest.StashKey[dict]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kit", "exercise kit")
    group.addoption(
        "--target",
        default=os.environ.get("KIT_TARGET", "exercises"),
        help="package that exercise modules are imported from: 'exercises' (yours) or 'solutions' (default: $KIT_TARGET or 'exercises')",
    )
    group.addoption("--exercise", action="append", default=[], metavar="ID", help="run only the tests of this exercise id (repeatable)")
    group.addoption("--results-json", default=None, metavar="PATH", help="write each graded test's outcome to this JSON file")
    group.addoption("--test-timeout", type=float, default=0.0, metavar="SECONDS",
                    help="fail a test whose call runs longer than SECONDS (default: 0, no limit)")
    # Registered here rather than through data.roots, whose torchvision import would slow every grading process.
    group.addoption(
        "--data-root",
        default=None,
        metavar="DIR",
        help="ImageFolder tree with train/, val/ and test/ that image tests read (default: $KIT_DATA_ROOT, else the generated image set)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "exercise(id, points=1): the exercise a graded test belongs to and the points it is worth")
    config.addinivalue_line("markers", "slow: trains a model; part of the default suite, deselect with -m 'not slow'")
    config.addinivalue_line("markers", "cuda: needs a CUDA device and skips without one")
    config.stash[_results_key] = {}
    config.pluginmanager.register(ResultsRecorder(config, open_results_stream()), "kit-results")


def visibility_of(path: Path) -> str | None:
    """Return ``visible`` or ``hidden`` for a test under a graded folder, else ``None``."""
    for part in reversed(path.parts):
        if part in GRADED_FOLDERS:
            return GRADED_FOLDERS[part]
    return None


def exercise_of(item: pytest.Item) -> tuple[str, float] | None:
    """Return the ``(exercise id, points)`` that the item's marker declares, or ``None``."""
    markers = list(item.iter_markers("exercise"))
    if not markers:
        return None
    if len(markers) > 1:
        raise pytest.UsageError(f"{item.nodeid}: carries {len(markers)} exercise markers; a graded test belongs to exactly one exercise")
    marker = markers[0]
    if len(marker.args) != 1 or set(marker.kwargs) - {"points"}:
        raise pytest.UsageError(f"{item.nodeid}: write the marker as @pytest.mark.exercise('1.2', points=1)")
    exercise_id = str(marker.args[0])
    points = marker.kwargs.get("points", 1)
    try:
        curriculum.by_id(exercise_id)
    except KeyError as error:
        raise pytest.UsageError(f"{item.nodeid}: {error.args[0]}") from None
    if not isinstance(points, (int, float)) or points <= 0:
        raise pytest.UsageError(f"{item.nodeid}: points must be a positive number, got {points!r}")
    return exercise_id, float(points)


def cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    wanted = set(config.getoption("exercise"))
    for exercise_id in sorted(wanted):
        try:
            curriculum.by_id(exercise_id)
        except KeyError as error:
            raise pytest.UsageError(f"--exercise {exercise_id}: {error.args[0]}") from None
    results = config.stash[_results_key]
    has_cuda = None
    selected, deselected = [], []
    for item in items:
        visibility = visibility_of(Path(str(item.path)))
        declared = exercise_of(item)
        if visibility is not None and declared is None:
            raise pytest.UsageError(f"{item.nodeid}: every test under tests/public and tests/hidden needs @pytest.mark.exercise(id, points)")
        if item.get_closest_marker("cuda") is not None:
            has_cuda = cuda_available() if has_cuda is None else has_cuda
            if not has_cuda:
                # Without a GPU the test is skipped and left out of the rubric, so it costs no points.
                item.add_marker(pytest.mark.skip(reason="needs a CUDA device"))
                declared = None
        if wanted and (declared is None or declared[0] not in wanted):
            deselected.append(item)
            continue
        selected.append(item)
        if declared is not None:
            results[item.nodeid] = {
                "nodeid": item.nodeid,
                "name": item.name,
                "exercise": declared[0],
                "points": declared[1],
                "visibility": visibility or "hidden",
                "outcome": "not run",
                "message": "",
                "duration": 0.0,
            }
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


class TestTimeout(Exception):
    """Raised inside a test that ran past ``--test-timeout``."""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    import signal

    seconds = item.config.getoption("test_timeout")
    if not seconds or not hasattr(signal, "setitimer"):
        return (yield)

    def expire(_signum, _frame):
        raise TestTimeout(f"this test ran past its time limit of {seconds:g} s: is there an endless loop, "
                          f"or a training loop far longer than the exercise asks for?")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return (yield)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _short_message(report: pytest.TestReport) -> str:
    if isinstance(report.longrepr, tuple):  # a skip: (path, line, message)
        return str(report.longrepr[2])[:MESSAGE_LIMIT]
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr)
    return text[:MESSAGE_LIMIT]


def open_results_stream():
    """Open the grader's results stream named by ``KIT_RESULTS_FD``, and remove the variable; ``None`` without it."""
    value = os.environ.pop(RESULTS_FD_VARIABLE, None)
    if not value:
        return None
    try:
        return os.fdopen(int(value), "w", encoding="utf-8", buffering=1)
    except (OSError, ValueError) as error:
        raise pytest.UsageError(f"{RESULTS_FD_VARIABLE}={value!r} is not an open file descriptor: {error}") from None


class ResultsRecorder:
    """Record the outcome of each graded test, stream each event, and write the JSON file at the end of the session."""

    def __init__(self, config: pytest.Config, stream=None) -> None:
        self.config = config
        self.stream = stream
        self.guard: TamperGuard | None = None

    def emit(self, event: str, **fields) -> None:
        if self.stream is None:
            return
        try:
            self.stream.write(json.dumps({"event": event, **fields}) + "\n")
        except (OSError, ValueError):
            self.stream = None  # the grader reads a stream that stops early as a crash

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.emit("collected", tests=list(self.config.stash[_results_key].values()))
        # The snapshot is taken after collection and before the first test, so before any exercise module is imported.
        guard = TamperGuard(self.config)
        self.guard = guard
        guard.watch("the results recorder", self)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem):
        result = yield
        if self.guard is not None:
            for change in self.guard.check_and_restore():
                self.emit("tampered", nodeid=item.nodeid, change=change)
        return result

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        entry = self.config.stash[_results_key].get(report.nodeid)
        if entry is None:
            return
        self._record(entry, report)
        # Each phase goes out as pytest reported it, not from the entry above, which code under test could reach
        # and rewrite. The grader combines the phases itself.
        message = _short_message(report) if report.failed or report.skipped else ""
        self.emit("phase", nodeid=report.nodeid, when=report.when, outcome=report.outcome, message=message,
                  duration=report.duration)

    @staticmethod
    def _record(entry: dict, report: pytest.TestReport) -> None:
        entry["duration"] += report.duration
        if report.failed:
            if entry["outcome"] not in ("failed", "error"):
                entry["outcome"] = "failed" if report.when == "call" else "error"
                entry["message"] = _short_message(report)
        elif report.skipped:
            entry["outcome"] = "skipped"
            entry["message"] = _short_message(report)
        elif report.when == "call":
            entry["outcome"] = "passed"

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        path = self.config.getoption("results_json")
        if path:
            payload = {"exit_status": int(exitstatus), "tests": list(self.config.stash[_results_key].values())}
            Path(path).write_text(json.dumps(payload, indent=1), encoding="utf-8")
        self.emit("end", exit_status=int(exitstatus))


# Module attributes that graded tests compare student code against, so a submission must not replace them.
GUARDED_MODULES = ("torch", "torch.nn", "torch.nn.functional", "torch.nn.init", "torch.optim", "torch.testing",
                   "torch.utils.data", "numpy", "numpy.testing", "sklearn.metrics", "pytest", "_pytest.outcomes",
                   "_pytest.runner", "_pytest.reports", "_pytest.python_api", "math", "builtins", "os", "json",
                   "grader.pytest_plugin", "grader.seeding")
GUARDED_CLASSES = (("torch", "Tensor"), ("torch.nn", "Module"), ("grader.pytest_plugin", "ResultsRecorder"),
                   ("grader.pytest_plugin", "TamperGuard"), ("_pytest.reports", "TestReport"))


class TamperGuard:
    """Snapshot module and class attributes and the registered plugins; report and undo later changes."""

    def __init__(self, config: pytest.Config) -> None:
        import sys

        self.config = config
        self.namespaces = {}
        for name in GUARDED_MODULES:
            module = sys.modules.get(name)
            if module is not None:
                self.namespaces[name] = (module.__dict__, dict(module.__dict__))
        for module_name, class_name in GUARDED_CLASSES:
            cls = getattr(sys.modules.get(module_name), class_name, None)
            if isinstance(cls, type):
                # A class __dict__ is a read-only mapping, so changes are undone with setattr and delattr.
                self.namespaces[f"{module_name}.{class_name}"] = (cls, dict(vars(cls)))
        self.plugins = {id(plugin) for plugin in config.pluginmanager.get_plugins()}
        self.codes = self._codes()

    def watch(self, name: str, instance) -> None:
        """Add an object's own attributes to the snapshot."""
        self.namespaces[name] = (instance, dict(vars(instance)))
        self.codes = self._codes()

    def _codes(self) -> dict[int, tuple[object, object]]:
        """Return the code object of every snapshotted function, since swapping ``__code__`` keeps the function itself."""
        codes = {}
        for _, snapshot in self.namespaces.values():
            for value in snapshot.values():
                # Only plain functions, so that no lazy attribute of an arbitrary object is touched.
                function = value.__func__ if isinstance(value, (staticmethod, classmethod)) else value
                if isinstance(function, types.FunctionType):
                    codes[id(function)] = (function, function.__code__)
        return codes

    def check_and_restore(self) -> list[str]:
        """Return a description of each change since the snapshot, after undoing it."""
        changes = []
        for name, (namespace, snapshot) in self.namespaces.items():
            current = namespace if isinstance(namespace, dict) else vars(namespace)
            for key, original in snapshot.items():
                replacement = current.get(key, _MISSING)
                if replacement is not original and not _same_package(replacement, original):
                    changes.append(f"{name}.{key} was replaced")
                    self._set(namespace, key, original)
            if isinstance(namespace, dict):
                continue  # new module attributes (a lazily imported submodule, a warnings registry) replace nothing
            for key in [key for key in current if key not in snapshot and key not in IGNORED_CLASS_ADDITIONS]:
                changes.append(f"{name}.{key} was added")
                self._delete(namespace, key)
        for function, code in self.codes.values():
            if function.__code__ is not code:
                changes.append(f"the code of {getattr(function, '__qualname__', function)} was replaced")
                function.__code__ = code
        for plugin in self.config.pluginmanager.get_plugins():
            if id(plugin) not in self.plugins:
                changes.append(f"a pytest plugin was registered: {self.config.pluginmanager.get_name(plugin)}")
                self.config.pluginmanager.unregister(plugin)
        return changes

    @staticmethod
    def _set(namespace, key, value) -> None:
        if isinstance(namespace, dict):
            namespace[key] = value
        else:
            setattr(namespace, key, value)

    @staticmethod
    def _delete(namespace, key) -> None:
        if isinstance(namespace, dict):
            namespace.pop(key, None)
        else:
            delattr(namespace, key)


_MISSING = object()
IGNORED_CLASS_ADDITIONS = {"__slotnames__"}  # cached on a class by copyreg the first time an instance is pickled or copied


def _same_package(replacement, original) -> bool:
    """Return whether ``replacement`` is a function defined in the installed package that defined ``original``.

    Libraries wrap their own functions on first use; torch, for one, wraps ``torch.manual_seed`` when
    ``torch._dynamo`` is imported. Those replacements keep the tests' comparisons sound.
    """
    import sys

    code = getattr(replacement, "__code__", None)
    module = sys.modules.get(getattr(original, "__module__", None) or "")
    package = sys.modules.get((getattr(module, "__name__", "") or "").split(".")[0])
    package_file = getattr(package, "__file__", None)
    if code is None or package_file is None or package.__name__ in ("grader", "exercises"):
        return False
    return code.co_filename.startswith(str(Path(package_file).parent) + os.sep)


@pytest.fixture(autouse=True)
def _fixed_seed():
    seed_everything(TEST_SEED)


@pytest.fixture
def data_root(request: pytest.FixtureRequest) -> Path:
    """Return the configured data root (``--data-root``, then ``$KIT_DATA_ROOT``, then the generated image set).

    A configured root that is missing or malformed fails the test with a message that names it.
    """
    from data.roots import data_root_from_config

    return data_root_from_config(request.config)


@pytest.fixture
def load(request: pytest.FixtureRequest):
    """Return a function that imports an exercise module, e.g. ``load("toy.losses")``, from the target package."""
    target = request.config.getoption("target")

    def load_module(dotted: str):
        try:
            return importlib.import_module(f"{target}.{dotted}")
        except SyntaxError as error:
            # pytest's one-line summary of a SyntaxError names only the file, so this message names the error and line.
            pytest.fail(f"SyntaxError in {target}/{dotted.replace('.', '/')}.py, line {error.lineno}: {error.msg}", pytrace=False)

    return load_module
