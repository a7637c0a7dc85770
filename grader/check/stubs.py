"""Recognise an exercise module that is still the stub a student received.

Most stubs raise ``NotImplementedError``, which the test outcomes show. A few run
(exercise 1.4's purely linear model, the ``None`` constants of 2.2), so ``grader check``
also compares each module with the released stub, by a digest of its text. In the kit
the digests come from ``solutions/``. A student bundle carries them in
``grader/check/stub_digests.json``, which ``write_stub_digests`` writes when the bundle is built.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from grader import curriculum

DIGEST_FILE = "grader/check/stub_digests.json"  # relative to the root of a student bundle
DIGEST_FORMAT = 1


def normalized(text: str) -> str:
    """Return ``text`` with ``\\n`` line ends, no trailing spaces and no trailing blank lines, so re-saving a file changes nothing."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).rstrip("\n")


def text_digest(text: str) -> str:
    """Return the SHA-256 of ``text`` after ``normalized``, in hexadecimal."""
    return hashlib.sha256(normalized(text).encode("utf-8")).hexdigest()


def stub_digests(files: Mapping[str, bytes]) -> dict[str, str]:
    """Return the digest of every exercise module in a generated stub tree, keyed by module path (``toy/losses.py``).

    ``files`` maps paths relative to the exercise package to contents, as
    ``grader.release.GeneratedTree.files`` does.
    """
    modules = {exercise.module for exercise in curriculum.EXERCISES}
    return {path: text_digest(content.decode("utf-8")) for path, content in files.items() if path in modules}


def write_stub_digests(files: Mapping[str, bytes], bundle_root: Path) -> Path:
    """Write the digests of the stub tree ``files`` into a student bundle at ``bundle_root`` and return the file's path."""
    path = Path(bundle_root) / DIGEST_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"format": DIGEST_FORMAT, "modules": dict(sorted(stub_digests(files).items()))}
    path.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    return path


def load_stub_digests(root: Path) -> dict[str, str]:
    """Return the stub digests for the tree at ``root``, or an empty dict when none can be found.

    A kit regenerates them from ``root/solutions``, and a bundle reads ``root/grader/check/stub_digests.json``.
    """
    root = Path(root)
    if (root / "solutions").is_dir():
        try:
            from grader.release import generate
            from grader.release.stubs import RegionError
        except ImportError:
            pass  # a tree with solutions/ but without the release tooling: fall back to the digest file
        else:
            try:
                return stub_digests(generate(root / "solutions").files)
            except RegionError:
                pass  # `grader release` reports a malformed region, and the check only loses its stub detection
    path = root / DIGEST_FILE
    if not path.is_file():
        return {}
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    if not isinstance(payload, dict) or payload.get("format") != DIGEST_FORMAT or not isinstance(payload.get("modules"), dict):
        return {}
    return {str(module): str(digest) for module, digest in payload["modules"].items()}


def untouched_modules(exercises_folder: Path, digests: Mapping[str, str]) -> set[str]:
    """Return the module paths under ``exercises_folder`` whose text still equals the stub's."""
    untouched = set()
    for module, digest in digests.items():
        path = Path(exercises_folder) / module
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if text_digest(text) == digest:
            untouched.add(module)
    return untouched
