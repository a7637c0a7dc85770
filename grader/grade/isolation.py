"""Isolation of a grading process: bubblewrap where it works, resource limits always.

Three levels, strongest first; ``detect()`` picks the strongest this machine offers:

- ``bubblewrap``: the tests run under ``bwrap``. They see an allow-list of
  read-only system folders and the grading copy, mounted read-only at
  ``/grading``. They get a private size-limited ``/tmp``, no network, a
  private process tree that dies with the grader, and, when the grader runs as root, a user namespace in which the
  tests run as an unprivileged user id with no capabilities.
  The kit, the other submissions and the output folder are not visible at all.
- ``uid+rlimits``: no bubblewrap, but the grader runs as root and that user id
  can run this Python, so each worker slot runs as its own unprivileged user
  id. The kit stays readable, but student code cannot write to it, signal the
  grader or outlive the run.
- ``rlimits``: neither; resource limits and the process group are all there is.

Resource limits apply at every level: address space, CPU time, file size,
open files, and processes (which the kernel does not enforce for root).
"""

from __future__ import annotations

import functools
import os
import resource
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

LEVELS = ("bubblewrap", "uid+rlimits", "rlimits")
SANDBOX_ROOT = "/grading"  # where the grading copy appears inside bubblewrap
SANDBOX_TMP_BYTES = 512 * 1024 * 1024  # size of the private /tmp inside bubblewrap
FIRST_SLOT_UID = 61000  # worker slot n runs as user id FIRST_SLOT_UID + n when the grader is root
RUN_TOKEN_VARIABLE = "KIT_RUN_TOKEN"  # set to a fresh random value in each grading run's environment
SECRET_FILES = ("/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-", "/etc/sudoers", "/etc/ssh/ssh_host_rsa_key",
                "/etc/ssh/ssh_host_ecdsa_key", "/etc/ssh/ssh_host_ed25519_key")
SYSTEM_FOLDERS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")


@dataclass(frozen=True)
class Limits:
    """Resource limits for one grading process tree."""

    memory_bytes: int = 4 * 1024**3  # resident memory of the whole tree, enforced by the grader's watcher
    address_space_bytes: int = 16 * 1024**3  # per process; torch alone reserves about 4 GB of virtual memory
    file_bytes: int = 256 * 1024**2  # largest file a process may write
    open_files: int = 1024
    # Per slot user id. The kernel does not apply it to root, and under bubblewrap started by root the tests' user id
    # maps to root outside the namespace, so there the private process namespace is what ends every process.
    processes: int = 256
    cpu_seconds: int | None = None  # per process; None: derived from the exercise's time limit


def bubblewrap_works() -> bool:
    """Return whether ``bwrap`` is installed and can start this Python in a sandbox on this machine."""
    return bubblewrap_problem() == ""


@functools.cache
def bubblewrap_problem() -> str:
    """Return why bubblewrap cannot sandbox this Python here, or ``""`` when it can."""
    executable = shutil.which("bwrap")
    if executable is None:
        return "bwrap is not installed (Debian: apt-get install bubblewrap)"
    probe = [executable, *bubblewrap_arguments(Path(sys.prefix), [], slot_uid(0)), "--", sys.executable, "-c", "pass"]
    try:
        completed = subprocess.run(probe, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as error:
        return f"bwrap failed to start: {error}"
    if completed.returncode != 0:
        return f"bwrap could not start {sys.executable} in a sandbox: {completed.stderr.strip()[-300:]}"
    return ""


@functools.cache
def slot_uid_works() -> bool:
    """Return whether the grader runs as root and a slot's user id can start this Python (its folders must be readable)."""
    if os.geteuid() != 0:
        return False
    try:
        probe = subprocess.run([sys.executable, "-c", "pass"], capture_output=True, timeout=60, cwd="/",
                               preexec_fn=_drop_privileges(slot_uid(0)))
    except (OSError, subprocess.SubprocessError):
        return False
    return probe.returncode == 0


def detect() -> str:
    """Return the strongest isolation level available here."""
    if bubblewrap_works():
        return "bubblewrap"
    if slot_uid_works():
        return "uid+rlimits"
    return "rlimits"


def check_level(level: str) -> str:
    """Return ``level`` if this machine offers it, else raise ``ValueError`` naming what to install or change."""
    if level not in LEVELS:
        raise ValueError(f"unknown isolation {level!r}; choose one of {', '.join(LEVELS)}")
    if level == "bubblewrap" and not bubblewrap_works():
        raise ValueError(f"isolation 'bubblewrap' is not available: {bubblewrap_problem()}; fix that or choose --isolation rlimits")
    if level == "uid+rlimits" and not slot_uid_works():
        raise ValueError(f"isolation 'uid+rlimits' needs the grader to run as root and user id {slot_uid(0)} to be able to "
                         f"run {sys.executable}; make its folders readable to all or choose --isolation rlimits")
    return level


def slot_uid(slot: int) -> int:
    return FIRST_SLOT_UID + slot


def python_folders() -> list[Path]:
    """Return the folders the Python interpreter and its packages live in, which the sandbox must show read-only."""
    folders = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix), Path(sys.executable).resolve().parent.parent}
    return sorted({folder.resolve() for folder in folders} | set(folders))


def bubblewrap_arguments(workdir: Path, read_only: list[Path], uid: int) -> list[str]:
    """Return bwrap's options: system folders, Python and ``read_only`` paths read-only, ``workdir`` at ``/grading``.

    As root, bwrap itself keeps root's access to the folders it binds, and the tests run as ``uid`` inside a new
    user namespace, without capabilities. Otherwise they run as the grader's own user id.
    """
    arguments = ["--unshare-all", "--die-with-parent", "--new-session", "--dev", "/dev", "--proc", "/proc"]
    if os.geteuid() == 0:
        arguments += ["--unshare-user", "--uid", str(uid), "--gid", str(uid), "--cap-drop", "ALL"]
    # The private /tmp comes first, so that a Python environment or data root under /tmp is mounted on top of it.
    arguments += ["--size", str(SANDBOX_TMP_BYTES), "--tmpfs", "/tmp"]
    for folder in SYSTEM_FOLDERS:
        if os.path.islink(folder):
            arguments += ["--symlink", os.readlink(folder), folder]
        elif os.path.isdir(folder):
            arguments += ["--ro-bind", folder, folder]
    # As root the tests' user id maps to root outside, so secrets under /etc are covered with an empty file.
    for secret in SECRET_FILES:
        if os.path.isfile(secret):
            arguments += ["--ro-bind", "/dev/null", secret]
    for path in [*python_folders(), *read_only]:
        if path.exists() and not any(str(path).startswith(prefix + "/") for prefix in SYSTEM_FOLDERS):
            arguments += ["--ro-bind", str(path), str(path)]
    # NOTE: CUDA inside the sandbox is untested, since the development machines have no GPU. The device nodes are
    # passed through so that cuda-marked tests, which the rubric counts on a GPU machine, can run there.
    for device in sorted(Path("/dev").glob("nvidia*")):
        arguments += ["--dev-bind", str(device), str(device)]
    arguments += ["--ro-bind", str(workdir), SANDBOX_ROOT, "--chdir", SANDBOX_ROOT]
    arguments += ["--setenv", "HOME", "/tmp", "--setenv", "TMPDIR", "/tmp"]
    return arguments


def _drop_privileges(uid: int):
    def switch() -> None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)

    return switch


def preexec(limits: Limits, cpu_seconds: int, uid: int | None):
    """Return the function the child runs before ``exec``: a new session, resource limits, then ``uid`` if given."""

    def prepare() -> None:
        os.setsid()
        resource.setrlimit(resource.RLIMIT_AS, (limits.address_space_bytes, limits.address_space_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
        resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if uid is not None:
            resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
            _drop_privileges(uid)()
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)

    return prepare


def tree_pids(root: int) -> list[int]:
    """Return ``root`` and every live descendant, read from ``/proc``."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def uid_pids(uid: int) -> list[int]:
    """Return every process whose real user id is ``uid``."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    pids.append(int(entry))
            except OSError:
                continue
    return pids


def token_pids(token: str) -> list[int]:
    """Return every process whose environment carries ``KIT_RUN_TOKEN=token``, which each grading run sets.

    A process that left its session and was adopted elsewhere is no longer a descendant, but it keeps the
    environment it started with. Reading other users' environments needs root, so elsewhere this finds only the
    grader's own user's processes.
    """
    marker = f"{RUN_TOKEN_VARIABLE}={token}".encode()
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/environ", "rb") as handle:
                    if marker in handle.read().split(b"\0"):
                        pids.append(int(entry))
            except OSError:
                continue
    return pids


def resident_bytes(pids: list[int]) -> int:
    """Return the summed resident memory of ``pids``; processes that ended meanwhile count as zero."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
                total += int(handle.read().split()[1]) * resource.getpagesize()
        except (OSError, IndexError, ValueError):
            continue
    return total


def send_kill(pids) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def kill_everything(process: subprocess.Popen, uid: int | None, token: str | None = None) -> None:
    """Kill the process, its process group, its descendants, every process that carries the run's ``token``
    and, with a slot user id, every process of that id."""
    targets = set(tree_pids(process.pid))
    if token is not None:
        targets.update(token_pids(token))
    if uid is not None:
        targets.update(uid_pids(uid))
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    send_kill(targets)
    if uid is not None:
        # A process that forked between the two reads above is caught here, so a slot's processes cannot outlive its run.
        for _ in range(20):
            remaining = uid_pids(uid)
            if not remaining:
                break
            send_kill(remaining)
