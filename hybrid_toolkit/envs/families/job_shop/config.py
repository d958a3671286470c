"""`JobShopConfig`: the per-period machine-loading problem of DNC/DGRL ("JobShop_py")."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from hybrid_toolkit.utils.config_checks import check_field_types, check_reward_scale

EnergyModel = Literal["fixed-base", "reference"]


@dataclass(frozen=True)
class JobShopConfig:
    """Configuration of the job shop (DNC reference code, January 2024; DGRL paper App. D.4).

    Every step the agent assigns `0..n_jobs` jobs to each of `n_machines` machines
    (`|A| = (n_jobs + 1) ** n_machines`, 10^20 for the default 10 machines). See
    `docs/envs/job-shop.md`.
    """

    n_machines: int = 10
    """Number of machines `m` (the DNC reference default is 5; DGRL's 10^20 needs 10)."""

    n_jobs: int = 100
    """Largest load of one machine; loads are integers `0..n_jobs`."""

    max_steps: int = 149
    """Steps per episode (the reference ends at `step == max_steps - 1` with its 150)."""

    energy_model: EnergyModel = "fixed-base"
    """`"fixed-base"`: each machine keeps the base energy rate drawn at reset.
    `"reference"`: the rate is overwritten by the last consumption, as in the reference code
    (one idle step then makes the machine free forever)."""

    job_reward: float = 3.0
    """Reward per job."""

    energy_cap: float = 100.0
    """Largest energy consumption of one machine in one step."""

    imbalance_weight: float = 1.0
    """Weight of the population standard deviation of the loads, subtracted from the reward."""

    initial_energy: tuple[float, float] = (1.0, 2.0)
    """Range of the uniform initial energy rate per machine."""

    wear_increase: tuple[float, float] = (0.05, 0.4)
    """Range of the uniform wear increase when a machine is loaded above `high_load`."""

    wear_decrease: tuple[float, float] = (0.05, 0.4)
    """Range of the uniform wear decrease (repair) when a machine is loaded below `low_load`."""

    high_load: float = 0.75
    """Loads strictly above `high_load * n_jobs` wear the machine."""

    low_load: float = 0.5
    """Loads strictly below `low_load * n_jobs` repair the machine (wear never below 0)."""

    def __post_init__(self) -> None:
        check_field_types(self)
        for name in ("n_machines", "n_jobs", "max_steps"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"JobShopConfig.{name} must be an integer >= 1, got {value!r}")
        for name in ("job_reward", "energy_cap", "imbalance_weight", "high_load", "low_load"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"JobShopConfig.{name} must be a finite float >= 0, got {value!r}")
        for name in ("initial_energy", "wear_increase", "wear_decrease"):
            low, high = _pair(name, getattr(self, name))
            if not (math.isfinite(low) and math.isfinite(high) and 0 <= low <= high):
                raise ValueError(
                    f"JobShopConfig.{name} must be a range (low, high) with 0 <= low <= high, "
                    f"got {getattr(self, name)!r}"
                )
        scale = {
            "job_reward": self.job_reward * self.n_jobs * self.n_machines,
            "energy_cap": self.energy_cap * self.n_machines,
            "imbalance_weight": self.imbalance_weight * self.n_jobs,
        }
        check_reward_scale(self, scale, self.max_steps)
        if self.low_load > self.high_load:
            raise ValueError(
                f"JobShopConfig.low_load ({self.low_load!r}) must not exceed high_load "
                f"({self.high_load!r}), or a load could both wear and repair a machine"
            )

    @property
    def optimal_return(self) -> float | None:
        """The optimal episode return where a short proof gives it, else ``None``.

        If even the cheapest machine hits the energy cap at full load
        (``initial_energy[0] * n_jobs >= energy_cap``), no load earns more than
        ``job_reward * n_jobs - energy_cap`` per machine and step, whatever the wear: below
        the cap ``(job_reward - rate) * j <= (job_reward - rate) * energy_cap / rate`` is no
        more. Equal full loads reach it (298,000 by default). In the ``"reference"`` model one
        idle step zeroes the rate for good, and every later step earns ``job_reward * n_jobs``.
        With a higher cap the optimum moves inside the box (e.g. ``energy_cap=250``:
        ``JobShopInterior-v0``) and is left to the reference policy.
        """
        full = self.job_reward * self.n_jobs
        if self.initial_energy[0] * self.n_jobs < self.energy_cap or full < self.energy_cap:
            return None
        if self.energy_model == "reference":
            steady = (self.max_steps - 1) * full
        else:
            steady = self.max_steps * (full - self.energy_cap)
        return float(self.n_machines * steady)

    @property
    def log10_cardinality(self) -> float:
        """`log10 |A| = n_machines * log10(n_jobs + 1)` (20.04 by default)."""
        return self.n_machines * math.log10(self.n_jobs + 1)


def _pair(name: str, value: tuple[float, float]) -> tuple[float, float]:
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise ValueError(f"JobShopConfig.{name} must be a pair (low, high), got {value!r}")
    return float(value[0]), float(value[1])
