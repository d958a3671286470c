"""Networks of the proto-action actor-critics (DGRL, H-Cacla).

* `ProtoActor` maps state features to a proto-action in ``[-1, 1]^D`` (tanh output), the unit
  box of `RelaxedCoordinates` (discrete coordinates first, then continuous parameters).
* `QEnsemble` holds ``n`` independent critics ``Q(s, a)`` that score **many actions per state in
  one pass**, ``[B, K, D] -> [n, B, K]``, so SDN's and DBU's candidate sets never loop in Python
  (the members are evaluated together by batched matmuls, `EnsembleLinear`).
  With ``state_encoder=True`` the first layer sees only the state (computed once per state, not
  once per candidate) and the action joins after it, as in the paper's maze and recommender
  critics; otherwise state and action enter together (job shop, replenishment).
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Callable, Sequence

import torch
from torch import Tensor, nn

from hybrid_toolkit.nn import activation_module, mlp, orthogonal_linear


class ProtoActor(nn.Module):
    """Deterministic actor: features ``[B, F]`` → proto-actions ``[B, D]`` in [-1, 1].

    Args:
        in_dim: Feature size.
        action_dim: ``D``, the relaxed action size.
        hidden: Hidden layer widths.
        activation: Hidden activation name.
    """

    def __init__(
        self, in_dim: int, action_dim: int, hidden: Sequence[int], activation: str = "relu"
    ) -> None:
        super().__init__()
        # a small output gain starts every proto-action near the centre of the box
        self.net = mlp(in_dim, hidden, action_dim, activation, output_gain=0.01)

    def forward(self, features: Tensor) -> Tensor:
        """Proto-actions ``[B, D]`` in [-1, 1] units."""
        return torch.tanh(self.net(features))


class EnsembleLinear(nn.Module):
    """``n`` independent linear layers applied as one batched matmul, ``[n, M, in] -> [n, M, out]``.

    Each member is initialised like `orthogonal_linear` (orthogonal weight times ``gain``, zero
    bias), so an ensemble of ``n`` equals ``n`` separately built layers in distribution.
    """

    def __init__(self, n: int, in_dim: int, out_dim: int, gain: float) -> None:
        super().__init__()
        weights = [orthogonal_linear(in_dim, out_dim, gain).weight.detach().T for _ in range(n)]
        self.weight = nn.Parameter(torch.stack(weights))  # [n, in, out]
        self.bias = nn.Parameter(torch.zeros(n, 1, out_dim))

    def forward(self, x: Tensor, out: Tensor | None = None) -> Tensor:
        """``x`` is ``[n, M, in]``, or ``[M, in]`` shared by every member; ``out``: an
        ``[n, M, out]`` buffer to write the result into (``[n, M, in]`` input only)."""
        if x.dim() == 2:
            return torch.matmul(x, self.weight) + self.bias
        if out is not None:
            return torch.baddbmm(self.bias, x, self.weight, out=out)
        return torch.baddbmm(self.bias, x, self.weight)


class _Scratch(threading.local):
    """Two growing flat buffers per thread and dtype for the critics' hidden activations in
    gradient-free CPU passes (SDN's and DBU's candidate scoring, the TD target).

    Those activations are the largest tensors DGRL makes (``[n, B * K, H]``, megabytes), and
    they die within one forward: freed to the C allocator, they are handed back to the OS and
    page-faulted in again on the next decision. Alternating between two kept buffers writes
    the same bits into memory that stays mapped. Per thread, so concurrent forwards never share
    one; outside inference mode, so a buffer first made under ``torch.inference_mode`` still
    serves plain ``no_grad`` passes.
    """

    def __init__(self) -> None:
        self.buffers: dict[tuple[torch.dtype, int], Tensor] = {}

    limit = 1 << 22
    """Largest buffer kept, in elements (16 MB of float32, a 1,000-state decision with 2 critics
    of 256 and 8 candidates): a larger pass allocates afresh, where the matmuls dwarf the page
    faults anyway, so the memory a thread keeps stays bounded."""

    def take(self, slot: int, shape: tuple[int, ...], dtype: torch.dtype) -> Tensor | None:
        """A ``shape`` view of buffer ``slot`` (0 or 1), grown to fit when needed; ``None``
        above `limit` (the caller allocates)."""
        numel = math.prod(shape)
        if numel > self.limit:
            return None
        buffer = self.buffers.get((dtype, slot))
        if buffer is None or buffer.numel() < numel:
            with torch.inference_mode(False):
                buffer = torch.empty(numel, dtype=dtype)
            self.buffers[(dtype, slot)] = buffer
        return buffer[:numel].view(shape)


_SCRATCH = _Scratch()


_IN_PLACE: dict[type[nn.Module], Callable[[Tensor], Tensor]] = {
    nn.ReLU: torch.relu_,
    nn.Tanh: torch.tanh_,
}
"""In-place twins of the activations whose backward reads only their output, in place or not
(the same kernels forward and backward, so the same bits): the critics apply them to fresh
matmul outputs, which saves one ``[n, B * K, H]`` buffer per layer (allocating, page-faulting
and writing it costs about as much as the activation itself on the CPU)."""


def in_place(activation: nn.Module) -> Callable[[Tensor], Tensor]:
    """``activation`` applied in place where that is exact and autograd-safe, else as is.

    Only for an input nothing else reads (a matmul output): ReLU and tanh write over it. ELU's
    in-place backward rebuilds ``exp(x)`` from the output (other bits), and GELU's and SiLU's
    needs the input, so they keep the module.
    """
    return _IN_PLACE.get(type(activation), activation)


class QEnsemble(nn.Module):
    """``n_critics`` independent critics ``Q(s, a)``, evaluated for ``K`` actions per state.

    The members share nothing but the batched matmuls that evaluate them together (2 members:
    clipped double Q-learning; 1: DDPG).

    Args:
        in_dim: Feature size of the state.
        action_dim: ``D``, the relaxed action size.
        hidden: Hidden widths of each critic; with ``state_encoder`` the first is the
            state-only layer.
        activation: Hidden activation name.
        state_encoder: Encode the state alone first (once per state, not per candidate), then
            join the action.
        n_critics: Number of critics (>= 1).
    """

    def __init__(
        self,
        in_dim: int,
        action_dim: int,
        hidden: Sequence[int],
        activation: str = "relu",
        state_encoder: bool = False,
        n_critics: int = 2,
    ) -> None:
        super().__init__()
        if n_critics < 1:
            raise ValueError(f"n_critics must be an integer >= 1, got {n_critics!r}")
        self.n_critics = n_critics
        self.state_encoder = state_encoder
        self.activation = activation_module(activation)
        gain = math.sqrt(2)
        widths = list(hidden)
        self.encoder: EnsembleLinear | None = None
        head_in = in_dim + action_dim
        if state_encoder:
            self.encoder = EnsembleLinear(n_critics, in_dim, widths[0], gain)
            head_in, widths = widths[0] + action_dim, widths[1:]
        sizes = [head_in, *widths]
        self.hidden_layers = nn.ModuleList(
            EnsembleLinear(n_critics, a, b, gain) for a, b in itertools.pairwise(sizes)
        )
        self.output = EnsembleLinear(n_critics, sizes[-1], 1, 1.0)

    def forward(self, features: Tensor, actions: Tensor) -> Tensor:
        """Every critic's values ``[n_critics, B, K]`` of actions ``[B, K, D]``."""
        batch, k = actions.shape[:2]
        n = self.n_critics
        activate = in_place(self.activation)
        if self.encoder is not None:
            state = activate(self.encoder(features))  # [n, B, H0]
        else:
            state = features.expand(n, -1, -1)
        state = state[:, :, None, :].expand(-1, -1, k, -1)
        joined = torch.cat([state, actions.expand(n, -1, -1, -1)], dim=-1)
        x = joined.reshape(n, batch * k, -1)
        scratch = x.device.type == "cpu" and not torch.is_grad_enabled()
        layers: list[EnsembleLinear] = list(self.hidden_layers)  # type: ignore[arg-type]
        for i, layer in enumerate(layers):
            shape = (n, batch * k, layer.weight.shape[-1])
            out = _SCRATCH.take(i % 2, shape, x.dtype) if scratch else None
            x = activate(layer(x, out))
        return self.output(x).reshape(n, batch, k)

    def min_value(self, features: Tensor, actions: Tensor) -> Tensor:
        """The pessimistic value ``min_i Q_i``, ``[B, K]`` (clipped double Q-learning)."""
        return self(features, actions).amin(dim=0)

    def first(self, features: Tensor, actions: Tensor) -> Tensor:
        """The first critic's values ``[B, K]`` (the one DDPG's actor gradient follows)."""
        return self(features, actions)[0]
