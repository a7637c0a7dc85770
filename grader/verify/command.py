"""``grader verify``."""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from grader import kit_root
from grader.verify import verify


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N", help="grading processes at the same time (default: CPU count)")
    parser.add_argument("--exercise", action="append", default=None, metavar="ID", help="verify only this exercise id (repeatable)")
    parser.add_argument("--kit", type=Path, default=None, help="kit root (default: this checkout)")


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    checks = verify((args.kit or kit_root()).resolve(), jobs=args.jobs, exercise_ids=args.exercise)
    for check in checks:
        print(f"{'ok  ' if check.ok else 'FAIL'}  {check.name}" + (f"\n      {check.detail}" if not check.ok and check.detail else ""))
    failed = [check for check in checks if not check.ok]
    print(f"\nverify took {time.monotonic() - started:.0f} s")
    print(f"verify: {len(checks) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0
