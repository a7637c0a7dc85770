from pathlib import Path

import pytest

from grader.calibrate import load_calibration
from grader.calibrate.procedures import TOY_EPOCHS, toy_mlp

CALIBRATION = Path(__file__).resolve().parents[1] / "calibration.json"


@pytest.mark.slow
@pytest.mark.exercise("1.4", points=4)
def test_mlp_separates_blob_from_ring(load):
    calibration = load_calibration("toy_mlp", CALIBRATION)
    seed = calibration["seeds"][0]
    accuracy = toy_mlp(load, seed)
    assert accuracy >= calibration["threshold"], (
        f"after {TOY_EPOCHS} epochs the MLP reaches {accuracy:.3f} validation accuracy; the reference reaches at least "
        f"{min(calibration['reference']):.3f} and a linear model at most {max(calibration['baseline_values']):.3f}"
    )
