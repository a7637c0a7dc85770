"""``grader calibrate``."""

from __future__ import annotations

import argparse
from pathlib import Path

from grader import kit_root
from grader.calibrate import SETTINGS, calibrate, write_calibration


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--procedure", action="append", choices=sorted(SETTINGS), default=None,
                        help="procedure to calibrate (repeatable; default: all, less the GPU course schedules without a GPU)")
    parser.add_argument("--seeds", type=int, default=10, metavar="N", help="number of seeds, 0 to N-1 (default: 10)")
    parser.add_argument("--data-root", type=Path, default=None, metavar="DIR",
                        help="image folder for the image procedures (default: $KIT_DATA_ROOT, else the generated image set)")
    parser.add_argument("--kit", type=Path, default=None, help="kit root (default: this checkout)")


def default_procedures() -> list[str]:
    """Return every procedure, leaving out the course schedules (names ending in ``_course...``) when no GPU is present."""
    import torch

    has_cuda = torch.cuda.is_available()
    return [name for name in sorted(SETTINGS) if has_cuda or "_course" not in name]


def run(args: argparse.Namespace) -> int:
    kit = (args.kit or kit_root()).resolve()
    names = args.procedure or default_procedures()
    data_root = None
    if any(SETTINGS[name]["uses_data_root"] for name in names):
        from data.roots import resolve_data_root

        data_root = resolve_data_root(args.data_root)
    entries = calibrate(kit, names, list(range(args.seeds)), data_root)
    path = write_calibration(kit, entries)
    print(f"wrote {path}")
    return 0
