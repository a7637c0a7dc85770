"""Assemble the fresh copy of the kit in which one exercise of one submission is graded.

The copy holds the reference implementation of every module as the package
``exercises``, with the submission's file for the graded exercise in place of
the reference one, fresh copies of the graded tests, the parts of the
``grader`` and ``data`` packages that the tests import, a canary test, and a
pytest configuration written by the grader. Nothing else from the submission
is copied, so its ``conftest.py``, pytest configuration, ``sitecustomize.py``,
``usercustomize.py`` and ``.pth`` files are never used.

The canary is a graded test that always fails, under a random name the
submission cannot predict. A results stream that reports it passed, or leaves
it out, was not written by an honest test session.
"""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

from grader import curriculum

TEST_FILES = ("__init__.py", "conftest.py", "strategies.py")
TEST_FOLDERS = ("public", "hidden")
# The grader modules a test session imports: the plugin, and the training procedures that convergence tests share
# with `grader calibrate`. The instructor's commands stay out of the grading copy.
GRADER_FILES = ("__init__.py", "curriculum.py", "seeding.py", "pytest_plugin.py", "calibrate/__init__.py", "calibrate/procedures.py")
# data.annotations is a working solution of exercise 2.1, so it stays out like the rest of the instructor's tools.
DATA_EXCLUDED = {"annotations.py"}
CANARY_TEMPLATE = """\
import pytest


@pytest.mark.exercise({exercise!r}, points=1)
def {name}():
    assert False, {name!r}
"""
PYTEST_INI = """\
[pytest]
addopts = -p grader.pytest_plugin -p no:cacheprovider
pythonpath = .
filterwarnings = error::pytest.PytestUnknownMarkWarning
"""


def _ignore_caches(_folder: str, names: list[str]) -> set[str]:
    return {name for name in names if name in {"__pycache__", ".pytest_cache"} or name.endswith(".pyc")}


def assemble(kit: Path, module: Path | None, exercise: curriculum.Exercise, destination: Path) -> str:
    """Build the grading copy for ``exercise`` in ``destination`` and return the canary's node id.

    ``module`` is the submitted file, or ``None`` to leave the module out.
    """
    package = destination / "exercises"
    shutil.copytree(kit / "solutions", package, ignore=_ignore_caches)
    target = package / exercise.module
    if module is None:
        target.unlink()
    else:
        shutil.copyfile(module, target)

    tests = destination / "tests"
    tests.mkdir()
    for name in TEST_FILES:
        if (kit / "tests" / name).is_file():
            shutil.copyfile(kit / "tests" / name, tests / name)
    for folder in TEST_FOLDERS:
        shutil.copytree(kit / "tests" / folder, tests / folder, ignore=_ignore_caches)
    (destination / "pytest.ini").write_text(PYTEST_INI, encoding="utf-8")

    for package, names in (("grader", GRADER_FILES), ("data", _data_files(kit))):
        for name in names:
            (destination / package / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(kit / package / name, destination / package / name)

    name = f"test_{secrets.token_hex(6)}"
    canary = tests / "hidden" / f"{name}.py"
    canary.write_text(CANARY_TEMPLATE.format(exercise=exercise.id, name=name), encoding="utf-8")
    return f"tests/hidden/{name}.py::{name}"


def _data_files(kit: Path) -> list[str]:
    return sorted(path.name for path in (kit / "data").glob("*.py") if path.name not in DATA_EXCLUDED)
