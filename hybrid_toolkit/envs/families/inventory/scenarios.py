"""Fixed train / dev / test scenario sets and the reported metric (HPO spec §8.5).

A scenario is one demand trace of ``past_periods + horizon`` periods for every item: the first
``past_periods`` are history (they only initialise the mean-demand estimate), the rest are the
demands of periods ``0 .. horizon-1``. Train and dev are drawn together from ``demand_seed``
(dev is the first ``num_eval_scenarios`` rows, train the next ``num_train_scenarios``); test
uses ``test_demand_seed``. Every split shares the one instance of :func:`make_instance`.
"""

from __future__ import annotations

from typing import Literal

from torch import Tensor

from hybrid_toolkit.envs.families.inventory.config import JointReplenishmentConfig
from hybrid_toolkit.envs.families.inventory.demand import seeded_poisson_demands
from hybrid_toolkit.envs.families.inventory.instance import make_instance

Split = Literal["train", "dev", "test"]
SPLITS: tuple[Split, ...] = ("train", "dev", "test")


def check_split(split: str) -> None:
    """Raise ``ValueError`` unless ``split`` is one of :data:`SPLITS`."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")


def scenario_demands(config: JointReplenishmentConfig, split: Split) -> Tensor:
    """The demand traces of one split: ``[num_scenarios, past_periods + horizon, n_items]``.

    Returns ``float64`` CPU tensors; the same call always returns the same values.
    """
    check_split(split)
    mean = make_instance(config).mean
    periods = config.past_periods + config.horizon
    if split == "test":
        return seeded_poisson_demands(
            mean, config.num_eval_scenarios, periods, config.test_demand_seed
        )
    both = seeded_poisson_demands(
        mean, config.num_eval_scenarios + config.num_train_scenarios, periods, config.demand_seed
    )
    return (
        both[: config.num_eval_scenarios] if split == "dev" else both[config.num_eval_scenarios :]
    )


def reported_metric(costs: Tensor, n_items: int, ignore_periods: int) -> Tensor:
    """The paper's ``loss/reported``: average cost per period per item, after a warm-up.

    Args:
        costs: Per-period total costs ``[num_scenarios, horizon]`` (all items plus the fixed
            cost), e.g. ``-reward`` stacked over an episode.
        n_items: Number of items ``n``.
        ignore_periods: Leading periods left out.

    Returns:
        A 0-dim tensor: ``sum(costs[:, ignore_periods:]) / (S · (T - ignore_periods) · n)``.
    """
    if costs.dim() != 2 or costs.shape[1] <= ignore_periods:
        raise ValueError(
            f"costs must be [num_scenarios, horizon] with horizon > ignore_periods="
            f"{ignore_periods}, got shape {tuple(costs.shape)}"
        )
    kept = costs[:, ignore_periods:]
    return kept.sum() / (kept.numel() * n_items)


__all__ = ["SPLITS", "Split", "check_split", "reported_metric", "scenario_demands"]
