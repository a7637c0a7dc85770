import os

import pytest
import torch
from PIL import Image
from torchvision import transforms
from torchvision.datasets import ImageFolder
from torchvision.transforms import v2

from data import cache as cache_module
from data.cache import CachedImageFolder, cached_splits


@pytest.fixture
def photo_split(tmp_path):
    """Return a split folder of JPEGs with odd sizes and modes, so resizing and RGB conversion both matter."""
    split = tmp_path / "photos" / "train"
    generator = torch.Generator().manual_seed(0)
    specs = {"iris": [((57, 41), "RGB"), ((33, 70), "L")], "daisy": [((48, 48), "RGB"), ((90, 31), "CMYK")]}
    for class_name, images in specs.items():
        (split / class_name).mkdir(parents=True)
        for index, (size, mode) in enumerate(images):
            pixels = torch.randint(0, 256, (size[1], size[0], 3), generator=generator, dtype=torch.uint8).numpy()
            Image.fromarray(pixels, "RGB").convert(mode).save(split / class_name / f"{index}.jpg", quality=90)
    return split


def decoded_directly(path, size):
    with Image.open(path) as image:
        resized = transforms.Resize(size)(image.convert("RGB"))
    return transforms.PILToTensor()(resized)


def test_pixels_match_decode_and_resize(photo_split, tmp_path):
    dataset = CachedImageFolder(photo_split, image_size=(24, 20), cache_dir=tmp_path / "cache")
    reference = ImageFolder(photo_split)

    assert dataset.classes == reference.classes
    assert dataset.samples == reference.samples
    assert dataset.targets == reference.targets
    assert not dataset.loaded_from_cache
    for index, (path, label) in enumerate(reference.samples):
        image, target = dataset[index]
        assert image.dtype == torch.uint8
        assert image.shape == (3, 24, 20)
        assert torch.equal(image, decoded_directly(path, (24, 20))), path
        assert target == label


def test_second_dataset_reads_cache_file(photo_split, tmp_path, monkeypatch):
    first = CachedImageFolder(photo_split, image_size=16, cache_dir=tmp_path / "cache")
    stamp = os.stat(first.cache_path).st_mtime_ns

    def fail_decode(path, size):
        raise AssertionError(f"decoded {path} although the cache file exists")

    monkeypatch.setattr(cache_module, "decode_resized", fail_decode)
    second = CachedImageFolder(photo_split, image_size=16, cache_dir=tmp_path / "cache")

    assert second.loaded_from_cache
    assert second.cache_path == first.cache_path
    assert torch.equal(second.images, first.images)
    assert os.stat(first.cache_path).st_mtime_ns == stamp
    assert [path.name for path in (tmp_path / "cache").iterdir()] == [first.cache_path.name]


def test_changed_file_or_size_selects_new_cache(photo_split, tmp_path):
    first = CachedImageFolder(photo_split, image_size=16, cache_dir=tmp_path / "cache")
    other_size = CachedImageFolder(photo_split, image_size=12, cache_dir=tmp_path / "cache")
    assert other_size.cache_path != first.cache_path
    assert not other_size.loaded_from_cache

    changed = photo_split / "iris" / "0.jpg"
    Image.new("RGB", (30, 30), (255, 0, 0)).save(changed)
    after_change = CachedImageFolder(photo_split, image_size=16, cache_dir=tmp_path / "cache")
    assert after_change.cache_path != first.cache_path
    assert not after_change.loaded_from_cache
    index = [path for path, _ in after_change.samples].index(str(changed))
    assert torch.equal(after_change[index][0], decoded_directly(changed, (16, 16)))


def test_corrupt_cache_file_is_rebuilt(photo_split, tmp_path, caplog):
    first = CachedImageFolder(photo_split, image_size=16, cache_dir=tmp_path / "cache")
    first.cache_path.write_bytes(b"not a torch file")

    second = CachedImageFolder(photo_split, image_size=16, cache_dir=tmp_path / "cache")
    assert not second.loaded_from_cache
    assert torch.equal(second.images, first.images)
    assert "unreadable" in caplog.text
    assert CachedImageFolder(photo_split, image_size=16, cache_dir=tmp_path / "cache").loaded_from_cache


def test_tensor_transform_is_applied(photo_split, tmp_path):
    to_float = v2.Compose([v2.ToDtype(torch.float32, scale=True)])
    dataset = CachedImageFolder(photo_split, image_size=16, transform=to_float, cache_dir=tmp_path / "cache")
    image, _ = dataset[0]
    assert image.dtype == torch.float32
    assert torch.allclose(image, dataset.images[0].float() / 255)


def test_cached_splits_cover_each_split(tiny_tree, tmp_path):
    datasets = cached_splits(tiny_tree, 8, transforms={"train": v2.RandomHorizontalFlip()}, cache_dir=tmp_path / "cache")
    assert {split: len(dataset) for split, dataset in datasets.items()} == {"train": 6, "val": 4, "test": 4}
    assert datasets["train"].transform is not None
    assert datasets["val"].transform is None


def test_invalid_size_raises(photo_split, tmp_path):
    with pytest.raises(ValueError, match="must be positive"):
        CachedImageFolder(photo_split, image_size=0, cache_dir=tmp_path / "cache")


def test_cache_file_follows_umask(photo_split, tmp_path):
    previous = os.umask(0o022)
    try:
        dataset = CachedImageFolder(photo_split, image_size=8, cache_dir=tmp_path / "cache")
    finally:
        os.umask(previous)
    assert dataset.cache_path.stat().st_mode & 0o777 == 0o644
    assert [path.name for path in (tmp_path / "cache").iterdir()] == [dataset.cache_path.name]
