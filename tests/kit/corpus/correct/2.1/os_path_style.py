"""Works with os.path strings, compares class lists as sorted lists and builds the table with pandas.concat."""

import os

import pandas as pd
from PIL import Image
from torch.utils.data import Dataset
from torchvision.datasets import ImageFolder


def load_splits(root, train_transform, eval_transform):
    root = str(root)
    missing = [name for name in ["train", "val", "test"] if not os.path.isdir(os.path.join(root, name))]
    if len(missing) > 0:
        raise ValueError("Missing split folders: " + ", ".join(missing))
    result = {}
    for name in ["train", "val", "test"]:
        transform = train_transform if name == "train" else eval_transform
        result[name] = ImageFolder(os.path.join(root, name), transform=transform)
    train_classes = result["train"].classes
    messages = []
    for name in ["val", "test"]:
        classes = result[name].classes
        if classes != train_classes:
            lacks = [c for c in train_classes if c not in classes]
            adds = [c for c in classes if c not in train_classes]
            messages.append(f"split '{name}' lacks {lacks} and adds {adds}")
    if messages:
        raise ValueError("Class folders differ from train: " + " | ".join(messages))
    return result


def write_annotations(root, csv_path):
    splits = load_splits(root, None, None)
    tables = []
    for name in ["train", "val", "test"]:
        samples = splits[name].samples
        paths = [os.path.relpath(path, root).replace(os.sep, "/") for path, _ in samples]
        labels = [label for _, label in samples]
        tables.append(pd.DataFrame({"path": paths, "label": labels, "split": name}))
    df = pd.concat(tables, ignore_index=True)
    df.to_csv(csv_path, index=False)
    return df


class CsvImageDataset(Dataset):
    def __init__(self, df, transform=None, root=None):
        self.paths = list(df["path"])
        self.labels = [int(label) for label in df["label"]]
        self.transform = transform
        self.root = root

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, idx):
        path = self.paths[idx]
        if self.root is not None:
            path = os.path.join(self.root, path)
        image = Image.open(path)
        image = image.convert("RGB")
        if self.transform is not None:
            image = self.transform(image)
        return image, self.labels[idx]
