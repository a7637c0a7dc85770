"""A fork server for grading trusted code: the kit's own corpus, when ``grader verify`` runs it.

Starting Python and importing torch, timm and scikit-learn takes most of a short grading run. A warm
server imports them once, then forks a child per run, which changes into the grading copy and calls
``pytest.main``. The child inherits the imported libraries but nothing of the kit: the server never
imports ``grader``, ``data`` or the exercises, so each child imports them from its own grading copy.

The server gives no isolation at all: a child runs as the grader's user, can read the whole machine, and
could change the server's files. Use it only for code the kit itself ships; ``grader grade`` never does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

# Imported once by the server, so that children start with them loaded. No import here may start threads
# or touch a CUDA device, because a child forked afterwards would inherit a broken copy.
PRELOADED = ("numpy", "torch", "torch.nn", "torch.nn.functional", "torch.utils.data", "torchvision", "torchvision.transforms",
             "torchvision.datasets", "timm", "sklearn.metrics", "sklearn.model_selection", "PIL.Image", "matplotlib",
             "matplotlib.pyplot", "pandas", "safetensors.torch", "pytest", "_pytest.pytester")

SERVER = r'''
import importlib, json, os, sys
for name in json.loads(sys.argv[1]):
    try:
        importlib.import_module(name)
    except Exception:
        pass
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    request = json.loads(line)
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            os.chdir(request["workdir"])
            sys.path.insert(0, request["workdir"])
            os.environ.clear()
            os.environ.update(request["environment"])
            log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(log, 1)
            os.dup2(log, 2)
            results = os.open(request["results"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.environ["KIT_RESULTS_FD"] = str(results)
            sys.argv = ["pytest", *request["arguments"]]
            import pytest
            code = pytest.main(request["arguments"])
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(int(code))
        except BaseException as error:
            os.write(2, f"the warm server's child failed: {error!r}\n".encode())
            os._exit(70)
    print(json.dumps({"pid": pid}), flush=True)
    _, status = os.waitpid(pid, 0)
    print(json.dumps({"status": status}), flush=True)
'''


class WarmServer:
    """One server process; ``run`` grades one grading copy at a time."""

    def __init__(self, environment: dict[str, str]) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", SERVER, json.dumps(PRELOADED)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=environment,
                                        cwd="/", start_new_session=True)
        ready = self.process.stdout.readline()
        if not ready.startswith('{"ready"'):
            raise RuntimeError(f"the warm grading server did not start (exit code {self.process.poll()})")

    def run(self, workdir: Path, arguments: list[str], environment: dict[str, str], timeout: float,
            results: Path, log: Path) -> int | None:
        """Run ``pytest.main(arguments)`` in a forked child; return its exit code, or ``None`` after a timeout."""
        request = {"workdir": str(workdir), "arguments": arguments, "environment": environment,
                   "results": str(results), "log": str(log)}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        pid = json.loads(self.process.stdout.readline())["pid"]
        reply: list[str] = []
        reader = threading.Thread(target=lambda: reply.append(self.process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        try:
            os.killpg(pid, 9)  # ends what the tests started, and the child itself after a timeout
        except (ProcessLookupError, PermissionError):
            pass
        if not reply:
            reader.join()
            return None
        status = json.loads(reply[0])["status"]
        return os.waitstatus_to_exitcode(status)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(timeout=30)


class WarmPool:
    """One warm server per worker slot, started on first use."""

    def __init__(self, environment: dict[str, str]) -> None:
        self.environment = environment
        self.servers: dict[int, WarmServer] = {}
        self.lock = threading.Lock()

    def server(self, slot: int) -> WarmServer:
        with self.lock:
            server = self.servers.get(slot)
            if server is None or server.process.poll() is not None:
                server = self.servers[slot] = WarmServer(self.environment)
            return server

    def close(self) -> None:
        for server in self.servers.values():
            server.close()
