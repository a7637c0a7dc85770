"""Tests of the course notebooks: valid nbgrader metadata, students' copies without answers, and headless runs.

The runs (marked ``slow``) execute every notebook against ``solutions/`` on the
kit's generated images and fail on the first cell that raises.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.release.notebooks import (
    CODE_STUB,
    TEXT_STUB,
    NotebookReleaseError,
    notebook_has_solution,
    release_notebook,
    released_notebooks,
    source_notebooks,
)

KIT = Path(__file__).resolve().parents[2]
NOTEBOOKS = source_notebooks(KIT)
NAMES = [path.stem for path in NOTEBOOKS]
EXPECTED_NAMES = ["part1_toy", "part2_plantnet", "part3_bonus"]
# The figures each notebook displays when it runs against the reference, so a figure that stops showing fails.
EXPECTED_FIGURES = {"part1_toy": 4, "part2_plantnet": 12, "part3_bonus": 3}
NBGRADER_KEYS = {"grade", "grade_id", "locked", "points", "schema_version", "solution", "task"}
REQUIRED_KEYS = {"grade", "grade_id", "locked", "schema_version", "solution"}
CELL_TIMEOUT = 600  # seconds for one cell. The longest, part 2's training, took about 25 s on 2 busy cores


def read_notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def source_of(cell: dict) -> str:
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


def nbgrader_of(cell: dict) -> dict | None:
    return cell.get("metadata", {}).get("nbgrader")


def answer_lines(notebook: dict) -> list[str]:
    """Return the lines of the reference answers, between the delimiters, that are long enough to be specific."""
    lines, inside = [], False
    for cell in notebook["cells"]:
        for line in source_of(cell).splitlines():
            if "BEGIN SOLUTION" in line:
                inside = True
            elif "END SOLUTION" in line:
                inside = False
            elif inside and len(line.strip()) >= 20:
                lines.append(line.strip())
    return lines


def cell_texts(notebook: dict) -> str:
    """Return every cell's source and outputs as one text, as a reader of the notebook would see them."""
    parts = []
    for cell in notebook["cells"]:
        parts.append(source_of(cell))
        parts.extend(json.dumps(output, ensure_ascii=False) for output in cell.get("outputs", []))
    return "\n".join(parts)


def write_notebook(path: Path, cells: list[dict]) -> Path:
    notebook = {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
                "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


def solution_cell(cell_type: str, source: str, grade_id: str = "answer") -> dict:
    cell = {"cell_type": cell_type, "id": grade_id, "source": source,
            "metadata": {"nbgrader": {"grade": cell_type == "markdown", "grade_id": grade_id, "locked": False, "points": 1,
                                      "schema_version": 3, "solution": True, "task": False}}}
    if cell_type == "code":
        cell.update(outputs=[], execution_count=None)
    return cell


# ---------------------------------------------------------------------------
# Layout and nbgrader metadata


def test_notebooks_follow_nbgrader_layout():
    assert NAMES == EXPECTED_NAMES
    for path in NOTEBOOKS:
        assert path.parent.parent == KIT / "notebooks" / "source", f"{path}: nbgrader reads source/<assignment>/<notebook>.ipynb"
        assert path.parent.name == path.stem, f"{path}: name the assignment folder after its one notebook"
    assert (KIT / "notebooks" / "nbgrader_config.py").is_file()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_source_notebook_is_stored_without_outputs(path):
    notebook = read_notebook(path)
    assert notebook["nbformat"] == 4
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{path.name}, cell {cell['id']}: clear the outputs before committing"
            assert cell["execution_count"] is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_nbgrader_metadata_is_valid(path):
    notebook = read_notebook(path)
    marked = [cell for cell in notebook["cells"] if nbgrader_of(cell) is not None]
    assert marked, f"{path.name} has no nbgrader cell"
    grade_ids = [nbgrader_of(cell)["grade_id"] for cell in marked]
    assert len(grade_ids) == len(set(grade_ids)), f"duplicate grade_id in {path.name}: {sorted(grade_ids)}"

    for cell in marked:
        meta = nbgrader_of(cell)
        grade_id = meta["grade_id"]
        assert REQUIRED_KEYS <= set(meta), f"{grade_id}: missing {sorted(REQUIRED_KEYS - set(meta))}"
        assert set(meta) <= NBGRADER_KEYS, f"{grade_id}: keys that nbgrader 0.9 does not write: {sorted(set(meta) - NBGRADER_KEYS)}"
        assert meta["schema_version"] == 3
        assert re.fullmatch(r"[A-Za-z0-9_-]+", grade_id), f"{grade_id}: nbgrader allows letters, digits, '_' and '-'"
        assert cell["id"] == grade_id, f"{grade_id}: the cell id should repeat the grade_id, so diffs name the cell"
        if meta["grade"]:
            assert meta.get("points", 0) > 0, f"{grade_id}: a graded cell needs points"
        if meta["solution"]:
            assert not meta["locked"], f"{grade_id}: a solution cell must stay editable"
            assert meta["grade"], f"{grade_id}: a markdown answer is graded by hand, so it needs grade: true"
        else:
            assert "points" not in meta, f"{grade_id}: points belong to graded cells only"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_each_question_is_followed_by_its_answer(path):
    cells = read_notebook(path)["cells"]
    answers = 0
    for index, cell in enumerate(cells):
        meta = nbgrader_of(cell) or {}
        text = source_of(cell)
        if not meta.get("solution"):
            assert "BEGIN SOLUTION" not in text, f"{path.name}, cell {cell['id']}: a solution region outside a solution cell"
            continue
        answers += 1
        assert text.splitlines()[0] == "### BEGIN SOLUTION", f"{meta['grade_id']}: the answer opens with the delimiter"
        assert text.splitlines()[-1] == "### END SOLUTION", f"{meta['grade_id']}: the answer ends with the delimiter"
        assert text.count("BEGIN SOLUTION") == 1
        question = nbgrader_of(cells[index - 1]) or {}
        assert question.get("locked"), f"{meta['grade_id']}: the cell above is not a locked question"
        assert not question.get("solution"), f"{meta['grade_id']}: the cell above is an answer, not its question"
        assert question["grade_id"] == meta["grade_id"].replace("-answer", "-question")
        assert "**Question" in source_of(cells[index - 1])
    assert answers >= 3


def test_grade_ids_are_unique_across_notebooks():
    grade_ids = [nbgrader_of(cell)["grade_id"] for path in NOTEBOOKS for cell in read_notebook(path)["cells"] if nbgrader_of(cell)]
    assert len(grade_ids) == len(set(grade_ids))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_nbgrader_validator_accepts_notebook(path):
    pytest.importorskip("nbgrader", reason="nbgrader is installed with the dev extra")
    import nbformat
    from nbgrader.nbgraderformat import MetadataValidator

    MetadataValidator().validate_nb(nbformat.read(path, as_version=4))


# ---------------------------------------------------------------------------
# Students' copies


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_released_notebook_holds_no_answer(path):
    source = read_notebook(path)
    released_text = release_notebook(path)
    released = json.loads(released_text)
    secrets = answer_lines(source)
    assert len(secrets) >= 3, "the leak check needs answer lines to search for"

    visible = cell_texts(released)
    assert [line for line in secrets if line in visible] == []
    assert "BEGIN SOLUTION" not in released_text
    assert "END SOLUTION" not in released_text
    assert notebook_has_solution(path.read_text(encoding="utf-8"))
    assert not notebook_has_solution(released_text)

    assert len(released["cells"]) == len(source["cells"])
    for before, after in zip(source["cells"], released["cells"]):
        if (nbgrader_of(before) or {}).get("solution"):
            assert source_of(after) == TEXT_STUB
        else:
            assert source_of(after) == source_of(before), f"cell {before['id']} changed, but only answers should"
        if after["cell_type"] == "code":
            assert after["outputs"] == []
            assert after["execution_count"] is None
        assert after["metadata"] == before["metadata"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_released_notebook_is_valid_nbformat(path):
    nbformat = pytest.importorskip("nbformat")
    nbformat.validate(nbformat.reads(release_notebook(path), as_version=4))


def test_release_clears_outputs(tmp_path):
    notebook = read_notebook(NOTEBOOKS[0])
    code = next(cell for cell in notebook["cells"] if cell["cell_type"] == "code")
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["a reference output\n"]}]
    code["execution_count"] = 7
    code["metadata"].update(scrolled=True, execution={"iopub.status.busy": "2026-12-04T10:00:00Z"})
    path = tmp_path / "executed.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")

    released = json.loads(release_notebook(path))
    cleared = next(cell for cell in released["cells"] if cell["id"] == code["id"])
    assert cleared["outputs"] == []
    assert cleared["execution_count"] is None
    assert cleared["metadata"] == {}


def test_release_replaces_code_regions_and_whole_cells(tmp_path):
    region = "def area(r):\n    ### BEGIN SOLUTION\n    return 3.14159 * r**2\n    ### END SOLUTION\n\nprint(area(1))"
    path = write_notebook(tmp_path / "code.ipynb", [
        solution_cell("code", region, "area"),
        solution_cell("code", "x = 42", "whole-code"),
        solution_cell("markdown", "Because the ring surrounds the blob.", "whole-text"),
        solution_cell("markdown", "Intro kept.\n### BEGIN SOLUTION\nThe answer.\n### END SOLUTION\nOutro kept.", "region-text"),
    ])
    cells = json.loads(release_notebook(path))["cells"]
    indented_stub = "\n".join("    " + line for line in CODE_STUB.split("\n"))
    assert source_of(cells[0]) == f"def area(r):\n{indented_stub}\n\nprint(area(1))"
    assert source_of(cells[1]) == CODE_STUB
    assert source_of(cells[2]) == TEXT_STUB
    assert source_of(cells[3]) == f"Intro kept.\n{TEXT_STUB}\nOutro kept."


@pytest.mark.parametrize("source, message", [
    ("### BEGIN SOLUTION\nno end", "has no 'END SOLUTION' line"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "opens inside a solution region"),
    ("text\n### END SOLUTION", "has no 'BEGIN SOLUTION' line before it"),
])
def test_release_rejects_malformed_region(tmp_path, source, message):
    path = write_notebook(tmp_path / "bad.ipynb", [solution_cell("markdown", source, "broken")])
    with pytest.raises(NotebookReleaseError, match=re.escape(message)) as raised:
        release_notebook(path)
    assert "(broken)" in str(raised.value)


def test_release_rejects_region_outside_solution_cell(tmp_path):
    cell = {"cell_type": "markdown", "id": "plain", "metadata": {}, "source": "### BEGIN SOLUTION\nleak\n### END SOLUTION"}
    path = write_notebook(tmp_path / "plain.ipynb", [cell])
    with pytest.raises(NotebookReleaseError, match="not a solution cell"):
        release_notebook(path)


def test_release_rejects_text_that_is_no_notebook(tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(NotebookReleaseError, match="not valid notebook JSON"):
        release_notebook(path)
    with pytest.raises(NotebookReleaseError, match="no list of cells"):
        release_notebook(write_notebook(tmp_path / "empty.ipynb", None))


def test_released_notebooks_are_keyed_by_bundle_path():
    released = released_notebooks(KIT)
    assert sorted(released) == [f"notebooks/{name}.ipynb" for name in EXPECTED_NAMES]
    assert not any(notebook_has_solution(text) for text in released.values())


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_release_matches_nbgrader_preprocessors(path):
    pytest.importorskip("nbgrader", reason="nbgrader is installed with the dev extra")
    import nbformat
    from nbgrader.preprocessors import ClearOutput, ClearSolutions

    notebook = nbformat.read(path, as_version=4)
    resources: dict = {}
    notebook, resources = ClearSolutions().preprocess(notebook, resources)
    notebook, resources = ClearOutput().preprocess(notebook, resources)
    ours = json.loads(release_notebook(path))
    assert [source_of(cell) for cell in ours["cells"]] == [cell.source for cell in notebook.cells]
    assert [cell.get("outputs") for cell in ours["cells"]] == [cell.get("outputs") for cell in notebook.cells]


def test_nbgrader_generates_assignment_from_layout(tmp_path):
    pytest.importorskip("nbgrader", reason="nbgrader is installed with the dev extra")
    course = tmp_path / "course"
    shutil.copytree(KIT / "notebooks" / "source", course / "source")
    shutil.copyfile(KIT / "notebooks" / "nbgrader_config.py", course / "nbgrader_config.py")
    # nbgrader runs the `alembic` command of its environment to create the gradebook.
    environment = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    completed = subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", "part1_toy"], cwd=course,
                               capture_output=True, text=True, timeout=120, env=environment)
    assert completed.returncode == 0, completed.stdout + completed.stderr

    generated = read_notebook(course / "release" / "part1_toy" / "part1_toy.ipynb")
    ours = json.loads(release_notebook(NOTEBOOKS[0]))
    assert [source_of(cell) for cell in generated["cells"]] == [source_of(cell) for cell in ours["cells"]]


# ---------------------------------------------------------------------------
# Headless runs against the reference


def kernel_environment(tmp_path: Path) -> dict[str, str]:
    """Return the kernel's environment: the reference, the generated images, nothing downloaded, one thread."""
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("KIT_DATA_ROOT", "KIT_RESNET18_WEIGHTS", "MPLBACKEND", "PYTHONPATH")}
    environment.update(
        KIT_TARGET="solutions",
        HF_HUB_OFFLINE="1",
        TMPDIR=str(tmp_path),
        # On 2 cores shared with another busy process, the CNN's epochs ran 4 times slower with 2 threads than with 1.
        OMP_NUM_THREADS="1",
    )
    return environment


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_notebook_runs_against_reference(path, tmp_path, record_property):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")

    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    started = time.monotonic()
    client.execute(env=kernel_environment(tmp_path))  # raises CellExecutionError, naming the cell, on the first error
    seconds = time.monotonic() - started
    record_property("seconds", round(seconds, 1))
    print(f"{path.name} ran in {seconds:.1f} s")

    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert f"running the modules of {KIT / 'solutions'}" in outputs[0].get("text", "")
    figures = sum(1 for output in outputs if "image/png" in output.get("data", {}))
    assert figures == EXPECTED_FIGURES[path.stem]
    assert not [output for output in outputs if output.get("name") == "stderr" and "Traceback" in output.get("text", "")]

    executed = tmp_path / path.name
    nbformat.write(notebook, executed)
    released_text = release_notebook(executed)
    assert all(cell.get("outputs", []) == [] for cell in json.loads(released_text)["cells"])
    assert not notebook_has_solution(released_text)
