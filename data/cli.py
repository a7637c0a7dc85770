"""The ``python -m data`` command line: generate, download, subset, check, annotations, cache.

Each subcommand has an ``add_*_arguments(parser)`` and a ``run_*(args) -> int``,
and ``add_arguments``/``run`` mount them all under one parser, so another
command line (such as ``grader data``) can reuse them.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from data import synthetic
from data.plantnet import ARCHIVE_URL, DownloadError
from data.roots import DataRootError


def _add_split_counts(parser: argparse.ArgumentParser, defaults: dict[str, int], unit: str) -> None:
    for split in ("train", "val", "test"):
        parser.add_argument(
            f"--{split}",
            type=int,
            default=defaults[split],
            metavar="N",
            help=f"images per {unit} in {split} (default: {defaults[split]})",
        )


def add_generate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, help="folder to write the image set to (default: the kit's cache folder, whose path is printed)"
    )
    parser.add_argument(
        "--classes",
        nargs="+",
        default=list(synthetic.DEFAULT_CLASSES),
        metavar="NAME",
        help=f"classes to draw (default: all of {', '.join(synthetic.DEFAULT_CLASSES)})",
    )
    _add_split_counts(parser, synthetic.DEFAULT_PER_SPLIT, "class")
    parser.add_argument(
        "--image-size",
        type=int,
        default=synthetic.DEFAULT_IMAGE_SIZE,
        metavar="PX",
        help="width and height of each image, in pixels (default: %(default)s)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="random seed. The same arguments give byte-identical files (default: %(default)s)"
    )


def run_generate(args: argparse.Namespace) -> int:
    from data.roots import generated_root

    counts = {"train": args.train, "val": args.val, "test": args.test}
    start = time.perf_counter()
    if args.out is None:
        root = generated_root(args.classes, counts, args.image_size, args.seed)
    else:
        root = synthetic.generate_image_set(args.out, args.classes, counts, args.image_size, args.seed)
    print(f"{root} ({time.perf_counter() - start:.1f} s)")
    return 0


def add_download_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dest",
        type=Path,
        required=True,
        metavar="DIR",
        help="folder to save plantnet_300K.zip in. An interrupted download there is resumed",
    )
    parser.add_argument("--url", default=ARCHIVE_URL, help="archive URL (default: the Zenodo file, %(default)s)")
    parser.add_argument(
        "--md5",
        default=None,
        metavar="HEX",
        help="expected MD5 of the archive, as listed on the Zenodo record page (default: not checked)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="network timeout for connecting and for each read, in seconds (default: %(default)s)",
    )


def run_download(args: argparse.Namespace) -> int:
    from data.plantnet import download_archive

    last_report = [0.0]

    def report(received: int, total: int | None) -> None:
        now = time.monotonic()
        if now - last_report[0] >= 5:
            last_report[0] = now
            share = f" of {total / 1e9:.2f} GB" if total else ""
            print(f"{received / 1e9:.2f} GB{share}", file=sys.stderr)

    path = download_archive(args.dest, url=args.url, expected_md5=args.md5, timeout=args.timeout, progress=report)
    print(path)
    return 0


def add_subset_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source",
        type=Path,
        required=True,
        help="plantnet_300K.zip or the extracted folder that contains images/ and the metadata JSON files",
    )
    parser.add_argument("--out", type=Path, help="folder to write the subset to (train/, val/, test/ and plantnet_subset.json)")
    parser.add_argument("--species", nargs="+", default=[], metavar="ID", help="Pl@ntNet species ids to include, one class each")
    _add_split_counts(parser, {"train": 60, "val": 10, "test": 10}, "species")
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the draw of images within each species and split (default: %(default)s)"
    )
    parser.add_argument(
        "--folder-names",
        choices=("name", "id"),
        default="name",
        help="class folder names: scientific name or species id (default: %(default)s)",
    )
    parser.add_argument("--link", action="store_true", help="hard-link images from an extracted folder instead of copying them")
    parser.add_argument(
        "--allow-fewer",
        action="store_true",
        help="take every image of a species and split that has fewer than requested, instead of failing",
    )
    parser.add_argument(
        "--overwrite", action="store_true", help="delete the train/, val/ and test/ folders already in --out first"
    )
    parser.add_argument(
        "--list-species", type=int, default=0, metavar="N", help="print the N species with the most training images, then exit"
    )


def run_subset(args: argparse.Namespace) -> int:
    from data.plantnet import PlantNetSource, build_subset, species_counts

    with PlantNetSource(args.source) as source:
        if args.list_species:
            print(f"{'species_id':>12} {'train':>6} {'val':>6} {'test':>6}  name")
            for row in species_counts(source)[: args.list_species]:
                print(f"{row['species_id']:>12} {row['train']:>6} {row['val']:>6} {row['test']:>6}  {row['name']}")
            return 0
        if args.out is None or not args.species:
            print("subset needs --out and --species (or --list-species N to choose species)", file=sys.stderr)
            return 2
        counts = {"train": args.train, "val": args.val, "test": args.test}
        manifest = build_subset(
            source,
            args.out,
            args.species,
            counts,
            seed=args.seed,
            folder_names=args.folder_names,
            link=args.link,
            allow_fewer=args.allow_fewer,
            overwrite=args.overwrite,
        )
    print(f"{args.out}: {len(manifest['species'])} species, {len(manifest['images'])} images")
    return 0


def add_check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "root",
        nargs="?",
        type=Path,
        help="data root with train/, val/ and test/ (default: $KIT_DATA_ROOT, else the generated image set)",
    )
    parser.add_argument("--strict", action="store_true", help="exit with status 1 on warnings too, not only on errors")


def run_check(args: argparse.Namespace) -> int:
    from data.check import check_tree
    from data.roots import resolve_data_root

    root = args.root if args.root is not None else resolve_data_root()
    report = check_tree(root)
    print(report.render())
    failed = not report.ok or (args.strict and report.warnings)
    return 1 if failed else 0


def add_annotations_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("root", type=Path, help="data root with train/, val/ and test/")
    parser.add_argument("--out", type=Path, required=True, metavar="CSV", help="CSV file to write (columns path, label, split)")


def run_annotations(args: argparse.Namespace) -> int:
    try:
        from data.annotations import write_annotations
    except ModuleNotFoundError:
        print("the annotations command is not part of the student kit: exercise 2.1 asks you to write write_annotations",
              file=sys.stderr)
        return 2

    rows = write_annotations(args.root, args.out)
    print(f"{args.out}: {len(rows)} rows")
    return 0


def add_cache_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "root",
        nargs="?",
        type=Path,
        help="data root with train/, val/ and test/ (default: $KIT_DATA_ROOT, else the generated image set)",
    )
    parser.add_argument(
        "--image-size",
        type=int,
        default=64,
        metavar="PX",
        help="width and height of the cached images, in pixels (default: %(default)s)",
    )
    parser.add_argument(
        "--splits",
        nargs="+",
        default=["train", "val", "test"],
        metavar="SPLIT",
        help="split folders to cache (default: train val test)",
    )
    parser.add_argument(
        "--cache-dir", type=Path, default=None, help="folder for the cache files (default: cache/ in the kit's cache folder)"
    )
    parser.add_argument("--rebuild", action="store_true", help="decode again even when a matching cache file exists")


def run_cache(args: argparse.Namespace) -> int:
    from data.cache import CachedImageFolder
    from data.roots import resolve_data_root

    root = args.root if args.root is not None else resolve_data_root()
    for split in args.splits:
        start = time.perf_counter()
        dataset = CachedImageFolder(Path(root) / split, args.image_size, cache_dir=args.cache_dir, rebuild=args.rebuild)
        action = "loaded" if dataset.loaded_from_cache else "built"
        print(f"{split}: {len(dataset)} images, {action} {dataset.cache_path} in {time.perf_counter() - start:.2f} s")
    return 0


SUBCOMMANDS = {
    "generate": ("draw the generated plant image set", add_generate_arguments, run_generate),
    "download": ("download the Pl@ntNet-300K archive from Zenodo (resumable)", add_download_arguments, run_download),
    "subset": ("build the course subset from a downloaded Pl@ntNet-300K copy", add_subset_arguments, run_subset),
    "check": ("check an image tree: classes per split, counts, unreadable and non-RGB images", add_check_arguments, run_check),
    "annotations": (
        "write the annotations CSV (path, label, split) of an image tree",
        add_annotations_arguments,
        run_annotations,
    ),
    "cache": ("decode and resize every image once into the tensor cache", add_cache_arguments, run_cache),
}
EXPECTED_ERRORS = (DataRootError, DownloadError, ValueError, FileNotFoundError, FileExistsError)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add every subcommand to ``parser``, for ``python -m data`` or another command line."""
    commands = parser.add_subparsers(dest="data_command", required=True, metavar="COMMAND")
    for name, (help_text, add, run_command) in SUBCOMMANDS.items():
        subparser = commands.add_parser(name, help=help_text, description=help_text)
        add(subparser)
        subparser.set_defaults(data_run=run_command)


def run(args: argparse.Namespace) -> int:
    """Run the chosen subcommand; print an expected error as one line on stderr and return 1."""
    try:
        return int(args.data_run(args) or 0)
    except EXPECTED_ERRORS as error:
        print(f"data {args.data_command}: {error}", file=sys.stderr)
        return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data", description="Dataset tooling for the plant species practical.")
    add_arguments(parser)
    return run(parser.parse_args(argv))
