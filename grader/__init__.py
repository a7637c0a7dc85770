"""Instructor and student tooling for the exercise kit: release, grade, verify, calibrate, demo."""

import os
from pathlib import Path

__version__ = "0.1.0"


def kit_root() -> Path:
    """Return the root of the kit: ``$KIT_ROOT`` if set, else the checkout this package was installed from."""
    if os.environ.get("KIT_ROOT"):
        return Path(os.environ["KIT_ROOT"]).resolve()
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "solutions").is_dir() or (checkout / "exercises").is_dir():
        return checkout
    return Path.cwd()
