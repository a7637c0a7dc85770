"""Check an ImageFolder tree before students train on it.

``check_tree`` reads every image of ``ROOT/{train,val,test}/CLASS/`` and reports:

- errors: a missing split, a split whose classes differ from the first split's,
  a class folder with no images (``ImageFolder`` raises on those), and files
  that Pillow cannot decode, such as truncated or corrupt images;
- warnings: images whose mode is not RGB (grayscale, RGBA, palette, CMYK), which
  load only because the loader converts them, files that ``ImageFolder`` skips
  because of their extension, and byte-identical files in two splits, which leak
  test images into training.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image
from torchvision.datasets.folder import IMG_EXTENSIONS, find_classes

SPLITS = ("train", "val", "test")
ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Issue:
    """One problem found in the tree, with the file or folder it concerns."""

    path: Path
    severity: str  # ERROR or WARNING
    message: str


@dataclass
class TreeReport:
    """Classes, image counts and problems of one image tree."""

    root: Path
    splits: tuple[str, ...]
    classes: dict[str, list[str]] = field(default_factory=dict)  # split -> class folder names, sorted
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # split -> class -> number of images
    issues: list[Issue] = field(default_factory=list)
    min_size: tuple[int, int] | None = None  # smallest (width, height) by area among readable images
    max_size: tuple[int, int] | None = None

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.severity == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.severity == WARNING]

    @property
    def ok(self) -> bool:
        """True when the tree has no errors. Warnings do not count."""
        return not self.errors

    def issues_for(self, path: str | Path) -> list[Issue]:
        """Return the issues about ``path`` (absolute, or relative to the root)."""
        path = Path(path)
        if not path.is_absolute():
            path = self.root / path
        return [issue for issue in self.issues if issue.path == path]

    def render(self) -> str:
        """Format the report as text: a table of counts per class and split, then every issue by path."""
        return _render(self)


def _read_image(path: Path) -> tuple[str, tuple[int, int]]:
    """Decode the whole image and return its mode and size. A broken file raises whatever Pillow raises."""
    with Image.open(path) as image:
        image.load()
        return image.mode, image.size


def _check_split(report: TreeReport, split: str, digests: dict[str, Path]) -> None:
    folder = report.root / split
    classes, _ = find_classes(folder)
    report.classes[split] = classes
    report.counts[split] = {}

    for entry in sorted(folder.iterdir()):
        if entry.is_file():
            report.issues.append(Issue(entry, WARNING, "file outside any class folder; ImageFolder skips it"))

    for class_name in classes:
        images = 0
        for directory, _, files in sorted(os.walk(folder / class_name, followlinks=True)):
            for name in sorted(files):
                path = Path(directory) / name
                if not name.lower().endswith(IMG_EXTENSIONS):
                    report.issues.append(Issue(path, WARNING, "not an image extension; ImageFolder skips it"))
                    continue
                images += 1
                _check_image(report, path, digests)
        report.counts[split][class_name] = images
        if images == 0:
            report.issues.append(Issue(folder / class_name, ERROR, "class folder contains no images; ImageFolder raises on it"))


def _check_image(report: TreeReport, path: Path, digests: dict[str, Path]) -> None:
    content = path.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    first = digests.setdefault(digest, path)
    if first != path and first.relative_to(report.root).parts[0] != path.relative_to(report.root).parts[0]:
        report.issues.append(Issue(path, WARNING, f"same bytes as {first.relative_to(report.root).as_posix()} in another split"))

    try:
        mode, size = _read_image(path)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        report.issues.append(Issue(path, ERROR, f"unreadable image: {error}"))
        return
    if mode != "RGB":
        report.issues.append(Issue(path, WARNING, f"mode {mode}, not RGB; loaders must call convert('RGB')"))
    area = size[0] * size[1]
    if report.min_size is None or area < report.min_size[0] * report.min_size[1]:
        report.min_size = size
    if report.max_size is None or area > report.max_size[0] * report.max_size[1]:
        report.max_size = size


def _check_classes_match(report: TreeReport) -> None:
    present = [split for split in report.splits if split in report.classes]
    if not present:
        return
    reference = present[0]
    expected = set(report.classes[reference])
    for split in present[1:]:
        found = set(report.classes[split])
        if found == expected:
            continue
        parts = []
        if expected - found:
            parts.append(f"lacks {', '.join(sorted(expected - found))}")
        if found - expected:
            parts.append(f"adds {', '.join(sorted(found - expected))}")
        message = f"classes differ from {reference}: {'; '.join(parts)}"
        report.issues.append(Issue(report.root / split, ERROR, message))


def check_tree(root: str | Path, splits: Sequence[str] = SPLITS) -> TreeReport:
    """Read every image under ``root/<split>/<class>/`` and return a ``TreeReport``.

    Every image is decoded in full, so a truncated file is caught.
    """
    root = Path(root).expanduser().resolve()
    report = TreeReport(root=root, splits=tuple(splits))
    if not root.is_dir():
        report.issues.append(Issue(root, ERROR, "data root not found or not a folder"))
        return report

    digests: dict[str, Path] = {}
    for split in report.splits:
        if not (root / split).is_dir():
            report.issues.append(Issue(root / split, ERROR, "split folder not found"))
            continue
        _check_split(report, split, digests)
    _check_classes_match(report)
    return report


def _render(report: TreeReport) -> str:
    splits = [split for split in report.splits if split in report.counts]
    classes = sorted({name for split in splits for name in report.classes[split]})
    total = sum(sum(counts.values()) for counts in report.counts.values())
    lines = [f"{report.root}: {len(splits)} splits, {len(classes)} classes, {total} images"]

    if classes:
        width = max(len("class"), len("total"), *(len(name) for name in classes))
        lines.append("  " + "class".ljust(width) + "".join(f"{split:>8}" for split in splits))
        for name in classes:
            cells = "".join(f"{report.counts[split].get(name, '-'):>8}" for split in splits)
            lines.append("  " + name.ljust(width) + cells)
        lines.append("  " + "total".ljust(width) + "".join(f"{sum(report.counts[split].values()):>8}" for split in splits))
    if report.min_size is not None:
        (min_width, min_height), (max_width, max_height) = report.min_size, report.max_size
        lines.append(f"image sizes (width x height): smallest {min_width}x{min_height}, largest {max_width}x{max_height}")

    for title, issues in (("errors", report.errors), ("warnings", report.warnings)):
        if issues:
            lines.append(f"{title} ({len(issues)}):")
            for issue in issues:
                lines.append(f"  {_display_path(issue.path, report.root)}: {issue.message}")
    lines.append("OK" if report.ok else f"FAILED: {len(report.errors)} errors")
    return "\n".join(lines)


def _display_path(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix() or "."
    except ValueError:
        return str(path)
