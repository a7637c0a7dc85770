"""Build the course's Pl@ntNet subset from a downloaded copy of Pl@ntNet-300K.

Pl@ntNet-300K (Garcin et al., NeurIPS Datasets and Benchmarks 2021) is published
on Zenodo, record 5645731, as one archive ``plantnet_300K.zip`` that holds:

- ``images/{train,val,test}/<species_id>/<image_id>.jpg``;
- ``plantnet300K_metadata.json``: image id -> ``{"species_id", "split", ...}``;
- ``plantnet300K_species_id_2_name.json``: species id -> scientific name.

``build_subset`` picks species by id and a number of images per species and
split, keeping the dataset's own split, and writes them in the ImageFolder
layout ``OUT/{train,val,test}/<species>/<image_id>.jpg`` with a manifest. It
reads either the extracted folder or the zip itself, so the archive never has
to be unpacked in full.

``download_archive`` fetches the archive. It streams to a ``.part`` file,
resumes an interrupted download with an HTTP Range request, and checks an MD5
when one is given. Without network access it raises ``DownloadError`` with the
steps to download the file by hand.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import urllib.error
import urllib.request
import zipfile
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Self

SPLITS = ("train", "val", "test")
ZENODO_RECORD_URL = "https://zenodo.org/records/5645731"
ARCHIVE_NAME = "plantnet_300K.zip"
ARCHIVE_URL = f"{ZENODO_RECORD_URL}/files/{ARCHIVE_NAME}?download=1"
METADATA_FILE = "plantnet300K_metadata.json"
SPECIES_NAMES_FILE = "plantnet300K_species_id_2_name.json"
MANIFEST_FILE = "plantnet_subset.json"
# Metadata fields copied into the manifest for each image, when present, so the subset keeps its attribution.
IMAGE_FIELDS = ("organ", "author", "license", "obs_id")


class DownloadError(RuntimeError):
    """The archive could not be downloaded, or the downloaded file is incomplete or corrupt."""


# ---------------------------------------------------------------------------
# Download


def manual_download_instructions(destination: Path) -> str:
    """Return the steps to download the archive by hand and put it in ``destination``."""
    return (
        f"To download it by hand: open {ZENODO_RECORD_URL} on a machine with internet access, "
        f"download {ARCHIVE_NAME} (about 30 GB), and copy it to {destination / ARCHIVE_NAME}. "
        f"Then build the subset from it with: "
        f"python -m data subset --source {destination / ARCHIVE_NAME} --out DIR --species ID ... "
        f"(an extracted plantnet_300K folder works as --source too)."
    )


def _md5_hex(path: Path, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as file:
        while chunk := file.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def download_archive(
    destination: str | Path,
    url: str = ARCHIVE_URL,
    opener: Callable = urllib.request.urlopen,
    expected_md5: str | None = None,
    timeout: float = 60.0,
    chunk_size: int = 1 << 20,
    progress: Callable[[int, int | None], None] | None = None,
) -> Path:
    """Download the Pl@ntNet-300K archive into the folder ``destination`` and return the file's path.

    ``opener(request, timeout=...)`` opens the URL, ``urllib.request.urlopen`` by
    default; tests pass a fake. A ``.part`` file left by an interrupted run is
    resumed with a Range request when the server supports it, and restarted
    otherwise. ``expected_md5`` (hex, as Zenodo lists it for each file) is
    checked when given. ``progress(bytes_so_far, total_or_None)`` is called
    after each chunk. An existing complete file is returned without a request.
    Raises ``DownloadError`` when the server cannot be reached, the transfer
    stops early, or the checksum differs.
    """
    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    target = destination / ARCHIVE_NAME
    partial = destination / (ARCHIVE_NAME + ".part")
    if target.is_file():
        _verify_md5(target, expected_md5)
        return target

    offset = partial.stat().st_size if partial.is_file() else 0
    headers = {"Range": f"bytes={offset}-"} if offset else {}
    request = urllib.request.Request(url, headers=headers)
    try:
        response = opener(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        if error.code == 416 and offset:
            # Range Not Satisfiable: the partial file already contains every byte.
            os.replace(partial, target)
            _verify_md5(target, expected_md5)
            return target
        raise DownloadError(
            f"download of {url} failed: HTTP {error.code} {error.reason}. {manual_download_instructions(destination)}"
        ) from error
    except (TimeoutError, urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise DownloadError(f"cannot reach {url}: {reason}. {manual_download_instructions(destination)}") from error

    with response:
        status = getattr(response, "status", 200)
        if offset and status != 206:
            offset = 0  # the server ignored the Range header and sends the whole file
        content_range = response.headers.get("Content-Range")
        if offset and content_range is not None and not content_range.startswith(f"bytes {offset}-"):
            raise DownloadError(
                f"{url} returned Content-Range {content_range!r} for a resume from byte {offset}. "
                f"Delete {partial} and download again."
            )
        length = response.headers.get("Content-Length")
        total = offset + int(length) if length is not None else None
        received = offset
        try:
            with open(partial, "ab" if offset else "wb") as file:
                while chunk := response.read(chunk_size):
                    file.write(chunk)
                    received += len(chunk)
                    if progress is not None:
                        progress(received, total)
        except (TimeoutError, OSError) as error:
            raise DownloadError(
                f"download of {url} stopped after {received} bytes: {error}. Run the same command again to resume."
            ) from error

    if total is not None and received != total:
        raise DownloadError(f"download of {url} stopped after {received} of {total} bytes. Run the same command again to resume.")
    os.replace(partial, target)
    _verify_md5(target, expected_md5)
    return target


def _verify_md5(path: Path, expected_md5: str | None) -> None:
    if expected_md5 is None:
        return
    actual = _md5_hex(path)
    if actual != expected_md5.lower():
        raise DownloadError(
            f"{path} has MD5 {actual}, expected {expected_md5}, so the file is corrupt or another version. "
            "Delete it and download again."
        )


# ---------------------------------------------------------------------------
# Reading a downloaded copy


class PlantNetSource:
    """A downloaded Pl@ntNet-300K copy: the extracted folder or the zip archive."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        self._zip: zipfile.ZipFile | None = None
        self._prefix = ""
        if self.path.is_file() and zipfile.is_zipfile(self.path):
            self._zip = zipfile.ZipFile(self.path)
            self._prefix = self._zip_prefix()
        elif self.path.is_dir():
            if not (self.path / METADATA_FILE).is_file() and (self.path / "plantnet_300K" / METADATA_FILE).is_file():
                self.path = self.path / "plantnet_300K"
            missing = [name for name in (METADATA_FILE, SPECIES_NAMES_FILE, "images") if not (self.path / name).exists()]
            if missing:
                raise FileNotFoundError(
                    f"{self.path} is not an extracted Pl@ntNet-300K folder: {', '.join(missing)} not found. "
                    f"Pass the folder that contains images/ and {METADATA_FILE}, or the {ARCHIVE_NAME} file."
                )
        else:
            raise FileNotFoundError(
                f"Pl@ntNet-300K source {self.path} not found. Pass the extracted plantnet_300K folder or {ARCHIVE_NAME}. "
                + manual_download_instructions(self.path.parent)
            )

    def _zip_prefix(self) -> str:
        for name in self._zip.namelist():
            if name == METADATA_FILE or name.endswith("/" + METADATA_FILE):
                return name[: -len(METADATA_FILE)]
        raise FileNotFoundError(f"{self.path} contains no {METADATA_FILE}, so it is not the Pl@ntNet-300K archive.")

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def read_json(self, name: str):
        if self._zip is not None:
            with self._zip.open(self._prefix + name) as file:
                return json.load(file)
        with open(self.path / name, encoding="utf-8") as file:
            return json.load(file)

    def image_name(self, split: str, species_id: str, image_id: str) -> str:
        """Return the image's path inside the copy, with ``/`` separators."""
        return f"images/{split}/{species_id}/{image_id}.jpg"

    def has_image(self, split: str, species_id: str, image_id: str) -> bool:
        name = self.image_name(split, species_id, image_id)
        if self._zip is not None:
            try:
                self._zip.getinfo(self._prefix + name)
            except KeyError:
                return False
            return True
        return (self.path / name).is_file()

    def export_image(self, split: str, species_id: str, image_id: str, target: Path, link: bool) -> None:
        """Write one image to ``target``: extracted from the zip, hard-linked when ``link`` and possible, else copied."""
        name = self.image_name(split, species_id, image_id)
        if self._zip is not None:
            with self._zip.open(self._prefix + name) as source, open(target, "wb") as destination:
                shutil.copyfileobj(source, destination)
            return
        source_path = self.path / name
        if link:
            try:
                os.link(source_path, target)
                return
            except OSError:
                pass  # another file system, or links not supported: copy instead
        shutil.copy2(source_path, target)


# ---------------------------------------------------------------------------
# Choosing and writing the subset


@dataclass(frozen=True)
class Species:
    species_id: str
    name: str
    folder: str  # class folder name in the subset


def folder_name(name: str) -> str:
    """Turn a scientific name into a folder name: runs of characters other than letters and digits become ``_``."""
    return re.sub(r"[^0-9A-Za-z]+", "_", name).strip("_")


def index_images(metadata: Mapping[str, Mapping]) -> dict[tuple[str, str], list[str]]:
    """Group image ids by ``(species_id, split)``, each list sorted.

    Raises ``ValueError`` when an entry lacks ``species_id`` or ``split``, or when
    a split is not one of train, val and test.
    """
    # NOTE: the split names are assumed to match the images/ folder names (train, val, test).
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    unknown_splits = set()
    for image_id, entry in metadata.items():
        try:
            species_id, split = str(entry["species_id"]), str(entry["split"])
        except (KeyError, TypeError) as error:
            raise ValueError(f"metadata entry {image_id!r} has no species_id or split: {entry!r}") from error
        if split not in SPLITS:
            unknown_splits.add(split)
            continue
        groups[(species_id, split)].append(str(image_id))
    if unknown_splits:
        raise ValueError(f"metadata uses split names {sorted(unknown_splits)}, expected only {list(SPLITS)}")
    for ids in groups.values():
        ids.sort()
    return dict(groups)


def select_images(
    index: Mapping[tuple[str, str], Sequence[str]],
    species_ids: Sequence[str],
    per_split: Mapping[str, int],
    seed: int = 0,
    allow_fewer: bool = False,
) -> dict[tuple[str, str], list[str]]:
    """Draw ``per_split[split]`` image ids for each species and split, reproducibly for a given seed.

    The draw for one species and split depends only on the seed and that group's
    ids, so adding a species leaves the other species' images unchanged. A group
    with fewer images than requested raises ``ValueError`` listing every such
    group, unless ``allow_fewer``, which takes all of them.
    """
    chosen = {}
    shortfalls = []
    for species_id in species_ids:
        for split in SPLITS:
            requested = per_split.get(split, 0)
            available = list(index.get((species_id, split), []))
            if len(available) < requested:
                shortfalls.append(f"{species_id}/{split}: {len(available)} of {requested}")
                if not allow_fewer:
                    continue
            generator = random.Random(f"{seed}/{species_id}/{split}")
            picked = generator.sample(available, min(requested, len(available)))
            chosen[(species_id, split)] = sorted(picked)
    if shortfalls and not allow_fewer:
        raise ValueError(
            "not enough images for: "
            + ", ".join(shortfalls)
            + ". Lower the counts, choose other species, or take every image there is (allow_fewer=True, --allow-fewer)."
        )
    return chosen


def species_counts(source: PlantNetSource) -> list[dict]:
    """Return one entry per species with its id, name and image count per split, most training images first."""
    index = index_images(source.read_json(METADATA_FILE))
    names = source.read_json(SPECIES_NAMES_FILE)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SPLITS, 0))
    for (species_id, split), ids in index.items():
        counts[species_id][split] = len(ids)
    rows = [
        {"species_id": species_id, "name": names.get(species_id, ""), **split_counts}
        for species_id, split_counts in counts.items()
    ]
    rows.sort(key=lambda row: (-row["train"], row["species_id"]))
    return rows


def build_subset(
    source: str | Path | PlantNetSource,
    out: str | Path,
    species_ids: Sequence[str],
    per_split: Mapping[str, int],
    seed: int = 0,
    folder_names: str = "name",
    link: bool = False,
    allow_fewer: bool = False,
    overwrite: bool = False,
) -> dict:
    """Write the subset to ``out`` in the ImageFolder layout and return its manifest.

    ``folder_names`` is ``"name"`` (the scientific name made safe for a folder,
    e.g. ``Lactuca_virosa_L``) or ``"id"`` (the species id). ``link`` hard-links
    images from an extracted folder instead of copying them. ``out`` must not
    contain a split folder already, unless ``overwrite``, which deletes those
    folders first. The manifest lists every image with its source path and the
    metadata fields in ``IMAGE_FIELDS``, and is written to ``out/plantnet_subset.json``.
    """
    if folder_names not in ("name", "id"):
        raise ValueError(f"folder_names must be 'name' or 'id', got {folder_names!r}")
    counts = {split: int(per_split.get(split, 0)) for split in SPLITS}
    if any(count < 0 for count in counts.values()):
        raise ValueError(f"image counts must be non-negative, got {counts}")
    species_ids = [str(species_id) for species_id in species_ids]
    if not species_ids:
        raise ValueError("no species ids given")
    if len(set(species_ids)) != len(species_ids):
        raise ValueError(f"species ids contain duplicates: {species_ids}")

    owned = not isinstance(source, PlantNetSource)
    source = PlantNetSource(source) if owned else source
    try:
        return _build(source, Path(out), species_ids, counts, seed, folder_names, link, allow_fewer, overwrite)
    finally:
        if owned:
            source.close()


def _build(source, out, species_ids, counts, seed, folder_names, link, allow_fewer, overwrite) -> dict:
    metadata = source.read_json(METADATA_FILE)
    names = source.read_json(SPECIES_NAMES_FILE)
    unknown = [species_id for species_id in species_ids if species_id not in names]
    if unknown:
        raise ValueError(f"species ids not in {SPECIES_NAMES_FILE}: {', '.join(unknown)}")
    species = [
        Species(species_id, names[species_id], folder_name(names[species_id]) if folder_names == "name" else species_id)
        for species_id in species_ids
    ]
    folders = [entry.folder for entry in species]
    if len(set(folders)) != len(folders) or "" in folders:
        raise ValueError(f"species folder names are empty or collide: {folders}. Use folder_names='id'.")

    chosen = select_images(index_images(metadata), species_ids, counts, seed, allow_fewer)
    missing = [
        source.image_name(split, species_id, image_id)
        for (species_id, split), image_ids in chosen.items()
        for image_id in image_ids
        if not source.has_image(split, species_id, image_id)
    ]
    if missing:
        raise FileNotFoundError(
            f"selected images listed in {METADATA_FILE} not found in {source.path}: {len(missing)}, e.g. {missing[:3]}"
        )

    existing = [split for split in SPLITS if (out / split).exists()]
    if existing and not overwrite:
        raise FileExistsError(
            f"{out} already contains {', '.join(existing)}. Choose an empty folder or pass overwrite=True (--overwrite)."
        )
    for split in existing:
        shutil.rmtree(out / split)

    images = []
    for entry in species:
        for split in SPLITS:
            folder = out / split / entry.folder
            folder.mkdir(parents=True, exist_ok=True)
            for image_id in chosen.get((entry.species_id, split), []):
                target = folder / f"{image_id}.jpg"
                source.export_image(split, entry.species_id, image_id, target, link)
                record = {
                    "path": target.relative_to(out).as_posix(),
                    "source": source.image_name(split, entry.species_id, image_id),
                    "split": split,
                    "species_id": entry.species_id,
                    "image_id": image_id,
                }
                record.update({key: metadata[image_id][key] for key in IMAGE_FIELDS if key in metadata[image_id]})
                images.append(record)

    manifest = {
        "dataset": "Pl@ntNet-300K",
        "record": ZENODO_RECORD_URL,
        "source": str(source.path),
        "seed": seed,
        "per_split": counts,
        "species": [
            {
                "species_id": entry.species_id,
                "name": entry.name,
                "folder": entry.folder,
                "counts": {split: len(chosen.get((entry.species_id, split), [])) for split in SPLITS},
            }
            for entry in species
        ],
        "images": images,
    }
    (out / MANIFEST_FILE).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest
