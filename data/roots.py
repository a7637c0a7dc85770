"""The data root that tests, benchmarks and notebooks read images from.

One rule picks it, in this order:

1. an explicit option (``--data-root`` on pytest, an argument in code);
2. the environment variable ``KIT_DATA_ROOT``;
3. the generated image set, built on first use in the kit's cache folder.

A configured root (1 or 2) must be an ImageFolder tree with ``train``, ``val``
and ``test`` folders. When it is not, ``DataRootError`` names the path and the
fix, so tests fail instead of silently running on other data.

The cache folder is ``$KIT_CACHE_DIR`` when that is set. Otherwise it is
``data/`` in a source checkout (its ``generated/`` and ``cache/`` folders are
git-ignored), or ``~/.cache/plant-dl-kit`` when the kit is installed from a wheel.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from torchvision.datasets.folder import IMG_EXTENSIONS

from data import synthetic

DATA_ROOT_VARIABLE = "KIT_DATA_ROOT"
CACHE_DIR_VARIABLE = "KIT_CACHE_DIR"
SPLITS = ("train", "val", "test")

_DATA_ROOT_KEY = None  # pytest.StashKey, created on first use so that importing this module does not import pytest


class DataRootError(ValueError):
    """A configured data root that is missing or is not a train/val/test ImageFolder tree."""


def checkout_root() -> Path | None:
    """Return the source checkout this package lives in, or ``None`` when it is installed elsewhere."""
    candidate = Path(__file__).resolve().parent.parent
    if (candidate / "pyproject.toml").is_file():
        return candidate
    return None


def cache_dir() -> Path:
    """Return the folder that contains generated image sets (``generated/``) and decoded-image caches (``cache/``)."""
    configured = os.environ.get(CACHE_DIR_VARIABLE)
    if configured:
        return Path(configured).expanduser().resolve()
    checkout = checkout_root()
    if checkout is not None:
        return checkout / "data"
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "plant-dl-kit"


def _has_image(folder: Path) -> bool:
    for _, _, files in os.walk(folder, followlinks=True):
        if any(name.lower().endswith(IMG_EXTENSIONS) for name in files):
            return True
    return False


def validate_data_root(root: str | Path, source: str = "data root") -> Path:
    """Raise ``DataRootError`` unless ``root`` contains train/val/test folders with at least one class folder of images each.

    ``source`` names where the path came from (an option or a variable), so the
    message points at the setting to change. Returns the resolved path.
    This is a quick structural check; ``data.check.check_tree`` reads every image.
    """
    path = Path(root).expanduser()
    fix = (
        f"Point {source} at a folder with train/, val/ and test/ subfolders, each with one folder of images per class, "
        f"or unset it to use the generated image set."
    )
    if not path.exists():
        raise DataRootError(f"{source} {path} not found. {fix}")
    if not path.is_dir():
        raise DataRootError(f"{source} {path} is not a folder. {fix}")

    missing = [split for split in SPLITS if not (path / split).is_dir()]
    if missing:
        folders = ", ".join(f"{split}/" for split in missing)
        raise DataRootError(f"{source} {path} lacks the split folders {folders}. {fix}")
    for split in SPLITS:
        class_folders = [entry for entry in (path / split).iterdir() if entry.is_dir()]
        if not class_folders:
            raise DataRootError(f"{source} {path}: {split}/ contains no class folders. {fix}")
        if not any(_has_image(folder) for folder in class_folders):
            raise DataRootError(f"{source} {path}: {split}/ contains no image files ({', '.join(IMG_EXTENSIONS)}). {fix}")
    return path.resolve()


def generated_root(
    classes=synthetic.DEFAULT_CLASSES,
    per_split=synthetic.DEFAULT_PER_SPLIT,
    image_size: int = synthetic.DEFAULT_IMAGE_SIZE,
    seed: int = 0,
) -> Path:
    """Return the generated image set for these arguments, building it first if the cache lacks it.

    The set is built in a temporary folder and renamed into place, so a
    concurrent test process never reads a half-written set.
    """
    counts = synthetic.validate_per_split(per_split)
    split_counts = f"{counts['train']}-{counts['val']}-{counts['test']}"
    name = f"plants-v{synthetic.GENERATOR_VERSION}-{len(classes)}c-{split_counts}-{image_size}px-seed{seed}"
    if tuple(classes) != synthetic.DEFAULT_CLASSES:
        name += "-" + "+".join(classes)
    target = cache_dir() / "generated" / name
    if (target / synthetic.PARAMETERS_FILE).is_file():
        return target

    target.parent.mkdir(parents=True, exist_ok=True)
    # A unique staging name per process and call. os.mkdir applies the umask, unlike mkdtemp's 0700.
    staging = target.parent / f".{name}.{os.getpid()}.{uuid.uuid4().hex}"
    staging.mkdir()
    try:
        synthetic.generate_image_set(staging, classes=classes, per_split=counts, image_size=image_size, seed=seed)
        try:
            staging.rename(target)
        except OSError:
            if not (target / synthetic.PARAMETERS_FILE).is_file():
                raise  # the rename failed for another reason than a concurrent build
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return target


def resolve_data_root(option: str | Path | None = None) -> Path:
    """Return the data root: ``option`` if given, else ``$KIT_DATA_ROOT``, else the generated image set.

    Raises ``DataRootError`` when the option or the variable names a folder that
    is missing or is not a train/val/test ImageFolder tree.
    """
    if option is not None and str(option) != "":
        return validate_data_root(option, source="--data-root")
    configured = os.environ.get(DATA_ROOT_VARIABLE)
    if configured:
        return validate_data_root(configured, source=DATA_ROOT_VARIABLE)
    return generated_root()


def add_data_root_option(parser) -> None:
    """Register ``--data-root`` on a pytest ``Parser``. Call it from a ``pytest_addoption`` hook."""
    group = parser.getgroup("kit", "exercise kit")
    group.addoption(
        "--data-root",
        default=None,
        metavar="DIR",
        help=(
            f"image folder with train/, val/ and test/ ImageFolder trees that data tests read "
            f"(default: ${DATA_ROOT_VARIABLE}, else the generated image set)"
        ),
    )


def data_root_from_config(config) -> Path:
    """Return the data root for a pytest session from its ``--data-root`` option, resolved once per session.

    Raises ``DataRootError`` for a configured root that is missing or invalid, so
    the tests that ask for it fail with that message instead of being skipped.
    """
    import pytest

    global _DATA_ROOT_KEY
    if _DATA_ROOT_KEY is None:
        _DATA_ROOT_KEY = pytest.StashKey[Path]()
    if _DATA_ROOT_KEY in config.stash:
        return config.stash[_DATA_ROOT_KEY]
    root = resolve_data_root(config.getoption("data_root", default=None))
    config.stash[_DATA_ROOT_KEY] = root
    return root
