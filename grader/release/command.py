"""``grader release [--check] [--out DIR]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader import kit_root
from grader.release import diff_tree, generate, write_tree
from grader.release.stubs import RegionError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 with a diff if exercises/ is out of date")
    parser.add_argument("--out", type=Path, metavar="DIR", help="also write the student bundle to DIR, outside the kit (an earlier bundle there is replaced)")
    parser.add_argument("--kit", type=Path, default=None, help="kit root holding solutions/ (default: this checkout)")


def run(args: argparse.Namespace) -> int:
    root = (args.kit or kit_root()).resolve()
    try:
        tree = generate(root / "solutions")
    except RegionError as error:
        print(f"release failed: {error}", file=sys.stderr)
        return 1

    if args.out:
        from grader.release.bundle import BundleError, check_destination

        try:
            check_destination(root, args.out)
        except BundleError as error:
            print(f"release failed: {error}", file=sys.stderr)
            return 1

    if args.check:
        diff = diff_tree(tree.files, root / "exercises")
        if diff:
            sys.stdout.writelines(diff)
            print("exercises/ is out of date: run 'grader release' and commit solutions/ and exercises/ together.", file=sys.stderr)
            return 1
        print(f"exercises/ is in sync with solutions/ ({len(tree.files)} files).")
    elif diff_tree(tree.files, root / "exercises"):
        write_tree(tree.files, root / "exercises")
        print(f"wrote {len(tree.files)} files to {root / 'exercises'}")
    else:
        print(f"exercises/ was already in sync with solutions/ ({len(tree.files)} files)")

    if args.out:
        from grader.release.bundle import BundleError, build_bundle

        try:
            written = build_bundle(root, tree, args.out.resolve())
        except BundleError as error:
            print(f"release failed: {error}", file=sys.stderr)
            return 1
        print(f"wrote the student bundle ({written} files) to {args.out}, replacing any earlier bundle there "
              f"with its virtual environment and edits")
    return 0
