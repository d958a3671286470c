"""Running statistics for observation normalisation and return-based reward scaling.

All three modules keep their statistics in buffers, so they travel with ``state_dict()`` and
``.to(device)``, and update with batched tensor operations only (no host synchronisation).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import cast

import torch
from torch import Tensor, nn


def _as_shape(shape: int | Sequence[int]) -> tuple[int, ...]:
    dims = (shape,) if isinstance(shape, numbers.Integral) else tuple(cast(Sequence[int], shape))
    if any(isinstance(d, bool) or not isinstance(d, numbers.Integral) or d < 0 for d in dims):
        raise ValueError(f"shape must be a non-negative int or a sequence of them, got {shape!r}")
    return tuple(int(d) for d in dims)


def _check_clip(clip: float | None) -> None:
    if clip is not None and not (clip > 0):
        raise ValueError(f"clip must be a positive number or None, got {clip!r}")


class RunningMeanStd(nn.Module):
    """Running mean and (population) variance of a stream of tensors.

    Batches are merged with the parallel variant of Welford's algorithm (Chan et al.), so feeding
    the data in chunks of any size gives the mean and variance of all of it at once. Before the
    first update the statistics are ``mean = 0`` and ``var = 1``, so :meth:`normalize` is the
    identity until data has been seen.

    Args:
        shape: Shape of one sample (``()`` for scalars). Inputs to :meth:`update` may have any
            number of leading batch dimensions in front of it.
        epsilon: Added to the variance before taking the square root in :meth:`normalize`.
        dtype: Floating dtype of the statistics; ``float64`` keeps long streams accurate.
        device: Device of the statistics.
    """

    mean: Tensor
    var: Tensor
    count: Tensor

    def __init__(
        self,
        shape: int | Sequence[int] = (),
        *,
        epsilon: float = 1e-8,
        dtype: torch.dtype = torch.float64,
        device: torch.device | str | None = None,
    ) -> None:
        super().__init__()
        if not epsilon >= 0:
            raise ValueError(f"epsilon must be >= 0, got {epsilon!r}")
        self.shape = _as_shape(shape)
        self.epsilon = float(epsilon)
        self.register_buffer("mean", torch.zeros(self.shape, dtype=dtype, device=device))
        self.register_buffer("var", torch.ones(self.shape, dtype=dtype, device=device))
        self.register_buffer("count", torch.zeros((), dtype=dtype, device=device))

    @property
    def std(self) -> Tensor:
        """``sqrt(var + epsilon)``, the scale :meth:`normalize` divides by."""
        return torch.sqrt(self.var + self.epsilon)

    def _samples(self, x: Tensor, name: str) -> Tensor:
        n_trailing = len(self.shape)
        if x.dim() < n_trailing or tuple(x.shape[x.dim() - n_trailing :]) != self.shape:
            raise ValueError(
                f"{name} must have shape [..., {', '.join(map(str, self.shape))}] "
                f"(trailing dims equal to the normaliser's shape {self.shape}), "
                f"got {tuple(x.shape)}"
            )
        return x.detach().reshape(-1, *self.shape).to(self.mean.dtype)

    @torch.no_grad()
    def update(self, x: Tensor) -> None:
        """Merge a batch of samples ``x`` of shape ``[..., *shape]`` into the statistics."""
        batch = self._samples(x, "x")
        n = batch.shape[0]
        if n == 0:
            return
        batch_mean = batch.mean(dim=0)
        batch_var = batch.var(dim=0, correction=0)
        self.update_from_moments(batch_mean, batch_var, n)

    @torch.no_grad()
    def update_from_moments(self, batch_mean: Tensor, batch_var: Tensor, batch_count: int) -> None:
        """Merge precomputed moments of ``batch_count`` samples (population variance)."""
        total = self.count + batch_count
        delta = batch_mean - self.mean
        # Sum of squared deviations of old and new data, plus the between-group term.
        m2 = self.var * self.count + batch_var * batch_count
        m2 = m2 + delta.square() * (self.count * batch_count / total)
        self.mean.add_(delta * (batch_count / total))
        self.var.copy_(m2 / total)
        self.count.copy_(total)

    def normalize(self, x: Tensor, clip: float | None = 10.0) -> Tensor:
        """``(x - mean) / sqrt(var + epsilon)``, clipped to ``[-clip, clip]``.

        Gradients flow to ``x`` (the statistics are constants), so this works on observations of
        a differentiable simulator. The result has ``x``'s dtype.

        Args:
            x: Tensor of shape ``[..., *shape]``.
            clip: Symmetric clipping bound, or ``None`` for no clipping.
        """
        _check_clip(clip)
        y = (x - self.mean.to(x.dtype)) / self.std.to(x.dtype)
        return y if clip is None else y.clamp(-clip, clip)

    def denormalize(self, y: Tensor) -> Tensor:
        """Inverse of :meth:`normalize` without clipping: ``y * sqrt(var + epsilon) + mean``."""
        return y * self.std.to(y.dtype) + self.mean.to(y.dtype)

    def extra_repr(self) -> str:
        return f"shape={self.shape}, epsilon={self.epsilon}"


class ObservationNormalizer(nn.Module):
    """Normalises observations with running statistics; frozen in eval mode.

    ``forward`` only normalises; statistics change only through :meth:`update`, and only while
    the module is in training mode. That split keeps repeated forward passes over the same
    rollout (several PPO epochs) consistent, and ``.eval()`` freezes the statistics for
    evaluation and deployment.

    Args:
        shape: Shape of one observation.
        clip: Normalised observations are clipped to ``[-clip, clip]`` (``None``: no clipping).
        epsilon: Variance floor, see :class:`RunningMeanStd`.
        device: Device of the statistics.

    Examples:
        >>> norm = ObservationNormalizer(3)
        >>> obs = 5.0 + 2.0 * torch.randn(256, 3)
        >>> norm.update(obs)  # during rollouts
        >>> features = norm(obs)  # in the policy's forward pass: about zero mean, unit variance
    """

    def __init__(
        self,
        shape: int | Sequence[int],
        *,
        clip: float | None = 10.0,
        epsilon: float = 1e-8,
        device: torch.device | str | None = None,
    ) -> None:
        super().__init__()
        _check_clip(clip)
        self.clip = clip
        self.rms = RunningMeanStd(shape, epsilon=epsilon, device=device)

    def forward(self, obs: Tensor) -> Tensor:
        """Normalised (and clipped) observations, same shape and dtype as ``obs``."""
        return self.rms.normalize(obs, self.clip)

    def update(self, obs: Tensor) -> None:
        """Merge ``obs`` (``[..., *shape]``) into the statistics; a no-op in eval mode."""
        if self.training:
            self.rms.update(obs)


class RewardScaler(nn.Module):
    """Return-based reward scaling, as Stable-Baselines3's ``VecNormalize(norm_reward=True)``.

    Each environment keeps a running discounted return ``R ← γ·R + r`` that restarts at zero
    when its episode ends. Rewards are divided by the running standard deviation of those returns
    (not centred, so the sign of a reward is preserved) and clipped::

        r_scaled = clip(r / sqrt(Var[R] + epsilon), -clip, clip)

    The statistics are updated before scaling (SB3's order) and only in training mode. The std is
    a constant in the graph, so gradients of a differentiable reward pass through the scaling.

    The per-environment returns are not saved in ``state_dict()`` (they are transient episode
    state; the return statistics are), so a saved scaler loads for any ``num_envs``.

    Args:
        num_envs: Number of parallel environments (length of the reward vector).
        gamma: Discount factor of the running return; use the algorithm's ``gamma``.
        clip: Bound on the absolute scaled reward, or ``None`` for no clipping.
        epsilon: Variance floor.
        device: Device of the running returns and statistics.
    """

    returns: Tensor
    num_envs: int
    gamma: float
    clip: float | None
    return_rms: RunningMeanStd

    def __init__(
        self,
        num_envs: int,
        gamma: float = 0.99,
        *,
        clip: float | None = 10.0,
        epsilon: float = 1e-8,
        device: torch.device | str | None = None,
    ) -> None:
        super().__init__()
        if isinstance(num_envs, bool) or not isinstance(num_envs, numbers.Integral) or num_envs < 1:
            raise ValueError(f"num_envs must be an integer >= 1, got {num_envs!r}")
        if not (math.isfinite(gamma) and 0.0 <= gamma <= 1.0):
            raise ValueError(f"gamma must be in [0, 1], got {gamma!r}")
        _check_clip(clip)
        self.num_envs = int(num_envs)
        self.gamma = float(gamma)
        self.clip = clip
        self.return_rms = RunningMeanStd((), epsilon=epsilon, device=device)
        self.register_buffer(
            "returns", torch.zeros(self.num_envs, dtype=torch.float64, device=device), False
        )

    def forward(self, reward: Tensor, done: Tensor) -> Tensor:
        """Update the return statistics (training mode only) and return the scaled reward.

        Args:
            reward: Rewards of one step, shape ``[num_envs]``.
            done: Bool ``[num_envs]``, ``terminated | truncated`` of the same step; those
                environments' running returns restart at zero afterwards.

        Returns:
            The scaled rewards, shape and dtype of ``reward``.
        """
        expected = (self.num_envs,)
        if tuple(reward.shape) != expected or tuple(done.shape) != expected:
            raise ValueError(
                f"reward and done must both have shape {list(expected)} (num_envs), "
                f"got {list(reward.shape)} and {list(done.shape)}"
            )
        if self.training:
            with torch.no_grad():
                self.returns.mul_(self.gamma).add_(reward.detach().to(self.returns.dtype))
                self.return_rms.update(self.returns)
                self.returns.masked_fill_(done.to(torch.bool), 0.0)
        return self.scale(reward)

    def scale(self, reward: Tensor) -> Tensor:
        """Scale rewards with the current statistics, without updating anything."""
        scaled = reward / self.return_rms.std.to(reward.dtype)
        return scaled if self.clip is None else scaled.clamp(-self.clip, self.clip)

    def reset(self, mask: Tensor | None = None) -> None:
        """Restart the running returns of the environments selected by ``mask`` (all if None)."""
        if mask is None:
            self.returns.zero_()
        else:
            self.returns.masked_fill_(mask.to(device=self.returns.device, dtype=torch.bool), 0.0)

    def extra_repr(self) -> str:
        return f"num_envs={self.num_envs}, gamma={self.gamma}, clip={self.clip}"
