"""Tests of ``grader gradescope``: the autograder zip's contents, and run_autograder in a simulated Gradescope root."""

import argparse
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader import curriculum
from grader.gradescope import command
from grader.gradescope.autograder import submission_path
from grader.gradescope.package import AutograderError, build_autograder_zip
from grader.release import iter_files

KIT = Path(__file__).resolve().parents[2]
LOSSES = curriculum.by_id("1.2")  # a fast exercise: no training, no images


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory) -> Path:
    """Build the zip through the command's own parser, as `grader gradescope --out FILE` does."""
    out = tmp_path_factory.mktemp("gradescope") / "autograder.zip"
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    assert command.run(parser.parse_args(["--out", str(out), "--kit", str(KIT)])) == 0
    return out


def unpack(archive: Path, destination: Path) -> None:
    """Extract like unzip does on Gradescope, keeping each member's Unix mode bits."""
    with zipfile.ZipFile(archive) as bundle:
        for info in bundle.infolist():
            bundle.extract(info, destination)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(destination / info.filename, mode)


@pytest.fixture(scope="module")
def autograder_source(autograder_zip, tmp_path_factory) -> Path:
    """Return the zip unpacked once, as Gradescope's /autograder/source; each test copies it into its own root."""
    source = tmp_path_factory.mktemp("unpacked") / "source"
    unpack(autograder_zip, source)
    return source


def make_root(tmp_path: Path, source: Path) -> Path:
    root = tmp_path / "autograder"
    shutil.copytree(source, root / "source", symlinks=True)
    (root / "submission").mkdir()
    # Gradescope copies run_autograder to the root and runs it from there.
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    return root


def run_autograder(root: Path, grade_args: str) -> tuple[subprocess.CompletedProcess, dict]:
    """Run root/run_autograder with the kit installed in this interpreter's environment, and return its results.json."""
    environment = {key: value for key, value in os.environ.items() if key not in {"KIT_ROOT", "PYTHONPATH"}}
    environment.update(
        AUTOGRADER_ROOT=str(root),
        KIT_GRADE_ARGS=grade_args,
        # run_autograder falls back to the python3 on PATH when source/.venv is missing, as here.
        PATH=os.pathsep.join([str(Path(sys.executable).parent), environment.get("PATH", "/usr/bin:/bin")]),
        # The image set that setup.sh would draw: reuse the checkout's, so that no test draws it again.
        KIT_CACHE_DIR=str(KIT / "data"),
    )
    completed = subprocess.run([str(root / "run_autograder")], env=environment, capture_output=True, text=True, timeout=300,
                               stdin=subprocess.DEVNULL)
    results = root / "results" / "results.json"
    assert results.is_file(), completed.stdout + completed.stderr
    return completed, json.loads(results.read_text(encoding="utf-8"))


def zip_modes(archive: Path) -> dict[str, int]:
    with zipfile.ZipFile(archive) as bundle:
        return {info.filename: (info.external_attr >> 16) & 0o777 for info in bundle.infolist()}


def test_zip_holds_scripts_and_grading_files(autograder_zip):
    modes = zip_modes(autograder_zip)
    names = set(modes)

    assert modes["setup.sh"] & stat.S_IXUSR
    assert modes["run_autograder"] & stat.S_IXUSR
    for required in ("pyproject.toml", "README.md", "tests/__init__.py", "tests/conftest.py", "tests/strategies.py",
                     "tests/hidden/calibration.json", "grader/gradescope/autograder.py", "data/roots.py"):
        assert required in names
    for folder in ("solutions", "tests/public", "tests/hidden"):
        expected = {path.relative_to(KIT).as_posix() for path in iter_files(KIT / folder)}
        assert expected - names == set(), f"{folder} files missing from the zip"


def test_zip_leaves_out_local_and_student_files(autograder_zip):
    names = set(zip_modes(autograder_zip))

    assert [name for name in names if "__pycache__" in name or name.endswith(".pyc")] == []
    assert [name for name in names if name.startswith((".git", ".venv", "exercises/", "tests/kit/", "tests/data/"))] == []
    assert [name for name in names if name.startswith(("data/generated/", "data/cache/"))] == []
    assert [name for name in names if name.startswith("data/") and not name.endswith(".py")] == []
    assert [name for name in names if name.endswith(".student-bundle") or ".egg-info" in name] == []


def test_zip_is_reproducible(autograder_zip, tmp_path):
    again = tmp_path / "again.zip"
    build_autograder_zip(KIT, again)
    assert again.read_bytes() == autograder_zip.read_bytes()


def test_zip_needs_calibration_file(tmp_path):
    kit = tmp_path / "kit"
    for relative in ("pyproject.toml", "README.md", "tests/__init__.py", "tests/conftest.py", "tests/strategies.py"):
        (kit / relative).parent.mkdir(parents=True, exist_ok=True)
        (kit / relative).write_text("")
    with pytest.raises(AutograderError, match="calibration.json not found"):
        build_autograder_zip(kit, tmp_path / "autograder.zip")
    assert not (tmp_path / "autograder.zip").exists()


def test_submission_path_layouts(tmp_path):
    tree = tmp_path / "tree"
    (tree / "toy").mkdir(parents=True)
    (tree / "toy" / "losses.py").write_text("")
    assert submission_path(tree) == tree

    upload = tmp_path / "upload"
    upload.mkdir()
    (upload / "work.zip").write_bytes(b"")
    assert submission_path(upload) == upload / "work.zip"

    with pytest.raises(FileNotFoundError):
        submission_path(tmp_path / "missing")


def test_reference_scores_full_points(autograder_source, tmp_path):
    root = make_root(tmp_path, autograder_source)
    module = root / "submission" / "exercises" / LOSSES.module
    module.parent.mkdir(parents=True)
    shutil.copyfile(KIT / "solutions" / LOSSES.module, module)

    completed, results = run_autograder(root, f"--exercise {LOSSES.id}")

    assert completed.returncode == 0, completed.stderr
    assert results["tests"], completed.stdout + completed.stderr
    maximum = sum(test["max_score"] for test in results["tests"])
    assert maximum > 0
    assert results["score"] == maximum, results["output"]
    assert {test["number"] for test in results["tests"]} == {LOSSES.id}


def test_stub_zip_upload_scores_zero(autograder_source, tmp_path):
    root = make_root(tmp_path, autograder_source)
    with zipfile.ZipFile(root / "submission" / "upload.zip", "w") as upload:
        upload.write(KIT / "exercises" / LOSSES.module, LOSSES.module)  # the exercises folder's contents, zipped

    completed, results = run_autograder(root, f"--exercise {LOSSES.id}")

    assert completed.returncode == 0, completed.stderr
    assert results["tests"], completed.stdout + completed.stderr
    assert results["score"] == 0
    assert all(test["status"] == "failed" for test in results["tests"])


def test_grading_error_writes_zero_results(autograder_source, tmp_path):
    root = make_root(tmp_path, autograder_source)
    shutil.copytree(KIT / "solutions" / "toy", root / "submission" / "toy")

    completed, results = run_autograder(root, "--exercise 9.9")

    assert completed.returncode == 0
    assert results["score"] == 0
    assert results["tests"] == []
    assert "unknown exercise id '9.9'" in results["output"]


def test_broken_install_still_writes_results(autograder_source, tmp_path):
    root = make_root(tmp_path, autograder_source)
    python = root / "source" / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("#!/bin/sh\nexit 3\n")  # an interpreter that fails before any Python runs
    python.chmod(0o755)

    completed, results = run_autograder(root, "")

    assert completed.returncode == 0
    assert results["score"] == 0
    assert "exit code 3" in results["output"]
