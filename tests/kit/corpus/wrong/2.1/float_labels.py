"""Returns each label as a float, so CrossEntropyLoss rejects the batch of targets.

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
    missing = [split for split in SPLITS if not (root / split).is_dir()]
    if missing:
        raise ValueError(
            f"missing split folder(s) {', '.join(missing)} under {root}: "
            "the data set root must contain train/, val/ and test/, each with one subfolder per class"
        )

    datasets = {"train": ImageFolder(root / "train", transform=train_transform)}
    for split in ("val", "test"):
        datasets[split] = ImageFolder(root / split, transform=eval_transform)

    expected = set(datasets["train"].classes)
    problems = []
    for split in ("val", "test"):
        found = set(datasets[split].classes)
        lacking, extra = sorted(expected - found), sorted(found - expected)
        if lacking or extra:
            details = []
            if lacking:
                details.append(f"lacks {', '.join(lacking)}")
            if extra:
                details.append(f"adds {', '.join(extra)}")
            problems.append(f"{split} {' and '.join(details)}")
    if problems:
        raise ValueError(
            f"the class folders under {root} differ between splits, so their labels would not match: "
            f"compared with train, {'; '.join(problems)}. Give every split the same class folders."
        )
    return datasets


def write_annotations(root, csv_path) -> pd.DataFrame:
    """Write a CSV file listing every image under ``root`` and return its table.

    The table has one row per image and the columns ``path`` (relative to
    ``root``, with ``/`` separators), ``label`` (the ``ImageFolder`` class index)
    and ``split``. Rows come split by split (train, val, test) and, within a
    split, in the order of that split's ``ImageFolder.samples``.
    """
    root = Path(root)
    splits = load_splits(root, None, None)
    rows = []
    for split in SPLITS:
        for path, label in splits[split].samples:
            rows.append((Path(path).relative_to(root).as_posix(), label, split))
    table = pd.DataFrame(rows, columns=list(ANNOTATION_COLUMNS))
    table.to_csv(csv_path, index=False)
    return table


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
        row = self.df.iloc[idx]
        path = Path(row["path"])
        if self.root is not None:
            path = self.root / path
        with Image.open(path) as image:
            image = image.convert("RGB")
        if self.transform is not None:
            image = self.transform(image)
        return image, float(row["label"])
