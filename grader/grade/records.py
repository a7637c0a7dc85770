"""Saved grading records: one JSON file per submission, so an interrupted batch resumes where it stopped.

A record is reused only when the submission's content hash, the fingerprint (reference, tests, grader code
and grading options) and the graded exercises all match. Anything else is graded again.
"""

from __future__ import annotations

import hashlib
import json
import platform
from importlib import metadata
from pathlib import Path

from grader import curriculum
from grader.grade.runner import ExerciseResult, RubricTest, TestResult

RECORD_FILE = "record.json"
RECORD_VERSION = 1
FINGERPRINT_FOLDERS = ("solutions", "tests/public", "tests/hidden", "grader")
ENVIRONMENT_PACKAGES = ("torch", "torchvision", "timm", "numpy", "pytest", "scikit-learn")


def kit_fingerprint(kit: Path, settings: str = "") -> str:
    """Return a SHA-256 over the reference, the graded tests, the grader and ``settings``, so that a changed kit or
    grading option regrades everything."""
    digest = hashlib.sha256(settings.encode() + b"\0")
    for folder in FINGERPRINT_FOLDERS:
        for path in sorted((kit / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(path.relative_to(kit).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def environment(isolation: str) -> dict[str, str]:
    """Return the versions and device that grading ran with, so a disputed grade can be reproduced."""
    versions = {}
    for package in ENVIRONMENT_PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    try:
        import torch

        device = f"cuda ({torch.cuda.get_device_name(0)})" if torch.cuda.is_available() else "cpu"
    except ImportError:
        device = "unknown"
    return {"python": platform.python_version(), **versions, "device": device, "platform": platform.platform(),
            "isolation": isolation}


def to_dict(result) -> dict:
    """Return a submission result as plain JSON data."""
    return {
        "version": RECORD_VERSION,
        "name": result.name,
        "source": str(result.source),
        "content_hash": result.content_hash,
        "fingerprint": result.fingerprint,
        "isolation": result.isolation,
        "environment": result.environment,
        "flags": result.flags,
        "message": result.message,
        "duration": result.duration,
        "exercises": [
            {
                "id": exercise.exercise.id,
                "status": exercise.status,
                "duration": exercise.duration,
                "message": exercise.message,
                "tests": [
                    {"nodeid": test.test.nodeid, "name": test.test.name, "points": test.test.points,
                     "visibility": test.test.visibility, "outcome": test.outcome, "message": test.message}
                    for test in exercise.tests
                ],
            }
            for exercise in result.exercises
        ],
    }


def from_dict(data: dict, result_type):
    """Rebuild a submission result from ``to_dict`` output; ``KeyError`` or ``ValueError`` when it is malformed."""
    if data.get("version") != RECORD_VERSION:
        raise ValueError(f"record version {data.get('version')!r}, expected {RECORD_VERSION}")
    exercises = []
    for entry in data["exercises"]:
        exercise = curriculum.by_id(entry["id"])
        tests = [TestResult(RubricTest(t["nodeid"], t["name"], exercise.id, float(t["points"]), t["visibility"]),
                            t["outcome"], t["message"]) for t in entry["tests"]]
        exercises.append(ExerciseResult(exercise, entry["status"], tests, float(entry["duration"]), entry["message"]))
    return result_type(data["name"], Path(data["source"]), exercises, data["message"], float(data["duration"]),
                       content_hash=data["content_hash"], fingerprint=data["fingerprint"], isolation=data["isolation"],
                       environment=data["environment"], flags=list(data["flags"]))


def load_record(folder: Path, result_type):
    """Return the saved result in ``folder``, or ``None`` when there is none or it cannot be read."""
    path = folder / RECORD_FILE
    if not path.is_file():
        return None
    try:
        return from_dict(json.loads(path.read_text(encoding="utf-8")), result_type)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save_record(result, folder: Path) -> None:
    """Write the result to ``folder/record.json`` through a temporary file, so an interrupted write leaves no half record."""
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / f".{RECORD_FILE}.partial"
    staging.write_text(json.dumps(to_dict(result), indent=1), encoding="utf-8")
    staging.replace(folder / RECORD_FILE)
