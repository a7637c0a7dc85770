"""Exercise 2.1: the image folders of the plant data set, and a CSV annotation file over them.

The data set root contains one folder per split (``train/``, ``val/``, ``test/``),
each with one subfolder per class, the layout that ``torchvision.datasets.ImageFolder`` reads.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from PIL import Image
from torch.utils.data import Dataset
from torchvision.datasets import ImageFolder

SPLITS = ("train", "val", "test")
ANNOTATION_COLUMNS = ("path", "label", "split")


def load_splits(root, train_transform, eval_transform) -> dict[str, ImageFolder]:
    """Load the ``train``, ``val`` and ``test`` folders under ``root`` as ``ImageFolder`` data sets.

    ``train`` gets ``train_transform``, and ``val`` and ``test`` get ``eval_transform``.
    Raises ``ValueError`` naming every missing split folder, or naming each split
    whose classes differ from those of ``train`` with the classes it lacks and adds.
    """
    root = Path(root)
    # TODO: collect the splits of SPLITS whose folder root/<split> does not exist and,
    #   if there are any, raise one ValueError that names all of them (when both
    #   val/ and test/ are missing, the user should learn it from one run, not two).
    raise NotImplementedError("Exercise 2.1: check that the three split folders exist")

    # TODO: build a dict with one ImageFolder per split: train_transform for "train"
    #   (augmentation), eval_transform for "val" and "test" (deterministic).
    raise NotImplementedError("Exercise 2.1: load each split with its transform")

    # TODO: ImageFolder numbers the classes by sorted folder name, so a class folder
    #   missing from one split shifts every later label. Compare the `classes` of val
    #   and test with those of train, and raise one ValueError naming each split that
    #   differs, with the classes it lacks and the classes it adds.
    raise NotImplementedError("Exercise 2.1: check that every split has the classes of train")


def write_annotations(root, csv_path) -> pd.DataFrame:
    """Write a CSV file listing every image under ``root`` and return its table.

    The table has one row per image and the columns ``path`` (relative to
    ``root``, with ``/`` separators), ``label`` (the ``ImageFolder`` class index)
    and ``split``. Rows come split by split (train, val, test) and, within a
    split, in the order of that split's ``ImageFolder.samples``.
    """
    root = Path(root)
    splits = load_splits(root, None, None)
    # TODO: for each split in SPLITS order, walk its ImageFolder's `samples` (pairs
    #   of file path and class index, already in ImageFolder's order). Make one row
    #   per image with the path relative to root in POSIX form, the label and the
    #   split name. as_posix() writes "/" separators, so the file reads the same on
    #   Windows. Write the table to csv_path without pandas' index column and return it.
    raise NotImplementedError("Exercise 2.1: list every image with its label and split")


class CsvImageDataset(Dataset):
    """Images listed in a table with the columns ``path`` and ``label``, such as the one ``write_annotations`` returns.

    A ``path`` is joined to ``root`` when ``root`` is given, so a table of relative paths works from any folder.
    """

    def __init__(self, df: pd.DataFrame, transform=None, root=None):
        missing = [column for column in ("path", "label") if column not in df.columns]
        if missing:
            raise ValueError(f"the table needs the columns path and label, but {', '.join(missing)} is missing; found {list(df.columns)}")
        self.df = df.reset_index(drop=True)  # a filtered table keeps its old index, and positions are what __getitem__ receives
        self.transform = transform
        self.root = Path(root) if root is not None else None

    def __len__(self) -> int:
        return len(self.df)

    def __getitem__(self, idx):
        # TODO: read row `idx` of self.df, join its path to self.root when a root is
        #   given, open the image with PIL and convert it to RGB (files may contain RGBA,
        #   grayscale or palette images, and the network expects 3 channels). Apply
        #   self.transform when there is one, and return (image, label) with the label
        #   as a Python int.
        raise NotImplementedError("Exercise 2.1: load one image and its label")
