"""Turn a reference module with marked solution regions into the student's stub.

A solution region looks like this in ``solutions/``::

    # BEGIN SOLUTION 1.2: compute the mean squared error
    # TODO: reshape `pred` to the target's shape, then average the squares.
    pred = pred.reshape(target.shape)
    return ((pred - target) ** 2).mean()
    # END SOLUTION

The stub keeps the ``# TODO`` comment lines that open the region (with their
indented ``#`` continuation lines) and replaces the code with
``raise NotImplementedError("Exercise 1.2: compute the mean squared error")``.
A region may instead name its stub code after a ``# STUB:`` line, as commented
lines; the stub then contains that code, uncommented, in place of the raise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

BEGIN = re.compile(r"^(?P<indent>\s*)# BEGIN SOLUTION (?P<id>\d+\.\d+): (?P<task>\S.*?)\s*$")
END = re.compile(r"^\s*# END SOLUTION\s*$")
STUB = re.compile(r"^\s*# STUB:\s*$")
TODO = re.compile(r"^\s*# TODO: \S")
TODO_CONTINUATION = re.compile(r"^\s*#   \S")
ANY_MARKER = re.compile(r"#\s*(BEGIN SOLUTION|END SOLUTION|STUB:)")


class RegionError(ValueError):
    """A solution region is malformed; the message names the file and line."""


@dataclass
class Region:
    exercise_id: str
    task: str
    start: int  # 1-based line number of the BEGIN marker
    todo: list[str] = field(default_factory=list)
    solution: list[str] = field(default_factory=list)
    stub: list[str] | None = None


def _uncomment(line: str, indent: str, where: str) -> str:
    stripped = line[len(indent):] if line.startswith(indent) else None
    if stripped is None or not (stripped.startswith("# ") or stripped.rstrip() == "#"):
        raise RegionError(f"{where}: a stub line must be a comment at the region's indentation, got {line.strip()!r}")
    return indent + stripped[2:] if stripped.startswith("# ") else ""


def make_stub(source: str, path: str = "<source>") -> tuple[str, list[Region]]:
    """Return the stub text of ``source`` and the regions found in it.

    Raises ``RegionError`` for a region without its END, a nested or stray
    marker, or a region whose first line is not a ``# TODO:`` comment.
    """
    lines = source.splitlines(keepends=True)
    output: list[str] = []
    regions: list[Region] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        begin = BEGIN.match(line)
        if not begin:
            if ANY_MARKER.search(line):
                raise RegionError(f"{path}:{index + 1}: marker outside a region or malformed: {line.strip()!r}")
            output.append(line)
            index += 1
            continue

        indent = begin["indent"]
        region = Region(begin["id"], begin["task"], index + 1)
        where = f"{path}:{region.start}"
        index += 1
        while index < len(lines) and (TODO.match(lines[index]) or (region.todo and TODO_CONTINUATION.match(lines[index]))):
            region.todo.append(lines[index])
            index += 1
        if not region.todo:
            raise RegionError(f"{where}: a solution region must open with a '# TODO: ...' line that tells the student what to write")

        while True:
            if index >= len(lines):
                raise RegionError(f"{where}: region for exercise {region.exercise_id} has no '# END SOLUTION'")
            line = lines[index]
            index += 1
            if END.match(line):
                break
            if BEGIN.match(line):
                raise RegionError(f"{path}:{index}: nested '# BEGIN SOLUTION' inside the region opened at line {region.start}")
            if STUB.match(line):
                if region.stub is not None:
                    raise RegionError(f"{path}:{index}: second '# STUB:' in one region")
                region.stub = []
                continue
            if region.stub is None:
                region.solution.append(line)
            else:
                newline = "\n" if line.endswith("\n") else ""
                region.stub.append(_uncomment(line.rstrip("\r\n"), indent, f"{path}:{index}") + newline)

        if not any(line.strip() for line in region.solution):
            raise RegionError(f"{where}: region for exercise {region.exercise_id} contains no solution code")
        output.extend(region.todo)
        if region.stub:
            output.extend(region.stub)
        else:
            message = f"Exercise {region.exercise_id}: {region.task}".replace("\\", "\\\\").replace('"', '\\"')
            output.append(f'{indent}raise NotImplementedError("{message}")\n')
        regions.append(region)

    stub = "".join(output)
    if path.endswith(".py"):
        try:
            compile(stub, path, "exec")
        except SyntaxError as error:
            raise RegionError(f"{path}: the generated stub is not valid Python: {error}") from error
    return stub, regions
