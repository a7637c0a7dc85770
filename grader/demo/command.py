"""``grader demo``: grade the reference and the stubs as two submissions and print the grade table."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from grader import kit_root
from grader.grade import grade_paths
from grader.grade.report import table, write_reports


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=None, metavar="DIR", help="keep grades.csv and results here (default: a temporary folder)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N", help="exercises graded at the same time (default: CPU count)")
    parser.add_argument("--kit", type=Path, default=None, help="kit root (default: this checkout)")


def run(args: argparse.Namespace) -> int:
    kit = (args.kit or kit_root()).resolve()
    print(f"grading {kit / 'solutions'} (the reference) and {kit / 'exercises'} (the stubs) ...")
    results = grade_paths(kit, [kit / "solutions", kit / "exercises"], names=["reference", "stubs"], jobs=args.jobs)
    with tempfile.TemporaryDirectory(prefix="kit-demo-") as scratch:
        out = args.out or Path(scratch)
        write_reports(results, out)
        print(table(results))
        print(f"\nisolation: {results[0].isolation} (see docs/grading.md)")
        if args.out:
            print(f"\nwrote {out / 'grades.csv'} and the results.json of each submission")
    return 0
