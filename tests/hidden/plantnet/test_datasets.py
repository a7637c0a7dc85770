import re
from pathlib import Path

import pandas as pd
import pytest
import torch
from PIL import Image
from torchvision import transforms
from torchvision.datasets import ImageFolder

from tests.strategies import random_image, write_image_tree

CLASSES = ["acer_campestre", "betula_pendula", "quercus_robur"]


@pytest.fixture
def datasets(load):
    return load("plantnet.datasets")


def layout_with(classes_per_split: dict[str, list[str]]) -> dict:
    """Return a tree layout with one image per class folder of each split."""
    return {split: {name: [f"{split}_{name}.png"] for name in classes} for split, classes in classes_per_split.items()}


def image_folder_rows(root: Path) -> list[tuple[str, int, str]]:
    """Return the expected annotation rows ``(path, label, split)``, read off torchvision's ImageFolder."""
    return [
        (Path(path).relative_to(root).as_posix(), label, split)
        for split in ("train", "val", "test")
        for path, label in ImageFolder(root / split).samples
    ]


def mentions(message: str, word: str) -> bool:
    return re.search(rf"\b{re.escape(word)}\b", message) is not None


@pytest.mark.exercise("2.1", points=2)
@pytest.mark.parametrize("mode", ["RGBA", "L", "P"])
def test_csv_dataset_converts_mode_to_rgb(datasets, tmp_path, mode):
    source = random_image(mode, 7, 4, seed=3)
    source.save(tmp_path / "leaf.png")
    table = pd.DataFrame({"path": ["leaf.png"], "label": [1]})

    image, _ = datasets.CsvImageDataset(table, transform=transforms.ToTensor(), root=tmp_path)[0]

    assert image.shape == (3, 4, 7), (
        f"a {mode} image should come out as 3 channels (3, H, W), got shape {tuple(image.shape)}: "
        "convert every image with .convert('RGB') before the transform"
    )
    if mode != "RGBA":
        expected = transforms.ToTensor()(Image.open(tmp_path / "leaf.png").convert("RGB"))
        assert torch.allclose(image, expected), f"the pixels of a {mode} image should be those of image.convert('RGB')"


@pytest.mark.exercise("2.1", points=1)
def test_csv_dataset_without_transform_gives_pil_rgb(datasets, tmp_path):
    random_image("L", 5, 5).save(tmp_path / "gray.png")
    table = pd.DataFrame({"path": ["gray.png"], "label": [0]})

    image, label = datasets.CsvImageDataset(table, root=tmp_path)[0]

    assert isinstance(image, Image.Image), f"without a transform, the item should be the PIL image, got {type(image).__name__}"
    assert image.mode == "RGB", f"without a transform the image should still be converted to RGB, got mode {image.mode}"
    assert type(label) is int


@pytest.mark.exercise("2.1", points=2)
def test_csv_dataset_reads_annotation_table(datasets, tmp_path):
    root = tmp_path / "plants"
    write_image_tree(root, layout_with({"train": CLASSES, "val": CLASSES, "test": CLASSES}))
    rows = image_folder_rows(root)
    table = pd.DataFrame(rows, columns=["path", "label", "split"])
    val_table = table[table["split"] == "val"]  # keeps the index of the full table, which does not start at 0

    dataset = datasets.CsvImageDataset(val_table, transform=transforms.ToTensor(), root=root)

    assert len(dataset) == len(CLASSES)
    for position, (path, label, _) in enumerate(row for row in rows if row[2] == "val"):
        image, item_label = dataset[position]
        assert type(item_label) is int, f"labels should be Python ints, got {type(item_label).__name__}: use int(...)"
        assert item_label == label, f"item {position} should have label {label}, got {item_label}: read the row by position with .iloc"
        expected = transforms.ToTensor()(Image.open(root / path).convert("RGB"))
        assert torch.equal(image, expected), f"item {position} should be the image {path} joined to root"


@pytest.mark.exercise("2.1", points=1)
def test_csv_dataset_absolute_paths_without_root(datasets, tmp_path):
    random_image("RGB", 4, 6).save(tmp_path / "a.png")
    random_image("RGB", 4, 6, seed=1).save(tmp_path / "b.png")
    table = pd.DataFrame({"path": [str(tmp_path / "a.png"), str(tmp_path / "b.png")], "label": [2, 0]})

    dataset = datasets.CsvImageDataset(table, transform=transforms.ToTensor())

    assert len(dataset) == 2
    image, label = dataset[1]
    assert label == 0
    assert torch.equal(image, transforms.ToTensor()(Image.open(tmp_path / "b.png").convert("RGB")))


@pytest.mark.exercise("2.1", points=1)
def test_load_splits_val_lacking_class_raises(datasets, tmp_path):
    write_image_tree(tmp_path, layout_with({"train": CLASSES, "val": CLASSES[:2], "test": CLASSES}))

    with pytest.raises(ValueError) as raised:
        datasets.load_splits(tmp_path, None, None)

    message = str(raised.value)
    assert mentions(message, "val"), f"the error should name the split val, which lacks a class of train; got: {message}"
    assert "quercus_robur" in message, f"the error should name the class that val lacks (quercus_robur); got: {message}"


@pytest.mark.exercise("2.1", points=1)
def test_load_splits_test_extra_class_raises(datasets, tmp_path):
    write_image_tree(tmp_path, layout_with({"train": CLASSES, "val": CLASSES, "test": [*CLASSES, "tilia_cordata"]}))

    with pytest.raises(ValueError) as raised:
        datasets.load_splits(tmp_path, None, None)

    message = str(raised.value)
    assert mentions(message, "test"), f"the error should name the split test, which adds a class; got: {message}"
    assert "tilia_cordata" in message, f"the error should name the class that test adds (tilia_cordata); got: {message}"


@pytest.mark.exercise("2.1", points=1)
def test_load_splits_same_count_other_classes_raise(datasets, tmp_path):
    write_image_tree(
        tmp_path,
        layout_with({"train": CLASSES, "val": ["acer_campestre", "betula_pendula", "tilia_cordata"], "test": CLASSES}),
    )

    with pytest.raises(ValueError) as raised:
        datasets.load_splits(tmp_path, None, None)

    message = str(raised.value)
    assert mentions(message, "val"), f"the error should name the split val; got: {message}"
    assert "quercus_robur" in message, f"the error should name the class val lacks (quercus_robur), although val has as many classes as train; got: {message}"
    assert "tilia_cordata" in message, f"the error should name the class val adds (tilia_cordata); got: {message}"


@pytest.mark.exercise("2.1", points=2)
def test_load_splits_names_every_missing_split(datasets, tmp_path):
    write_image_tree(tmp_path, layout_with({"train": CLASSES}))

    with pytest.raises(ValueError) as raised:
        datasets.load_splits(tmp_path, None, None)

    message = str(raised.value)
    assert mentions(message, "val"), f"with only train/ present, the error should name the missing split val; got: {message}"
    assert mentions(message, "test"), f"with only train/ present, the same error should also name the missing split test; got: {message}"


@pytest.mark.exercise("2.1", points=1)
def test_load_splits_missing_root_raises(datasets, tmp_path):
    with pytest.raises(ValueError) as raised:
        datasets.load_splits(tmp_path / "nowhere", None, None)

    message = str(raised.value)
    for split in ("train", "val", "test"):
        assert mentions(message, split), f"a missing root should be reported as all three splits missing, but {split} is not named: {message}"


@pytest.mark.exercise("2.1", points=1)
def test_load_splits_consistent_tree_loads(datasets, tmp_path):
    write_image_tree(tmp_path, layout_with({"train": CLASSES, "val": CLASSES, "test": CLASSES}))

    splits = datasets.load_splits(tmp_path, transforms.ToTensor(), transforms.ToTensor())

    for name in ("train", "val", "test"):
        assert splits[name].classes == CLASSES
        assert splits[name].class_to_idx == {name: index for index, name in enumerate(CLASSES)}
        assert len(splits[name]) == len(CLASSES)


@pytest.mark.exercise("2.1", points=3)
def test_write_annotations_matches_image_folder(datasets, tmp_path):
    root = tmp_path / "plants"
    layout = {
        "train": {
            "betula": ["10.png", "9.png", "b.jpg", "notes.txt", "old/a.png"],
            "acer": ["Z.png", "a.png"],
            "quercus": ["x.jpg"],
        },
        "val": {"acer": ["v1.png"], "betula": ["v2.jpg", "deeper/v0.png"], "quercus": ["v3.png"]},
        "test": {"acer": ["t1.png", "t0.png"], "betula": ["t2.png"], "quercus": ["t3.png"]},
    }
    write_image_tree(root, layout)
    csv_path = tmp_path / "annotations.csv"

    table = datasets.write_annotations(root, csv_path)

    expected = image_folder_rows(root)
    assert len(table) == len(expected), (
        f"expected one row per image ImageFolder finds ({len(expected)}), got {len(table)}: "
        "images in subfolders of a class folder count, and files that are not images do not"
    )
    assert set(table.columns) == {"path", "label", "split"}, f"expected the columns path, label and split, got {list(table.columns)}"
    assert pd.api.types.is_integer_dtype(table["label"]), f"labels should be integers, got dtype {table['label'].dtype}"
    paths = list(table["path"])
    assert not any("\\" in path for path in paths), "paths should use '/' separators (Path.as_posix())"
    assert not any(Path(path).is_absolute() for path in paths), "paths should be relative to root, e.g. train/acer/a.png"
    assert list(table["split"]) == [row[2] for row in expected], "rows should come split by split: train, then val, then test"
    assert paths == [row[0] for row in expected], "within a split, rows should follow the order of that split's ImageFolder.samples"
    assert [int(label) for label in table["label"]] == [row[1] for row in expected], (
        "labels should be the class index ImageFolder gives (classes sorted by folder name)"
    )


@pytest.mark.exercise("2.1", points=1)
def test_write_annotations_csv_matches_table(datasets, tmp_path):
    root = tmp_path / "plants"
    write_image_tree(root, layout_with({"train": CLASSES, "val": CLASSES, "test": CLASSES}))
    csv_path = tmp_path / "annotations.csv"

    table = datasets.write_annotations(root, csv_path)
    written = pd.read_csv(csv_path)

    for column in ("path", "label", "split"):
        assert column in written.columns, f"the CSV file should have a column {column!r}, got {list(written.columns)}"
        assert list(written[column]) == list(table[column]), f"column {column!r} of the CSV file differs from the returned table"


@pytest.mark.exercise("2.1", points=1)
def test_write_annotations_relative_root(datasets, tmp_path, monkeypatch):
    write_image_tree(tmp_path / "plants", layout_with({"train": CLASSES, "val": CLASSES, "test": CLASSES}))
    monkeypatch.chdir(tmp_path)

    table = datasets.write_annotations("plants", "annotations.csv")

    assert list(table["path"]) == [row[0] for row in image_folder_rows(Path("plants"))], (
        "with a relative root, paths should still be relative to root (train/...), not to the working folder"
    )
    assert Path("annotations.csv").is_file()


@pytest.mark.exercise("2.1", points=1)
def test_annotation_round_trip(datasets, tmp_path):
    root = tmp_path / "plants"
    write_image_tree(root, layout_with({"train": CLASSES, "val": CLASSES, "test": CLASSES}), mode="P")
    csv_path = tmp_path / "annotations.csv"
    datasets.write_annotations(root, csv_path)

    dataset = datasets.CsvImageDataset(pd.read_csv(csv_path), transform=transforms.ToTensor(), root=root)

    folders = ImageFolder(root / "train", transform=transforms.ToTensor())
    for index in range(len(folders)):
        image, label = dataset[index]
        expected_image, expected_label = folders[index]
        assert label == expected_label
        assert torch.equal(image, expected_image), "the CSV data set should give the same tensors as ImageFolder for the same file"
