"""Static red flags in a submitted module: code that reaches for the grading machinery or the process.

No exercise needs any of these, so each one is reported for the instructor to review. A flag does not
change the score; the sandbox and the tampering guard decide what code can do at run time.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

# Imports that no exercise needs and that give access to the test process, the grader or the machine.
FLAGGED_IMPORTS = {
    "pytest": "imports pytest",
    "_pytest": "imports pytest's internals",
    "pluggy": "imports pytest's plugin manager",
    "grader": "imports the grader",
    "conftest": "imports a conftest",
    "ctypes": "imports ctypes",
    "gc": "imports gc",
    "inspect": "imports inspect",
    "subprocess": "starts processes (subprocess)",
    "multiprocessing": "starts processes (multiprocessing)",
    "socket": "opens sockets",
    "signal": "handles signals",
    "importlib": "imports modules by name (importlib)",
    "builtins": "imports builtins",
    "atexit": "registers exit handlers",
    "shutil": "copies or deletes files (shutil)",
    "urllib": "opens URLs",
    "requests": "opens URLs",
}
FLAGGED_CALLS = {
    "os._exit": "calls os._exit",
    "os.kill": "sends signals (os.kill)",
    "os.killpg": "sends signals (os.killpg)",
    "os.fork": "forks the process",
    "os.system": "runs shell commands (os.system)",
    "os.popen": "runs shell commands (os.popen)",
    "os.remove": "deletes files",
    "os.unlink": "deletes files",
    "os.rmdir": "deletes folders",
    "os.execv": "replaces the process (os.exec*)",
    "os.execvp": "replaces the process (os.exec*)",
    "sys.exit": "calls sys.exit",
    "sys._getframe": "reads interpreter frames",
    "sys.settrace": "installs a trace function",
    "sys.setprofile": "installs a profile function",
    "exec": "runs code from a string (exec)",
    "eval": "runs code from a string (eval)",
    "__import__": "imports modules by name (__import__)",
    "exit": "calls exit",
    "quit": "calls quit",
}
FLAGGED_NAMES = {"sys.modules": "reads or changes sys.modules", "os.environ": "reads or changes environment variables"}
TEST_PATH = re.compile(r"(^|/)(tests|hidden|public|solutions)(/|$)|conftest|calibration\.json")
GUARDED_ROOTS = {"torch", "nn", "F", "np", "numpy", "pytest", "sklearn", "math", "os", "sys", "builtins"}


def dotted_name(node: ast.AST) -> str:
    """Return ``a.b.c`` for an attribute chain on a name, else ``""``."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


def scan_source(source: str) -> list[str]:
    """Return one ``"line N: what"`` entry per red flag in ``source``, or one entry saying it does not parse."""
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        return [f"line {error.lineno}: does not parse ({error.msg})"]
    flags = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            roots = [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            roots = [(node.module or "").split(".")[0]] if node.level == 0 else []
            if node.module == "os" and any(alias.name in ("_exit", "kill", "fork", "system") for alias in node.names):
                flags.append(f"line {line}: imports process control from os")
        else:
            roots = []
        flags.extend(f"line {line}: {FLAGGED_IMPORTS[root]}" for root in roots if root in FLAGGED_IMPORTS)

        if isinstance(node, ast.Call):
            name = dotted_name(node.func)
            if name in FLAGGED_CALLS:
                flags.append(f"line {line}: {FLAGGED_CALLS[name]}")
            elif name in ("setattr", "delattr") and node.args and dotted_name(node.args[0]).split(".")[0] in GUARDED_ROOTS:
                flags.append(f"line {line}: changes attributes of {dotted_name(node.args[0])} ({name})")
            elif name == "getattr" and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant):
                # getattr(os, "_exit") reaches the same functions as os._exit without naming them.
                spelled = f"{dotted_name(node.args[0])}.{node.args[1].value}"
                if spelled in FLAGGED_CALLS or spelled in FLAGGED_NAMES or str(node.args[1].value).startswith("__"):
                    flags.append(f"line {line}: reads {spelled} through getattr")
        elif isinstance(node, ast.Attribute) and node.attr in ("__code__", "__globals__", "f_locals", "f_back", "tb_frame", "__traceback__"):
            flags.append(f"line {line}: reaches into interpreter internals ({node.attr})")
        if isinstance(node, ast.Attribute) and dotted_name(node) in FLAGGED_NAMES and isinstance(node.ctx, ast.Load):
            flags.append(f"line {line}: {FLAGGED_NAMES[dotted_name(node)]}")
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                name = dotted_name(target) if isinstance(target, ast.Attribute) else ""
                if name.split(".")[0] in GUARDED_ROOTS:
                    flags.append(f"line {line}: replaces {name}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith(("/proc", "/dev/fd", "/sys")):
            flags.append(f"line {line}: names {node.value[:40]!r}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and TEST_PATH.search(node.value):
            # An exercise never reads the tests; code that does may be copying hidden tests into its messages.
            flags.append(f"line {line}: names the tests ({node.value[:40]!r})")
    return sorted(set(flags), key=lambda flag: (int(flag.split(":")[0].removeprefix("line ") or 0), flag))


def scan_file(path: Path) -> list[str]:
    """Return the red flags of the module at ``path``; an unreadable file is one flag."""
    try:
        return scan_source(path.read_text(encoding="utf-8", errors="replace"))
    except OSError as error:
        return [f"cannot read the file: {error.strerror}"]
