"""The exercises of the course: their ids, the module each one lives in, and its tests' time limit.

Module paths are relative to the exercise package (``exercises/`` for students,
``solutions/`` for the reference). Graded tests name their exercise by id, and
the grader maps each id to the single module a submission must provide for it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Exercise:
    id: str
    module: str  # path relative to the exercise package, with "/" separators
    title: str
    timeout: float = 120.0  # seconds for the whole exercise's tests in one grading process, with headroom for a busy machine

    @property
    def dotted(self) -> str:
        """Return the module's dotted name relative to the package, e.g. ``toy.losses``."""
        return self.module.removesuffix(".py").replace("/", ".")

    @property
    def part(self) -> str:
        return self.id.split(".")[0]


EXERCISES: tuple[Exercise, ...] = (
    Exercise("1.1", "toy/perceptron.py", "Perceptron"),
    Exercise("1.2", "toy/losses.py", "Loss functions"),
    Exercise("1.3", "toy/dataset.py", "Points dataset"),
    Exercise("1.4", "toy/mlp.py", "Multilayer perceptron", timeout=180.0),
    Exercise("1.5", "toy/training.py", "Training loop", timeout=180.0),
    Exercise("2.1", "plantnet/datasets.py", "Image folders and annotation files"),
    Exercise("2.2", "plantnet/transforms.py", "Image transforms"),
    Exercise("2.3", "plantnet/balance.py", "Class balance"),
    Exercise("2.4", "plantnet/convolution.py", "Convolution by hand"),
    Exercise("2.5", "plantnet/cnn.py", "Convolutional network", timeout=300.0),
    Exercise("2.6", "plantnet/training.py", "Training with checkpoints and early stopping", timeout=300.0),
    Exercise("2.7", "plantnet/evaluation.py", "Evaluation metrics"),
    Exercise("2.8", "plantnet/inspection.py", "Feature maps, embeddings and PCA"),
    Exercise("2.9", "plantnet/transfer.py", "Transfer learning with a ResNet-18", timeout=300.0),
    Exercise("3.1", "bonus/topk.py", "Top-K and average-K accuracy"),
    Exercise("3.2", "bonus/conformal.py", "Conformal prediction sets"),
    Exercise("3.3", "bonus/cross_validation.py", "Stratified K-fold cross-validation"),
)

# Modules that students receive complete. Grading always uses the reference copy of these.
GIVEN_MODULES: tuple[str, ...] = (
    "__init__.py",
    "toy/__init__.py",
    "toy/data.py",
    "plantnet/__init__.py",
    "plantnet/plots.py",
    "bonus/__init__.py",
    "bonus/plots.py",
)


def by_id(exercise_id: str) -> Exercise:
    """Return the exercise with this id, or raise ``KeyError`` naming the known ids."""
    for exercise in EXERCISES:
        if exercise.id == exercise_id:
            return exercise
    known = ", ".join(e.id for e in EXERCISES)
    raise KeyError(f"unknown exercise id {exercise_id!r}; known ids: {known}")


def sort_key(exercise_id: str) -> tuple[int, ...]:
    """Order ids numerically, so that 1.10 comes after 1.9."""
    return tuple(int(part) for part in exercise_id.split("."))
