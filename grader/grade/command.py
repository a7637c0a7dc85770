"""``grader grade PATH... --out DIR``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader import kit_root
from grader.grade import Options, grade_paths, isolation, selected_exercises
from grader.grade.report import table, write_reports


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                        help="submissions: folders, zip files, bare git repositories or git bundles")
    parser.add_argument("--out", type=Path, default=Path("grades"), metavar="DIR",
                        help="folder for grades.csv and one folder of results per submission (default: ./grades)")
    parser.add_argument("--jobs", type=int, default=1, metavar="N", help="exercises graded at the same time, across submissions (default: 1)")
    parser.add_argument("--exercise", action="append", default=None, metavar="ID", help="grade only this exercise id (repeatable)")
    parser.add_argument("--timeout-scale", type=float, default=1.0, metavar="FACTOR",
                        help="multiply every exercise's time limit by FACTOR, for slow machines (default: 1.0)")
    parser.add_argument("--memory-limit", type=float, default=4.0, metavar="GB",
                        help="resident memory allowed to one exercise's processes, in GiB (default: 4)")
    parser.add_argument("--isolation", choices=isolation.LEVELS, default=None,
                        help="sandbox to grade in (default: the strongest available; see docs/grading.md)")
    parser.add_argument("--data-root", type=Path, default=None, metavar="DIR",
                        help="ImageFolder tree that image tests read (default: $KIT_DATA_ROOT, else the generated image set)")
    parser.add_argument("--force", action="store_true",
                        help="grade every submission again, even one whose earlier record in --out has the same content hash")
    parser.add_argument("--policy", type=Path, default=None, metavar="FILE",
                        help="TOML visibility policy for the feedback files and results.json (default: public tests visible, hidden tests hidden)")
    parser.add_argument("--gradebook", type=Path, default=None, metavar="PATH",
                        help="also write the scores into this nbgrader gradebook (SQLite file, created if missing)")
    parser.add_argument("--assignment", default="exercises", metavar="NAME",
                        help="nbgrader assignment name for --gradebook (default: exercises)")
    parser.add_argument("--no-progress", action="store_true", help="print no progress line")
    parser.add_argument("--kit", type=Path, default=None, help="kit root containing solutions/ and tests/ (default: this checkout)")


def run(args: argparse.Namespace) -> int:
    from grader.grade.progress import Progress
    from grader.grade.visibility import PolicyError, load_policy

    kit = (args.kit or kit_root()).resolve()
    if args.jobs < 1:
        print(f"--jobs must be at least 1, got {args.jobs}", file=sys.stderr)
        return 2
    if args.timeout_scale <= 0:
        print(f"--timeout-scale must be a positive factor, got {args.timeout_scale}", file=sys.stderr)
        return 2
    if args.memory_limit <= 0:
        print(f"--memory-limit must be a positive number of GiB, got {args.memory_limit}", file=sys.stderr)
        return 2
    try:
        policy = load_policy(args.policy)
        exercises = selected_exercises(args.exercise)
        if args.isolation:
            isolation.check_level(args.isolation)
    except (PolicyError, KeyError, ValueError) as error:
        print(error.args[0], file=sys.stderr)
        return 2

    if args.gradebook is not None:
        from grader.grade.gradebook import load_nbgrader_api

        try:
            load_nbgrader_api()  # checked before grading, so a missing nbgrader does not surface after the whole batch
        except ImportError as error:
            print(error.args[0], file=sys.stderr)
            return 2

    limits = isolation.Limits(memory_bytes=int(args.memory_limit * 1024**3))
    options = Options(jobs=args.jobs, timeout_scale=args.timeout_scale, isolation=args.isolation, limits=limits,
                      data_root=args.data_root)
    progress = None if args.no_progress else Progress(len(args.paths) * len(exercises), len(args.paths))
    try:
        results = grade_paths(kit, args.paths, exercise_ids=args.exercise, options=options, records=args.out, force=args.force,
                              on_done=progress.update if progress else None, on_planned=progress.plan if progress else None)
    finally:
        if progress is not None:
            progress.close()
    tests = [test.test for result in results for exercise in result.exercises for test in exercise.tests]
    for rule in policy.unmatched_rules(tests) if tests else []:
        print(f"warning: the policy rule match = {rule.match!r} matches no graded test; check it for a typo", file=sys.stderr)
    write_reports(results, args.out, policy)
    print(table(results))
    reused = sum(result.reused for result in results)
    if reused:
        print(f"\n{reused} submission(s) unchanged since the last run in {args.out} were not graded again (--force grades them)")
    print(f"\nwrote {args.out / 'grades.csv'} and, per submission, results.json, feedback.md and feedback.html "
          f"(isolation: {results[0].isolation if results else 'none'})")
    if results and results[0].isolation == "rlimits":
        print("warning: graded with resource limits only, so student code could read the kit and signal the grader; "
              "install bubblewrap for real grading (docs/grading.md)")
    flagged = [result.name for result in results if result.flags]
    if flagged:
        print(f"red flags to review in {len(flagged)} submission(s): {', '.join(flagged[:10])} (see record.json)")
    if args.gradebook is not None:
        from grader.grade.gradebook import export_gradebook

        count = export_gradebook(results, args.gradebook, args.assignment)
        print(f"wrote {count} submission(s) to the nbgrader gradebook {args.gradebook} (assignment {args.assignment})")
    return 0
