"""``grader grade``: grade submissions exercise by exercise, each in its own sandboxed process and fresh kit copy."""

from __future__ import annotations

import os
import queue
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from grader import curriculum
from grader.grade import isolation
from grader.grade.isolation import Limits
from grader.grade.redact import Redactor
from grader.grade.runner import ExerciseResult, RubricTest, TestResult, child_environment, collect_rubric, grade_exercise
from grader.grade.scan import scan_file
from grader.grade.submission import Submission, SubmissionError, open_submission, submission_names
from grader.grade.warm import WarmPool


@dataclass
class SubmissionResult:
    name: str
    source: Path
    exercises: list[ExerciseResult] = field(default_factory=list)
    message: str = ""  # why the submission could not be opened, if it could not
    duration: float = 0.0
    content_hash: str = ""  # SHA-256 of the submitted modules, empty when the submission could not be opened
    fingerprint: str = ""  # SHA-256 of the kit that graded it
    isolation: str = ""
    environment: dict[str, str] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)  # static red flags, "<module>: line N: what"
    reused: bool = False  # True when the result was read from an earlier run's record

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


def red_flags(submission: Submission, exercises: list[curriculum.Exercise]) -> list[str]:
    """Return the static red flags of every submitted module that is graded."""
    flags = []
    for exercise in exercises:
        module = submission.module(exercise)
        if module is not None and not module.is_symlink():
            flags.extend(f"{exercise.module}: {flag}" for flag in scan_file(module))
    return flags


@dataclass
class Options:
    """Settings of a grading batch: parallel jobs, time and resource limits, isolation and data."""

    jobs: int = 1
    timeout_scale: float = 1.0
    isolation: str | None = None  # None: the strongest level this machine offers
    limits: Limits = field(default_factory=Limits)
    data_root: Path | None = None  # None: $KIT_DATA_ROOT, else the generated image set
    # Fork each run from a warm server that has torch imported, with no isolation: only for the kit's own code.
    trusted: bool = False


def resolve_data_root(option: Path | None) -> Path:
    """Return the data root the tests will read, building the generated set now, because the sandbox cannot write it."""
    from data.roots import resolve_data_root as resolve

    return resolve(option).resolve()


def grade_paths(kit: Path, paths: list[Path], *, names: list[str] | None = None, exercise_ids: list[str] | None = None,
                jobs: int = 1, timeout_scale: float = 1.0, rubric: list[RubricTest] | None = None,
                on_done=None, on_planned=None, options: Options | None = None, records: Path | None = None,
                force: bool = False) -> list[SubmissionResult]:
    """Grade every path and return one result per path, in the order given.

    ``on_planned(task_count)`` is called once the submissions are open, and ``on_done(submission_name,
    exercise_result)`` as each exercise finishes. With ``records``, each
    submission's result is saved under ``records/<name>/`` as soon as it is complete, and a submission whose
    saved result has the same content hash, kit fingerprint and exercises is not graded again unless ``force``.
    """
    from grader.grade import records as saved

    options = options or Options(jobs=jobs, timeout_scale=timeout_scale)
    if options.trusted:
        level = "none (trusted code)"
    else:
        level = isolation.check_level(options.isolation) if options.isolation else isolation.detect()
    data_root = resolve_data_root(options.data_root)
    exercises = selected_exercises(exercise_ids)
    rubric = rubric if rubric is not None else collect_rubric(kit, [e.id for e in exercises])
    names = names or submission_names(paths)
    # A record is reused only when the kit and every option that can change a grade are the same.
    fingerprint = saved.kit_fingerprint(kit, f"{level} {options.timeout_scale} {options.limits} {data_root}")
    redactor = Redactor(kit)
    environment = saved.environment(level)
    scratch_root = Path(tempfile.mkdtemp(prefix="kit-grade-"))
    threads = max(1, (os.cpu_count() or 1) // max(1, options.jobs))
    warm = WarmPool(child_environment(threads, data_root)) if options.trusted else None
    try:
        submissions: list[Submission | SubmissionResult] = []
        for path, name in zip(paths, names):
            try:
                submission = open_submission(path, scratch_root, name)
            except SubmissionError as error:
                result = unopened(name, path, exercises, rubric, str(error))
                result.fingerprint, result.isolation, result.environment = fingerprint, level, environment
                submissions.append(result)
                continue
            previous = saved.load_record(records / name, SubmissionResult) if records is not None and not force else None
            if previous is not None and previous.content_hash == submission.content_hash() \
                    and previous.fingerprint == fingerprint and [e.exercise.id for e in previous.exercises] == [e.id for e in exercises]:
                previous.reused = True
                submissions.append(previous)
                continue
            submissions.append(submission)

        tasks = [(index, submission, exercise) for index, submission in enumerate(submissions)
                 if isinstance(submission, Submission) for exercise in exercises]
        remaining = {index: len(exercises) for index, _, _ in tasks}
        if on_planned is not None:
            on_planned(len(tasks))
        free_slots: queue.Queue[int] = queue.Queue()
        for slot in range(max(1, options.jobs)):
            free_slots.put(slot)
        by_index: dict[int, list[ExerciseResult]] = {}

        def finish(index: int) -> SubmissionResult:
            submission = submissions[index]
            graded = sorted(by_index.get(index, []), key=lambda r: curriculum.sort_key(r.exercise.id))
            message = "" if submission.tree is not None else "no exercises/ tree found in the submission"
            return SubmissionResult(submission.name, submission.source, graded, message, sum(r.duration for r in graded),
                                    content_hash=submission.content_hash(), fingerprint=fingerprint, isolation=level,
                                    environment=environment, flags=red_flags(submission, exercises))

        def run_task(task):
            index, submission, exercise = task
            slot = free_slots.get()
            scratch = Path(tempfile.mkdtemp(prefix=f"{index}-{exercise.id}-", dir=scratch_root))
            module = submission.module(exercise)
            try:
                if module is not None and not submission.contains(module):
                    message = (f"{exercise.module} is a symbolic link, or lies in a linked folder, that leads outside the "
                               f"submission; submit the file itself")
                    tests = [TestResult(t, "not run", message) for t in rubric if t.exercise == exercise.id]
                    result = ExerciseResult(exercise, "error", tests, message=message)
                else:
                    result = grade_exercise(kit, module, exercise, rubric, scratch, options.timeout_scale, threads,
                                            level=level, limits=options.limits, slot=slot, data_root=data_root, warm=warm)
            except Exception as error:  # one exercise's failure must not end the batch
                message = f"the grader failed on this exercise: {type(error).__name__}: {error}"
                tests = [TestResult(t, "not run", message) for t in rubric if t.exercise == exercise.id]
                result = ExerciseResult(exercise, "error", tests, message=message)
            finally:
                free_slots.put(slot)
                shutil.rmtree(scratch, ignore_errors=True)
            result.message = redactor.clean(result.message)
            for test in result.tests:
                test.message = redactor.clean(test.message)
            return index, result

        with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
            for future in as_completed([pool.submit(run_task, task) for task in tasks]):
                index, result = future.result()
                by_index.setdefault(index, []).append(result)
                remaining[index] -= 1
                if remaining[index] == 0 and records is not None:
                    saved.save_record(finish(index), records / submissions[index].name)
                if on_done is not None:
                    on_done(submissions[index].name, result)

        results = []
        for index, submission in enumerate(submissions):
            if isinstance(submission, SubmissionResult):
                results.append(submission)
            else:
                results.append(finish(index))
        return results
    finally:
        if warm is not None:
            warm.close()
        shutil.rmtree(scratch_root, ignore_errors=True)
