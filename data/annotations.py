"""Write the annotations CSV that ``CsvImageDataset`` of the datasets exercise (``plantnet/datasets.py``) reads.

The file has one row per image with the columns ``path`` (relative to the data
root, with ``/`` separators), ``label`` (the class index that ``ImageFolder``
assigns, classes sorted by folder name) and ``split``. Rows come split by split
(train, val, test) and, within a split, in the order of ``ImageFolder.samples``.
That is the contract of the exercise's ``write_annotations``, so the instructor
copy written here and a student's file can be compared line by line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from torchvision.datasets.folder import IMG_EXTENSIONS, find_classes, make_dataset

SPLITS = ("train", "val", "test")
COLUMNS = ("path", "label", "split")


class AnnotationRow(NamedTuple):
    path: str  # relative to the data root, "/" separators
    label: int
    split: str


def annotation_rows(root: str | Path, splits: Sequence[str] = SPLITS) -> list[AnnotationRow]:
    """Return one row per image of ``root/<split>/<class>/``, in the order the CSV lists them.

    Raises ``ValueError`` naming every missing split, or the splits whose class
    folders differ from the first split's, because ``ImageFolder`` would then
    give the same class a different label in each split.
    """
    root = Path(root)
    missing = [split for split in splits if not (root / split).is_dir()]
    if missing:
        raise ValueError(f"{root}: split folders not found: {', '.join(missing)}")

    class_lists = {split: find_classes(root / split)[0] for split in splits}
    reference = splits[0]
    for split in splits[1:]:
        if class_lists[split] != class_lists[reference]:
            lacks = sorted(set(class_lists[reference]) - set(class_lists[split]))
            adds = sorted(set(class_lists[split]) - set(class_lists[reference]))
            raise ValueError(
                f"{root}: the classes of {split} differ from {reference} (lacks {lacks or 'none'}, adds {adds or 'none'}), "
                "so ImageFolder labels would not match across splits"
            )

    rows = []
    for split in splits:
        directory = root / split
        _, class_to_idx = find_classes(directory)
        for path, label in make_dataset(directory, class_to_idx, extensions=IMG_EXTENSIONS):
            relative = Path(path).relative_to(root).as_posix()
            rows.append(AnnotationRow(relative, label, split))
    return rows


def format_annotations(rows: Sequence[AnnotationRow]) -> str:
    """Return the CSV text: a header line, then one line per row, ``\\n`` line endings as ``DataFrame.to_csv`` writes on Linux."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue()


def write_annotations(root: str | Path, csv_path: str | Path, splits: Sequence[str] = SPLITS) -> list[AnnotationRow]:
    """Write the annotations CSV of ``root`` to ``csv_path``, creating its folder, and return the rows."""
    rows = annotation_rows(root, splits)
    csv_path = Path(csv_path)
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    csv_path.write_text(format_annotations(rows), encoding="utf-8", newline="")
    return rows
