"""Grade one Gradescope upload: ``python -m grader.gradescope.autograder [ROOT]``, called by ``run_autograder``.

ROOT (default ``$AUTOGRADER_ROOT``, else ``/autograder``) contains ``source/``
(the unpacked autograder zip), ``submission/`` (the upload) and ``results/``.
The upload is graded with ``grader grade`` and its ``results.json`` copied to
``results/results.json``. Whatever fails, a ``results.json`` is written: a
crash gives a score of 0 with the error in ``output``, which students see.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader.grade.submission import find_tree

ROOT_VARIABLE = "AUTOGRADER_ROOT"
ARGUMENTS_VARIABLE = "KIT_GRADE_ARGS"  # extra `grader grade` options, split like a shell command line
DEFAULT_ROOT = Path("/autograder")
OUTPUT_LIMIT = 3000  # characters of the grader's own output kept in a failure message, read from its end


def autograder_root(argument: str | None = None) -> Path:
    """Return the autograder root: ``argument``, else ``$AUTOGRADER_ROOT``, else ``/autograder``."""
    return Path(argument or os.environ.get(ROOT_VARIABLE) or DEFAULT_ROOT)


def submission_path(folder: Path) -> Path:
    """Return what to grade in the upload folder: the folder itself, or the one zip in it when it contains no exercises tree.

    Gradescope unpacks an uploaded zip, so the folder is usually the exercises
    tree itself or a folder that contains ``exercises/``. ``grader grade``
    searches the folder (or zip) for the tree and reports when there is none.
    """
    if not folder.is_dir():
        raise FileNotFoundError(f"the submission folder {folder} does not exist")
    if find_tree(folder) is not None:
        return folder
    archives = sorted(path for path in folder.iterdir() if path.is_file() and path.suffix.lower() == ".zip")
    return archives[0] if len(archives) == 1 else folder


def failure_results(message: str, started: float) -> dict:
    """Return a Gradescope results.json payload with a score of 0 that explains ``message``."""
    return {
        "score": 0.0,
        "execution_time": round(time.monotonic() - started, 2),
        "output": f"Grading failed, so this submission scores 0. Tell your instructor.\n{message}",
        "tests": [],
    }


def tail(text: str) -> str:
    return text[-OUTPUT_LIMIT:]


def grade(root: Path, arguments: str) -> dict:
    """Run ``grader grade`` on the upload and return its results.json payload, or raise ``RuntimeError`` when grading fails.

    ``arguments`` are extra ``grader grade`` options, split like a shell command line.
    """
    try:
        extra = shlex.split(arguments)
    except ValueError as error:
        raise RuntimeError(f"{ARGUMENTS_VARIABLE} is not a valid command line ({error}): {arguments!r}") from None
    source = root / "source"
    target = submission_path(root / "submission")
    with tempfile.TemporaryDirectory(prefix="kit-gradescope-") as scratch:
        out = Path(scratch) / "out"
        command = [sys.executable, "-m", "grader", "grade", str(target), "--out", str(out), "--kit", str(source), *extra]
        print("running:", shlex.join(command), flush=True)
        completed = subprocess.run(command, cwd=source, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        # Gradescope shows this output to instructors only, in the autograder's log.
        print(completed.stdout, end="", flush=True)
        print(completed.stderr, end="", file=sys.stderr, flush=True)
        if completed.returncode != 0:
            raise RuntimeError(f"grader grade exited with code {completed.returncode}:\n{tail(completed.stderr or completed.stdout)}")
        found = sorted(out.glob("*/results.json"))
        if len(found) != 1:
            raise RuntimeError(f"grader grade wrote {len(found)} results.json files instead of 1:\n{tail(completed.stdout)}")
        payload = json.loads(found[0].read_text(encoding="utf-8"))
    if not isinstance(payload, dict) or not isinstance(payload.get("score"), (int, float)):
        raise RuntimeError("grader grade wrote a results.json without a numeric score")
    return payload


def run_autograder(root: Path, arguments: str = "") -> int:
    """Grade the upload under ``root``, write ``root/results/results.json`` and return 0 when grading succeeded, else 1."""
    started = time.monotonic()
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    try:
        payload, code = grade(root, arguments), 0
    except Exception as error:  # every failure must still produce a results.json
        print(f"grading failed: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
        payload, code = failure_results(f"{type(error).__name__}: {error}", started), 1
    results.write_text(json.dumps(payload, indent=1), encoding="utf-8")
    print(f"wrote {results} (score {payload['score']:g})", flush=True)
    return code


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    return run_autograder(autograder_root(argv[0] if argv else None), os.environ.get(ARGUMENTS_VARIABLE, ""))


if __name__ == "__main__":
    sys.exit(main())
