"""Conversions of action values between `HybridAction` and gymnasium's numpy values.

One function each way, in any convention of
:mod:`~hybrid_toolkit.spaces.gymnasium_conversion` (which converts the spaces). Values are numpy
at this boundary; a gymnasium value is either one action or a batch, recognised by one extra
leading dimension on the discrete part (on the continuous part when the convention has no
discrete part).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch

from hybrid_toolkit.spaces.action import HybridAction
from hybrid_toolkit.spaces.gymnasium_conversion import platform_blocks, require_convention
from hybrid_toolkit.spaces.hybrid_space import HybridSpace


def action_to_gymnasium(
    space: HybridSpace, action: HybridAction, convention: str = "dict", *, batched: bool = True
) -> Any:
    """Convert a batch of actions to a gymnasium value (numpy) in ``convention``.

    Args:
        space: The space the actions belong to.
        action: The actions, ``[B, …]``; they are not validated here (environments do that).
        convention: A name from :func:`~hybrid_toolkit.spaces.conventions_for`.
        batched: ``True`` gives the batched value a gymnasium vector env takes (leading dim
            ``B``); ``False`` gives one unbatched action and needs ``B == 1``.

    Returns:
        ``"dict"``: ``{"discrete": int64 [B, n_d], "continuous": float32 [B, n_c]}``;
        ``"platform"``: ``(k, (params_0, …, params_{K-1}))``; ``"hybrid"``: ``(k, params)``;
        ``"discrete"``: ``k``; ``"multi_discrete"``: the int64 array; ``"box"``: the float32
        array. Unbatched values drop the leading ``B`` (``k`` becomes a numpy int64 scalar).

    Raises:
        ValueError: If the convention does not fit, the shapes do not match ``space`` or
            ``batched=False`` is asked for a batch of more than one action.
    """
    require_convention(space, convention)
    discrete = action.discrete.detach().cpu().numpy().astype(np.int64)
    continuous = action.continuous.detach().cpu().numpy().astype(np.float32)
    if discrete.shape[1] != space.n_discrete or continuous.shape[1] != space.n_continuous:
        raise ValueError(
            f"action must have discrete shape [B, {space.n_discrete}] and continuous shape "
            f"[B, {space.n_continuous}], got {list(discrete.shape)} and {list(continuous.shape)}"
        )
    if not batched:
        if action.batch_size != 1:
            raise ValueError(
                f"batched=False needs a batch of exactly 1 action, got {action.batch_size}"
            )
        discrete, continuous = discrete[0], continuous[0]
    if convention == "dict":
        return {"discrete": discrete, "continuous": continuous}
    if convention == "platform":
        blocks = platform_blocks(space) or ()
        return discrete[..., 0], tuple(continuous[..., list(b)] for b in blocks)
    if convention == "hybrid":
        return discrete[..., 0], continuous
    if convention == "discrete":
        return discrete[..., 0]
    if convention == "multi_discrete":
        return discrete
    return continuous


def action_from_gymnasium(
    space: HybridSpace,
    value: Any,
    convention: str = "dict",
    *,
    device: torch.device | str | None = None,
) -> HybridAction:
    """Convert a gymnasium value (one action or a batch) into a :class:`HybridAction`.

    A batch is recognised by one extra leading dimension: ``k`` of ``"platform"``/``"hybrid"``/
    ``"discrete"`` is a scalar for one action and ``[B]`` for a batch; the arrays of
    ``"multi_discrete"``, ``"box"`` and ``value["discrete"]`` of ``"dict"`` are 1-D for one
    action and 2-D for a batch (``value["continuous"]`` decides when the dict has no discrete
    key). One action becomes a batch of one.

    Args:
        space: The space the value belongs to.
        value: The gymnasium value, as :func:`action_to_gymnasium` produces it.
        convention: A name from :func:`~hybrid_toolkit.spaces.conventions_for`.
        device: Device of the returned tensors (default CPU).

    Returns:
        ``discrete`` int64 ``[B, n_d]`` and ``continuous`` float32 ``[B, n_c]``. Ranges are not
        checked here; :meth:`HybridSpace.validate` does that.

    Raises:
        ValueError: If the value's structure or shapes do not match ``space`` and
            ``convention``, or a discrete entry is not integral.
    """
    require_convention(space, convention)
    disc, cont, batched = _split(space, value, convention)
    some = disc if disc is not None else cont
    lead = (int(np.shape(some)[0]),) if batched else ()
    d = _as_batch(disc, space.n_discrete, lead, f"{convention!r} discrete part")
    c = _as_batch(cont, space.n_continuous, lead, f"{convention!r} continuous part")
    return HybridAction(
        torch.as_tensor(_integral(d, convention), dtype=torch.int64, device=device),
        torch.as_tensor(c.astype(np.float32), dtype=torch.float32, device=device),
    )


def _split(space: HybridSpace, value: Any, convention: str) -> tuple[Any, Any, bool]:
    """The discrete part, the continuous part (``None`` where the convention has none) and
    whether ``value`` is a batch."""
    if convention == "dict":
        if not isinstance(value, Mapping):
            raise ValueError(f"a 'dict' action must be a mapping, got {type(value).__name__}")
        disc: Any = value.get("discrete")
        cont: Any = value.get("continuous")
        return disc, cont, np.ndim(disc if disc is not None else cont) == 2
    if convention in ("platform", "hybrid"):
        if not isinstance(value, Sequence) or len(value) != 2:
            raise ValueError(f"a {convention!r} action must be a pair (k, params), got {value!r}")
        k, params = value
        batched = np.ndim(k) == 1
        if convention == "platform":
            params = _join_blocks(space, params, np.shape(k))
        return np.asarray(k)[..., None], params, batched
    if convention == "discrete":
        return np.asarray(value)[..., None], None, np.ndim(value) == 1
    if convention == "multi_discrete":
        return value, None, np.ndim(value) == 2
    return None, value, np.ndim(value) == 2


def _join_blocks(space: HybridSpace, params: Any, lead: tuple[int, ...]) -> np.ndarray:
    """Write gym-platform's per-choice arrays into one parameter vector."""
    blocks = platform_blocks(space) or ()
    if not isinstance(params, Sequence) or len(params) != len(blocks):
        raise ValueError(
            f"a 'platform' action needs {len(blocks)} parameter arrays (one per choice), "
            f"got {params!r}"
        )
    out = np.zeros((*lead, space.n_continuous), np.float32)
    for k, (block, arr) in enumerate(zip(blocks, params, strict=True)):
        arr = np.asarray(arr, dtype=np.float32)
        if arr.shape != (*lead, len(block)):
            raise ValueError(
                f"the 'platform' parameters of choice {k} must have shape "
                f"{[*lead, len(block)]}, got {list(arr.shape)}"
            )
        out[..., list(block)] = arr
    return out


def _as_batch(value: Any, width: int, lead: tuple[int, ...], what: str) -> np.ndarray:
    """``value`` as a 2-D ``[B, width]`` array (an absent part becomes ``[B, 0]``)."""
    arr = np.zeros((*lead, 0)) if value is None else np.asarray(value)
    if arr.shape != (*lead, width):
        raise ValueError(f"the {what} must have shape {[*lead, width]}, got {list(arr.shape)}")
    return arr if lead else arr[None]


def _integral(arr: np.ndarray, convention: str) -> np.ndarray:
    if np.issubdtype(arr.dtype, np.integer) or arr.dtype == np.bool_:
        return arr.astype(np.int64)
    if np.issubdtype(arr.dtype, np.floating) and np.array_equal(arr, np.round(arr)):
        return arr.astype(np.int64)
    raise ValueError(
        f"the {convention!r} discrete part must hold integers, got dtype {arr.dtype} with "
        f"values {arr.tolist()}"
    )
