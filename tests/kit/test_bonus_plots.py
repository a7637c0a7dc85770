"""The given figure function of the bonus material writes a readable, non-empty PNG file."""

import torch
from PIL import Image

from solutions.bonus import conformal, plots
from tests.strategies import generator, synthetic_classifier

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_set_sizes_chart_is_png(tmp_path):
    gen = generator(0)
    calibration_probs, calibration_targets = synthetic_classifier(200, 6, gen)
    test_probs, _ = synthetic_classifier(300, 6, gen)
    qhat = conformal.conformal_quantile(conformal.conformity_scores(calibration_probs, calibration_targets), alpha=0.1)
    sets = conformal.prediction_sets(test_probs, qhat)

    path = plots.plot_set_sizes(sets, tmp_path / "figures" / "set_sizes.png")

    assert path == tmp_path / "figures" / "set_sizes.png"
    assert path.is_file()
    assert path.stat().st_size > 0
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    with Image.open(path) as image:
        assert image.width >= 100
        assert image.height >= 50


def test_set_sizes_chart_with_empty_sets(tmp_path):
    sets = torch.tensor([[False, False, False], [True, False, False], [True, True, True]])

    path = plots.plot_set_sizes(sets, tmp_path / "sizes.png", title="Average-K sets")

    assert path.read_bytes()[:8] == PNG_SIGNATURE
