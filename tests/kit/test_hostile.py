"""Grade the hostile corpus: submissions that attack the grader, other submissions or the machine.

Each case in ``tests/kit/hostile/`` must get the status and score that ``expected.toml`` gives it, and
nothing outside its sandbox may change: the kit, the Python environment, the host's ``/tmp`` and the
other submissions of the batch. Every case is bounded (200 sleeping children, 3 GB of memory, 1 GB of
disk) so that a guard that fails cannot take the machine down.

The corpus runs only under bubblewrap, because weaker isolation cannot stop a submission that kills its
parent process. CI installs bubblewrap, and there a missing sandbox fails the test instead of skipping it.
"""

import hashlib
import os
import site
import time
import tomllib
from pathlib import Path

import pytest

from grader.grade import Options, grade_paths, isolation
from grader.grade.runner import collect_rubric

KIT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).parent / "hostile"
EXPECTED = tomllib.loads((CORPUS / "expected.toml").read_text(encoding="utf-8"))
SLOW_CASES = {"infinite_loop"}  # graded with a short time limit, apart from the rest
MEMORY_LIMIT = 1536 * 1024**2  # below the memory hog's 3 GB, far above what the perceptron tests use


def kit_digest() -> str:
    digest = hashlib.sha256()
    for folder in ("solutions", "tests/public", "tests/hidden", "tests/conftest.py", "grader", "data"):
        root = KIT / folder
        paths = [root] if root.is_file() else sorted(root.rglob("*"))
        for path in paths:
            if path.is_file() and "__pycache__" not in path.parts and "generated" not in path.parts and "cache" not in path.parts:
                digest.update(str(path).encode() + path.read_bytes())
    return digest.hexdigest()


def sandbox_processes() -> list[int]:
    """Return the processes that the spawning case starts, if any survived."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                command = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            if command in (b"sleep\x00600\x00",) or b"kit-hostile-late-writer" in command:
                found.append(int(entry))
    return found


@pytest.fixture(scope="module")
def graded():
    if isolation.detect() != "bubblewrap":
        message = f"the hostile corpus needs bubblewrap: {isolation.bubblewrap_problem() or 'it is not the strongest level here'}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    before = kit_digest()
    planted = [Path(folder) / "sitecustomize.py" for folder in site.getsitepackages()]
    planted_before = {path: path.exists() for path in planted}
    rubric = collect_rubric(KIT, ["1.1"])

    names = sorted(EXPECTED)
    fast = [name for name in names if name not in SLOW_CASES]
    slow = [name for name in names if name in SLOW_CASES]
    options = Options(jobs=2, limits=isolation.Limits(memory_bytes=MEMORY_LIMIT))
    results = grade_paths(KIT, [CORPUS / name for name in fast], names=fast, exercise_ids=["1.1"], rubric=rubric, options=options)
    short = Options(jobs=2, timeout_scale=0.1, limits=isolation.Limits(memory_bytes=MEMORY_LIMIT))
    results += grade_paths(KIT, [CORPUS / name for name in slow], names=slow, exercise_ids=["1.1"], rubric=rubric, options=short)
    time.sleep(0.5)  # a process that escaped the kill would still be there after this
    return {
        "results": {result.name: result for result in results},
        "maximum": sum(test.points for test in rubric),
        "kit_changed": kit_digest() != before,
        "planted": [path for path in planted if path.exists() and not planted_before[path]],
        "survivors": sandbox_processes(),
    }


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_hostile_case_grade(graded, case):
    result = graded["results"][case]
    exercise = result.exercises[0]
    expected = EXPECTED[case]
    score = expected["score"]
    if score == "full":
        score = graded["maximum"]
    elif isinstance(score, str):
        score = graded["results"][score.removeprefix("same as ")].score
        assert 0 < score < graded["maximum"], "the reference case must score some points but not all"
    assert exercise.status == expected["status"], f"{case}: {exercise.status}, {exercise.message[:500]}"
    assert result.score == score, f"{case}: {[(t.test.name, t.outcome, t.message[:200]) for t in exercise.tests]}"
    assert result.isolation == "bubblewrap"


@pytest.mark.slow
def test_hostile_batch_every_row(graded):
    assert sorted(graded["results"]) == sorted(EXPECTED)


@pytest.mark.slow
def test_hostile_batch_kit_unchanged(graded):
    assert not graded["kit_changed"], "a hostile submission changed the kit's reference, tests, grader or data code"


@pytest.mark.slow
def test_hostile_batch_nothing_planted(graded):
    assert graded["planted"] == []


@pytest.mark.slow
def test_hostile_batch_no_process_survives(graded):
    assert graded["survivors"] == [], "processes started by a submission outlived its sandbox"


@pytest.mark.slow
def test_hostile_batch_flags_red_code(graded):
    flagged = {name for name, result in graded["results"].items() if result.flags}
    assert {"forge_stream_and_exit", "makereport_hookwrapper", "kill_parent", "read_reference", "stash_forge", "code_swap", "leak_hidden"} <= flagged
    assert "control" not in flagged


@pytest.mark.slow
def test_hostile_syntax_error_names_line(graded):
    messages = {test.message for test in graded["results"]["syntax_error"].exercises[0].tests}
    assert any("SyntaxError in exercises/toy/perceptron.py, line 6" in message for message in messages), messages


@pytest.mark.slow
def test_hostile_leak_keeps_hidden_lines_out(graded):
    hidden = KIT / "tests" / "hidden" / "toy" / "test_perceptron.py"
    long_lines = {line.strip() for line in hidden.read_text().splitlines() if len(line.strip()) >= 24}
    exercise = graded["results"]["leak_hidden"].exercises[0]
    shown = [line.strip() for test in exercise.tests for line in test.message.split("\n")]
    assert any("hidden tests or reference was removed" in line for line in shown)
    assert not long_lines & set(shown)
