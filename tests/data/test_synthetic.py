from pathlib import Path

import pytest
from PIL import Image
from torchvision.datasets import ImageFolder

from data.synthetic import DEFAULT_CLASSES, generate_image_set


def read_tree(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def test_generation_is_byte_identical(tmp_path):
    arguments = {"classes": DEFAULT_CLASSES, "per_split": {"train": 2, "val": 1, "test": 1}, "image_size": 48, "seed": 3}
    first = read_tree(generate_image_set(tmp_path / "first", **arguments))
    second = read_tree(generate_image_set(tmp_path / "second", **arguments))

    assert len(first) == 6 * 4 + 1  # images plus image_set.json
    assert first.keys() == second.keys()
    differing = [name for name in first if first[name] != second[name]]
    assert differing == []


def test_other_seed_gives_other_images(tmp_path):
    first = read_tree(generate_image_set(tmp_path / "a", classes=["clover"], per_split=1, image_size=32, seed=0))
    second = read_tree(generate_image_set(tmp_path / "b", classes=["clover"], per_split=1, image_size=32, seed=1))
    assert first["train/clover/clover_0000.png"] != second["train/clover/clover_0000.png"]


def test_more_images_keep_existing_ones(tmp_path):
    small = read_tree(generate_image_set(tmp_path / "small", classes=["pinnate_leaf"], per_split=1, image_size=32))
    large = read_tree(generate_image_set(tmp_path / "large", classes=["pinnate_leaf"], per_split=3, image_size=32))
    for name, content in small.items():
        if name.endswith(".png"):
            assert large[name] == content, name


def test_layout_is_imagefolder_of_rgb_images(tmp_path):
    root = generate_image_set(tmp_path / "set", per_split={"train": 2, "val": 1, "test": 0}, image_size=40)

    for split, count in (("train", 2), ("val", 1)):
        dataset = ImageFolder(root / split)
        assert dataset.classes == sorted(DEFAULT_CLASSES)
        assert len(dataset) == count * len(DEFAULT_CLASSES)
    assert sorted(path.name for path in (root / "test").iterdir()) == sorted(DEFAULT_CLASSES)

    with Image.open(root / "train" / "clover" / "clover_0000.png") as image:
        assert image.mode == "RGB"
        assert image.size == (40, 40)


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"classes": ["cactus"]}, "unknown classes"),
        ({"classes": []}, "classes is empty"),
        ({"classes": ["clover", "clover"]}, "duplicates"),
        ({"per_split": {"train": -1}}, "non-negative"),
        ({"per_split": {"training": 1}}, "unknown splits"),
        ({"image_size": 4}, "at least 8"),
    ],
)
def test_invalid_arguments_raise(tmp_path, arguments, message):
    with pytest.raises(ValueError, match=message):
        generate_image_set(tmp_path / "set", **arguments)
