"""Assemble the fresh copy of the kit in which one exercise of one submission is graded.

The copy holds the reference implementation of every module as the package
``exercises``, with the submission's file for the graded exercise in place of
the reference one, fresh copies of the graded tests, and a pytest
configuration written by the grader (the submission's own is never used).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from grader import curriculum

TEST_FILES = ("__init__.py", "conftest.py", "strategies.py")
TEST_FOLDERS = ("public", "hidden")
PYTEST_INI = """\
[pytest]
addopts = -p grader.pytest_plugin -p no:cacheprovider
pythonpath = .
filterwarnings = error::pytest.PytestUnknownMarkWarning
"""


def _ignore_caches(_folder: str, names: list[str]) -> set[str]:
    return {name for name in names if name in {"__pycache__", ".pytest_cache"} or name.endswith(".pyc")}


def assemble(kit: Path, module: Path | None, exercise: curriculum.Exercise, destination: Path) -> None:
    """Build the grading copy for ``exercise`` in ``destination``; ``module`` is the submitted file or ``None``."""
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
