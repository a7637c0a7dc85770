import pandas as pd

from data.cli import main as data_main
from data.roots import DATA_ROOT_VARIABLE


def test_generate_writes_requested_counts(tmp_path, capsys):
    out = tmp_path / "set"
    status = data_main(
        ["generate", "--out", str(out), "--classes", "clover", "--train", "2", "--val", "1", "--test", "0", "--image-size", "24"]
    )
    assert status == 0
    assert str(out) in capsys.readouterr().out
    assert len(list((out / "train" / "clover").iterdir())) == 2
    assert len(list((out / "test" / "clover").iterdir())) == 0


def test_check_exit_status(tiny_tree, capsys):
    assert data_main(["check", str(tiny_tree)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "OK"

    (tiny_tree / "train" / "clover" / "notes.txt").write_text("")
    assert data_main(["check", str(tiny_tree)]) == 0
    assert data_main(["check", str(tiny_tree), "--strict"]) == 1

    (tiny_tree / "val" / "clover" / "clover_0000.png").write_bytes(b"\x89PNG broken")
    assert data_main(["check", str(tiny_tree)]) == 1
    assert "val/clover/clover_0000.png: unreadable image" in capsys.readouterr().out


def test_check_reports_invalid_configured_root(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv(DATA_ROOT_VARIABLE, str(tmp_path / "absent"))
    assert data_main(["check"]) == 1
    assert f"{DATA_ROOT_VARIABLE} {tmp_path / 'absent'} not found" in capsys.readouterr().err


def test_annotations_and_cache_commands(tiny_tree, tmp_path, capsys):
    csv_path = tmp_path / "annotations.csv"
    assert data_main(["annotations", str(tiny_tree), "--out", str(csv_path)]) == 0
    assert len(pd.read_csv(csv_path)) == 14

    arguments = [
        "cache",
        str(tiny_tree),
        "--image-size",
        "16",
        "--splits",
        "train",
        "val",
        "--cache-dir",
        str(tmp_path / "cache"),
    ]
    assert data_main(arguments) == 0
    assert data_main(arguments) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(",")[1].split()[0] for line in lines[-4:]] == ["built", "built", "loaded", "loaded"]
