"""Configuration of the switched-LQR family (HPO spec §9)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch

from hybrid_toolkit.utils.config_checks import check_field_types, check_reward_scale

SystemKind = Literal["generated", "paper_2d"]
Precision = Literal["float32", "float64"]


@dataclass
class SwitchedLQRConfig:
    """Switched linear-quadratic control: pick a mode and a control every step.

    Defaults reproduce the reference code's release setting (`lqr_switched_main.yml`):
    `n = 3` states, `M = 2` modes from the spec's generator, `T = 20`.
    """

    system: SystemKind = "generated"
    """`generated`: the spec's matrix generator; `paper_2d`: the hand-specified 2-D example
    (two modes, scalar control; fixes `state_dim = 2` and `n_modes = 2`)."""
    state_dim: int = 3
    """State dimension `n` (the generator's control is also `n`-dimensional)."""
    n_modes: int = 2
    """Number of modes `M` (at most `state_dim` for the generator)."""
    instability: float = 1.10
    """Generator: `A = instability·I + coupling·N` (above 1: unstable open loop)."""
    coupling: float = 0.05
    """Generator: weight of the symmetric random coupling `N` (max-abs entry 1)."""
    b_high: float = 1.0
    """Generator: actuation gain on the coordinates a mode strongly actuates."""
    b_low: float = 0.15
    """Generator: actuation gain on the other coordinates."""
    lambda_u: float = 0.1
    """Generator: control cost `R = lambda_u·I` (`Q = I`)."""
    matrix_seed: int = 0
    """Generator: seed of `numpy.random.default_rng` drawing `N`."""
    horizon: int = 20
    """Steps per episode `T`; episodes are truncated, never terminated."""
    state_clip: float = 100.0
    """Next states are clipped elementwise to `[-state_clip, state_clip]` (`inf`: never)."""
    init_range: float = 10.0
    """Initial states `x0 ~ U[-init_range, init_range]^n` (before the scaling below)."""
    scale_init_by_sqrt_dim: bool = True
    """Divide `x0` by `sqrt(n)` so `E||x0||²` does not grow with `n`."""
    init_seed: int = 8
    """Seed of the train and dev initial states (dev is the first block)."""
    test_init_seed: int = 16
    """Seed of the test initial states."""
    num_train_scenarios: int = 1024
    """Scenarios in the fixed train split."""
    num_eval_scenarios: int = 1024
    """Scenarios in each of the fixed dev and test splits."""
    observe_time: bool = False
    """Append `t / T` to the observation (finite-horizon optimal control is time-varying)."""
    precision: Precision = "float32"
    """Floating dtype of states, observations and rewards (`float64` for gradient checks)."""

    def __post_init__(self) -> None:
        check_field_types(self, allow_infinite=("state_clip",))
        owner = type(self).__name__
        for name, low in (
            ("state_dim", 1),
            ("n_modes", 1),
            ("horizon", 1),
            ("num_train_scenarios", 1),
            ("num_eval_scenarios", 1),
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"{owner}.{name} must be an integer >= {low}, got {value!r}")
        if self.system == "paper_2d" and (self.state_dim, self.n_modes) != (2, 2):
            raise ValueError(
                f"{owner}: system='paper_2d' fixes state_dim=2 and n_modes=2, got "
                f"state_dim={self.state_dim}, n_modes={self.n_modes}"
            )
        if self.system == "generated" and self.n_modes > self.state_dim:
            raise ValueError(
                f"{owner}.n_modes must be <= state_dim={self.state_dim} for the generator (each "
                f"mode strongly actuates its own non-empty group of coordinates), got "
                f"{self.n_modes}"
            )
        for name in ("instability", "coupling", "b_high", "b_low"):
            if not math.isfinite(float(getattr(self, name))):
                raise ValueError(f"{owner}.{name} must be finite, got {getattr(self, name)!r}")
        if not (math.isfinite(self.lambda_u) and self.lambda_u > 0):
            raise ValueError(f"{owner}.lambda_u must be finite and > 0, got {self.lambda_u!r}")
        if not (math.isfinite(self.init_range) and self.init_range > 0):
            raise ValueError(f"{owner}.init_range must be finite and > 0, got {self.init_range!r}")
        if math.isnan(self.state_clip) or self.state_clip <= 0:
            raise ValueError(f"{owner}.state_clip must be > 0 (inf allowed), got {self.state_clip}")
        hint = "set a finite state_clip, or lower instability, init_range or horizon"
        check_reward_scale(self, self._cost_scale(), self.horizon, hint)

    def _cost_scale(self) -> dict[str, float]:
        """The state cost `x'x` of the largest state the config allows: the clip, or else
        the start grown open-loop over the horizon by at most ``|A| <= instability +
        coupling * n`` per step (generator systems; the paper's 2-D system is fixed)."""
        n = self.state_dim
        if math.isfinite(self.state_clip):
            return {"state_clip": n * self.state_clip**2}
        growth = 1.0
        if self.system == "generated":
            growth = abs(self.instability) + abs(self.coupling) * n
        log_state = math.log(self.init_range) + self.horizon * math.log(max(growth, 1.0))
        state = math.exp(log_state) if log_state < 700 else math.inf
        name = "instability" if growth > 1.0 else "init_range"
        return {name: n * state**2 if state < 1e150 else math.inf}

    @property
    def dtype(self) -> torch.dtype:
        """The torch dtype named by :attr:`precision`."""
        return torch.float64 if self.precision == "float64" else torch.float32
