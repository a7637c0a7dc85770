"""Lists the annotation rows with a sorted glob of *.png files instead of ImageFolder.samples."""

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
        raise ValueError(f"missing splits: {', '.join(missing)}")
    datasets = {split: ImageFolder(root / split, transform=train_transform if split == "train" else eval_transform) for split in SPLITS}
    problems = []
    for split in ("val", "test"):
        lacking = set(datasets["train"].classes) - set(datasets[split].classes)
        extra = set(datasets[split].classes) - set(datasets["train"].classes)
        if lacking or extra:
            problems.append(f"{split} lacks {sorted(lacking)} and adds {sorted(extra)}")
    if problems:
        raise ValueError("; ".join(problems))
    return datasets


def write_annotations(root, csv_path):
    root = Path(root)
    splits = load_splits(root, None, None)
    rows = []
    for split in SPLITS:
        class_to_idx = splits[split].class_to_idx
        for path in sorted((root / split).glob("*/*.png")):
            rows.append((path.relative_to(root).as_posix(), class_to_idx[path.parent.name], split))
    df = pd.DataFrame(rows, columns=["path", "label", "split"])
    df.to_csv(csv_path, index=False)
    return df


class CsvImageDataset(Dataset):
    def __init__(self, df, transform=None, root=None):
        self.df = df.reset_index(drop=True)
        self.transform = transform
        self.root = root

    def __len__(self):
        return len(self.df)

    def __getitem__(self, idx):
        row = self.df.iloc[idx]
        path = Path(self.root) / row["path"] if self.root is not None else row["path"]
        image = Image.open(path).convert("RGB")
        if self.transform:
            image = self.transform(image)
        return image, int(row["label"])
