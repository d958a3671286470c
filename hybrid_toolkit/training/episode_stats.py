"""`EpisodeStats`: the last ``window`` finished episodes, gathered without per-step device syncs."""

from __future__ import annotations

import torch
from torch import Tensor

from hybrid_toolkit.training._checks import check_positive_int


class EpisodeStats:
    """Rolling returns and lengths of the most recently finished episodes.

    This is what ``rollout/ep_rew_mean`` and ``rollout/ep_len_mean`` are computed from, with
    Stable-Baselines3 semantics: the mean over the last ``window`` finished episodes, in the order
    they finished (scenario order within one step).

    Episodes are written into a ring buffer that lives on the environment's device, using only
    tensor ops, so `add` never waits for the device; `summary` syncs once. `add` only queues
    its tensors (an algorithm calls it at every environment step, where a dozen small tensor
    ops would be a noticeable share of the step); the queue is folded into the ring buffer in
    one batch by `summary`, `num_episodes`, `reset` or once it holds ``flush_size`` entries.
    The queued tensors are kept by reference until then, so do not modify them in place.

    Args:
        window: How many finished episodes the means cover (SB3 uses 100).
        flush_size: Queued scenario entries (summed over `add` calls) that trigger a fold.

    Examples:
        >>> stats = EpisodeStats(window=100)
        >>> returns, lengths = torch.tensor([3.0, 5.0]), torch.tensor([3, 5])
        >>> stats.add(returns, lengths, done=torch.tensor([True, False]))
        >>> stats.summary()
        {'rollout/ep_rew_mean': 3.0, 'rollout/ep_len_mean': 3.0}
    """

    def __init__(self, window: int = 100, flush_size: int = 65_536) -> None:
        check_positive_int("window", window)
        check_positive_int("flush_size", flush_size)
        self.window = window
        self.flush_size = flush_size
        self._pending: list[tuple[Tensor, Tensor, Tensor]] = []
        self._pending_size = 0
        # One extra slot at index `window` swallows the writes of scenarios that did not finish.
        self._returns: Tensor | None = None
        self._lengths: Tensor | None = None
        self._count: Tensor | None = None

    def _allocate(self, device: torch.device) -> None:
        dtype = torch.float32 if device.type == "mps" else torch.float64
        self._returns = torch.zeros(self.window + 1, dtype=dtype, device=device)
        self._lengths = torch.zeros(self.window + 1, dtype=dtype, device=device)
        self._count = torch.zeros((), dtype=torch.int64, device=device)

    def add(self, step_info_returns: Tensor, lengths: Tensor, done: Tensor) -> None:
        """Record the episodes that finished at one batched step.

        Args:
            step_info_returns: ``[B]`` episode returns (``info["episode_return"]``); only the
                entries where ``done`` is True are used. Gradients are cut.
            lengths: ``[B]`` episode lengths (``info["episode_length"]``).
            done: ``[B]`` bool, ``terminated | truncated``.
        """
        if not (step_info_returns.shape == lengths.shape == done.shape) or done.dim() != 1:
            raise ValueError(
                "EpisodeStats.add expects three [B] tensors, got shapes "
                f"returns={tuple(step_info_returns.shape)}, lengths={tuple(lengths.shape)}, "
                f"done={tuple(done.shape)}"
            )
        self._pending.append((step_info_returns.detach(), lengths.detach(), done))
        self._pending_size += done.shape[0]
        if self._pending_size >= self.flush_size:
            self._flush()

    def _flush(self) -> None:
        """Fold the queued steps into the ring buffer, in the order they were added."""
        if not self._pending:
            return
        if len(self._pending) == 1:
            returns, lengths, done = self._pending[0]
        else:
            device = self._pending[0][2].device
            returns, lengths, done = (
                torch.cat([entry[i].to(device) for entry in self._pending]) for i in range(3)
            )
        self._pending, self._pending_size = [], 0
        self._record(returns, lengths, done)

    def _record(self, step_info_returns: Tensor, lengths: Tensor, done: Tensor) -> None:
        if self._count is None:
            self._allocate(done.device)
        assert self._returns is not None and self._lengths is not None and self._count is not None
        finished = done.to(device=self._count.device, dtype=torch.bool)
        # Global 0-based index of each finished episode; unfinished entries get junk, masked below.
        order = self._count + torch.cumsum(finished.long(), dim=0) - 1
        total = self._count + finished.sum()
        # Only this step's newest `window` episodes may be written, else two would share a slot.
        keep = finished & (order >= total - self.window)
        slot = torch.where(keep, order % self.window, self.window)
        dtype = self._returns.dtype
        self._returns.index_put_((slot,), step_info_returns.to(self._returns.device, dtype))
        self._lengths.index_put_((slot,), lengths.to(self._lengths.device, dtype))
        self._count = total

    def state_dict(self) -> dict[str, Tensor | None]:
        """The ring buffer and episode count (queued steps are folded in first)."""
        self._flush()
        return {"returns": self._returns, "lengths": self._lengths, "count": self._count}

    def load_state_dict(self, state: dict[str, Tensor | None]) -> None:
        """Inverse of `state_dict`; the window must match.

        Raises:
            ValueError: The saved ring buffer has another window.
        """
        returns = state["returns"]
        if returns is not None and returns.shape[0] != self.window + 1:
            raise ValueError(
                f"episode stats state has window {returns.shape[0] - 1}; expected {self.window}"
            )
        self._pending, self._pending_size = [], 0
        self._returns, self._lengths, self._count = returns, state["lengths"], state["count"]

    @property
    def num_episodes(self) -> int:
        """Number of episodes finished since construction or the last `reset` (syncs)."""
        self._flush()
        return 0 if self._count is None else int(self._count)

    def summary(self) -> dict[str, float]:
        """``rollout/ep_rew_mean`` and ``rollout/ep_len_mean``; empty when no episode finished."""
        self._flush()
        if self._count is None:
            return {}
        assert self._returns is not None and self._lengths is not None
        stored = torch.clamp(self._count, max=self.window).to(self._returns.dtype)
        ret_sum = self._returns[: self.window].sum()
        len_sum = self._lengths[: self.window].sum()
        # Slots fill from 0 and unused ones stay 0: the sum over all slots is the sum over stored.
        count, ret_total, len_total = torch.stack([stored, ret_sum, len_sum]).tolist()
        if count == 0:
            return {}
        return {"rollout/ep_rew_mean": ret_total / count, "rollout/ep_len_mean": len_total / count}

    def reset(self) -> None:
        """Forget every recorded episode."""
        self._pending, self._pending_size = [], 0
        self._returns = self._lengths = self._count = None
