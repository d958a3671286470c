"""Multi-layer perceptrons with CleanRL-style orthogonal initialisation."""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Callable, Sequence
from typing import Literal, get_args

from torch import nn

ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "elu": nn.ELU,
    "gelu": nn.GELU,
    "silu": nn.SiLU,
}
"""Activation names accepted by :func:`mlp`, mapped to their module constructors."""

Activation = Literal["tanh", "relu", "elu", "gelu", "silu"]
"""The activation names as a type: config fields annotated with it show the choices in the CLI
and are checked by :func:`hybrid_toolkit.utils.config_checks.check_field_types`."""
assert set(get_args(Activation)) == set(ACTIVATIONS), "Activation and ACTIVATIONS disagree"


def activation_module(name: str) -> nn.Module:
    """Build the activation module called ``name``.

    Args:
        name: One of the keys of :data:`ACTIVATIONS` (``"tanh"``, ``"relu"``, ``"elu"``,
            ``"gelu"``, ``"silu"``).

    Raises:
        ValueError: If ``name`` is not a known activation.
    """
    return _activation_factory(name)()


def _activation_factory(name: str) -> Callable[[], nn.Module]:
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name]


def orthogonal_linear(in_dim: int, out_dim: int, gain: float) -> nn.Linear:
    """A linear layer with an orthogonal weight scaled by ``gain`` and a zero bias.

    Orthogonal rows (or columns, whichever are fewer) keep activations and gradients at a
    controlled scale through depth; a small ``gain`` on an output head starts a policy close to
    uniform and a value head close to zero.

    Args:
        in_dim: Number of input features (>= 1).
        out_dim: Number of outputs (>= 1).
        gain: Scale of the orthogonal matrix (``0`` gives an all-zero weight).
    """
    _check_positive("in_dim", in_dim)
    _check_positive("out_dim", out_dim)
    if not math.isfinite(gain) or gain < 0:
        raise ValueError(f"gain must be a finite number >= 0, got {gain!r}")
    layer = nn.Linear(in_dim, out_dim)
    nn.init.orthogonal_(layer.weight, gain=gain)
    nn.init.zeros_(layer.bias)
    return layer


def mlp(
    in_dim: int,
    hidden: Sequence[int],
    out_dim: int,
    activation: str = "tanh",
    output_gain: float = 1.0,
    hidden_gain: float = math.sqrt(2),
) -> nn.Sequential:
    """A fully connected network ``in_dim -> hidden[0] -> … -> hidden[-1] -> out_dim``.

    Every linear layer is initialised orthogonally with a zero bias (the CleanRL recipe): hidden
    layers with ``hidden_gain`` (√2 by default), the output layer with ``output_gain`` (use
    ``0.01`` for policy heads and ``1.0`` for value heads). The output layer has no activation.

    Args:
        in_dim: Input feature size.
        hidden: Widths of the hidden layers; empty for a single linear layer.
        out_dim: Output size.
        activation: Hidden-layer nonlinearity: ``"tanh"``, ``"relu"``, ``"elu"``, ``"gelu"`` or
            ``"silu"``.
        output_gain: Orthogonal gain of the output layer.
        hidden_gain: Orthogonal gain of the hidden layers.

    Returns:
        An ``nn.Sequential`` of alternating ``nn.Linear`` and activation modules.

    Raises:
        ValueError: If a size is not a positive integer, a gain is negative, or the activation is
            unknown.

    Examples:
        >>> net = mlp(8, [64, 64], 2, activation="relu", output_gain=0.01)
        >>> [type(m).__name__ for m in net]
        ['Linear', 'ReLU', 'Linear', 'ReLU', 'Linear']
    """
    make_activation = _activation_factory(activation)
    widths = [in_dim, *hidden]
    for i, width in enumerate(hidden):
        _check_positive(f"hidden[{i}]", width)
    layers: list[nn.Module] = []
    for width_in, width_out in itertools.pairwise(widths):
        layers += [
            orthogonal_linear(width_in, width_out, hidden_gain),
            make_activation(),
        ]
    layers.append(orthogonal_linear(widths[-1], out_dim, output_gain))
    return nn.Sequential(*layers)


def _check_positive(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
