"""Conversions between `HybridSpace` and gymnasium spaces (actions: `gymnasium_actions`).

Six conventions are understood (the name is what `detect_convention` returns):

| convention | gymnasium space | notes |
|---|---|---|
| `"dict"` | `Dict(discrete=MultiDiscrete(nvec), continuous=Box(low, high))` | native export; both keys always present (`MultiDiscrete([])` / `Box` of shape `(0,)` when a part is empty) |
| `"platform"` | `Tuple(Discrete(K), Tuple(Box_0, …, Box_{K-1}))` | gym-platform, gym-goal: choice `k` activates `Box_k` |
| `"hybrid"` | `Tuple(Discrete(K), Box(d))` | gym-hybrid, DI-engine: shared parameters; pass `activation=` to import which dims a choice uses |
| `"discrete"` | `Discrete(K)` | |
| `"multi_discrete"` | `MultiDiscrete(nvec)` | |
| `"box"` | `Box(low, high)` | 1-D, floating |

Action values in these conventions are converted by
:mod:`~hybrid_toolkit.spaces.gymnasium_actions`.
"""  # noqa: E501

from __future__ import annotations

from typing import Any, Literal, overload

import gymnasium
import numpy as np
import torch
from gymnasium import spaces

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
def platform_blocks(space: HybridSpace) -> tuple[tuple[int, ...], ...] | None:
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
    if platform_blocks(space) is not None:
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


def require_convention(space: HybridSpace, convention: str) -> None:
    """Raise ``ValueError`` unless ``convention`` is known and fits ``space``."""
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
    require_convention(space, convention)
    nvec = space.nvec.numpy()
    if convention == "dict":
        return spaces.Dict(
            {"discrete": spaces.MultiDiscrete(nvec), "continuous": _box(space.low, space.high)}
        )
    if convention == "platform":
        blocks = platform_blocks(space) or ()
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
