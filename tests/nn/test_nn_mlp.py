"""mlp(): layer structure, activations, CleanRL-style orthogonal initialisation."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from hybrid_toolkit.nn import mlp


def linears(net: nn.Sequential) -> list[nn.Linear]:
    return [m for m in net if isinstance(m, nn.Linear)]


def assert_scaled_orthogonal(weight: torch.Tensor, gain: float) -> None:
    """Rows (if fewer) or columns are orthogonal with norm ``gain``: W Wᵀ or Wᵀ W = gain² I."""
    w = weight.detach().double()
    gram = w @ w.T if w.shape[0] <= w.shape[1] else w.T @ w
    eye = torch.eye(gram.shape[0], dtype=torch.float64)
    torch.testing.assert_close(gram, gain**2 * eye, rtol=0, atol=1e-5 * gain**2)  # float32 weights


@pytest.mark.parametrize(
    ("name", "module"),
    [("tanh", nn.Tanh), ("relu", nn.ReLU), ("elu", nn.ELU), ("gelu", nn.GELU), ("silu", nn.SiLU)],
)
def test_structure_and_activation(name, module):
    net = mlp(5, [32, 16], 3, activation=name)
    kinds = [type(m) for m in net]
    assert kinds == [nn.Linear, module, nn.Linear, module, nn.Linear]
    assert [(lin.in_features, lin.out_features) for lin in linears(net)] == [
        (5, 32),
        (32, 16),
        (16, 3),
    ]
    assert net(torch.randn(7, 5)).shape == (7, 3)


def test_orthogonal_init_with_hidden_and_output_gains():
    torch.manual_seed(0)
    net = mlp(10, [64, 4], 6, output_gain=0.01)  # wide, narrow-then-wide, output layers
    first, middle, last = linears(net)
    assert_scaled_orthogonal(first.weight, math.sqrt(2))
    assert_scaled_orthogonal(middle.weight, math.sqrt(2))
    assert_scaled_orthogonal(last.weight, 0.01)
    for layer in (first, middle, last):
        assert torch.equal(layer.bias, torch.zeros_like(layer.bias))

    custom = mlp(8, [8], 1, hidden_gain=1.0, output_gain=1.0)
    assert_scaled_orthogonal(linears(custom)[0].weight, 1.0)


def test_no_hidden_layers_gives_one_linear_layer():
    net = mlp(4, [], 2, output_gain=0.5)
    assert len(net) == 1 and isinstance(net[0], nn.Linear)
    assert_scaled_orthogonal(net[0].weight, 0.5)


def test_invalid_arguments_are_named():
    with pytest.raises(
        ValueError,
        match=r"activation must be one of \['elu', 'gelu', 'relu', 'silu', 'tanh'\], got 'swish'",
    ):
        mlp(4, [8], 2, activation="swish")
    with pytest.raises(ValueError, match=r"hidden\[1\] must be an integer >= 1, got 0"):
        mlp(4, [8, 0], 2)
    with pytest.raises(ValueError, match="out_dim must be an integer >= 1, got 0"):
        mlp(4, [8], 0)
    with pytest.raises(ValueError, match="in_dim must be an integer >= 1, got -3"):
        mlp(-3, [8], 2)
    with pytest.raises(ValueError, match="gain must be a finite number >= 0, got -1"):
        mlp(4, [8], 2, output_gain=-1.0)
