"""``grader grade``: grade submissions exercise by exercise, each in its own process and fresh kit copy."""

from __future__ import annotations

import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from grader import curriculum
from grader.grade.runner import ExerciseResult, RubricTest, TestResult, collect_rubric, grade_exercise
from grader.grade.submission import Submission, SubmissionError, open_submission, submission_names


@dataclass
class SubmissionResult:
    name: str
    source: Path
    exercises: list[ExerciseResult] = field(default_factory=list)
    message: str = ""  # why the submission could not be opened, if it could not
    duration: float = 0.0

    @property
    def score(self) -> float:
        return sum(result.score for result in self.exercises)

    @property
    def max_score(self) -> float:
        return sum(result.max_score for result in self.exercises)


def selected_exercises(ids: list[str] | None) -> list[curriculum.Exercise]:
    """Return the exercises to grade, in curriculum order; ``KeyError`` for an unknown id."""
    if not ids:
        return list(curriculum.EXERCISES)
    wanted = {curriculum.by_id(exercise_id).id for exercise_id in ids}
    return [exercise for exercise in curriculum.EXERCISES if exercise.id in wanted]


def unopened(name: str, source: Path, exercises: list[curriculum.Exercise], rubric: list[RubricTest], message: str) -> SubmissionResult:
    """Return the zero-score result of a submission that could not be opened: it still gets its row."""
    results = [
        ExerciseResult(exercise, "error", [TestResult(t, "not run", message) for t in rubric if t.exercise == exercise.id], message=message)
        for exercise in exercises
    ]
    return SubmissionResult(name, source, results, message)


def grade_paths(kit: Path, paths: list[Path], *, names: list[str] | None = None, exercise_ids: list[str] | None = None,
                jobs: int = 1, timeout_scale: float = 1.0, rubric: list[RubricTest] | None = None,
                on_done=None) -> list[SubmissionResult]:
    """Grade every path and return one result per path, in the order given.

    ``on_done(submission_name, exercise_result)`` is called as each exercise finishes.
    """
    exercises = selected_exercises(exercise_ids)
    rubric = rubric if rubric is not None else collect_rubric(kit, [e.id for e in exercises])
    names = names or submission_names(paths)
    scratch_root = Path(tempfile.mkdtemp(prefix="kit-grade-"))
    try:
        submissions: list[Submission | SubmissionResult] = []
        for path, name in zip(paths, names):
            try:
                submissions.append(open_submission(path, scratch_root, name))
            except SubmissionError as error:
                submissions.append(unopened(name, path, exercises, rubric, str(error)))

        threads = max(1, (os.cpu_count() or 1) // max(1, jobs))
        tasks = [(index, submission, exercise) for index, submission in enumerate(submissions)
                 if isinstance(submission, Submission) for exercise in exercises]

        def run_task(task):
            index, submission, exercise = task
            scratch = Path(tempfile.mkdtemp(prefix=f"{index}-{exercise.id}-", dir=scratch_root))
            try:
                result = grade_exercise(kit, submission.module(exercise), exercise, rubric, scratch, timeout_scale, threads)
            except Exception as error:  # one exercise's failure must not end the batch
                message = f"the grader failed on this exercise: {type(error).__name__}: {error}"
                tests = [TestResult(t, "not run", message) for t in rubric if t.exercise == exercise.id]
                result = ExerciseResult(exercise, "error", tests, message=message)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
            if on_done is not None:
                on_done(submission.name, result)
            return index, result

        by_index: dict[int, list[ExerciseResult]] = {}
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for index, result in pool.map(run_task, tasks):
                by_index.setdefault(index, []).append(result)

        results = []
        for index, submission in enumerate(submissions):
            if isinstance(submission, SubmissionResult):
                results.append(submission)
                continue
            graded = sorted(by_index.get(index, []), key=lambda r: curriculum.sort_key(r.exercise.id))
            message = "" if submission.tree is not None else "no exercises/ tree found in the submission"
            duration = sum(r.duration for r in graded)
            results.append(SubmissionResult(submission.name, submission.source, graded, message, duration))
        return results
    finally:
        shutil.rmtree(scratch_root, ignore_errors=True)
