"""Build the student bundle: what a student receives, and nothing of the reference or the hidden tests."""

from __future__ import annotations

import shutil
from pathlib import Path

from grader.check.stubs import write_stub_digests
from grader.release import GeneratedTree, iter_files, write_tree
from grader.release.classroom import WORKFLOW_PATH, classroom_workflow
from grader.release.notebooks import released_notebooks

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
    "grader/check/__init__.py",
    "grader/check/command.py",
    "grader/check/stubs.py",
)
# The notebooks are not copied: the bundle gets their released copies, without answers or outputs.
STUDENT_FOLDERS = ("tests/public", "data")
EXCLUDED_PARTS = {"generated", "cache", "__pycache__", ".ipynb_checkpoints"}
# The instructor's annotation writer is a working solution of exercise 2.1, so it stays out of the bundle.
EXCLUDED_FILES = {"data/annotations.py"}
TEMPLATES = Path(__file__).parent / "templates"
MARKER = ".student-bundle"  # written into every bundle, so a rebuild replaces only a folder it made


class BundleError(ValueError):
    """The bundle cannot be written.

    Raised when the output folder contains the kit, lies inside it or contains other files, or when the
    public tests cannot be collected for the GitHub Classroom workflow.
    """


def check_destination(kit: Path, out: Path) -> None:
    """Raise ``BundleError`` unless ``out`` is safe to replace with a bundle."""
    kit, out = kit.resolve(), out.resolve()
    if out == kit or out in kit.parents:
        raise BundleError(f"--out {out} contains the kit at {kit}; choose a folder outside it")
    if kit in out.parents:
        raise BundleError(f"--out {out} is inside the kit at {kit}; choose a folder outside it")
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).is_file())):
        raise BundleError(f"--out {out} exists and is not an earlier student bundle; remove it or choose an empty folder")


def build_bundle(kit: Path, tree: GeneratedTree, out: Path) -> int:
    """Write the student bundle to ``out`` (replacing an earlier bundle there) and return the number of files written."""
    check_destination(kit, out)
    # Collected before the old bundle is removed, so a failure leaves it in place.
    try:
        workflow = classroom_workflow(kit)
    except RuntimeError as error:
        raise BundleError(f"writing {WORKFLOW_PATH} failed: {error}") from error
    notebooks = released_notebooks(kit)
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
            if EXCLUDED_PARTS.intersection(relative.parts) or relative.as_posix() in EXCLUDED_FILES:
                continue
            (out / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, out / relative)
    shutil.copyfile(TEMPLATES / "student_README.md", out / "README.md")
    shutil.copyfile(TEMPLATES / "student_pyproject.toml", out / "pyproject.toml")
    shutil.copyfile(TEMPLATES / "student_gitignore", out / ".gitignore")
    (out / WORKFLOW_PATH).parent.mkdir(parents=True, exist_ok=True)
    (out / WORKFLOW_PATH).write_text(workflow, encoding="utf-8")
    for relative, text in notebooks.items():
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        (out / relative).write_text(text, encoding="utf-8")
    # `grader check` tells an untouched stub from started work by these digests.
    write_stub_digests(tree.files, out)
    (out / MARKER).write_text("Made by 'grader release --out'; a later release replaces this folder.\n", encoding="utf-8")
    return sum(1 for _ in iter_files(out))
