"""Inputs shared by the public and hidden tests, kept in one place so every test draws them the same way."""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def generator(seed: int = 0) -> torch.Generator:
    """Return a CPU generator, so a test's inputs do not depend on the global seed."""
    return torch.Generator().manual_seed(seed)


# ---------------------------------------------------------------------------
# Tensors


def uniform(shape, low: float, high: float, gen: torch.Generator, dtype=torch.float32) -> torch.Tensor:
    """Draw a tensor of ``shape`` uniformly from ``[low, high)``."""
    return low + (high - low) * torch.rand(shape, generator=gen, dtype=dtype)


def point_cloud(n: int, gen: torch.Generator, scale: float = 3.0) -> torch.Tensor:
    """Draw ``n`` float32 points ``(n, 2)`` uniformly from the square ``[-scale, scale)^2``."""
    return uniform((n, 2), -scale, scale, gen)


def probabilities(shape, gen: torch.Generator, low: float = 1e-3, high: float = 1 - 1e-3) -> torch.Tensor:
    """Draw float32 probabilities uniformly from ``[low, high)``, away from 0 and 1 by default."""
    return uniform(shape, low, high, gen)


def probabilities_away_from_half(n: int, gen: torch.Generator, margin: float = 0.05) -> torch.Tensor:
    """Draw float32 probabilities ``(n, 1)`` at least ``margin`` away from 0.5, so ``> 0.5`` is never a close call."""
    values = uniform((n, 1), 0.01, 0.5 - margin, gen)
    above = torch.rand((n, 1), generator=gen) < 0.5
    return torch.where(above, 1.0 - values, values)


def binary_targets(n: int, gen: torch.Generator) -> torch.Tensor:
    """Draw float32 targets 0.0/1.0 ``(n,)``, with both classes present whenever ``n >= 2``."""
    targets = (torch.rand(n, generator=gen) < 0.5).float()
    if n >= 2:
        targets[:2] = torch.tensor([0.0, 1.0])
        targets = targets[torch.randperm(n, generator=gen)]
    return targets


def class_targets(n: int, num_classes: int, gen: torch.Generator) -> torch.Tensor:
    """Draw class indices ``(n,)`` as ``torch.long``."""
    return torch.randint(0, num_classes, (n,), generator=gen)


def logits_without_ties(n: int, num_classes: int, gen: torch.Generator, scale: float = 3.0) -> torch.Tensor:
    """Draw float32 logits ``(n, num_classes)`` whose values in a row differ by at least ``scale / num_classes``.

    Each row is a shuffled copy of evenly spaced values in ``[-scale, scale]`` plus
    noise below a quarter of the spacing, so the ``argmax`` of every row is unique.
    """
    levels = torch.linspace(-scale, scale, num_classes)
    spacing = 2 * scale / max(num_classes - 1, 1)
    rows = torch.stack([levels[torch.randperm(num_classes, generator=gen)] for _ in range(n)])
    return rows + uniform((n, num_classes), -spacing / 4, spacing / 4, gen)


# ---------------------------------------------------------------------------
# Loaders


def tiny_loader(inputs: torch.Tensor, targets: torch.Tensor, batch_size: int) -> DataLoader:
    """Return an unshuffled ``DataLoader`` over ``(inputs, targets)``, so batches come in a fixed order."""
    return DataLoader(TensorDataset(inputs, targets), batch_size=batch_size, shuffle=False)


class MoveRecorder(torch.Tensor):
    """A tensor that appends the device of every ``.to(...)`` call made on it to its ``moves`` list.

    Every other operation returns a plain tensor, so a model receives the subclass
    only through a batch that was not moved.
    """

    moves: list

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func is torch.Tensor.to and isinstance(args[0], MoveRecorder):
            args[0].moves.append(_requested_device(args[1:], kwargs))
        with torch._C.DisableTorchFunctionSubclass():
            return func(*args, **kwargs)


def _requested_device(args: tuple, kwargs: dict) -> torch.device | None:
    """Return the device that a ``Tensor.to`` call requests, or ``None`` for a dtype-only call."""
    if "device" in kwargs:
        return torch.device(kwargs["device"])
    if args and isinstance(args[0], (str, torch.device)):
        return torch.device(args[0])
    if args and isinstance(args[0], torch.Tensor):
        return args[0].device
    return None


def recording_loader(inputs: torch.Tensor, targets: torch.Tensor, batch_size: int) -> tuple[DataLoader, list]:
    """Return an unshuffled loader whose batches are ``MoveRecorder`` tensors, and the list it fills with them.

    Each item of the list is the ``(inputs, targets)`` pair of one batch as the loader yielded it.
    """
    batches = []

    def collate(samples):
        batch_inputs = torch.stack([sample[0] for sample in samples]).as_subclass(MoveRecorder)
        batch_targets = torch.stack([sample[1] for sample in samples]).as_subclass(MoveRecorder)
        batch_inputs.moves = []
        batch_targets.moves = []
        batches.append((batch_inputs, batch_targets))
        return batch_inputs, batch_targets

    loader = DataLoader(TensorDataset(inputs, targets), batch_size=batch_size, shuffle=False, collate_fn=collate)
    return loader, batches


# ---------------------------------------------------------------------------
# Models


class ModeRecorder(nn.Module):
    """An identity layer that records, at each forward call, its own ``training`` flag and whether autograd is on."""

    def __init__(self):
        super().__init__()
        self.training_flags: list[bool] = []
        self.grad_enabled_flags: list[bool] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.training_flags.append(self.training)
        self.grad_enabled_flags.append(torch.is_grad_enabled())
        return x


def small_network(in_features: int = 2, hidden: int = 4, out_features: int = 1, dropout: float = 0.0) -> nn.Sequential:
    """Return a small MLP whose submodules ``recorder`` (first) and ``inner.recorder`` (nested) record their modes.

    Layout: ``recorder -> Linear -> ReLU -> inner (Dropout -> recorder) -> Linear``.
    """
    inner = nn.Sequential()
    inner.add_module("dropout", nn.Dropout(dropout))
    inner.add_module("recorder", ModeRecorder())
    network = nn.Sequential()
    network.add_module("recorder", ModeRecorder())
    network.add_module("hidden", nn.Linear(in_features, hidden))
    network.add_module("relu", nn.ReLU())
    network.add_module("inner", inner)
    network.add_module("output", nn.Linear(hidden, out_features))
    return network


def recorders(model: nn.Module) -> list[ModeRecorder]:
    """Return every ``ModeRecorder`` inside ``model``."""
    return [module for module in model.modules() if isinstance(module, ModeRecorder)]


def module_modes(model: nn.Module) -> dict[str, bool]:
    """Return the ``training`` flag of every module of ``model``, by qualified name (``""`` for the model itself)."""
    return {name: module.training for name, module in model.named_modules()}


def bce_on_probabilities(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy of ``(N, 1)`` probabilities against ``(N,)`` float targets, as the toy practical uses it."""
    return nn.functional.binary_cross_entropy(outputs.reshape(targets.shape), targets)


# ---------------------------------------------------------------------------
# Images


def random_image(mode: str, width: int, height: int, seed: int = 0):
    """Return a PIL image of random pixels in ``mode``: ``"RGB"``, ``"RGBA"``, ``"L"`` (grayscale) or ``"P"`` (palette).

    The palette of a ``"P"`` image contains 16 random colours.
    """
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    if mode in ("RGB", "RGBA"):
        pixels = rng.integers(0, 256, size=(height, width, len(mode)), dtype=np.uint8)
        return Image.fromarray(pixels)
    if mode == "L":
        return Image.fromarray(rng.integers(0, 256, size=(height, width), dtype=np.uint8))
    if mode == "P":
        image = Image.fromarray(rng.integers(0, 16, size=(height, width), dtype=np.uint8))
        image.putpalette(rng.integers(0, 256, size=16 * 3, dtype=np.uint8).tolist())
        return image
    raise ValueError(f"unsupported image mode {mode!r}; use RGB, RGBA, L or P")


def write_image_tree(root, layout: dict, size: tuple[int, int] = (12, 10), mode: str = "RGB") -> None:
    """Write random images under ``root`` following ``layout``, ``{split: {class: [file names]}}``.

    A file name may contain ``/`` to place it in a subfolder of its class folder.
    The format follows the extension (``.png``, ``.jpg``), and a name with any other
    extension is written as a small text file, which ``ImageFolder`` skips.
    ``size`` is ``(width, height)``. JPEG stores only RGB and L images, so a tree
    with ``.jpg`` names needs one of these two modes.
    """
    from pathlib import Path

    root = Path(root)
    seed = 0
    for split, classes in layout.items():
        for class_name, file_names in classes.items():
            for file_name in file_names:
                path = root / split / class_name / file_name
                path.parent.mkdir(parents=True, exist_ok=True)
                if path.suffix.lower() in (".png", ".jpg", ".jpeg"):
                    random_image(mode, *size, seed=seed).save(path)
                else:
                    path.write_text("not an image\n", encoding="utf-8")
                seed += 1


# ---------------------------------------------------------------------------
# Scripted training


class ScriptedOptimizer:
    """An optimizer stand-in that loads ``states[k]`` into the model at its k-th ``step()``.

    With one training batch per epoch, the weights after epoch ``k`` are exactly
    ``states[k]``, so a test can predict every epoch's validation accuracy in advance.
    """

    def __init__(self, model: nn.Module, states: list[dict]):
        self.model = model
        self.states = states
        self.steps = 0
        self.param_groups = [{"params": list(model.parameters()), "lr": 0.0}]

    def zero_grad(self, set_to_none: bool = True) -> None:
        for parameter in self.model.parameters():
            parameter.grad = None

    def step(self, closure=None) -> None:
        with torch.no_grad():
            self.model.load_state_dict(self.states[self.steps])
        self.steps += 1


def threshold_classifier(bias: float) -> nn.Linear:
    """Return a ``Linear(1, 2)`` whose logit for class 1 minus class 0 is ``x + bias``."""
    layer = nn.Linear(1, 2)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([[0.0], [1.0]]))
        layer.bias.copy_(torch.tensor([0.0, bias]))
    return layer


def scripted_accuracy_run(val_accuracies: list[float]):
    """Return ``(model, optimizer, train_loader, val_loader, states)`` whose epoch k reaches ``val_accuracies[k]``.

    The validation set contains 4 points ``x = 0.5, 1.5, 2.5, 3.5`` of class 1 and no
    other, and the model predicts class 1 where ``x + bias > 0``, so a bias of
    ``-(4 - 4a)`` gives accuracy ``a`` for ``a`` in ``{0, 0.25, 0.5, 0.75, 1}``.
    """
    val_inputs = torch.tensor([[0.5], [1.5], [2.5], [3.5]])
    val_targets = torch.ones(4, dtype=torch.long)
    states = [threshold_classifier(-(4.0 - 4.0 * accuracy)).state_dict() for accuracy in val_accuracies]
    model = threshold_classifier(-10.0)
    train_loader = tiny_loader(torch.tensor([[1.0], [2.0]]), torch.tensor([0, 1]), batch_size=2)
    val_loader = tiny_loader(val_inputs, val_targets, batch_size=4)
    return model, ScriptedOptimizer(model, states), train_loader, val_loader, states


# ---------------------------------------------------------------------------
# Classifier outputs and labels for the bonus material


def class_probabilities(n: int, num_classes: int, gen: torch.Generator, scale: float = 3.0) -> torch.Tensor:
    """Return float32 softmax probabilities ``(n, num_classes)`` with no ties within a row.

    They are the softmax of ``logits_without_ties``, so the classes of every row
    have a unique order.
    """
    return torch.softmax(logits_without_ties(n, num_classes, gen, scale), dim=1)


def synthetic_classifier(n: int, num_classes: int, gen: torch.Generator, boost: float = 1.5) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(probs, targets)`` of a classifier that is right more often than chance, with i.i.d. samples.

    Targets are uniform class indices. The logits are standard normal, and the
    true class gets ``boost`` more, so the probability of the true class varies
    from confident to hesitant samples.
    """
    targets = class_targets(n, num_classes, gen)
    logits = torch.randn(n, num_classes, generator=gen)
    logits[torch.arange(n), targets] += boost
    return torch.softmax(logits, dim=1), targets


def labels_with_counts(counts: list[int], gen: torch.Generator) -> torch.Tensor:
    """Return shuffled long labels ``(sum(counts),)`` with ``counts[c]`` samples of class ``c``."""
    labels = torch.repeat_interleave(torch.arange(len(counts)), torch.tensor(counts))
    return labels[torch.randperm(len(labels), generator=gen)]
