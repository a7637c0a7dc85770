import pytest
import torch
from torch import nn

from tests.strategies import generator


@pytest.fixture
def transfer(load):
    return load("plantnet.transfer")


@pytest.mark.exercise("2.9", points=1)
def test_resnet18_head(transfer):
    model = transfer.create_resnet18(9, pretrained=False)

    assert isinstance(model.fc, nn.Linear), f"the head fc should be an nn.Linear, got {type(model.fc).__name__}"
    assert model.fc.out_features == 9, f"the head should give one logit per class (9), got {model.fc.out_features}"
    model.eval()
    with torch.no_grad():
        logits = model(torch.randn(2, 3, 32, 32, generator=generator(0)))
    assert logits.shape == (2, 9), f"expected logits of shape (2, 9), got {tuple(logits.shape)}"


@pytest.mark.exercise("2.9", points=1)
def test_feature_extraction_trains_head_only(transfer):
    model = transfer.create_resnet18(9, pretrained=False)

    transfer.apply_strategy(model, "feature_extraction")

    trainable = [name for name, parameter in model.named_parameters() if parameter.requires_grad]
    assert sorted(trainable) == ["fc.bias", "fc.weight"], (
        f"feature extraction trains the head only, but these parameters require gradients: {trainable[:6]}"
    )
    count = sum(parameter.numel() for parameter in transfer.trainable_parameters(model))
    assert count == 4617, f"the head Linear(512, 9) has 512 * 9 + 9 = 4,617 parameters, trainable_parameters gives {count:,}"


@pytest.mark.exercise("2.9", points=1)
def test_optimizer_contains_head_only(transfer):
    model = transfer.create_resnet18(4, pretrained=False)
    transfer.apply_strategy(model, "feature_extraction")

    optimizer = transfer.make_optimizer(model)

    in_optimizer = {id(parameter) for group in optimizer.param_groups for parameter in group["params"]}
    assert in_optimizer == {id(model.fc.weight), id(model.fc.bias)}, (
        f"the optimizer should contain exactly the 2 trainable tensors (fc.weight and fc.bias), got {len(in_optimizer)} tensors"
    )


@pytest.mark.exercise("2.9", points=1)
def test_unknown_strategy(transfer):
    model = transfer.create_resnet18(4, pretrained=False)

    with pytest.raises(ValueError):
        transfer.apply_strategy(model, "freeze_everything")
