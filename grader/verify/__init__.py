"""``grader verify``: the checks that prove the kit is sound, run by CI.

1. ``exercises/`` is what ``solutions/`` generates.
2. Every exercise has graded tests.
3. The reference passes every graded test.
4. The stubs fail every graded test.
5. Every wrong answer under ``tests/kit/corpus/wrong/<id>/`` loses points on its
   exercise, and every correct variant under ``tests/kit/corpus/correct/<id>/``
   scores full marks.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader import curriculum
from grader.grade import Options, SubmissionResult, grade_paths
from grader.grade.runner import collect_rubric
from grader.release import diff_tree, generate
from grader.release.stubs import RegionError

CORPUS = Path("tests/kit/corpus")


@dataclass
class CorpusCase:
    kind: str  # "wrong" or "correct"
    exercise: curriculum.Exercise
    path: Path

    @property
    def name(self) -> str:
        return f"{self.kind}/{self.exercise.id}/{self.path.stem}"

    @property
    def description(self) -> str:
        """Return the first line of the case's module docstring, which names the mistake or variant."""
        import ast

        try:
            docstring = ast.get_docstring(ast.parse(self.path.read_text(encoding="utf-8"))) or ""
        except SyntaxError:
            docstring = "(does not parse)"
        return docstring.strip().splitlines()[0] if docstring.strip() else ""


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


def corpus_cases(kit: Path) -> list[CorpusCase]:
    """Return every corpus case; a folder that is not an exercise id raises ``KeyError``."""
    cases = []
    for kind in ("wrong", "correct"):
        for folder in sorted((kit / CORPUS / kind).glob("*")):
            if not folder.is_dir() or folder.name == "__pycache__":
                continue
            exercise = curriculum.by_id(folder.name)
            cases.extend(CorpusCase(kind, exercise, path) for path in sorted(folder.glob("*.py")))
    return cases


def stage_case(case: CorpusCase, root: Path) -> Path:
    """Lay out ``case`` as a one-module submission under ``root`` and return its folder."""
    folder = root / case.name.replace("/", "__")
    target = folder / "exercises" / case.exercise.module
    target.parent.mkdir(parents=True)
    shutil.copyfile(case.path, target)
    return folder


def failing_tests(result: SubmissionResult) -> list[str]:
    return [t.test.name for e in result.exercises for t in e.tests if t.outcome != "passed"]


def verify(kit: Path, jobs: int = 2, exercise_ids: list[str] | None = None, log=print) -> list[Check]:
    """Run every check and return them; the kit is sound when all are ok.

    ``exercise_ids`` limits the grading checks to these exercises (default: all).
    """
    checks: list[Check] = []
    exercises = [curriculum.by_id(i) for i in exercise_ids] if exercise_ids else list(curriculum.EXERCISES)
    ids = [exercise.id for exercise in exercises]

    try:
        tree = generate(kit / "solutions")
        diff = diff_tree(tree.files, kit / "exercises")
        checks.append(Check("release in sync", not diff, "".join(diff[:40]) + ("run 'grader release' and commit" if diff else "")))
    except RegionError as error:
        checks.append(Check("release in sync", False, str(error)))

    rubric = collect_rubric(kit, ids)
    for exercise in exercises:
        count = sum(1 for test in rubric if test.exercise == exercise.id)
        checks.append(Check(f"{exercise.id} has graded tests", count > 0, f"{count} tests"))

    cases = [case for case in corpus_cases(kit) if case.exercise.id in ids]
    staging = Path(tempfile.mkdtemp(prefix="kit-verify-"))
    try:
        paths = [kit / "solutions", kit / "exercises"]
        names = ["reference", "stubs"]
        for case in cases:
            paths.append(stage_case(case, staging))
            names.append(case.name)
        log(f"grading the reference, the stubs and {len(cases)} corpus cases with {jobs} jobs ...")
        # One batch keeps every job busy. A corpus case holds only its own module, so its other exercises are
        # "missing" at no cost, and only its own exercise is read below.
        # The corpus is the kit's own code, so it runs on warm servers, without the sandbox's start-up cost.
        graded = grade_paths(kit, paths, names=names, exercise_ids=ids, rubric=rubric, options=Options(jobs=jobs, trusted=True))
        results = {result.name: result for result in graded}
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    reference = results["reference"]
    for exercise in reference.exercises:
        failed = [t.test.name for t in exercise.tests if t.outcome != "passed"]
        detail = f"{exercise.status}: " + ", ".join(failed) + (f" ({exercise.message[:500]})" if exercise.message else "")
        checks.append(Check(f"reference passes {exercise.exercise.id}", not failed and exercise.status == "passed", detail))

    stubs = results["stubs"]
    for exercise in stubs.exercises:
        passed = [t.test.name for t in exercise.tests if t.outcome == "passed"]
        checks.append(Check(f"stub fails every test of {exercise.exercise.id}", not passed, "passes: " + ", ".join(passed)))

    for case in cases:
        own = [exercise for exercise in results[case.name].exercises if exercise.exercise.id == case.exercise.id]
        result = SubmissionResult(case.name, results[case.name].source, own)
        failing = failing_tests(result)
        status = own[0].status if own else "not graded"
        if case.kind == "wrong":
            ok = bool(failing) and result.score < result.max_score
            detail = f"rejected by {', '.join(failing)}" if ok else "passes every test: the hidden tests miss this mistake"
        else:
            ok = not failing and result.max_score > 0
            detail = "full marks" if ok else f"{status}; fails {', '.join(failing)}: a correct answer must score full marks"
        checks.append(Check(f"{case.name} ({case.description})", ok, detail))
    return checks
