import hashlib
import io
import json
import os
import urllib.error
import zipfile

import pytest
from PIL import Image

from data import plantnet
from data.check import check_tree
from data.cli import main as data_main
from data.plantnet import DownloadError, build_subset, download_archive

# species id -> (scientific name, images in train, val, test)
FAKE_SPECIES = {
    "1355868": ("Lactuca virosa L.", 6, 3, 3),
    "1355920": ("Pelargonium graveolens L'Hér.", 5, 2, 2),
    "1363227": ("Cirsium arvense (L.) Scop.", 2, 1, 1),
}


@pytest.fixture
def fake_plantnet(tmp_path):
    """Build a tiny copy of Pl@ntNet-300K: images/{split}/{species}/{id}.jpg and both metadata files."""
    root = tmp_path / "plantnet_300K"
    metadata = {}
    image_number = 0
    for species_number, (species_id, (_, *counts)) in enumerate(FAKE_SPECIES.items()):
        for split, count in zip(("train", "val", "test"), counts):
            folder = root / "images" / split / species_id
            folder.mkdir(parents=True)
            for _ in range(count):
                image_id = f"{image_number:04x}deadbeef"
                colour = (40 * species_number, 5 * image_number % 256, 90)
                Image.new("RGB", (12, 10), colour).save(folder / f"{image_id}.jpg")
                metadata[image_id] = {
                    "species_id": species_id,
                    "split": split,
                    "organ": "flower",
                    "author": f"author {image_number}",
                    "license": "cc-by-sa",
                    "obs_id": str(1000 + image_number),
                    "is_shareable": True,
                }
                image_number += 1
    (root / plantnet.METADATA_FILE).write_text(json.dumps(metadata))
    names = {species_id: name for species_id, (name, *_) in FAKE_SPECIES.items()}
    (root / plantnet.SPECIES_NAMES_FILE).write_text(json.dumps(names))
    return root


def zip_folder(folder, archive):
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in sorted(folder.rglob("*")):
            bundle.write(path, path.relative_to(folder.parent).as_posix())
    return archive


COUNTS = {"train": 4, "val": 2, "test": 1}


def test_subset_layout_and_manifest(fake_plantnet, tmp_path):
    out = tmp_path / "subset"
    manifest = build_subset(fake_plantnet, out, ["1355868", "1355920"], COUNTS, seed=0)

    assert sorted(path.name for path in (out / "train").iterdir()) == ["Lactuca_virosa_L", "Pelargonium_graveolens_L_H_r"]
    for split, count in COUNTS.items():
        for folder in ("Lactuca_virosa_L", "Pelargonium_graveolens_L_H_r"):
            assert len(list((out / split / folder).iterdir())) == count, (split, folder)
    assert json.loads((out / plantnet.MANIFEST_FILE).read_text()) == manifest
    assert [entry["counts"] for entry in manifest["species"]] == [COUNTS, COUNTS]
    assert len(manifest["images"]) == 2 * sum(COUNTS.values())
    assert check_tree(out).ok


def test_subset_keeps_dataset_split_and_bytes(fake_plantnet, tmp_path):
    metadata = json.loads((fake_plantnet / plantnet.METADATA_FILE).read_text())
    manifest = build_subset(fake_plantnet, tmp_path / "subset", ["1355868"], COUNTS)

    for record in manifest["images"]:
        entry = metadata[record["image_id"]]
        assert record["split"] == entry["split"]
        assert record["species_id"] == entry["species_id"]
        assert record["author"] == entry["author"]
        assert record["license"] == "cc-by-sa"
        copied = (tmp_path / "subset" / record["path"]).read_bytes()
        assert copied == (fake_plantnet / record["source"]).read_bytes()


def test_selection_depends_only_on_seed(fake_plantnet, tmp_path):
    def chosen(name, seed, species):
        manifest = build_subset(fake_plantnet, tmp_path / name, species, COUNTS, seed=seed)
        return {record["image_id"] for record in manifest["images"] if record["species_id"] == "1355868"}

    assert chosen("a", 0, ["1355868"]) == chosen("b", 0, ["1355868"])
    assert chosen("a2", 0, ["1355868"]) == chosen("c", 0, ["1355920", "1355868"])
    assert any(chosen("a3", 0, ["1355868"]) != chosen(f"seed{seed}", seed, ["1355868"]) for seed in range(1, 6))


def test_zip_source_matches_folder(fake_plantnet, tmp_path):
    archive = zip_folder(fake_plantnet, tmp_path / plantnet.ARCHIVE_NAME)
    from_folder = build_subset(fake_plantnet, tmp_path / "from-folder", ["1355920"], COUNTS)
    from_zip = build_subset(archive, tmp_path / "from-zip", ["1355920"], COUNTS)

    assert from_zip["images"] == from_folder["images"]
    for record in from_zip["images"]:
        assert (tmp_path / "from-zip" / record["path"]).read_bytes() == (tmp_path / "from-folder" / record["path"]).read_bytes()


def test_parent_folder_is_accepted(fake_plantnet, tmp_path):
    manifest = build_subset(fake_plantnet.parent, tmp_path / "subset", ["1363227"], {"train": 1})
    assert manifest["source"] == str(fake_plantnet)


def test_too_few_images_raise_or_take_all(fake_plantnet, tmp_path):
    with pytest.raises(ValueError, match=r"1363227/train: 2 of 4, 1363227/val: 1 of 2"):
        build_subset(fake_plantnet, tmp_path / "strict", ["1355868", "1363227"], COUNTS)
    assert not (tmp_path / "strict").exists()

    manifest = build_subset(fake_plantnet, tmp_path / "lenient", ["1363227"], COUNTS, allow_fewer=True)
    assert manifest["species"][0]["counts"] == {"train": 2, "val": 1, "test": 1}


def test_invalid_requests_raise(fake_plantnet, tmp_path):
    with pytest.raises(ValueError, match="not in plantnet300K_species_id_2_name.json: 999"):
        build_subset(fake_plantnet, tmp_path / "out", ["999"], COUNTS)
    with pytest.raises(ValueError, match="duplicates"):
        build_subset(fake_plantnet, tmp_path / "out", ["1355868", "1355868"], COUNTS)
    with pytest.raises(FileNotFoundError, match="not found"):
        build_subset(tmp_path / "nowhere", tmp_path / "out", ["1355868"], COUNTS)


def test_existing_output_needs_overwrite(fake_plantnet, tmp_path):
    out = tmp_path / "subset"
    build_subset(fake_plantnet, out, ["1355868"], COUNTS)
    with pytest.raises(FileExistsError, match="already contains train, val, test"):
        build_subset(fake_plantnet, out, ["1355920"], COUNTS)

    build_subset(fake_plantnet, out, ["1355920"], COUNTS, overwrite=True)
    assert [path.name for path in (out / "train").iterdir()] == ["Pelargonium_graveolens_L_H_r"]


def test_link_shares_inodes(fake_plantnet, tmp_path):
    manifest = build_subset(fake_plantnet, tmp_path / "subset", ["1355868"], COUNTS, link=True, folder_names="id")
    record = manifest["images"][0]
    assert record["path"].startswith("train/1355868/")
    assert os.stat(tmp_path / "subset" / record["path"]).st_ino == os.stat(fake_plantnet / record["source"]).st_ino


def test_missing_image_file_raises(fake_plantnet, tmp_path):
    next((fake_plantnet / "images" / "val" / "1363227").iterdir()).unlink()
    with pytest.raises(FileNotFoundError, match="selected images listed in plantnet300K_metadata.json not found in .*: 1, e.g."):
        build_subset(fake_plantnet, tmp_path / "subset", ["1363227"], {"val": 1})


def test_unknown_split_name_raises(fake_plantnet, tmp_path):
    path = fake_plantnet / plantnet.METADATA_FILE
    metadata = json.loads(path.read_text())
    next(iter(metadata.values()))["split"] = "validation"
    path.write_text(json.dumps(metadata))
    with pytest.raises(ValueError, match=r"split names \['validation'\]"):
        build_subset(fake_plantnet, tmp_path / "subset", ["1355868"], COUNTS)


def test_cli_subset_and_species_list(fake_plantnet, tmp_path, capsys):
    assert data_main(["subset", "--source", str(fake_plantnet), "--list-species", "2"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert len(listing) == 3
    assert listing[1].split()[:4] == ["1355868", "6", "3", "3"]

    out = tmp_path / "subset"
    arguments = ["subset", "--source", str(fake_plantnet), "--out", str(out), "--species", "1355868"]
    counts = ["--train", "2", "--val", "1", "--test", "1"]
    assert data_main(arguments + counts) == 0
    assert len(list((out / "train" / "Lactuca_virosa_L").iterdir())) == 2

    assert data_main(arguments + counts) == 1
    assert "already contains" in capsys.readouterr().err


class FakeResponse(io.BytesIO):
    def __init__(self, content, status=200, headers=None):
        super().__init__(content)
        self.status = status
        self.headers = headers or {"Content-Length": str(len(content))}


class FakeServer:
    """An opener that serves one file and honours Range requests, recording each request."""

    def __init__(self, content):
        self.content = content
        self.requests = []

    def __call__(self, request, timeout):
        self.requests.append(request)
        requested = request.get_header("Range")
        if requested is None:
            return FakeResponse(self.content)
        start = int(requested.removeprefix("bytes=").removesuffix("-"))
        rest = self.content[start:]
        headers = {
            "Content-Length": str(len(rest)),
            "Content-Range": f"bytes {start}-{len(self.content) - 1}/{len(self.content)}",
        }
        return FakeResponse(rest, status=206, headers=headers)


ARCHIVE_BYTES = bytes(range(256)) * 40


def test_offline_download_explains_manual_steps(tmp_path):
    def offline(request, timeout):
        raise urllib.error.URLError(OSError(-3, "Temporary failure in name resolution"))

    with pytest.raises(DownloadError) as raised:
        download_archive(tmp_path / "downloads", opener=offline)
    message = str(raised.value)
    assert "cannot reach https://zenodo.org/records/5645731/files/plantnet_300K.zip" in message
    assert "Temporary failure in name resolution" in message
    assert f"copy it to {tmp_path / 'downloads' / 'plantnet_300K.zip'}" in message
    assert "python -m data subset --source" in message
    assert not (tmp_path / "downloads" / "plantnet_300K.zip").exists()


def test_download_checks_md5(tmp_path):
    server = FakeServer(ARCHIVE_BYTES)
    path = download_archive(tmp_path, opener=server, expected_md5=hashlib.md5(ARCHIVE_BYTES).hexdigest(), chunk_size=1000)
    assert path.read_bytes() == ARCHIVE_BYTES
    assert server.requests[0].full_url == plantnet.ARCHIVE_URL

    assert download_archive(tmp_path, opener=server) == path
    assert len(server.requests) == 1  # a complete file is not downloaded again

    with pytest.raises(DownloadError, match="has MD5"):
        download_archive(
            tmp_path / "other", opener=FakeServer(ARCHIVE_BYTES[:-1] + b"x"), expected_md5=hashlib.md5(ARCHIVE_BYTES).hexdigest()
        )


def test_download_resumes_partial_file(tmp_path):
    (tmp_path / "plantnet_300K.zip.part").write_bytes(ARCHIVE_BYTES[:3000])
    server = FakeServer(ARCHIVE_BYTES)
    path = download_archive(tmp_path, opener=server, url="https://example.invalid/archive.zip")

    assert server.requests[0].get_header("Range") == "bytes=3000-"
    assert path.read_bytes() == ARCHIVE_BYTES
    assert not (tmp_path / "plantnet_300K.zip.part").exists()


def test_download_stopping_early_keeps_part_file(tmp_path):
    def short(request, timeout):
        return FakeResponse(ARCHIVE_BYTES[:500], headers={"Content-Length": str(len(ARCHIVE_BYTES))})

    with pytest.raises(DownloadError, match=f"stopped after 500 of {len(ARCHIVE_BYTES)} bytes"):
        download_archive(tmp_path, opener=short)
    assert (tmp_path / "plantnet_300K.zip.part").stat().st_size == 500
