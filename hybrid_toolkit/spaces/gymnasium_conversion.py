"""Conversions between `HybridSpace` / `HybridAction` and gymnasium spaces and values.

Six conventions are understood (the name is what `detect_convention` returns):

| convention | gymnasium space | notes |
|---|---|---|
| `"dict"` | `Dict(discrete=MultiDiscrete(nvec), continuous=Box(low, high))` | native export; both keys always present (`MultiDiscrete([])` / `Box` of shape `(0,)` when a part is empty) |
| `"platform"` | `Tuple(Discrete(K), Tuple(Box_0, …, Box_{K-1}))` | gym-platform, gym-goal: choice `k` activates `Box_k` |
| `"hybrid"` | `Tuple(Discrete(K), Box(d))` | gym-hybrid, DI-engine: shared parameters; pass `activation=` to import which dims a choice uses |
| `"discrete"` | `Discrete(K)` | |
| `"multi_discrete"` | `MultiDiscrete(nvec)` | |
| `"box"` | `Box(low, high)` | 1-D, floating |

Values are numpy at this boundary. A gymnasium value is either one action or a batch; the batch
is recognised by one extra leading dimension on the discrete part (on the continuous part when
the convention has no discrete part).
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, overload

import gymnasium
import numpy as np
import torch
from gymnasium import spaces

from hybrid_toolkit.spaces.action import HybridAction
from hybrid_toolkit.spaces.components import DiscreteComponent, DiscreteKind
from hybrid_toolkit.spaces.hybrid_space import ActivationMap, HybridSpace

CONVENTIONS: tuple[str, ...] = ("dict", "platform", "hybrid", "discrete", "multi_discrete", "box")
"""Every convention name understood by the functions of this module."""

_CONVERTIBLE = (
    "Dict(discrete=MultiDiscrete, continuous=Box), Tuple(Discrete, Tuple(Box, ...)) "
    "[gym-platform], Tuple(Discrete, Box) [gym-hybrid], Discrete, MultiDiscrete, 1-D float Box "
    "(Discrete/MultiDiscrete with start 0)"
)


# ---------------------------------------------------------------------------- detection
def _check_discrete(space: gymnasium.Space[Any], where: str) -> None:
    if isinstance(space, spaces.Discrete):
        if int(space.start) != 0:
            raise TypeError(f"{where} is {space} with start={space.start}; only start=0 converts")
    elif isinstance(space, spaces.MultiDiscrete) and (
        space.nvec.ndim != 1 or np.any(space.start != 0)
    ):
        raise TypeError(
            f"{where} is {space}; only a 1-D MultiDiscrete with start 0 converts, got nvec "
            f"shape {space.nvec.shape} and start {space.start.tolist()}"
        )


def _check_box(space: gymnasium.Space[Any], where: str) -> None:
    if not isinstance(space, spaces.Box):
        raise TypeError(f"{where} must be a Box, got {space}")
    if len(space.shape) != 1 or not np.issubdtype(space.dtype, np.floating):
        raise TypeError(
            f"{where} is {space}; only a 1-D floating Box converts, got shape {space.shape} "
            f"and dtype {space.dtype}"
        )


def detect_convention(gym_space: gymnasium.Space[Any]) -> str:
    """Name the convention a gymnasium action space follows.

    Args:
        gym_space: A gymnasium space.

    Returns:
        One of :data:`CONVENTIONS`.

    Raises:
        TypeError: If the space follows none of them; the message names the space and lists
            the forms that convert.
    """
    try:
        return _detect(gym_space)
    except TypeError as err:
        raise TypeError(
            f"cannot convert gymnasium space {gym_space} to a HybridSpace ({err}); "
            f"convertible forms: {_CONVERTIBLE}"
        ) from None


def _detect(gym_space: gymnasium.Space[Any]) -> str:
    if isinstance(gym_space, spaces.Discrete):
        _check_discrete(gym_space, "the space")
        return "discrete"
    if isinstance(gym_space, spaces.MultiDiscrete):
        _check_discrete(gym_space, "the space")
        return "multi_discrete"
    if isinstance(gym_space, spaces.Box):
        _check_box(gym_space, "the space")
        return "box"
    if isinstance(gym_space, spaces.Dict):
        keys = set(gym_space.spaces)
        if not keys or not keys <= {"discrete", "continuous"}:
            raise TypeError(f"a Dict needs keys 'discrete' and/or 'continuous', got {sorted(keys)}")
        if "discrete" in keys:
            if not isinstance(gym_space["discrete"], spaces.MultiDiscrete):
                raise TypeError(f"Dict['discrete'] must be a MultiDiscrete, got {gym_space}")
            _check_discrete(gym_space["discrete"], "Dict['discrete']")
        if "continuous" in keys:
            _check_box(gym_space["continuous"], "Dict['continuous']")
        return "dict"
    if isinstance(gym_space, spaces.Tuple) and len(gym_space.spaces) == 2:
        head, params = gym_space.spaces
        if not isinstance(head, spaces.Discrete):
            raise TypeError(f"a Tuple must start with a Discrete, got {head}")
        _check_discrete(head, "Tuple[0]")
        if isinstance(params, spaces.Box):
            _check_box(params, "Tuple[1]")
            return "hybrid"
        if isinstance(params, spaces.Tuple):
            if len(params.spaces) != int(head.n):
                raise TypeError(
                    f"a gym-platform Tuple needs one Box per choice ({int(head.n)}), "
                    f"got {len(params.spaces)}"
                )
            for k, box in enumerate(params.spaces):
                _check_box(box, f"Tuple[1][{k}]")
            return "platform"
        raise TypeError(f"Tuple[1] must be a Box or a Tuple of Boxes, got {params}")
    raise TypeError(f"unsupported space type {type(gym_space).__name__}")


# ---------------------------------------------------------------------------- applicability
def _platform_blocks(space: HybridSpace) -> tuple[tuple[int, ...], ...] | None:
    """The per-choice parameter blocks when ``space`` has the regime + parameters shape."""
    if space.n_discrete != 1 or 0 not in space.activation:
        return None
    blocks = space.activation[0]
    dims = sorted(j for block in blocks for j in block)
    return blocks if dims == list(range(space.n_continuous)) else None


def conventions_for(space: HybridSpace) -> tuple[str, ...]:
    """The conventions in which ``space`` and its actions can be exported.

    ``"dict"`` always applies; ``"platform"`` needs one discrete component whose activation
    map gives every parameter to exactly one choice (the :meth:`HybridSpace.parameterized`
    shape); ``"hybrid"`` needs one discrete component; ``"discrete"`` one component and no
    parameters; ``"multi_discrete"`` no parameters; ``"box"`` no discrete component.
    """
    found = ["dict"]
    if _platform_blocks(space) is not None:
        found.append("platform")
    if space.n_discrete == 1:
        found.append("hybrid")
        if space.n_continuous == 0:
            found.append("discrete")
    if space.n_continuous == 0:
        found.append("multi_discrete")
    if space.n_discrete == 0:
        found.append("box")
    return tuple(found)


def _require(space: HybridSpace, convention: str) -> None:
    if convention not in CONVENTIONS:
        raise ValueError(f"convention must be one of {list(CONVENTIONS)}, got {convention!r}")
    allowed = conventions_for(space)
    if convention not in allowed:
        raise ValueError(
            f"convention {convention!r} does not fit {space!r}; this space supports {list(allowed)}"
        )


# ---------------------------------------------------------------------------- spaces
def _box(low: torch.Tensor, high: torch.Tensor) -> spaces.Box:
    return spaces.Box(
        low=low.numpy().astype(np.float32), high=high.numpy().astype(np.float32), dtype=np.float32
    )


@overload
def to_gymnasium(space: HybridSpace, convention: Literal["dict"] = "dict") -> spaces.Dict: ...
@overload
def to_gymnasium(space: HybridSpace, convention: str) -> gymnasium.Space[Any]: ...
def to_gymnasium(space: HybridSpace, convention: str = "dict") -> gymnasium.Space[Any]:
    """Export ``space`` as a gymnasium space.

    Args:
        space: The space to export.
        convention: ``"dict"`` (default, the native export, which always has both keys) or
            another name from :func:`conventions_for`.

    Returns:
        The gymnasium space. Kinds, positions, names and (except for ``"platform"``) the
        activation map have no gymnasium counterpart and are not carried.

    Raises:
        ValueError: If ``convention`` is unknown or does not fit ``space``.
    """
    _require(space, convention)
    nvec = space.nvec.numpy()
    if convention == "dict":
        return spaces.Dict(
            {"discrete": spaces.MultiDiscrete(nvec), "continuous": _box(space.low, space.high)}
        )
    if convention == "platform":
        blocks = _platform_blocks(space) or ()
        boxes = tuple(_box(space.low[list(b)], space.high[list(b)]) for b in blocks)
        return spaces.Tuple((spaces.Discrete(int(nvec[0])), spaces.Tuple(boxes)))
    if convention == "hybrid":
        return spaces.Tuple((spaces.Discrete(int(nvec[0])), _box(space.low, space.high)))
    if convention == "discrete":
        return spaces.Discrete(int(nvec[0]))
    if convention == "multi_discrete":
        return spaces.MultiDiscrete(nvec)
    return _box(space.low, space.high)


def from_gymnasium(
    gym_space: gymnasium.Space[Any],
    *,
    activation: ActivationMap | None = None,
    kind: DiscreteKind = "categorical",
) -> HybridSpace:
    """Import a gymnasium action space as a :class:`HybridSpace`.

    Args:
        gym_space: A space in one of the conventions listed by :func:`detect_convention`.
        activation: Activation map for conventions that cannot express one (``"dict"``,
            ``"hybrid"``). gym-hybrid's own environments use only some of the shared dims per
            action (Moving/Sliding: accelerate uses dim 0, turn dim 1, break none), so pass e.g.
            ``{0: [[0], [1], []]}`` to get exact masking; without it every parameter is always
            active. Not allowed for ``"platform"``, whose Boxes already define it.
        kind: Kind given to every imported discrete component (gymnasium does not say).

    Raises:
        TypeError: If the space does not convert (see :func:`detect_convention`).
        ValueError: If ``activation`` is given where the convention already fixes it.
    """
    convention = detect_convention(gym_space)
    if convention == "platform":
        if activation is not None:
            raise ValueError(
                "from_gymnasium: activation must be None for a gym-platform Tuple (its Boxes "
                f"define which parameters each choice activates), got {activation!r}"
            )
        assert isinstance(gym_space, spaces.Tuple)
        head, boxes = gym_space.spaces
        assert isinstance(head, spaces.Discrete) and isinstance(boxes, spaces.Tuple)
        bounds = [_bounds(box) for box in boxes.spaces]
        sizes = [len(lo) for lo, _ in bounds]
        starts = np.cumsum([0, *sizes])
        blocks = [list(range(int(s), int(s) + n)) for s, n in zip(starts, sizes, strict=False)]
        return HybridSpace(
            [DiscreteComponent(int(head.n), kind)],
            low=np.concatenate([lo for lo, _ in bounds]),
            high=np.concatenate([hi for _, hi in bounds]),
            activation={0: blocks},
        )
    sizes_, low, high = _parts(gym_space)
    return HybridSpace(
        [DiscreteComponent(int(n), kind) for n in sizes_], low=low, high=high, activation=activation
    )


def _bounds(box: gymnasium.Space[Any]) -> tuple[np.ndarray, np.ndarray]:
    assert isinstance(box, spaces.Box)
    return np.asarray(box.low, np.float64), np.asarray(box.high, np.float64)


def _parts(gym_space: gymnasium.Space[Any]) -> tuple[list[int], Any, Any]:
    """Component sizes and box bounds of a non-platform space (already checked)."""
    empty = np.zeros(0)
    if isinstance(gym_space, spaces.Discrete):
        return [int(gym_space.n)], empty, empty
    if isinstance(gym_space, spaces.MultiDiscrete):
        return [int(n) for n in gym_space.nvec], empty, empty
    if isinstance(gym_space, spaces.Box):
        return [], *_bounds(gym_space)
    if isinstance(gym_space, spaces.Tuple):
        head, box = gym_space.spaces
        assert isinstance(head, spaces.Discrete)
        return [int(head.n)], *_bounds(box)
    assert isinstance(gym_space, spaces.Dict)
    disc = gym_space.spaces.get("discrete")
    sizes = [int(n) for n in disc.nvec] if isinstance(disc, spaces.MultiDiscrete) else []
    cont = gym_space.spaces.get("continuous")
    return sizes, *(_bounds(cont) if cont is not None else (empty, empty))


# ---------------------------------------------------------------------------- actions
def action_to_gymnasium(
    space: HybridSpace, action: HybridAction, convention: str = "dict", *, batched: bool = True
) -> Any:
    """Convert a batch of actions to a gymnasium value (numpy) in ``convention``.

    Args:
        space: The space the actions belong to.
        action: The actions, ``[B, …]``; they are not validated here (environments do that).
        convention: A name from :func:`conventions_for`.
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
    _require(space, convention)
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
        blocks = _platform_blocks(space) or ()
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
        convention: A name from :func:`conventions_for`.
        device: Device of the returned tensors (default CPU).

    Returns:
        ``discrete`` int64 ``[B, n_d]`` and ``continuous`` float32 ``[B, n_c]``. Ranges are not
        checked here; :meth:`HybridSpace.validate` does that.

    Raises:
        ValueError: If the value's structure or shapes do not match ``space`` and
            ``convention``, or a discrete entry is not integral.
    """
    _require(space, convention)
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
    blocks = _platform_blocks(space) or ()
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
