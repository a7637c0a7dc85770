"""Find the ``exercises/`` tree inside a submission: a folder, a zip file or a git repository."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

from grader import curriculum

MAX_ZIP_BYTES = 200 * 1024 * 1024  # uncompressed size accepted from one zip
MAX_ZIP_MEMBERS = 20_000
SKIPPED_FOLDERS = {"__MACOSX", "__pycache__", ".git", ".venv", "node_modules", ".ipynb_checkpoints"}


class SubmissionError(ValueError):
    """The submission cannot be opened (an unsafe or oversized zip, a path that does not exist)."""


@dataclass
class Submission:
    name: str
    source: Path  # what the instructor passed: a folder or a zip
    tree: Path | None  # the exercises tree, or None when none was found
    root: Path | None = None  # the folder the tree was found in: the submitted folder, or where it was extracted

    def contains(self, path: Path) -> bool:
        """Return whether ``path``, with every symbolic link followed, lies inside the submission."""
        root = (self.root or self.tree or path).resolve()
        return path.resolve().is_relative_to(root) and not path.is_symlink()

    def module(self, exercise: curriculum.Exercise) -> Path | None:
        """Return the submitted file for ``exercise``, or ``None`` when it is missing."""
        if self.tree is None:
            return None
        path = self.tree / exercise.module
        return path if path.is_file() else None

    def content_hash(self) -> str:
        """Return a SHA-256 over every curriculum module the submission holds, by path."""
        digest = hashlib.sha256()
        for exercise in curriculum.EXERCISES:
            path = self.module(exercise)
            digest.update(exercise.module.encode() + b"\0")
            digest.update(path.read_bytes() if path else b"<missing>")
            digest.update(b"\0")
        return digest.hexdigest()


def looks_like_tree(folder: Path) -> bool:
    """Return whether ``folder`` contains at least one curriculum module at its expected path."""
    return any((folder / exercise.module).is_file() for exercise in curriculum.EXERCISES)


def find_tree(root: Path) -> Path | None:
    """Return the exercises tree under ``root``: ``root/exercises``, ``root`` itself, or the shallowest match below."""
    if (root / "exercises").is_dir() and looks_like_tree(root / "exercises"):
        return root / "exercises"
    if looks_like_tree(root):
        return root
    candidates = [
        path
        for path in root.rglob("exercises")
        if path.is_dir() and not SKIPPED_FOLDERS.intersection(path.relative_to(root).parts) and looks_like_tree(path)
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda path: (len(path.relative_to(root).parts), str(path)))


def extract_zip(archive: Path, destination: Path) -> None:
    """Extract ``archive`` into ``destination``, rejecting absolute paths, ``..`` and oversized content."""
    try:
        with zipfile.ZipFile(archive) as bundle:
            # A student who zips the whole kit folder also zips .venv and caches: leave them out before counting.
            members = [m for m in bundle.infolist() if not SKIPPED_FOLDERS.intersection(Path(m.filename).parts)]
            if len(members) > MAX_ZIP_MEMBERS:
                raise SubmissionError(f"{archive.name}: {len(members)} entries, more than the {MAX_ZIP_MEMBERS} accepted")
            total = sum(member.file_size for member in members)
            if total > MAX_ZIP_BYTES:
                raise SubmissionError(f"{archive.name}: {total} bytes uncompressed, more than the {MAX_ZIP_BYTES} accepted")
            for member in members:
                parts = Path(member.filename).parts
                if member.filename.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
                    raise SubmissionError(f"{archive.name}: entry {member.filename!r} points outside the archive")
                if member.external_attr >> 28 == 0o12:  # a symbolic link stored by a Unix zip
                    continue
                bundle.extract(member, destination)
    except zipfile.BadZipFile as error:
        raise SubmissionError(f"{archive.name}: not a valid zip file ({error})") from error
    except (RuntimeError, NotImplementedError, OSError, ValueError, EOFError) as error:
        # Encrypted members, unsupported compression methods, names too long or clashing with a folder.
        raise SubmissionError(f"{archive.name}: cannot be extracted ({type(error).__name__}: {error}); "
                              "send a plain zip of the exercises folder") from error


def is_bare_repository(folder: Path) -> bool:
    return (folder / "HEAD").is_file() and (folder / "objects").is_dir() and (folder / "refs").is_dir()


def clone_repository(source: Path, destination: Path) -> None:
    """Clone a local bare repository or git bundle into ``destination``; only the local file protocol is allowed."""
    git = shutil.which("git")
    if git is None:
        raise SubmissionError(f"{source.name}: grading a git repository needs git; install it or submit a folder")
    environment = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    command = [git, "-c", "protocol.allow=never", "-c", "protocol.file.allow=always", "clone", "--quiet", "--no-hardlinks",
               "--", str(source), str(destination)]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=120, env=environment, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise SubmissionError(f"{source.name}: cloning the repository took more than 120 s") from None
    if completed.returncode != 0:
        raise SubmissionError(f"{source.name}: git clone failed: {completed.stderr.strip()[-300:]}")


def open_submission(path: Path, workdir: Path, name: str) -> Submission:
    """Open a folder, zip, bare git repository or git bundle; zips are extracted and repositories cloned under ``workdir``."""
    path = path.resolve()
    if not path.exists():
        raise SubmissionError(f"submission not found: {path}")
    if path.is_dir() and is_bare_repository(path) or path.is_file() and path.suffix == ".bundle":
        destination = workdir / "cloned" / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        clone_repository(path, destination)
        return Submission(name, path, find_tree(destination), destination)
    if path.is_dir():
        return Submission(name, path, find_tree(path), path)
    if zipfile.is_zipfile(path):
        destination = workdir / "unzipped" / name
        destination.mkdir(parents=True, exist_ok=True)
        extract_zip(path, destination)
        return Submission(name, path, find_tree(destination), destination)
    raise SubmissionError(f"{path.name}: a submission must be a folder, a .zip file, a bare git repository or a .bundle file")


RESERVED_NAMES = {"grades.csv"}  # files that the reports write beside the per-submission folders


def submission_names(paths: list[Path]) -> list[str]:
    """Return one unique, readable name per path: the file or folder name, suffixed with -2, -3, ... when taken."""
    names: list[str] = []
    taken = set(RESERVED_NAMES)
    for path in paths:
        base = path.resolve().name
        for suffix in (".zip", ".bundle", ".git"):
            base = base.removesuffix(suffix)
        base = base.strip(". ") or "submission"
        name, count = base, 1
        while name in taken:
            count += 1
            name = f"{base}-{count}"
        taken.add(name)
        names.append(name)
    return names
