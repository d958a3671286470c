"""`HCaclaConfig`: the hyperparameters of H-Cacla (DDPG on Cacla-rounded proto-actions)."""

from __future__ import annotations

from dataclasses import dataclass

from hybrid_toolkit.algorithms.dgrl.off_policy_config import PAPER_LOOP, ProtoOffPolicyConfig


@dataclass
class HCaclaConfig(ProtoOffPolicyConfig):
    """H-Cacla hyperparameters (constructor overrides, CLI flags and saved `config.json`).

    The loop, networks and features are those of DGRL (`ProtoOffPolicyConfig`); the actor is
    trained with the deterministic policy gradient through the first critic instead of DBU.
    """

    n_critics: int = 1
    """Independent critics; 1 is DDPG (the paper's H-Cacla), 2 takes the minimum of two target
    critics in the TD target (clipped double Q-learning, as in TD3)."""


H_CACLA_PRESETS: dict[str, dict[str, object]] = {
    "default": {},
    # the DGRL paper trains H-Cacla in the same off-policy loop as DGRL (App. C, D.2)
    "paper": {**PAPER_LOOP, "n_critics": 1},
}
"""Named presets: ``HCacla(env, "paper")``."""
