"""HPO's network input: the observation, or the conditioned input its declared features give.

HPO's networks are tanh MLPs with the CleanRL initialisation; whatever enters their first layer
unscaled saturates it. ``input_map="declared"`` (the default) builds the input from the env's
:meth:`~hybrid_toolkit.envs.HybridEnv.observation_features`: per-instance constants are dropped,
quantities are divided by their unit and scalars by their typical size. ``input_map="raw"``
feeds the flat observation as it is — the paper's inputs, kept for the reproduction. Envs that
declare nothing get the raw observation either way.

The map is a gather and a division, differentiable, so the pathwise gradient and the cross term
still flow through the states. Its index and divisors are saved with the policy's weights (the
inputs a model was trained on travel with it).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from hybrid_toolkit.algorithms.hpo.config import InputMapName
from hybrid_toolkit.envs import HybridEnv


class InputMap(nn.Module):
    """Flat observations ``[N, obs_dim]`` → network inputs ``[N, out_dim]``.

    Args:
        obs_dim: Flat observation size.
        indices: Observation entries to keep, in order; ``None`` keeps all (identity).
        divisors: One divisor per kept entry (``None`` with ``indices=None``).

    Raises:
        ValueError: Indices out of range or not one divisor per index.
    """

    index: Tensor
    divisor: Tensor

    def __init__(
        self, obs_dim: int, indices: list[int] | None = None, divisors: list[float] | None = None
    ) -> None:
        super().__init__()
        self.obs_dim = obs_dim
        self.identity = indices is None
        if indices is None:
            self.out_dim = obs_dim
            return
        if divisors is None or len(divisors) != len(indices):
            count = None if divisors is None else len(divisors)
            raise ValueError(f"InputMap needs one divisor per index ({len(indices)}), got {count}")
        if not indices or any(not 0 <= i < obs_dim for i in indices):
            raise ValueError(f"InputMap indices must be in [0, {obs_dim}), got {indices}")
        self.out_dim = len(indices)
        self.register_buffer("index", torch.tensor(indices, dtype=torch.long))
        self.register_buffer("divisor", torch.tensor(divisors, dtype=torch.float32))

    def forward(self, feats: Tensor) -> Tensor:
        """The network input (graph kept; the identity returns ``feats`` itself)."""
        if self.identity:
            return feats
        return feats.index_select(-1, self.index) / self.divisor

    def extra_repr(self) -> str:
        return "identity" if self.identity else f"{self.obs_dim} -> {self.out_dim}"


def build_input_map(env: HybridEnv, name: InputMapName, obs_dim: int) -> InputMap:
    """The input map ``name`` for ``env`` (identity for ``raw`` and for undeclared envs).

    Raises:
        ValueError: The env's declaration does not cover its observation, or keeps nothing.
    """
    features = env.observation_features() if name == "declared" else None
    if features is None:
        return InputMap(obs_dim)
    owner = type(env).__name__
    features.check_obs_dim(obs_dim, owner)
    if not features.kept():
        raise ValueError(
            f"{owner}.observation_features() declares every entry constant, so "
            "input_map='declared' would leave the networks no input; use input_map='raw'"
        )
    if features.is_identity():
        return InputMap(obs_dim)
    return InputMap(obs_dim, features.kept_indices(), features.kept_divisors())
