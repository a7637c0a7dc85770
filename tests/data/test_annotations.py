import io
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image
from torchvision.datasets import ImageFolder

from data.annotations import annotation_rows, format_annotations, write_annotations


@pytest.fixture
def awkward_tree(tiny_tree):
    """Add names that sort and quote unusually: upper-case extension, a comma, a nested folder, a non-image file."""
    clover = tiny_tree / "train" / "clover"
    Image.new("RGB", (16, 16), (1, 2, 3)).save(clover / "A_upper.JPG", format="JPEG")
    Image.new("RGB", (16, 16), (4, 5, 6)).save(clover / "with, comma.png")
    (clover / "nested").mkdir()
    Image.new("RGB", (16, 16), (7, 8, 9)).save(clover / "nested" / "deep.png")
    (clover / "readme.txt").write_text("not an image")
    return tiny_tree


def expected_frame(root):
    rows = []
    for split in ("train", "val", "test"):
        dataset = ImageFolder(root / split)
        for path, label in dataset.samples:
            relative = "/".join(Path(path).relative_to(root).parts)
            rows.append({"path": relative, "label": label, "split": split})
    return pd.DataFrame(rows, columns=["path", "label", "split"])


def test_rows_follow_imagefolder_samples(awkward_tree):
    rows = annotation_rows(awkward_tree)
    expected = expected_frame(awkward_tree)
    assert [tuple(row) for row in rows] == list(expected.itertuples(index=False, name=None))
    assert "train/clover/nested/deep.png" in [row.path for row in rows]
    assert all(not row.path.endswith(".txt") for row in rows)


def test_csv_matches_pandas_output(awkward_tree, tmp_path):
    csv_path = tmp_path / "out" / "annotations.csv"
    write_annotations(awkward_tree, csv_path)

    expected = expected_frame(awkward_tree).to_csv(index=False, lineterminator="\n")
    assert csv_path.read_text(encoding="utf-8") == expected
    frame = pd.read_csv(csv_path)
    assert list(frame.columns) == ["path", "label", "split"]
    assert frame["label"].dtype.kind == "i"
    assert list(dict.fromkeys(frame["split"])) == ["train", "val", "test"]


def test_labels_index_sorted_class_folders(tiny_tree):
    rows = annotation_rows(tiny_tree)
    labels = {row.path.split("/")[1]: row.label for row in rows}
    assert labels == {"clover": 0, "five_round_petals": 1}


def test_format_quotes_commas():
    text = format_annotations([("train/a/x, y.png", 0, "train")])
    assert text == 'path,label,split\n"train/a/x, y.png",0,train\n'
    assert pd.read_csv(io.StringIO(text))["path"][0] == "train/a/x, y.png"


def test_missing_split_raises(tiny_tree):
    for image in (tiny_tree / "test").rglob("*.png"):
        image.unlink()
    for folder in (tiny_tree / "test").iterdir():
        folder.rmdir()
    (tiny_tree / "test").rmdir()
    with pytest.raises(ValueError, match="split folders not found: test"):
        annotation_rows(tiny_tree)


def test_differing_classes_raise(tiny_tree):
    extra = tiny_tree / "val" / "thistle"
    extra.mkdir()
    Image.new("RGB", (8, 8)).save(extra / "t.png")
    with pytest.raises(ValueError, match=r"classes of val differ from train \(lacks none, adds \['thistle'\]\)"):
        annotation_rows(tiny_tree)
