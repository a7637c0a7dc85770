"""Opens images without convert("RGB"), so RGBA, grayscale and palette files keep their own channel count."""

from pathlib import Path

import pandas as pd
from PIL import Image
from torch.utils.data import Dataset
from torchvision.datasets import ImageFolder

SPLITS = ("train", "val", "test")


def load_splits(root, train_transform, eval_transform):
    root = Path(root)
    missing = [split for split in SPLITS if not (root / split).is_dir()]
    if missing:
        raise ValueError(f"missing splits: {missing}")
    datasets = {
        "train": ImageFolder(root / "train", transform=train_transform),
        "val": ImageFolder(root / "val", transform=eval_transform),
        "test": ImageFolder(root / "test", transform=eval_transform),
    }
    reference = set(datasets["train"].classes)
    errors = []
    for split in ("val", "test"):
        classes = set(datasets[split].classes)
        if classes != reference:
            errors.append(f"{split} lacks {sorted(reference - classes)} and adds {sorted(classes - reference)}")
    if errors:
        raise ValueError("; ".join(errors))
    return datasets


def write_annotations(root, csv_path):
    root = Path(root)
    splits = load_splits(root, None, None)
    rows = []
    for split in SPLITS:
        for path, label in splits[split].samples:
            rows.append({"path": Path(path).relative_to(root).as_posix(), "label": label, "split": split})
    df = pd.DataFrame(rows, columns=["path", "label", "split"])
    df.to_csv(csv_path, index=False)
    return df


class CsvImageDataset(Dataset):
    def __init__(self, df, transform=None, root=None):
        self.df = df.reset_index(drop=True)
        self.transform = transform
        self.root = Path(root) if root is not None else None

    def __len__(self):
        return len(self.df)

    def __getitem__(self, idx):
        row = self.df.iloc[idx]
        path = self.root / row["path"] if self.root is not None else Path(row["path"])
        image = Image.open(path)
        if self.transform is not None:
            image = self.transform(image)
        return image, int(row["label"])
