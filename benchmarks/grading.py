"""Benchmark of ``grader grade``: its overhead over plain pytest, and the speed-up of parallel jobs.

1. Overhead: the reference graded as a submission (one sandboxed pytest process per exercise, with a fresh
   kit copy each) against the same public and hidden tests in one plain ``pytest`` process on the reference.
2. Batch: 8 submissions (4 copies of the reference, 4 of the stubs), part 1 only, with ``--jobs 1`` and ``--jobs 2``.

Each measurement is the best of ``--repeats`` runs, so that a busy machine inflates it less. Run it on a
quiet machine: ``python benchmarks/grading.py [--repeats N] [--skip-overhead]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KIT = Path(__file__).resolve().parents[1]
PART_ONE = ["1.1", "1.2", "1.3", "1.4", "1.5"]


def timed(command: list[str], **kwargs) -> float:
    started = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, **kwargs)
    elapsed = time.perf_counter() - started
    if completed.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(command[:4])}... exited with {completed.returncode}:\n{completed.stdout[-2000:]}{completed.stderr[-2000:]}")
    return elapsed


def best_of(repeats: int, command: list[str], **kwargs) -> float:
    return min(timed(command, **kwargs) for _ in range(repeats))


def grade_command(paths: list[Path], out: Path, jobs: int, exercises: list[str] | None = None) -> list[str]:
    command = [sys.executable, "-m", "grader", "grade", *map(str, paths), "--out", str(out), "--jobs", str(jobs),
               "--force", "--no-progress"]
    for exercise in exercises or []:
        command += ["--exercise", exercise]
    return command


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2, help="runs per measurement; the best is kept (default: 2)")
    parser.add_argument("--skip-overhead", action="store_true", help="measure only the batch speed-up")
    args = parser.parse_args()

    from grader.grade import isolation

    print(f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"isolation {isolation.detect()}")
    with tempfile.TemporaryDirectory(prefix="kit-bench-") as folder:
        scratch = Path(folder)
        if not args.skip_overhead:
            plain = best_of(args.repeats, [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "tests/public", "tests/hidden"],
                            cwd=KIT)
            graded = best_of(args.repeats, grade_command([KIT / "solutions"], scratch / "overhead", jobs=1), cwd=KIT)
            print(f"overhead: plain pytest {plain:.1f} s, grader (--jobs 1) {graded:.1f} s, ratio {graded / plain:.2f}")

        submissions = []
        for index in range(8):
            target = scratch / f"student{index}" / "exercises"
            shutil.copytree(KIT / ("solutions" if index % 2 == 0 else "exercises"), target)
            submissions.append(target.parent)
        one = best_of(args.repeats, grade_command(submissions, scratch / "batch1", jobs=1, exercises=PART_ONE), cwd=KIT)
        two = best_of(args.repeats, grade_command(submissions, scratch / "batch2", jobs=2, exercises=PART_ONE), cwd=KIT)
        print(f"batch of 8, part 1: --jobs 1 {one:.1f} s, --jobs 2 {two:.1f} s, speed-up {one / two:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
