"""Raises at the first split whose classes differ from train's, naming that split and its lacking and extra classes."""

from pathlib import Path

import pandas as pd
from PIL import Image
from torch.utils.data import Dataset
from torchvision.datasets import ImageFolder

SPLITS = ["train", "val", "test"]


def load_splits(root, train_transform, eval_transform):
    root = Path(root)
    missing = [split for split in SPLITS if not (root / split).exists()]
    if missing:
        raise ValueError(f"{root} is missing the split folders {missing}")
    loaded = {}
    for split in SPLITS:
        loaded[split] = ImageFolder(str(root / split), transform=train_transform if split == "train" else eval_transform)
        if split != "train":
            lacking = sorted(set(loaded["train"].classes) - set(loaded[split].classes))
            extra = sorted(set(loaded[split].classes) - set(loaded["train"].classes))
            if lacking or extra:
                raise ValueError(f"split {split!r} differs from train: lacks {lacking}, adds {extra}")
    return loaded


def write_annotations(root, csv_path):
    root = Path(root)
    loaded = load_splits(root, None, None)
    records = []
    for split in SPLITS:
        for path, label in loaded[split].samples:
            records.append({"path": Path(path).relative_to(root).as_posix(), "label": int(label), "split": split})
    table = pd.DataFrame.from_records(records, columns=["path", "label", "split"])
    Path(csv_path).parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(csv_path, index=False)
    return table


class CsvImageDataset(Dataset):
    def __init__(self, df, transform=None, root=None):
        self.df = df
        self.transform = transform
        self.root = root

    def __len__(self):
        return len(self.df)

    def __getitem__(self, idx):
        path = self.df["path"].iloc[idx]
        label = self.df["label"].iloc[idx]
        if self.root:
            path = Path(self.root) / path
        with Image.open(path) as image:
            rgb = image.convert("RGB")
        if self.transform:
            rgb = self.transform(rgb)
        return rgb, int(label)
