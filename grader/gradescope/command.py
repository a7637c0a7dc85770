"""``grader gradescope [--out FILE]``: write the Gradescope autograder zip."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader import kit_root
from grader.gradescope.package import AutograderError, build_autograder_zip


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=Path("autograder.zip"), metavar="FILE",
                        help="zip file to write, replaced if it exists (default: ./autograder.zip)")
    parser.add_argument("--kit", type=Path, default=None, help="kit root containing solutions/ and tests/ (default: this checkout)")


def run(args: argparse.Namespace) -> int:
    kit = (args.kit or kit_root()).resolve()
    try:
        names = build_autograder_zip(kit, args.out)
    except AutograderError as error:
        print(f"gradescope failed: {error}", file=sys.stderr)
        return 1
    print(f"wrote {args.out} ({len(names)} files): upload it as the assignment's autograder on Gradescope")
    return 0
