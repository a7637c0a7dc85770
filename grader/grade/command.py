"""``grader grade PATH... --out DIR``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader import kit_root
from grader.grade import grade_paths
from grader.grade.report import table, write_reports


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="submission folders or zip files")
    parser.add_argument("--out", type=Path, default=Path("grades"), metavar="DIR", help="folder for grades.csv and results (default: ./grades)")
    parser.add_argument("--jobs", type=int, default=1, metavar="N", help="exercises graded at the same time (default: 1)")
    parser.add_argument("--exercise", action="append", default=None, metavar="ID", help="grade only this exercise id (repeatable)")
    parser.add_argument("--timeout-scale", type=float, default=1.0, metavar="FACTOR",
                        help="multiply every exercise's time limit by FACTOR, for slow machines (default: 1.0)")
    parser.add_argument("--kit", type=Path, default=None, help="kit root holding solutions/ and tests/ (default: this checkout)")


def run(args: argparse.Namespace) -> int:
    kit = (args.kit or kit_root()).resolve()
    if args.jobs < 1:
        print(f"--jobs must be at least 1, got {args.jobs}", file=sys.stderr)
        return 2
    if args.timeout_scale <= 0:
        print(f"--timeout-scale must be a positive factor, got {args.timeout_scale}", file=sys.stderr)
        return 2
    try:
        results = grade_paths(kit, args.paths, exercise_ids=args.exercise, jobs=args.jobs, timeout_scale=args.timeout_scale)
    except KeyError as error:
        print(error.args[0], file=sys.stderr)
        return 2
    write_reports(results, args.out)
    print(table(results))
    print(f"\nwrote {args.out / 'grades.csv'} and {len(results)} results.json files")
    return 0
