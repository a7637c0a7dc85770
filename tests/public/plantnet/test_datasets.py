from pathlib import Path

import pandas as pd
import pytest
import torch
from torchvision import transforms
from torchvision.datasets import ImageFolder

from tests.strategies import random_image, write_image_tree

LAYOUT = {
    "train": {"acer": ["a.png", "b.png"], "betula": ["c.png"]},
    "val": {"acer": ["d.png"], "betula": ["e.png"]},
    "test": {"acer": ["f.png"], "betula": ["g.png", "h.png"]},
}


@pytest.fixture
def datasets(load):
    return load("plantnet.datasets")


def image_folder_rows(root: Path) -> list[tuple[str, int, str]]:
    """Return the expected annotation rows ``(path, label, split)``, read off torchvision's ImageFolder."""
    return [
        (Path(path).relative_to(root).as_posix(), label, split)
        for split in ("train", "val", "test")
        for path, label in ImageFolder(root / split).samples
    ]


@pytest.mark.exercise("2.1", points=2)
def test_load_splits_returns_image_folders(datasets, tmp_path):
    write_image_tree(tmp_path, LAYOUT)

    splits = datasets.load_splits(tmp_path, lambda image: "train transform", lambda image: "eval transform")

    assert set(splits) == {"train", "val", "test"}, f"load_splits should return the keys train, val and test, got {sorted(splits)}"
    for name, split in splits.items():
        assert isinstance(split, ImageFolder), f"splits[{name!r}] should be a torchvision ImageFolder, got {type(split).__name__}"
        assert split.classes == ["acer", "betula"], f"splits[{name!r}] should read the class folders of {name}/, got {split.classes}"
    assert splits["train"][0][0] == "train transform", "the train split must apply train_transform"
    assert splits["val"][0][0] == "eval transform", "the val split must apply eval_transform, not the augmentation of train_transform"
    assert splits["test"][0][0] == "eval transform", "the test split must apply eval_transform, not the augmentation of train_transform"


@pytest.mark.exercise("2.1", points=1)
def test_load_splits_missing_split_raises(datasets, tmp_path):
    write_image_tree(tmp_path, {"train": LAYOUT["train"], "val": LAYOUT["val"]})

    with pytest.raises(ValueError, match=r"\btest\b"):
        datasets.load_splits(tmp_path, None, None)


@pytest.mark.exercise("2.1", points=2)
def test_csv_dataset_rgba_gives_three_channels(datasets, tmp_path):
    random_image("RGBA", 6, 5).save(tmp_path / "leaf.png")
    table = pd.DataFrame({"path": ["leaf.png"], "label": [3]})

    image, label = datasets.CsvImageDataset(table, transform=transforms.ToTensor(), root=tmp_path)[0]

    assert isinstance(image, torch.Tensor), f"the transform's output should come back unchanged, got {type(image).__name__}"
    assert image.shape == (3, 5, 6), (
        f"an RGBA image should come out with 3 channels, got shape {tuple(image.shape)}: "
        "call .convert('RGB') on the opened image, because the network expects 3 channels"
    )
    assert type(label) is int, f"the label should be a Python int, got {type(label).__name__}: use int(...)"
    assert label == 3


@pytest.mark.exercise("2.1", points=2)
def test_write_annotations_follows_image_folder(datasets, tmp_path):
    root = tmp_path / "plants"
    write_image_tree(root, LAYOUT)
    csv_path = tmp_path / "annotations.csv"

    table = datasets.write_annotations(root, csv_path)

    assert isinstance(table, pd.DataFrame), f"write_annotations should return a pandas DataFrame, got {type(table).__name__}"
    assert set(table.columns) == {"path", "label", "split"}, f"expected the columns path, label and split, got {list(table.columns)}"
    expected = image_folder_rows(root)
    rows = [(row.path, int(row.label), row.split) for row in table[["path", "label", "split"]].itertuples(index=False)]
    assert rows == expected, (
        "rows should list train, then val, then test, each in the order of its ImageFolder.samples, "
        "with paths relative to root and the ImageFolder class index as label"
    )
    assert csv_path.is_file(), "write_annotations should write the table to csv_path"
    written = pd.read_csv(csv_path)
    assert list(written["path"]) == [row[0] for row in expected], "the CSV file should hold the same paths as the returned table"
