"""`HybridDistribution` (masked categorical × Gaussian policy) and `HybridPolicyHead`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cached_property
from typing import Literal

import torch
from torch import Tensor, nn

from hybrid_toolkit.nn.layout import DistributionLayout
from hybrid_toolkit.nn.mlp import orthogonal_linear
from hybrid_toolkit.spaces import HybridAction, HybridSpace

Squash = Literal["tanh"] | None
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
# Keeps atanh finite for actions on the boundary of a tanh-squashed box.
_SQUASH_EPS = 1e-6


def _log_softmax_last(x: Tensor) -> Tensor:
    """``log_softmax`` over the last dim, written out because torch's CPU kernel is several
    times slower when that dim is short (many components with a few choices each)."""
    # The shift cancels mathematically, so it carries no gradient.
    shift = x.detach().amax(dim=-1, keepdim=True)
    shifted = x - shift
    return shifted - shifted.exp().sum(dim=-1, keepdim=True).log()


class HybridDistribution:
    """A policy over a :class:`~hybrid_toolkit.spaces.HybridSpace`.

    The distribution is a product of one categorical per discrete component and a diagonal
    Gaussian over *all* continuous parameters. A parameter that is inactive for the chosen
    discrete values (see :meth:`HybridSpace.active_mask`) contributes nothing:

        log π(d, c) = Σ_k log π_k(d_k) + Σ_j m_j(d) · log N(c_j | μ_j, σ_j)

    where ``m_j(d) ∈ {0, 1}`` is the activation mask of parameter ``j``.

    **Entropy choice.** :meth:`entropy` returns the discrete entropies plus the *expected*
    Gaussian entropy of the parameters under the categorical distribution:

        H = Σ_k H(π_k) + Σ_j P(m_j = 1) · H_j,     H_j = 1/2 + 1/2 · log(2π) + log σ_j

    ``P(m_j = 1)`` is the total probability of the choices that activate ``j`` for the component
    governing ``j``, and ``1`` for parameters no component governs. The second sum is the
    conditional entropy of the active parameters given the discrete action, so ``H`` is the
    exact entropy of the joint distribution over (discrete action, active parameters). An
    inactive parameter's ``log_std`` receives entropy gradient in proportion to how often it is
    used.

    **Bounds.** By default the continuous part is an *unsquashed* Gaussian: samples may fall
    outside the space's box and are clipped by whoever executes them (environments clip;
    algorithms such as PPO store the unclipped sample so that ``log_prob`` stays exact). With
    ``squash="tanh"`` the Gaussian sample ``u`` is mapped into a finite box as
    ``a = loc + half_width · tanh(u)`` and ``log_prob`` includes the log-determinant of that map;
    the entropy of a squashed Gaussian has no closed form, so :meth:`entropy` then reports the
    entropy of ``u`` (the usual proxy).

    **Action masks** mark which discrete choices are allowed (``True`` = allowed, the
    convention of sb3-contrib's MaskablePPO); masked choices get probability zero. Every
    component must keep at least one allowed choice (not checked, to avoid a device sync).

    Args:
        space: The action space.
        logits: Unnormalised log-probabilities: a sequence with one ``[B, n_k]`` tensor per
            component, or one concatenated ``[B, sum n_k]`` tensor in component order (the fast
            path; use ``[B, 0]`` when the space has no discrete component).
        mean: ``[B, n_continuous]`` Gaussian means (``[B, 0]`` when there are no parameters).
        log_std: ``[n_continuous]`` or ``[B, n_continuous]`` log standard deviations.
        action_masks: Optional bool masks of allowed choices, in either form ``logits`` accepts.
        squash: ``None`` (unsquashed Gaussian) or ``"tanh"`` (requires finite bounds).

    Raises:
        ValueError: If a tensor has the wrong shape, or ``squash="tanh"`` is requested for a
            space with infinite bounds.
    """

    def __init__(
        self,
        space: HybridSpace,
        logits: Sequence[Tensor] | Tensor,
        mean: Tensor,
        log_std: Tensor,
        action_masks: Sequence[Tensor] | Tensor | None = None,
        *,
        squash: Squash = None,
    ) -> None:
        if mean.dim() != 2 or mean.shape[1] != space.n_continuous:
            raise ValueError(
                f"mean must have shape [B, {space.n_continuous}] (n_continuous), "
                f"got {list(mean.shape)}"
            )
        if squash not in (None, "tanh"):
            raise ValueError(f"squash must be None or 'tanh', got {squash!r}")
        self.space = space
        self.squash: Squash = squash
        self.layout = DistributionLayout.of(space, mean.device)
        if squash == "tanh" and not self.layout.bounded:
            unbounded = torch.nonzero(~(space.bounded_below & space.bounded_above)).flatten()
            raise ValueError(
                "squash='tanh' needs finite low and high for every continuous parameter, but "
                f"parameters {unbounded.tolist()} are unbounded"
            )
        batch, n_c = mean.shape
        if tuple(log_std.shape) not in ((n_c,), (batch, n_c)):
            raise ValueError(
                f"log_std must have shape [{n_c}] or [{batch}, {n_c}] (n_continuous or "
                f"batch x n_continuous), got {list(log_std.shape)}"
            )
        padded = self.layout.pad(self._flatten(logits, "logits", mean), -math.inf)
        if action_masks is not None:
            allowed = self._flatten(action_masks, "action_masks", mean).to(torch.bool)
            padded = padded.masked_fill(~self.layout.pad(allowed, False), -math.inf)
        self.log_probs: Tensor = _log_softmax_last(padded)
        """``[B, n_discrete, max_n]`` log-probability of every choice (``-inf`` on padding)."""
        self.mean = mean
        self.log_std = log_std.expand_as(mean)

    def _flatten(self, values: Sequence[Tensor] | Tensor, name: str, like: Tensor) -> Tensor:
        """Check per-component ``values`` and return them concatenated as ``[B, sum n_k]``."""
        sizes, batch = self.layout.sizes, like.shape[0]
        if isinstance(values, Tensor):
            if tuple(values.shape) != (batch, sum(sizes)):
                raise ValueError(
                    f"{name} must have shape [{batch}, {sum(sizes)}] (batch, sum of component "
                    f"sizes {list(sizes)}), got {list(values.shape)}"
                )
            return values
        if len(values) != len(sizes):
            raise ValueError(
                f"{name} must hold one tensor per discrete component ({len(sizes)}), "
                f"got {len(values)}"
            )
        for k, (v, n) in enumerate(zip(values, sizes, strict=True)):
            if tuple(v.shape) != (batch, n):
                raise ValueError(f"{name}[{k}] must have shape [{batch}, {n}], got {list(v.shape)}")
        if not values:
            return like.new_zeros(batch, 0)
        return torch.cat(list(values), dim=1)

    # ------------------------------------------------------------------ properties
    @property
    def batch_size(self) -> int:
        """Number of distributions in the batch (``B``)."""
        return int(self.mean.shape[0])

    @cached_property
    def std(self) -> Tensor:
        """``[B, n_continuous]`` standard deviations (computed on first use: densities over a
        few gathered parameters exponentiate only theirs)."""
        return self.log_std.exp()

    @cached_property
    def probs(self) -> Tensor:
        """``[B, n_discrete, max_n]`` probability of every choice (zero on padding)."""
        return self.log_probs.exp()

    def component_probs(self, k: int) -> Tensor:
        """``[B, n_k]`` probabilities of the choices of component ``k``."""
        return self.probs[:, k, : self.layout.sizes[k]]

    def active_probability(self) -> Tensor:
        """``[B, n_continuous]`` probability that each parameter is active."""
        return self.layout.active_probability(self.probs)

    # ------------------------------------------------------------------ sampling
    def _sample_discrete(self, generator: torch.Generator | None) -> Tensor:
        # Inverse CDF: one uniform per component (not per choice) and no host sync. Choice i is
        # drawn when cdf[i-1] <= v < cdf[i]; a zero-probability choice (masked, padding) has an
        # empty interval, and v < cdf[-1] keeps the index in range despite rounding.
        cdf = self.probs.detach().cumsum(dim=-1)
        u = torch.rand(cdf.shape[:-1], generator=generator, device=cdf.device, dtype=cdf.dtype)
        v = u.unsqueeze(-1) * cdf[..., -1:]
        return (cdf <= v).sum(dim=-1)

    def _to_box(self, u: Tensor) -> Tensor:
        if self.squash is None:
            return u
        return self.layout.loc.to(u.dtype) + self.layout.half_width.to(u.dtype) * torch.tanh(u)

    def rsample(self, generator: torch.Generator | None = None) -> HybridAction:
        """Sample with a reparameterised continuous part (gradients flow to mean and log_std).

        The discrete part is a plain (non-differentiable) categorical draw.
        """
        discrete = self._sample_discrete(generator)
        noise = torch.randn(
            self.mean.shape, generator=generator, device=self.mean.device, dtype=self.mean.dtype
        )
        return HybridAction(discrete, self._to_box(self.mean + self.std * noise))

    def sample(self, generator: torch.Generator | None = None) -> HybridAction:
        """Sample a batch of actions (no gradient); consumes ``generator`` like :meth:`rsample`."""
        with torch.no_grad():
            return self.rsample(generator)

    def mode(self) -> HybridAction:
        """The most likely choice of every component and the Gaussian mean (squashed if set)."""
        return HybridAction(self.log_probs.argmax(dim=-1), self._to_box(self.mean))

    # ------------------------------------------------------------------ densities
    def _check_action(self, action: HybridAction) -> None:
        expected = (self.batch_size, self.layout.n_discrete, self.layout.n_continuous)
        got = (action.batch_size, action.discrete.shape[1], action.continuous.shape[1])
        if got != expected:
            raise ValueError(
                f"action must have discrete shape [{expected[0]}, {expected[1]}] and continuous "
                f"shape [{expected[0]}, {expected[2]}], got {list(action.discrete.shape)} and "
                f"{list(action.continuous.shape)}"
            )

    def _gaussian_log_density(self, c: Tensor, index: Tensor | None = None) -> Tensor:
        """Per-parameter log-density of ``c`` ``[B, n_continuous]``; with ``index`` ``[B, K]``
        only at those parameters (``[B, K]``), gathered from the same ``[B, n_continuous]``
        tensors, so each value and its gradient are the ones the full computation gives."""
        mean, log_std = self.mean, self.log_std
        loc, half = self.layout.loc.to(c.dtype), self.layout.half_width.to(c.dtype)
        if index is not None:
            c, mean, log_std = (x.gather(1, index) for x in (c, mean, log_std))
            loc, half = loc[index], half[index]
        std = self.std if index is None else log_std.exp()
        if self.squash is None:
            z = (c - mean) / std
            return -0.5 * z.square() - log_std - _HALF_LOG_2PI
        y = ((c - loc) / half).clamp(-1 + _SQUASH_EPS, 1 - _SQUASH_EPS)
        u = torch.atanh(y)
        z = (u - mean) / std
        # log|da/du| = log(half) + log(1 - tanh(u)^2), written stably via softplus.
        log_det = torch.log(half) + 2 * (math.log(2) - u - nn.functional.softplus(-2 * u))
        return -0.5 * z.square() - log_std - _HALF_LOG_2PI - log_det

    def log_prob_parts(
        self, action: HybridAction, *, include_inactive: bool = False
    ) -> tuple[Tensor, Tensor]:
        """Discrete and continuous log-probabilities of ``action``, each ``[B]``.

        The continuous part sums only over the parameters active for ``action.discrete``; the
        values of inactive parameters (even ``nan`` or ``inf``) do not matter. With
        ``include_inactive`` it sums the Gaussian density of every parameter (the HPO paper's
        PPO does; the inactive values must then be the finite samples).
        """
        self._check_action(action)
        chosen = self.log_probs.gather(-1, action.discrete.unsqueeze(-1)).squeeze(-1)
        discrete = chosen.sum(dim=-1)
        if include_inactive:
            return discrete, self._gaussian_log_density(action.continuous).sum(dim=-1)
        if self.layout.active_index is not None:
            # Few of many parameters active: their densities only (the layout's docstring).
            index, real = self.layout.active_parameters(action.discrete)
            density = self._gaussian_log_density(action.continuous, index)
            return discrete, torch.where(real, density, 0.0).sum(dim=-1)
        density = self._gaussian_log_density(action.continuous)
        active = self.layout.active_mask(action.discrete)
        continuous = torch.where(active, density, 0.0).sum(dim=-1)
        return discrete, continuous

    def log_prob(self, action: HybridAction) -> Tensor:
        """``[B]`` joint log-probability: discrete plus active continuous terms."""
        discrete, continuous = self.log_prob_parts(action)
        return discrete + continuous

    def entropy_parts(self) -> tuple[Tensor, Tensor]:
        """Discrete entropy ``Σ_k H(π_k)`` and expected Gaussian entropy, each ``[B]``."""
        probs = self.probs
        # 0 · log 0 = 0: clamp -inf (masked choices, padding) to a finite value first.
        logp = self.log_probs.clamp_min(torch.finfo(self.log_probs.dtype).min)
        discrete = -(probs * logp).sum(dim=(-2, -1))
        per_param = 0.5 + _HALF_LOG_2PI + self.log_std
        continuous = (self.layout.active_probability(probs) * per_param).sum(dim=-1)
        return discrete, continuous

    def entropy(self) -> Tensor:
        """``[B]`` discrete entropy plus expected Gaussian entropy (see the class docstring)."""
        discrete, continuous = self.entropy_parts()
        return discrete + continuous


class HybridPolicyHead(nn.Module):
    """Maps features to a :class:`HybridDistribution` over ``space``.

    One linear layer produces the logits of all components at once, another the Gaussian means;
    the log standard deviation is a learnable, state-independent vector (initialised to
    ``log_std_init``) clamped to ``[log_std_min, log_std_max]``. Both linear layers are
    orthogonally initialised with ``output_gain`` (0.01: nearly uniform choices and means near
    zero at the start; ``0.0`` makes the initial discrete distribution exactly uniform).

    Args:
        feature_dim: Size of the input features.
        space: The action space.
        output_gain: Orthogonal gain of both output layers.
        log_std_init: Initial value of every log standard deviation.
        log_std_min: Lower clamp of the log standard deviation.
        log_std_max: Upper clamp of the log standard deviation.
        squash: Passed to :class:`HybridDistribution` (``None`` or ``"tanh"``).
    """

    def __init__(
        self,
        feature_dim: int,
        space: HybridSpace,
        *,
        output_gain: float = 0.01,
        log_std_init: float = 0.0,
        log_std_min: float = -20.0,
        log_std_max: float = 2.0,
        squash: Squash = None,
    ) -> None:
        super().__init__()
        if not log_std_min <= log_std_init <= log_std_max:
            raise ValueError(
                f"log_std_init must lie in [log_std_min, log_std_max] = [{log_std_min}, "
                f"{log_std_max}], got {log_std_init}"
            )
        if squash == "tanh" and not bool((space.bounded_below & space.bounded_above).all()):
            raise ValueError(
                "squash='tanh' needs finite low and high for every continuous parameter, got "
                f"low={space.low.tolist()} and high={space.high.tolist()}"
            )
        self.space = space
        self.feature_dim = feature_dim
        self.squash: Squash = squash
        self.log_std_min, self.log_std_max = float(log_std_min), float(log_std_max)
        n_logits = int(space.nvec.sum())
        self.logits_head = (
            orthogonal_linear(feature_dim, n_logits, output_gain) if n_logits else None
        )
        n_c = space.n_continuous
        self.mean_head = orthogonal_linear(feature_dim, n_c, output_gain) if n_c else None
        self.log_std = nn.Parameter(torch.full((n_c,), float(log_std_init)))

    def forward(
        self,
        features: Tensor,
        action_masks: Sequence[Tensor] | Tensor | None = None,
        *,
        continuous_features: Tensor | None = None,
    ) -> HybridDistribution:
        """The action distribution for ``features`` of shape ``[B, feature_dim]``.

        Args:
            features: Output of the policy trunk.
            action_masks: Optional allowed-choice masks, see :class:`HybridDistribution`.
            continuous_features: Features the Gaussian means read instead of ``features``
                (a separate continuous trunk); the logits always read ``features``.
        """
        for name, x in (("features", features), ("continuous_features", continuous_features)):
            if x is not None and (x.dim() != 2 or x.shape[1] != self.feature_dim):
                raise ValueError(
                    f"{name} must have shape [B, {self.feature_dim}] (feature_dim), "
                    f"got {list(x.shape)}"
                )
        batch = features.shape[0]
        empty = features.new_zeros(batch, 0)
        logits = self.logits_head(features) if self.logits_head is not None else empty
        means_from = features if continuous_features is None else continuous_features
        mean = self.mean_head(means_from) if self.mean_head is not None else empty
        log_std = self.log_std.clamp(self.log_std_min, self.log_std_max)
        return HybridDistribution(
            self.space, logits, mean, log_std, action_masks, squash=self.squash
        )
