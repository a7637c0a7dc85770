import os

import pytest

from data import roots


@pytest.fixture
def no_configured_root(monkeypatch, tmp_path):
    """Unset KIT_DATA_ROOT and send the kit's cache folder to a temporary folder."""
    monkeypatch.delenv(roots.DATA_ROOT_VARIABLE, raising=False)
    monkeypatch.setenv(roots.CACHE_DIR_VARIABLE, str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_missing_option_folder_raises(tmp_path):
    missing = tmp_path / "no-such-folder"
    with pytest.raises(roots.DataRootError) as raised:
        roots.resolve_data_root(missing)
    message = str(raised.value)
    assert str(missing) in message
    assert "--data-root" in message
    assert "not found" in message


def test_missing_variable_folder_raises(monkeypatch, tmp_path):
    missing = tmp_path / "no-such-folder"
    monkeypatch.setenv(roots.DATA_ROOT_VARIABLE, str(missing))
    with pytest.raises(roots.DataRootError) as raised:
        roots.resolve_data_root()
    assert str(missing) in str(raised.value)
    assert roots.DATA_ROOT_VARIABLE in str(raised.value)


def test_root_without_splits_raises(tmp_path):
    (tmp_path / "train" / "rose").mkdir(parents=True)
    with pytest.raises(roots.DataRootError, match="lacks the split folders val/, test/"):
        roots.resolve_data_root(tmp_path)


def test_split_without_images_raises(tiny_tree):
    for image in (tiny_tree / "val").rglob("*.png"):
        image.unlink()
    with pytest.raises(roots.DataRootError, match="val/ contains no image files"):
        roots.resolve_data_root(tiny_tree)


def test_file_as_root_raises(tmp_path):
    path = tmp_path / "images.zip"
    path.write_bytes(b"")
    with pytest.raises(roots.DataRootError, match="is not a folder"):
        roots.resolve_data_root(path)


def test_option_wins_over_variable(monkeypatch, tiny_tree, tmp_path):
    monkeypatch.setenv(roots.DATA_ROOT_VARIABLE, str(tmp_path / "no-such-folder"))
    assert roots.resolve_data_root(tiny_tree) == tiny_tree.resolve()


def test_variable_names_the_root(monkeypatch, tiny_tree):
    monkeypatch.setenv(roots.DATA_ROOT_VARIABLE, str(tiny_tree))
    assert roots.resolve_data_root() == tiny_tree.resolve()


def test_default_builds_generated_set_once(no_configured_root):
    first = roots.resolve_data_root()
    assert first.parent == no_configured_root / "generated"
    assert sorted(path.name for path in first.iterdir()) == ["image_set.json", "test", "train", "val"]
    assert roots.validate_data_root(first) == first.resolve()
    stamp = os.stat(first / "image_set.json").st_mtime_ns

    second = roots.resolve_data_root()
    assert second == first
    assert os.stat(first / "image_set.json").st_mtime_ns == stamp
    assert [path.name for path in first.parent.iterdir()] == [first.name]  # no staging folder left behind


class RecordingParser:
    """The part of ``pytest.Parser`` that ``add_data_root_option`` uses."""

    def __init__(self):
        self.options = {}

    def getgroup(self, name, description=""):
        return self

    def addoption(self, *names, **settings):
        self.options[names] = settings


class FakeConfig:
    def __init__(self, data_root):
        self.stash = pytest.Stash()
        self.data_root = data_root
        self.calls = 0

    def getoption(self, name, default=None):
        assert name == "data_root"
        self.calls += 1
        return self.data_root


def test_pytest_option_is_registered():
    parser = RecordingParser()
    roots.add_data_root_option(parser)
    assert list(parser.options) == [("--data-root",)]
    assert parser.options[("--data-root",)]["default"] is None


def test_config_root_is_resolved_once(tiny_tree):
    config = FakeConfig(str(tiny_tree))
    assert roots.data_root_from_config(config) == tiny_tree.resolve()
    assert roots.data_root_from_config(config) == tiny_tree.resolve()
    assert config.calls == 1


def test_config_with_missing_root_raises(tmp_path):
    config = FakeConfig(str(tmp_path / "absent"))
    with pytest.raises(roots.DataRootError, match="absent"):
        roots.data_root_from_config(config)


@pytest.fixture
def umask_022():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_generated_set_follows_umask(no_configured_root, umask_022):
    root = roots.generated_root(classes=["clover"], per_split=1, image_size=16)
    assert root.stat().st_mode & 0o777 == 0o755
    assert (root / "train" / "clover" / "clover_0000.png").stat().st_mode & 0o777 == 0o644
