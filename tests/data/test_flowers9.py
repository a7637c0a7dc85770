import os

import pytest

from data.check import check_tree
from data.roots import DATA_ROOT_VARIABLE, resolve_data_root


@pytest.mark.skipif(not os.environ.get(DATA_ROOT_VARIABLE), reason=f"{DATA_ROOT_VARIABLE} is not set")
def test_configured_root_passes_check():
    root = resolve_data_root()
    report = check_tree(root)
    assert report.ok, report.render()
    assert report.warnings == [], report.render()
    assert set(report.classes["val"]) == set(report.classes["train"])
