"""Write grading results into an nbgrader gradebook, so that ``nbgrader export`` and formgrader show them.

nbgrader's gradebook contains assignments, which contain notebooks, which
contain grade cells. The kit becomes one notebook (``exercises``) of the
assignment and each exercise a grade cell whose maximum score is the
exercise's points. A submission's exercise score is stored as that cell's
automatic score, as ``nbgrader autograde`` would store it.

nbgrader is an optional dependency: ``pip install "plant-dl-kit[nbgrader]"``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import warnings
from pathlib import Path

from grader import curriculum
from grader.grade import SubmissionResult

NOTEBOOK = "exercises"  # the one notebook that represents the kit inside the nbgrader assignment
INSTALL_HINT = 'pip install "plant-dl-kit[nbgrader]"'


def load_nbgrader_api():
    """Import and return ``nbgrader.api``, or raise ``ImportError`` with the install command when nbgrader is missing."""
    try:
        from nbgrader import api
    except ImportError as error:
        message = f"exporting to an nbgrader gradebook needs nbgrader, which failed to import ({error}). Install it with: {INSTALL_HINT}"
        raise ImportError(message, name="nbgrader") from error
    return api


@contextlib.contextmanager
def alembic_on_path():
    """Put this interpreter's script folder on ``PATH`` while the block runs, if the ``alembic`` command is not found.

    nbgrader 0.9 runs the ``alembic`` command (found on ``PATH``) to stamp a new
    gradebook's schema version, which fails in a virtual environment that was
    not activated even though alembic is installed in it.
    """
    scripts = Path(sys.executable).parent
    if shutil.which("alembic") is not None or not (scripts / "alembic").is_file():
        yield
        return
    saved = os.environ.get("PATH")
    os.environ["PATH"] = os.pathsep.join(filter(None, [str(scripts), saved]))
    try:
        yield
    finally:
        if saved is None:
            del os.environ["PATH"]
        else:
            os.environ["PATH"] = saved


def cell_name(exercise_id: str) -> str:
    """Return the grade cell name of an exercise, e.g. ``exercise-1.2``."""
    return f"exercise-{exercise_id}"


def exercise_maxima(results: list[SubmissionResult]) -> dict[str, float]:
    """Return each graded exercise's maximum points, in curriculum order.

    Every submission of a batch is graded against the same rubric, so the
    maxima agree. The largest is kept in case one result lacks some tests.
    """
    maxima: dict[str, float] = {}
    for result in results:
        for exercise in result.exercises:
            exercise_id = exercise.exercise.id
            maxima[exercise_id] = max(maxima.get(exercise_id, 0.0), exercise.max_score)
    return {exercise_id: maxima[exercise_id] for exercise_id in sorted(maxima, key=curriculum.sort_key)}


def check_names(results: list[SubmissionResult], assignment: str) -> None:
    """Raise ``ValueError`` for an empty assignment name or a student id that appears twice in the batch."""
    if not assignment.strip():
        raise ValueError("the nbgrader assignment name is empty: pass the assignment's name as it appears in nbgrader")
    seen: set[str] = set()
    for result in results:
        if not result.name.strip():
            raise ValueError(f"submission {result.source} has an empty name, which cannot be an nbgrader student id")
        if result.name in seen:
            raise ValueError(f"submission name {result.name!r} appears twice, but each name becomes one nbgrader student id and must be unique")
        seen.add(result.name)


def submitted_notebook(api, gradebook, submission, assignment: str, student: str):
    """Return the student's copy of the kit notebook, adding it when the submission predates the notebook."""
    try:
        return gradebook.find_submission_notebook(NOTEBOOK, assignment, student)
    except api.MissingEntry:
        notebook = gradebook.find_notebook(NOTEBOOK, assignment)
        copy = api.SubmittedNotebook(notebook=notebook, assignment=submission)
        gradebook.db.add(copy)
        return copy


def write_scores(api, gradebook, submission, result: SubmissionResult, assignment: str) -> None:
    """Store each exercise score of ``result`` as the automatic score of its grade cell, then commit."""
    copy = submitted_notebook(api, gradebook, submission, assignment, result.name)
    for exercise in result.exercises:
        name = cell_name(exercise.exercise.id)
        try:
            grade = gradebook.find_grade(name, NOTEBOOK, assignment, result.name)
        except api.MissingEntry:
            # nbgrader creates a submission's grades from the cells that exist at that time, so a cell
            # added by a later export (a newly graded exercise) has no grade in older submissions yet.
            cell = gradebook.find_grade_cell(name, NOTEBOOK, assignment)
            grade = api.Grade(cell_id=cell.id, notebook=copy)
            gradebook.db.add(grade)
        grade.auto_score = exercise.score
        # As in nbgrader's autograder, a manual score set in formgrader still takes precedence and keeps the flag.
        grade.needs_manual_grade = grade.manual_score is not None
    gradebook.db.commit()


def export_gradebook(results: list[SubmissionResult], database: Path, assignment: str, *,
                     course_id: str = "default_course") -> int:
    """Write ``results`` into the nbgrader gradebook at ``database`` (SQLite) and return the number of submissions written.

    Creates the database, the assignment, its ``exercises`` notebook, one grade
    cell per exercise, the students (id = submission name) and their
    submissions as needed. Exporting again updates the same rows: scores are
    replaced and a changed maximum updates the grade cell.
    """
    api = load_nbgrader_api()
    check_names(results, assignment)
    maxima = exercise_maxima(results)

    database = Path(database).resolve()
    database.parent.mkdir(parents=True, exist_ok=True)
    with alembic_on_path():
        gradebook = api.Gradebook(f"sqlite:///{database}", course_id=course_id)
    with gradebook:
        gradebook.update_or_create_assignment(assignment)
        gradebook.update_or_create_notebook(NOTEBOOK, assignment)
        for exercise_id, max_score in maxima.items():
            gradebook.update_or_create_grade_cell(cell_name(exercise_id), NOTEBOOK, assignment,
                                                  max_score=max_score, cell_type="code")
        for result in results:
            gradebook.update_or_create_student(result.name)
            with warnings.catch_warnings():
                # nbgrader 0.9's add_submission builds related rows before adding them to the session, which
                # makes SQLAlchemy warn "not in session"; the rows are still added and committed.
                warnings.filterwarnings("ignore", message=".*not in session.*")
                submission = gradebook.update_or_create_submission(assignment, result.name)
            write_scores(api, gradebook, submission, result, assignment)
    return len(results)
