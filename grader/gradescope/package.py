"""Build the Gradescope autograder zip: the kit's grading files plus ``setup.sh`` and ``run_autograder``.

Gradescope unpacks the zip into ``/autograder/source``, runs ``setup.sh`` once
while it builds the container image, then runs ``run_autograder`` for every
upload, which must leave ``/autograder/results/results.json``.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

from grader.release import iter_files

# Files and folders copied from the kit as they are: what `pip install -e .` and `grader grade` need.
KIT_FILES = (
    "pyproject.toml",
    "README.md",  # pyproject.toml names it as the package's readme, so the install fails without it
    "tests/__init__.py",
    "tests/conftest.py",
    "tests/strategies.py",
    "tests/hidden/calibration.json",  # the convergence tests' thresholds
)
KIT_FOLDERS = ("grader", "solutions", "tests/public", "tests/hidden")
# Only the Python modules of data/: setup.sh draws the generated image set again, and caches are local.
PYTHON_ONLY_FOLDERS = ("data",)
SKIPPED_PARTS = {"generated", "cache", ".student-bundle"}
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # a fixed timestamp, so the same kit always gives the same zip

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image: it installs Python 3.11,
# the kit with CPU-only PyTorch (Gradescope's containers have no GPU) and draws the generated image set.
# NOTE: written for Gradescope's Ubuntu base images but not run on Gradescope itself. The kit's tests only simulate it.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v python3.11 >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    if ! apt-get install -y python3.11 python3.11-venv; then
        # Ubuntu releases after 22.04 do not package Python 3.11, but the deadsnakes archive does.
        apt-get install -y software-properties-common
        add-apt-repository -y ppa:deadsnakes/ppa
        apt-get update
        apt-get install -y python3.11 python3.11-venv
    fi
fi

# The grader sandboxes student code with bubblewrap where the container allows user namespaces, and falls back
# to resource limits where it does not. Every results.json records which one it ran under.
if ! command -v bwrap >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y bubblewrap || echo "bubblewrap is not available; grading uses resource limits only"
fi

python3.11 -m venv .venv
.venv/bin/python -m pip install --upgrade pip
.venv/bin/python -m pip install --extra-index-url https://download.pytorch.org/whl/cpu -e .
# Drawn once here, so that no submission pays for it and the grading sandbox need not write it.
.venv/bin/python -m data generate
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every upload: grade $AUTOGRADER_ROOT/submission with `grader grade` and write
# $AUTOGRADER_ROOT/results/results.json. AUTOGRADER_ROOT defaults to /autograder, and KIT_GRADE_ARGS adds
# options to `grader grade` (for example "--exercise 1.2 --timeout-scale 2").
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
RESULTS="$ROOT/results/results.json"
mkdir -p "$ROOT/results"

# setup.sh installs the kit into source/.venv. Without it, use the python3 on PATH (a kit installed by hand).
PYTHON=python3
if [ -x "$SOURCE/.venv/bin/python" ]; then
    PYTHON="$SOURCE/.venv/bin/python"
fi

cd "$SOURCE" && "$PYTHON" -m grader.gradescope.autograder "$ROOT"
status=$?
if [ ! -s "$RESULTS" ]; then
    # Python failed before it could report anything (a broken install): Gradescope still needs a results.json.
    printf '{"score": 0, "output": "The autograder failed to start (exit code %s), so nothing was graded. Tell your instructor.", "tests": []}\\n' "$status" > "$RESULTS"
fi
exit 0
"""

SCRIPTS = {"setup.sh": SETUP_SH, "run_autograder": RUN_AUTOGRADER}


class AutograderError(ValueError):
    """The kit lacks a file that the autograder needs."""


def kit_members(kit: Path) -> dict[str, Path]:
    """Return the kit files that go into the zip, by their POSIX path in it, or raise ``AutograderError`` for a missing one."""
    members: dict[str, Path] = {}
    for relative in KIT_FILES:
        if not (kit / relative).is_file():
            raise AutograderError(f"{kit / relative} not found, but the autograder needs it: is {kit} the kit's root?")
        members[relative] = kit / relative
    for folder in (*KIT_FOLDERS, *PYTHON_ONLY_FOLDERS):
        if not (kit / folder).is_dir():
            raise AutograderError(f"{kit / folder} not found, but the autograder needs it: is {kit} the kit's root?")
        for path in iter_files(kit / folder):
            relative = path.relative_to(kit)
            if SKIPPED_PARTS.intersection(relative.parts):
                continue
            if folder in PYTHON_ONLY_FOLDERS and path.suffix != ".py":
                continue
            members[relative.as_posix()] = path
    return members


def add_member(archive: zipfile.ZipFile, name: str, content: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o100755 if executable else 0o100644) << 16  # Unix mode bits, read back by unzip
    archive.writestr(info, content)


def build_autograder_zip(kit: Path, out: Path) -> list[str]:
    """Write the autograder zip for the kit at ``kit`` to ``out`` and return its member names, in zip order.

    The zip is written beside ``out`` and renamed into place, so a failed build leaves no partial file.
    """
    kit, out = kit.resolve(), out.resolve()
    members = {name: path for name, path in kit_members(kit).items() if path.resolve() != out}
    names = [*SCRIPTS, *sorted(members)]
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, staging = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    os.close(handle)
    try:
        with zipfile.ZipFile(staging, "w") as archive:
            for name, script in SCRIPTS.items():
                add_member(archive, name, script.encode("utf-8"), executable=True)
            for name in sorted(members):
                add_member(archive, name, members[name].read_bytes())
        os.chmod(staging, 0o644)
        os.replace(staging, out)
    finally:
        if os.path.exists(staging):
            os.unlink(staging)
    return names
