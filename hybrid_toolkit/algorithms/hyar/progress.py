"""`HyARProgress`: where a HyAR run stands in its phases, saved with the model.

HyAR runs three phases through the one trainer loop — random warm-up, VAE pre-training, TD3 with
periodic VAE fine-tuning — and its schedules (exploration noise, fine-tuning rounds) count
finished episodes of the TD3 phase. These counters are plain Python integers, updated once per
trainer iteration, so acting never waits for the device; ``state_dict`` makes them part of a
checkpoint, so a loaded model resumes in the right phase.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from hybrid_toolkit.algorithms.hyar.config import HyARConfig


@dataclass
class HyARProgress:
    """Phase and schedule counters of a HyAR run.

    Attributes:
        pretrained: The VAE pre-training has run (the TD3 phase has begun).
        warmup_episodes: Random episodes finished during the warm-up.
        td3_episodes: Episodes finished in the TD3 phase.
        td3_updates: TD3 gradient steps taken (sets the delayed actor updates).
        vae_rounds: Periodic VAE fine-tuning rounds run.
    """

    pretrained: bool = False
    warmup_episodes: int = 0
    td3_episodes: int = 0
    td3_updates: int = 0
    vae_rounds: int = 0

    @property
    def phase(self) -> str:
        """``"warmup"`` until the VAE is pre-trained, then ``"td3"``."""
        return "td3" if self.pretrained else "warmup"

    def exploration_std(self, config: HyARConfig) -> float:
        """Gaussian exploration std, annealed linearly over ``expl_noise_episodes`` episodes."""
        frac = min(1.0, self.td3_episodes / config.expl_noise_episodes)
        return config.expl_noise_initial + frac * (
            config.expl_noise_final - config.expl_noise_initial
        )

    def vae_rounds_due(self, config: HyARConfig) -> int:
        """Fine-tuning rounds owed: one at ``vae_update_start`` TD3-phase episodes and one every
        ``vae_update_interval`` episodes after that, minus the rounds already run."""
        if config.vae_update_steps == 0 or self.td3_episodes < config.vae_update_start:
            return 0
        owed = (self.td3_episodes - config.vae_update_start) // config.vae_update_interval + 1
        return max(0, owed - self.vae_rounds)

    def state_dict(self) -> dict[str, Any]:
        """The counters as a plain dict (what ``save`` writes)."""
        return {f.name: int(getattr(self, f.name)) for f in fields(self)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Inverse of `state_dict`."""
        for f in fields(self):
            value = int(state[f.name])
            setattr(self, f.name, bool(value) if f.name == "pretrained" else value)
