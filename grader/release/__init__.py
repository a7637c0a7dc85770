"""``grader release``: generate ``exercises/`` from ``solutions/`` and build the student bundle."""

from __future__ import annotations

import difflib
import shutil
from dataclasses import dataclass
from pathlib import Path

from grader import curriculum
from grader.release.stubs import Region, RegionError, make_stub

SKIPPED_NAMES = {"__pycache__", ".pytest_cache", ".ipynb_checkpoints"}


@dataclass
class GeneratedTree:
    files: dict[str, bytes]  # relative POSIX path -> content
    regions: dict[str, list[Region]]  # relative path -> regions found in the reference


def iter_files(root: Path):
    """Yield the files under ``root`` in sorted order, skipping caches."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and not SKIPPED_NAMES.intersection(path.relative_to(root).parts) and path.suffix != ".pyc":
            yield path


def generate(solutions: Path, exercises: tuple[curriculum.Exercise, ...] = curriculum.EXERCISES,
             given: tuple[str, ...] = curriculum.GIVEN_MODULES) -> GeneratedTree:
    """Return the stub tree that ``solutions`` generates, checking it against the curriculum.

    Raises ``RegionError`` when a region is malformed, names an unknown
    exercise or sits in another exercise's module, when an exercise's module
    has no region at all, or when a Python module is neither an exercise's
    nor a given one (register it in ``grader/curriculum.py``).
    """
    files: dict[str, bytes] = {}
    regions: dict[str, list[Region]] = {}
    for path in iter_files(solutions):
        relative = path.relative_to(solutions).as_posix()
        if path.suffix != ".py":
            files[relative] = path.read_bytes()
            continue
        text = path.read_text(encoding="utf-8")
        if "from solutions" in text or "import solutions" in text:
            raise RegionError(f"{relative}: imports 'solutions'; use relative imports so the stub works as 'exercises'")
        stub, found = make_stub(text, relative)
        files[relative] = stub.encode("utf-8")
        if found:
            regions[relative] = found

    modules = {exercise.module: exercise for exercise in exercises}
    unknown = sorted(relative for relative in files if relative.endswith(".py") and relative not in modules and relative not in given)
    if unknown:
        raise RegionError(f"{', '.join(unknown)}: not in the curriculum; add each to EXERCISES or GIVEN_MODULES in grader/curriculum.py")
    for relative, found in regions.items():
        for region in found:
            exercise = modules.get(relative)
            if exercise is None or exercise.id != region.exercise_id:
                expected = f"exercise {exercise.id}" if exercise else "no exercise (the curriculum gives this module)"
                raise RegionError(
                    f"{relative}:{region.start}: region names exercise {region.exercise_id}, "
                    f"but this module belongs to {expected}"
                )
    for exercise in exercises:
        if exercise.module not in files:
            raise RegionError(f"exercise {exercise.id}: module {exercise.module} is missing from {solutions}")
        if exercise.module not in regions:
            raise RegionError(f"exercise {exercise.id}: {exercise.module} has no '# BEGIN SOLUTION' region")
    return GeneratedTree(files, regions)


def write_tree(files: dict[str, bytes], destination: Path) -> None:
    """Replace ``destination`` with exactly ``files``."""
    if destination.exists():
        shutil.rmtree(destination)
    for relative, content in files.items():
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def diff_tree(files: dict[str, bytes], destination: Path) -> list[str]:
    """Return unified-diff lines from ``destination`` to ``files``; empty when they match."""
    on_disk = {p.relative_to(destination).as_posix(): p.read_bytes() for p in iter_files(destination)} if destination.exists() else {}
    lines: list[str] = []
    for relative in sorted(set(files) | set(on_disk)):
        expected, actual = files.get(relative), on_disk.get(relative)
        if expected == actual:
            continue
        old = actual.decode("utf-8", "replace").splitlines(keepends=True) if actual is not None else []
        new = expected.decode("utf-8", "replace").splitlines(keepends=True) if expected is not None else []
        fromfile = f"a/{destination.name}/{relative}" if actual is not None else "/dev/null"
        tofile = f"b/{destination.name}/{relative}" if expected is not None else "/dev/null"
        lines.extend(difflib.unified_diff(old, new, fromfile, tofile))
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
    return lines


def solution_only_lines(solutions: Path, tree: GeneratedTree) -> set[str]:
    """Return the stripped code lines that occur only inside solution regions.

    These lines must never reach a student: the bundle test searches for them.
    A line that also appears in any generated file (a given module may repeat a
    constant) is public. Lines shorter than 12 characters (``return x``, ``)``)
    are too common to mean anything.
    """
    secret: set[str] = set()
    for found in tree.regions.values():
        for region in found:
            secret.update(line.strip() for line in region.solution if len(line.strip()) >= 12 and not line.strip().startswith("#"))
    public = {line.strip() for content in tree.files.values() for line in content.decode("utf-8", "replace").splitlines()}
    return secret - public
