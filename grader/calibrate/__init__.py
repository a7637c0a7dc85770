"""``grader calibrate``: measure the reference over several seeds and store the convergence thresholds.

For each procedure the calibration trains the reference once per seed, and a
baseline that must fail (for the toy MLP: the linear stub), then stores the
distribution and ``threshold = min(reference) - margin`` in
``tests/hidden/calibration.json``. It refuses a threshold that some baseline
run reaches, because the test would then not separate right from wrong.
"""

from __future__ import annotations

import importlib
import json
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

CALIBRATION_FILE = Path("tests/hidden/calibration.json")

# Per procedure: the margin below the worst reference run, and how the baseline is trained.
SETTINGS = {
    "toy_mlp": {
        "margin": 0.05,
        "metric": "validation accuracy after 30 epochs",
        "baseline": "the linear stub of exercise 1.4, trained by the same loop",
        "baseline_kwargs": {"model_module": "_stub_mlp"},
        "uses_data_root": False,
    },
    "cnn_plants": {
        "margin": 0.1,
        "metric": "best validation accuracy over 15 epochs at 64 x 64 pixels",
        "baseline": "the same CNN left untrained (learning rate 0): chance level",
        "baseline_kwargs": {"learning_rate": 0.0},
        "uses_data_root": True,
    },
    "cnn_plants_course": {
        "margin": 0.1,
        "metric": "best validation accuracy over 30 epochs at 224 x 224 pixels on a CUDA device",
        "baseline": "the same CNN left untrained (learning rate 0): chance level",
        "baseline_kwargs": {"learning_rate": 0.0},
        "uses_data_root": True,
    },
    "transfer_plants": {
        "margin": 0.1,
        "metric": ("accuracy on the validation and test images of the second half of the classes by name, after pretraining "
                   "on the first half for 8 epochs and training the head on the frozen backbone for 8 epochs, at 32 x 32 pixels"),
        "baseline": "the same head trained on a frozen random backbone (no pretraining)",
        "baseline_kwargs": {"pretrain_epochs": 0},
        "uses_data_root": True,
    },
    "transfer_course_feature_extraction": {
        "margin": 0.1,
        "metric": ("best validation accuracy over 10 epochs of feature extraction from the ImageNet weights in "
                   "$KIT_RESNET18_WEIGHTS, at 224 x 224 pixels on a CUDA device"),
        "baseline": "the same head trained on a frozen random backbone",
        "baseline_kwargs": {"pretrained": False},
        "uses_data_root": True,
    },
    "transfer_course_full": {
        "margin": 0.1,
        "metric": ("best validation accuracy over 10 epochs of full fine-tuning from the ImageNet weights in "
                   "$KIT_RESNET18_WEIGHTS, at 224 x 224 pixels on a CUDA device"),
        "baseline": "the same network trained from random weights",
        "baseline_kwargs": {"pretrained": False},
        "uses_data_root": True,
    },
}


class CalibrationError(RuntimeError):
    """The measured reference does not clear the baseline by the margin."""


def calibration_key(name: str, data_root: Path | None = None) -> str:
    """Return the key of a calibration entry: the procedure, and for image procedures the data set's folder name."""
    return f"{name}/{Path(data_root).name}" if SETTINGS[name]["uses_data_root"] else name


def make_loader(kit: Path):
    """Return a ``load`` function that imports from the kit's ``solutions``, with ``_stub_mlp`` mapped to the stub."""
    if str(kit) not in sys.path:
        sys.path.insert(0, str(kit))

    def load(dotted: str):
        if dotted == "_stub_mlp":
            return importlib.import_module("exercises.toy.mlp")
        return importlib.import_module(f"solutions.{dotted}")

    return load


def calibrate(kit: Path, names: list[str], seeds: list[int], data_root: Path | None = None, log=print) -> dict:
    """Measure each named procedure over ``seeds`` and return the calibration entries, keyed by ``calibration_key``."""
    from grader.calibrate.procedures import PROCEDURES  # imports torch: only when calibrating

    load = make_loader(kit)
    entries = {}
    for name in names:
        settings = SETTINGS[name]
        procedure = PROCEDURES[name]
        extra = {"data_root": data_root} if settings["uses_data_root"] else {}
        key = calibration_key(name, data_root)
        started = time.monotonic()
        values = [procedure(load, seed, **extra) for seed in seeds]
        seconds_per_run = (time.monotonic() - started) / len(seeds)
        baseline = [procedure(load, seed, **extra, **settings["baseline_kwargs"]) for seed in seeds]
        threshold = round(min(values) - settings["margin"], 4)
        if max(baseline) >= threshold:
            raise CalibrationError(
                f"{key}: the baseline reaches {max(baseline):.4f}, at or above the threshold {threshold:.4f}; "
                "the test would not separate right from wrong"
            )
        entries[key] = {
            "metric": settings["metric"],
            "seeds": seeds,
            "reference": [round(v, 4) for v in values],
            "reference_mean": round(statistics.fmean(values), 4),
            "reference_std": round(statistics.pstdev(values), 4),
            "baseline": settings["baseline"],
            "baseline_values": [round(v, 4) for v in baseline],
            "margin": settings["margin"],
            "threshold": threshold,
            "seconds_per_run": round(seconds_per_run, 2),
        }
        if data_root is not None and settings["uses_data_root"]:
            entries[key]["data_root"] = str(data_root)
        log(f"{key}: reference min {min(values):.4f} mean {statistics.fmean(values):.4f}, "
            f"baseline max {max(baseline):.4f}, threshold {threshold:.4f}, {seconds_per_run:.1f} s per run")
    return entries


def write_calibration(kit: Path, entries: dict) -> Path:
    """Merge ``entries`` into the calibration file, with the machine and date they were measured on."""
    path = kit / CALIBRATION_FILE
    stored = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    import torch

    for entry in entries.values():
        entry["measured_on"] = {"date": date.today().isoformat(), "python": platform.python_version(),
                                "torch": torch.__version__, "machine": platform.machine(), "threads": torch.get_num_threads()}
    stored.update(entries)
    path.write_text(json.dumps(stored, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def load_calibration(name: str, path: Path) -> dict:
    """Return the calibration of procedure ``name`` stored in ``path``; the error names the command that creates it."""
    stored = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if name not in stored:
        procedure, _, data_set = name.partition("/")
        hint = f" --data-root <the {data_set} folder>" if data_set else ""
        raise LookupError(f"no calibration for {name!r} in {path}: run 'grader calibrate --procedure {procedure}{hint}'")
    return stored[name]
