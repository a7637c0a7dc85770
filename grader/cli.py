"""The ``grader`` command. Each subcommand lives in the ``grader`` subpackage of the same name."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys

SUBCOMMANDS = {
    "release": "generate exercises/ from solutions/ (--check: fail if they differ; --out DIR: write the student bundle)",
    "check": "run the public tests and show which exercises are done, failing or not started, and what to do next",
    "grade": "grade submissions in a sandbox and write grades.csv, Gradescope results.json and feedback files",
    "gradescope": "build the Gradescope autograder zip (setup.sh, run_autograder and the kit's grading files)",
    "verify": "check the kit: release in sync, reference full marks, stubs zero, wrong-answer corpus rejected",
    "calibrate": "train the reference over several seeds and write the convergence thresholds the tests read",
    "demo": "grade the reference and the stubs as two submissions and print the grade table",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grader", description="Exercise kit tooling for the plant species deep-learning course.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in SUBCOMMANDS.items():
        try:
            if importlib.util.find_spec(f"grader.{name}.command") is None:
                continue
        except ModuleNotFoundError:
            continue  # the student bundle ships only some subcommands
        module = importlib.import_module(f"grader.{name}.command")
        subparser = commands.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(subparser)
        subparser.set_defaults(run=module.run)
    if not commands.choices:
        parser.epilog = "This copy of the kit has no grader command; run pytest to check your exercises."
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
