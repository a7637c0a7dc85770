"""Build the student bundle: what a student receives, and nothing of the reference or the hidden tests."""

from __future__ import annotations

import shutil
from pathlib import Path

from grader.release import GeneratedTree, iter_files, write_tree

# Paths copied from the kit as they are. Everything else stays with the instructor.
STUDENT_FILES = (
    "tests/__init__.py",
    "tests/conftest.py",
    "tests/strategies.py",
    "grader/__init__.py",
    "grader/__main__.py",
    "grader/cli.py",
    "grader/curriculum.py",
    "grader/seeding.py",
    "grader/pytest_plugin.py",
)
STUDENT_FOLDERS = ("tests/public", "data", "notebooks")
EXCLUDED_PARTS = {"generated", "cache", "__pycache__", ".ipynb_checkpoints"}
TEMPLATES = Path(__file__).parent / "templates"


def build_bundle(kit: Path, tree: GeneratedTree, out: Path) -> int:
    """Write the student bundle to ``out`` (replacing it) and return the number of files written."""
    if out.exists():
        shutil.rmtree(out)
    write_tree({f"exercises/{relative}": content for relative, content in tree.files.items()}, out)
    for relative in STUDENT_FILES:
        source = kit / relative
        if source.is_file():
            (out / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, out / relative)
    for folder in STUDENT_FOLDERS:
        if not (kit / folder).is_dir():
            continue
        for path in iter_files(kit / folder):
            relative = path.relative_to(kit)
            if EXCLUDED_PARTS.intersection(relative.parts):
                continue
            (out / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, out / relative)
    shutil.copyfile(TEMPLATES / "student_README.md", out / "README.md")
    shutil.copyfile(TEMPLATES / "student_pyproject.toml", out / "pyproject.toml")
    shutil.copyfile(TEMPLATES / "student_gitignore", out / ".gitignore")
    return sum(1 for _ in iter_files(out))
