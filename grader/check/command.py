"""``grader check [--exercise ID] [--root DIR]``: which exercises pass their public tests, and which one comes next."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from grader import kit_root
from grader.check import DONE, CheckError, ExerciseProgress, check, next_exercise, table


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--exercise", action="append", default=None, metavar="ID",
                        help="check only this exercise id, e.g. 1.2; repeat the option for several (default: every exercise)")
    parser.add_argument("--root", type=Path, default=None, metavar="DIR",
                        help="folder that contains exercises/ and tests/public/ (default: this copy of the exercises)")
    parser.add_argument("--timeout", type=float, default=300.0, metavar="SECONDS",
                        help="stop the public tests after this many seconds, in case an exercise loops forever (default: 300)")


def next_steps(entry: ExerciseProgress, root: Path) -> list[str]:
    """Return the lines that name the next exercise, its module and the command that runs its tests."""
    exercise = entry.exercise
    lines = [f"next: exercise {exercise.id} — {exercise.title} (exercises/{exercise.module})"]
    # The kit's pytest configuration targets solutions/, so the command there names the student package.
    target = " --target exercises" if (root / "solutions").is_dir() else ""
    if entry.test_files:
        lines.append(f"run its tests: pytest{target} {' '.join(entry.test_files)}")
    return lines


def run(args: argparse.Namespace) -> int:
    root = (args.root or kit_root()).resolve()
    if args.timeout <= 0:
        print(f"--timeout must be a positive number of seconds, got {args.timeout:g}", file=sys.stderr)
        return 2
    started = time.monotonic()
    try:
        progress = check(root, args.exercise, timeout=args.timeout)
    except KeyError as error:
        print(error.args[0], file=sys.stderr)
        return 2
    except CheckError as error:
        print(f"check failed: {error}", file=sys.stderr)
        return 2

    passed = sum(entry.passed for entry in progress)
    total = sum(entry.total for entry in progress)
    print(f"Public tests of {root / 'exercises'}: {passed} of {total} passed in {time.monotonic() - started:.1f} s\n")
    print(table(progress))
    print("\npoints: what the exercise's public tests are worth. Your instructor grades with more tests.\n")
    upcoming = next_exercise(progress)
    if upcoming is None:
        print("Every checked exercise passes its public tests.")
        return 0
    print("\n".join(next_steps(upcoming, root)))
    return 0 if all(entry.status == DONE for entry in progress) else 1
