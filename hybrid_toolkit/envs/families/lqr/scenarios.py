"""Fixed train / dev / test initial states and the reported metric (HPO spec §9.1).

The only randomness of switched LQR is the initial state, ``x0 ~ U[-r, r]^n`` (divided by
``sqrt(n)`` by default). Train and dev are drawn together from ``init_seed`` (dev is the first
``num_eval_scenarios`` rows, train the next ``num_train_scenarios``); test uses
``test_init_seed``. Drawn with numpy's legacy seeded stream, so a split is identical on every
machine and device.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import torch
from torch import Tensor

from hybrid_toolkit.envs.families.lqr.config import SwitchedLQRConfig

Split = Literal["train", "dev", "test"]
SPLITS: tuple[Split, ...] = ("train", "dev", "test")


def _uniform_states(config: SwitchedLQRConfig, count: int, seed: int) -> Tensor:
    r = config.init_range
    draws = np.random.RandomState(seed).uniform(-r, r, size=(count, config.state_dim))
    if config.scale_init_by_sqrt_dim:
        draws = draws / math.sqrt(config.state_dim)
    return torch.as_tensor(draws, dtype=torch.float64)


def initial_states(config: SwitchedLQRConfig, split: Split) -> Tensor:
    """The initial states of one split, ``[num_scenarios, state_dim]`` (``float64``, CPU)."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    if split == "test":
        return _uniform_states(config, config.num_eval_scenarios, config.test_init_seed)
    n_dev = config.num_eval_scenarios
    both = _uniform_states(config, n_dev + config.num_train_scenarios, config.init_seed)
    return both[:n_dev] if split == "dev" else both[n_dev:]


def reported_metric(costs: Tensor, state_dim: int) -> Tensor:
    """The paper's ``loss/reported``: total cost / (scenarios · horizon · state_dim).

    Args:
        costs: Per-step costs ``[num_scenarios, horizon]`` (e.g. ``-reward`` stacked).
        state_dim: State dimension ``n``.
    """
    if costs.dim() != 2:
        raise ValueError(f"costs must be [num_scenarios, horizon], got {tuple(costs.shape)}")
    return costs.sum() / (costs.numel() * state_dim)
