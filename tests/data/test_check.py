from PIL import Image

from data.check import ERROR, WARNING, check_tree


def plant_problems(root):
    """Add a grayscale, an RGBA and a truncated image and a class that only train has, and return their paths."""
    grayscale = root / "train" / "clover" / "grayscale.jpg"
    Image.new("L", (32, 32), 128).save(grayscale)

    rgba = root / "val" / "five_round_petals" / "transparent.png"
    Image.new("RGBA", (32, 32), (200, 30, 30, 120)).save(rgba)

    truncated = root / "test" / "clover" / "truncated.jpg"
    Image.new("RGB", (64, 64), (10, 200, 10)).save(truncated, quality=95)
    truncated.write_bytes(truncated.read_bytes()[:300])

    extra_class = root / "train" / "thistle"
    extra_class.mkdir()
    Image.new("RGB", (32, 32), (150, 80, 200)).save(extra_class / "thistle_0000.jpg")
    return grayscale, rgba, truncated, extra_class


def test_clean_tree_passes(tiny_tree):
    report = check_tree(tiny_tree)
    assert report.ok
    assert report.issues == []
    assert report.counts == {
        split: {"clover": count, "five_round_petals": count} for split, count in (("train", 3), ("val", 2), ("test", 2))
    }
    assert report.min_size == (32, 32)
    assert report.render().endswith("OK")


def test_planted_problems_reported_by_path(tiny_tree):
    grayscale, rgba, truncated, extra_class = plant_problems(tiny_tree)
    report = check_tree(tiny_tree)

    assert not report.ok
    assert [issue.severity for issue in report.issues_for(grayscale)] == [WARNING]
    assert "mode L" in report.issues_for(grayscale)[0].message
    assert [issue.severity for issue in report.issues_for(rgba)] == [WARNING]
    assert "mode RGBA" in report.issues_for(rgba)[0].message
    assert [issue.severity for issue in report.issues_for(truncated)] == [ERROR]
    assert "unreadable" in report.issues_for(truncated)[0].message

    for split in ("val", "test"):
        issues = report.issues_for(split)
        assert len(issues) == 1, split
        assert issues[0].severity == ERROR
        assert f"lacks {extra_class.name}" in issues[0].message
    assert report.counts["train"][extra_class.name] == 1
    assert extra_class.name not in report.counts["val"]


def test_render_lists_each_problem(tiny_tree):
    plant_problems(tiny_tree)
    text = check_tree(tiny_tree).render()
    for line in (
        "train/clover/grayscale.jpg: mode L",
        "val/five_round_petals/transparent.png: mode RGBA",
        "test/clover/truncated.jpg: unreadable image",
        "val: classes differ from train: lacks thistle",
        "test: classes differ from train: lacks thistle",
    ):
        assert line in text
    assert text.splitlines()[-1] == "FAILED: 3 errors"


def test_missing_split_and_empty_class(tiny_tree):
    for image in (tiny_tree / "val" / "clover").iterdir():
        image.unlink()
    for image in (tiny_tree / "test").rglob("*.png"):
        image.unlink()
    for folder in (tiny_tree / "test").iterdir():
        folder.rmdir()
    (tiny_tree / "test").rmdir()

    report = check_tree(tiny_tree)
    assert [issue.message for issue in report.issues_for("test")] == ["split folder not found"]
    assert "no images" in report.issues_for("val/clover")[0].message
    assert report.counts["val"]["clover"] == 0


def test_skipped_files_and_leaks_are_warnings(tiny_tree):
    notes = tiny_tree / "train" / "clover" / "notes.txt"
    notes.write_text("collected in May")
    stray = tiny_tree / "val" / "stray.png"
    Image.new("RGB", (8, 8)).save(stray)
    leaked = tiny_tree / "test" / "clover" / "leaked.png"
    leaked.write_bytes((tiny_tree / "train" / "clover" / "clover_0000.png").read_bytes())

    report = check_tree(tiny_tree)
    assert report.ok
    assert "skips" in report.issues_for(notes)[0].message
    assert "outside any class folder" in report.issues_for(stray)[0].message
    assert "same bytes as train/clover/clover_0000.png" in report.issues_for(leaked)[0].message


def test_missing_root_is_an_error(tmp_path):
    report = check_tree(tmp_path / "absent")
    assert not report.ok
    assert report.errors[0].path == tmp_path / "absent"
