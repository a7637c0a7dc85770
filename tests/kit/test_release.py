"""Tests of ``grader release``: stub generation, the committed exercises, the student bundle."""

import subprocess
import sys
from pathlib import Path

import pytest

from grader import curriculum
from grader.release import diff_tree, generate, iter_files, solution_only_lines
from grader.release.bundle import build_bundle
from grader.release.stubs import RegionError, make_stub

KIT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures" / "release"
DEMO_EXERCISES = (curriculum.Exercise("9.1", "demo/sample.py", "Demo"),)
DEMO_GIVEN = ("demo/__init__.py",)


def test_generated_tree_matches_stored_output():
    tree = generate(FIXTURES / "solutions", DEMO_EXERCISES, DEMO_GIVEN)
    assert diff_tree(tree.files, FIXTURES / "expected") == []


def test_stub_keeps_todo_and_raises_task():
    source = "def f():\n    # BEGIN SOLUTION 1.2: do it\n    # TODO: write it.\n    return 1\n    # END SOLUTION\n"
    stub, regions = make_stub(source)
    assert stub == 'def f():\n    # TODO: write it.\n    raise NotImplementedError("Exercise 1.2: do it")\n'
    assert [(r.exercise_id, r.task, r.start) for r in regions] == [("1.2", "do it", 2)]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("# BEGIN SOLUTION 1.2: a\n# TODO: b\nx = 1\n", "no '# END SOLUTION'"),
        ("# BEGIN SOLUTION 1.2: a\nx = 1\n# END SOLUTION\n", "must open with a '# TODO: ...'"),
        ("# BEGIN SOLUTION 1.2: a\n# TODO: b\n# BEGIN SOLUTION 1.2: c\n", "nested"),
        ("x = 1\n# END SOLUTION\n", "marker outside a region"),
        ("# BEGIN SOLUTION 1.2: a\n# TODO: b\n# END SOLUTION\n", "contains no solution code"),
        ("# BEGIN SOLUTION 1.2: a\n# TODO: b\nx = 1\n# STUB:\nx = 2\n# END SOLUTION\n", "must be a comment"),
        ("def f():\n    # BEGIN SOLUTION 1.2: a\n    # TODO: b\n    return 1\n    # STUB:\n    # return (\n    # END SOLUTION\n", "not valid Python"),
    ],
    ids=["no-end", "no-todo", "nested", "stray-end", "empty", "stub-not-comment", "stub-syntax-error"],
)
def test_malformed_region_raises(source, message):
    with pytest.raises(RegionError, match=message.replace("(", r"\(").replace("*", r"\*")):
        make_stub(source, "module.py")


def test_region_in_wrong_module_raises(tmp_path):
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "sample.py").write_text("# BEGIN SOLUTION 9.2: a\n# TODO: b\nx = 1\n# END SOLUTION\n")
    with pytest.raises(RegionError, match="names exercise 9.2, but this module belongs to exercise 9.1"):
        generate(tmp_path, DEMO_EXERCISES, DEMO_GIVEN)


def test_exercise_without_region_raises(tmp_path):
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "sample.py").write_text("x = 1\n")
    with pytest.raises(RegionError, match="has no '# BEGIN SOLUTION' region"):
        generate(tmp_path, DEMO_EXERCISES, DEMO_GIVEN)


def test_unregistered_module_raises(tmp_path):
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "sample.py").write_text("# BEGIN SOLUTION 9.1: a\n# TODO: b\nx = 1\n# END SOLUTION\n")
    (tmp_path / "demo" / "helpers.py").write_text("y = 2\n")
    with pytest.raises(RegionError, match="demo/helpers.py: not in the curriculum"):
        generate(tmp_path, DEMO_EXERCISES, DEMO_GIVEN)


def test_committed_exercises_are_in_sync():
    tree = generate(KIT / "solutions")
    diff = diff_tree(tree.files, KIT / "exercises")
    assert not diff, "exercises/ is out of date: run 'grader release' and commit it\n" + "".join(diff[:60])


def test_release_check_reports_a_diff(tmp_path):
    kit = tmp_path / "kit"
    (kit / "exercises" / "toy").mkdir(parents=True)
    for path in iter_files(KIT / "solutions"):
        target = kit / "solutions" / path.relative_to(KIT / "solutions")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    (kit / "exercises" / "toy" / "stale.py").write_text("x = 1\n")
    command = [sys.executable, "-m", "grader", "release", "--check", "--kit", str(kit)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 1
    assert "+++ /dev/null" in completed.stdout
    assert "out of date" in completed.stderr


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle") / "student"
    tree = generate(KIT / "solutions")
    build_bundle(KIT, tree, out)
    return out, tree


def bundle_text(out: Path) -> dict[str, str]:
    return {path.relative_to(out).as_posix(): path.read_text(encoding="utf-8", errors="replace") for path in iter_files(out)}


def code_lines(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")}


def test_bundle_stubs_hold_no_solution_line(bundle):
    out, tree = bundle
    secrets = solution_only_lines(KIT / "solutions", tree)
    assert len(secrets) > 10, "the leak check needs solution lines to search for"
    leaks = [(path, line) for path, text in bundle_text(out).items() if path.startswith("exercises/")
             for line in sorted(code_lines(text) & secrets)]
    assert leaks == []


def test_bundle_holds_no_solution_block(bundle):
    out, tree = bundle
    secrets = solution_only_lines(KIT / "solutions", tree)
    blocks = []
    for regions in tree.regions.values():
        for region in regions:
            lines = [line.strip() for line in region.solution if line.strip() and not line.strip().startswith("#")]
            # A block made only of lines that a given module repeats (the ImageNet constants) is public.
            if len(lines) >= 2 and secrets.intersection(lines):
                blocks.append("\n".join(lines))
    assert blocks
    texts = {path: "\n".join(line.strip() for line in text.splitlines() if line.strip()) for path, text in bundle_text(out).items()}
    leaks = [(path, block.splitlines()[0]) for path, text in texts.items() for block in blocks if block in text]
    assert leaks == []


def test_bundle_holds_no_hidden_test(bundle):
    out, _ = bundle
    paths = set(bundle_text(out))
    assert not any(path.startswith(("solutions/", "tests/hidden/", "tests/kit/")) for path in paths)
    hidden_names = {path.stem for path in (KIT / "tests" / "hidden").rglob("test_*.py")}
    hidden_functions = {
        line.split("(")[0].removeprefix("def ").strip()
        for path in (KIT / "tests" / "hidden").rglob("test_*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("def test_")
    }
    public_functions = {
        line.split("(")[0].removeprefix("def ").strip()
        for path in (KIT / "tests" / "public").rglob("test_*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("def test_")
    }
    texts = "\n".join(bundle_text(out).values())
    assert hidden_names
    assert [name for name in hidden_functions - public_functions if name in texts] == []
    assert "calibration.json" not in paths


def test_bundle_public_tests_run_against_stubs_and_solutions(bundle, tmp_path):
    out, _ = bundle
    command = [sys.executable, "-m", "pytest", "-q", "-x", "--no-header", "tests/public/toy/test_mlp.py"]
    environment = {"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}
    stubs = subprocess.run(command, cwd=out, capture_output=True, text=True, timeout=300, env=environment)
    assert stubs.returncode == 1, stubs.stdout + stubs.stderr
    assert "NotImplementedError" in stubs.stdout or "affine" in stubs.stdout

    solved = tmp_path / "solved"
    import shutil

    shutil.copytree(out, solved)
    for exercise in curriculum.EXERCISES:
        shutil.copyfile(KIT / "solutions" / exercise.module, solved / "exercises" / exercise.module)
    completed = subprocess.run(command[:-1] + ["tests/public"], cwd=solved, capture_output=True, text=True, timeout=300, env=environment)
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.mark.parametrize("where", ["kit", "inside", "parent", "unrelated"])
def test_bundle_refuses_unsafe_destination(tmp_path, where):
    from grader.release.bundle import BundleError, check_destination

    kit = tmp_path / "kit"
    (kit / "solutions").mkdir(parents=True)
    unrelated = tmp_path / "notes"
    unrelated.mkdir()
    (unrelated / "keep.txt").write_text("mine")
    out = {"kit": kit, "inside": kit / "dist", "parent": tmp_path, "unrelated": unrelated}[where]
    with pytest.raises(BundleError):
        check_destination(kit, out)
    assert (unrelated / "keep.txt").read_text() == "mine"


def test_bundle_replaces_earlier_bundle(bundle, tmp_path):
    from grader.release.bundle import check_destination

    out, _ = bundle
    check_destination(KIT, out)
    check_destination(KIT, tmp_path / "new")


def test_bundle_ships_student_cli_and_no_annotation_writer(bundle):
    out, _ = bundle
    assert not (out / "data" / "annotations.py").exists()
    environment = {"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}
    # -S leaves out site-packages, where the kit's own install would shadow the bundle's grader package.
    completed = subprocess.run([sys.executable, "-S", "-m", "grader", "--help"], cwd=out, capture_output=True, text=True,
                               timeout=120, env=environment)
    assert completed.returncode == 0, completed.stderr
    commands = {line.split()[0] for line in completed.stdout.splitlines() if line.startswith("    ") and line.split()}
    assert "check" in commands
    assert not commands & {"release", "grade", "verify", "calibrate", "gradescope"}


def test_bundle_notebooks_are_released_copies(bundle):
    out, _ = bundle
    notebooks = sorted(path.relative_to(out).as_posix() for path in (out / "notebooks").rglob("*.ipynb"))
    assert notebooks == ["notebooks/part1_toy.ipynb", "notebooks/part2_plantnet.ipynb", "notebooks/part3_bonus.ipynb"]
    for name in notebooks:
        text = (out / name).read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text, name
        assert '"outputs": []' in text or '"outputs"' not in text, name
    assert not (out / "notebooks" / "source").exists()
