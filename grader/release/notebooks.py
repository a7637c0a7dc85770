"""Make the students' copies of the course notebooks: reference answers replaced by nbgrader's placeholders, outputs cleared.

The source notebooks live in nbgrader's layout, ``notebooks/source/<assignment>/<notebook>.ipynb``,
so an instructor can also release and collect them with nbgrader itself. Answer cells carry
nbgrader's cell metadata (``"solution": true``) and hold the reference answer between lines
that contain ``BEGIN SOLUTION`` and ``END SOLUTION``. The kit writes them as
``### BEGIN SOLUTION`` and ``### END SOLUTION`` in code and markdown cells alike, and
nbgrader matches the two phrases anywhere in a line.

``release_notebook`` applies the rules of nbgrader 0.9's ``ClearSolutions`` and
``ClearOutput`` preprocessors, without importing nbgrader:

- a delimited region, delimiter lines included, becomes the stub, indented like the
  ``BEGIN SOLUTION`` line: ``# YOUR CODE HERE`` and ``raise NotImplementedError()`` in a
  code cell, ``YOUR ANSWER HERE`` in a markdown cell;
- a solution cell without a region becomes the stub as a whole;
- a region outside a solution cell, a nested region or a region without its end is an
  error, and so is an ``END SOLUTION`` line without a region, which nbgrader drops silently;
- code cells lose their outputs and execution counts.

Unlike ``nbgrader generate_assignment``, it adds no checksums to the cell metadata, so
``nbgrader validate`` cannot tell whether a student changed a locked cell of these copies.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

SOURCE_FOLDER = "notebooks/source"  # relative to the kit root: source/<assignment>/<notebook>.ipynb below it
RELEASED_FOLDER = "notebooks"  # relative to the student bundle's root

BEGIN_DELIMITER = "BEGIN SOLUTION"
END_DELIMITER = "END SOLUTION"
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
TEXT_STUB = "YOUR ANSWER HERE"
# Cell metadata that only describes outputs, removed with them as nbconvert's ClearOutputPreprocessor does.
OUTPUT_METADATA = ("collapsed", "scrolled", "execution")


class NotebookReleaseError(ValueError):
    """A source notebook cannot be released: its JSON or a solution region is malformed. The message names the cell."""


def _source_text(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _split_source(text: str) -> list[str]:
    """Return ``text`` as the list of lines, newlines kept, that nbformat writes."""
    return text.splitlines(keepends=True)


def _is_solution_cell(cell: dict) -> bool:
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution", False))


def _cell_label(index: int, cell: dict) -> str:
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    return f"cell {index}" + (f" ({grade_id})" if grade_id else "")


def _replace_regions(text: str, stub: str, where: str) -> tuple[str, bool]:
    """Return ``text`` with each solution region replaced by ``stub``, and whether it contained a region."""
    output: list[str] = []
    in_region = found = False
    for line in text.split("\n"):
        if BEGIN_DELIMITER in line:
            if in_region:
                raise NotebookReleaseError(f"{where}: a second {BEGIN_DELIMITER!r} line opens inside a solution region")
            in_region = found = True
            indent = re.match(r"\s*", line).group(0)
            output.extend(indent + stub_line for stub_line in stub.split("\n"))
        elif END_DELIMITER in line:
            if not in_region:
                raise NotebookReleaseError(f"{where}: an {END_DELIMITER!r} line has no {BEGIN_DELIMITER!r} line before it")
            in_region = False
        elif not in_region:
            output.append(line)
    if in_region:
        raise NotebookReleaseError(f"{where}: a solution region has no {END_DELIMITER!r} line")
    return "\n".join(output), found


def release_cells(notebook: dict, where: str = "notebook") -> dict:
    """Replace the solutions and clear the outputs of a parsed notebook in place, and return it.

    Raises ``NotebookReleaseError`` for a malformed region or a region outside a
    solution cell. Its message names the notebook by ``where``.
    """
    cells = notebook.get("cells")
    if not isinstance(cells, list):
        raise NotebookReleaseError(f"{where}: not a Jupyter notebook, because it has no list of cells")
    for index, cell in enumerate(cells):
        label = f"{where}, {_cell_label(index, cell)}"
        stub = CODE_STUB if cell.get("cell_type") == "code" else TEXT_STUB
        text, had_region = _replace_regions(_source_text(cell), stub, label)
        if had_region and not _is_solution_cell(cell):
            raise NotebookReleaseError(
                f"{label}: contains a solution region but is not a solution cell. "
                f"Set its nbgrader metadata to solution: true, because nbgrader rejects such a cell too"
            )
        if _is_solution_cell(cell) and not had_region:
            text = stub
        cell["source"] = _split_source(text)
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        for key in OUTPUT_METADATA:
            cell.get("metadata", {}).pop(key, None)
    notebook.get("metadata", {}).pop("celltoolbar", None)
    return notebook


def _dumps(notebook: dict) -> str:
    # nbformat's own settings, so that a released file reads the same as one saved by Jupyter.
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False, separators=(",", ": ")) + "\n"


def _loads(text: str, where: str) -> dict:
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookReleaseError(f"{where}: not valid notebook JSON ({error})") from error
    if not isinstance(notebook, dict):
        raise NotebookReleaseError(f"{where}: not a Jupyter notebook, because its JSON is not an object")
    return notebook


def release_notebook(source_path) -> str:
    """Return the text of the student's copy of the notebook at ``source_path``.

    Solution regions and solution cells become nbgrader's stubs, and code cells lose
    their outputs. Raises ``NotebookReleaseError`` when the notebook is malformed.
    """
    path = Path(source_path)
    notebook = _loads(path.read_text(encoding="utf-8"), str(path))
    return _dumps(release_cells(notebook, str(path)))


def notebook_has_solution(text: str) -> bool:
    """Return whether notebook JSON ``text`` still contains a solution.

    A solution is a line with a ``BEGIN SOLUTION`` or ``END SOLUTION`` delimiter in a
    cell or an output, or a solution cell that does not contain nbgrader's stub. A
    student's notebook with written answers counts as containing solutions.
    """
    notebook = _loads(text, "notebook text")
    for cell in notebook.get("cells", []):
        texts = [_source_text(cell)]
        for output in cell.get("outputs", []):
            texts.append(json.dumps(output, ensure_ascii=False))
        if any(BEGIN_DELIMITER in part or END_DELIMITER in part for part in texts):
            return True
        stub = CODE_STUB if cell.get("cell_type") == "code" else TEXT_STUB
        if _is_solution_cell(cell) and stub not in _source_text(cell):
            return True
    return False


def source_notebooks(kit: Path) -> list[Path]:
    """Return the source notebooks of the kit, ``notebooks/source/<assignment>/<notebook>.ipynb``, sorted by path."""
    folder = Path(kit) / SOURCE_FOLDER
    return sorted(path for path in folder.glob("*/*.ipynb") if ".ipynb_checkpoints" not in path.parts)


def released_notebooks(kit: Path) -> dict[str, str]:
    """Return the students' copies of every source notebook, keyed by their path in the bundle, ``notebooks/<notebook>.ipynb``.

    Raises ``NotebookReleaseError`` when two assignments hold notebooks of the same name,
    because their copies would overwrite each other in the flat bundle folder.
    """
    released: dict[str, str] = {}
    origins: dict[str, Path] = {}
    for path in source_notebooks(kit):
        relative = f"{RELEASED_FOLDER}/{path.name}"
        if relative in released:
            raise NotebookReleaseError(f"{path} and {origins[relative]} would both be released as {relative}, so rename one")
        released[relative] = release_notebook(path)
        origins[relative] = path
    return released
