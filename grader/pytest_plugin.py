"""The pytest plugin behind every graded test.

It provides:

- the ``exercise(id, points=1)`` marker, required on every test under a
  ``public`` or ``hidden`` test folder, so the rubric is read off the tests;
- ``--target PACKAGE``: the package that tests import exercise modules from
  (``exercises`` by default, ``solutions`` for the reference), through the
  ``load`` fixture, so an import error fails one test instead of a whole file;
- ``--exercise ID``: run only the tests of these exercises;
- ``--results-json PATH``: write every collected graded test with its outcome;
- a fixed seed before every test, so results do not depend on test order.
"""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path

import pytest

from grader import curriculum
from grader.seeding import seed_everything

TEST_SEED = 0
MESSAGE_LIMIT = 2000  # characters of a failure message kept in the results
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
    config.pluginmanager.register(ResultsRecorder(config), "kit-results")


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


def _short_message(report: pytest.TestReport) -> str:
    if isinstance(report.longrepr, tuple):  # a skip: (path, line, message)
        return str(report.longrepr[2])[:MESSAGE_LIMIT]
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr)
    return text[:MESSAGE_LIMIT]


class ResultsRecorder:
    """Record the outcome of each graded test and write them at the end of the session."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        entry = self.config.stash[_results_key].get(report.nodeid)
        if entry is None:
            return
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
        return importlib.import_module(f"{target}.{dotted}")

    return load_module
