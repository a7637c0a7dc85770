from pathlib import Path

import pytest

from grader.calibrate import calibration_key, load_calibration
from grader.calibrate.procedures import (
    CNN_EPOCHS,
    CNN_IMAGE_SIZE,
    RESNET18_WEIGHTS_VARIABLE,
    TRANSFER_IMAGE_SIZE,
    cnn_plants,
    cnn_plants_course,
    transfer_course_feature_extraction,
    transfer_course_full,
    transfer_plants,
)

CALIBRATION = Path(__file__).resolve().parents[1] / "calibration.json"


def assert_cnn_learns(load, data_root):
    calibration = load_calibration(calibration_key("cnn_plants", data_root), CALIBRATION)
    accuracy = cnn_plants(load, calibration["seeds"][0], data_root)
    assert accuracy >= calibration["threshold"], (
        f"trained {CNN_EPOCHS} epochs at {CNN_IMAGE_SIZE} x {CNN_IMAGE_SIZE} pixels on {data_root.name}, the CNN reaches "
        f"{accuracy:.3f} validation accuracy; the reference reaches at least {min(calibration['reference']):.3f} "
        f"and an untrained network about {max(calibration['baseline_values']):.3f}"
    )


@pytest.mark.slow
@pytest.mark.exercise("2.5", points=3)
def test_cnn_learns_species(load, data_root):
    assert_cnn_learns(load, data_root)


@pytest.mark.slow
@pytest.mark.exercise("2.6", points=3)
def test_fit_trains_cnn(load, data_root):
    assert_cnn_learns(load, data_root)


@pytest.mark.slow
@pytest.mark.cuda
@pytest.mark.exercise("2.6", points=3)
def test_course_schedule_on_gpu(load, data_root):
    calibration = load_calibration(calibration_key("cnn_plants_course", data_root), CALIBRATION)
    accuracy = cnn_plants_course(load, calibration["seeds"][0], data_root)
    assert accuracy >= calibration["threshold"], (
        f"at 224 x 224 pixels on the GPU the CNN reaches {accuracy:.3f} validation accuracy on {data_root.name}; "
        f"the reference reaches at least {min(calibration['reference']):.3f}"
    )


@pytest.mark.slow
@pytest.mark.exercise("2.9", points=4)
def test_transfer_beats_random_backbone(load, data_root):
    calibration = load_calibration(calibration_key("transfer_plants", data_root), CALIBRATION)
    accuracy = transfer_plants(load, calibration["seeds"][0], data_root)
    assert accuracy >= calibration["threshold"], (
        f"on {data_root.name} at {TRANSFER_IMAGE_SIZE} x {TRANSFER_IMAGE_SIZE} pixels, the head on the pretrained, frozen "
        f"backbone reaches {accuracy:.3f} on the classes it transfers to; the reference reaches at least "
        f"{min(calibration['reference']):.3f} and the same head on a random backbone at most "
        f"{max(calibration['baseline_values']):.3f}. Check that the weights file is loaded and that the frozen "
        f"BatchNorm layers keep their statistics in model.train()"
    )


@pytest.mark.slow
@pytest.mark.cuda
@pytest.mark.exercise("2.9", points=2)
@pytest.mark.parametrize(
    ("name", "procedure"),
    [("transfer_course_feature_extraction", transfer_course_feature_extraction), ("transfer_course_full", transfer_course_full)],
)
def test_transfer_course_on_gpu(load, data_root, name, procedure):
    try:
        calibration = load_calibration(calibration_key(name, data_root), CALIBRATION)
    except LookupError as error:
        pytest.fail(f"{error}. This schedule needs a CUDA device and {RESNET18_WEIGHTS_VARIABLE} set to the ImageNet "
                    f"weights of ResNet-18, so run grader calibrate on a GPU machine with that file")
    accuracy = procedure(load, calibration["seeds"][0], data_root)
    assert accuracy >= calibration["threshold"], (
        f"{name} at 224 x 224 pixels on the GPU reaches {accuracy:.3f} validation accuracy on {data_root.name}; "
        f"the reference reaches at least {min(calibration['reference']):.3f}"
    )
