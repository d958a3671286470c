"""Fuzzing the spaces' public API: constructors, ``from_json``, ``sample`` and ``validate``.

Every input is either valid (it must be accepted) or carries one known defect (it must be
refused with a ``ValueError``/``TypeError`` naming the parameter); see ``fuzz_outcomes``.
"""

from __future__ import annotations

import json
import math
import time
from typing import Any

import numpy as np
import pytest
import torch
from fuzz_outcomes import ACCEPTED, FUZZ, REJECTED, check_outcome, record
from hypothesis import given
from hypothesis import strategies as st

from hybrid_toolkit.spaces import DiscreteComponent, HybridAction, HybridSpace

INF = math.inf
FINITE = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
SIZE_DEFECTS = {  # a bad component size and what the error must name
    "a float": (2.7, ["2.7"]),
    "a bool": (True, ["True"]),
    "zero": (0, ["n must be"]),
    "negative": (-3, ["-3"]),
    "a string": ("4", ["'4'"]),
    "None": (None, ["None"]),
}
DEFECTS = [
    *SIZE_DEFECTS,
    "low > high",
    "low = +inf",
    "high = -inf",
    "NaN bound",
    "text bound",
    "activation is a list",
    "activation row count",
    "activation dim out of range",
    "activation component out of range",
    "names count",
]


@st.composite
def space_arguments(draw: st.DrawFn) -> tuple[dict[str, Any], str | None]:
    """Arguments of ``HybridSpace(...)``: valid, or with one named defect."""
    sizes: list[Any] = [
        draw(st.sampled_from([int, np.int64, np.int32]))(draw(st.integers(1, 6)))
        for _ in range(draw(st.integers(0, 3)))
    ]
    n_cont = draw(st.integers(0 if sizes else 1, 4))
    low, high = [], []
    for _ in range(n_cont):
        a, b = sorted((draw(FINITE), draw(FINITE)))
        low.append(a if draw(st.booleans()) else -INF)
        high.append(b if draw(st.booleans()) else INF)
    kwargs: dict[str, Any] = {"discrete": sizes, "low": low, "high": high}
    if sizes and n_cont and draw(st.booleans()):
        kwargs["activation"] = {
            0: [
                draw(st.lists(st.integers(0, n_cont - 1), unique=True))
                for _ in range(int(sizes[0]))
            ]
        }
    if n_cont and draw(st.booleans()):
        kwargs["continuous_names"] = [f"p{j}" for j in range(n_cont)]
    defect = draw(st.one_of(st.none(), st.sampled_from(DEFECTS)))
    if defect is not None:
        _inject(kwargs, defect, draw)
    return kwargs, defect


def _inject(kwargs: dict[str, Any], defect: str, draw: st.DrawFn) -> None:
    """Give ``kwargs`` exactly ``defect`` (adding a component or parameter where needed)."""
    if defect in SIZE_DEFECTS:
        kwargs["discrete"] = [*kwargs["discrete"], SIZE_DEFECTS[defect][0]]
        return
    low, high = kwargs["low"], kwargs["high"]
    if not low:
        low.append(0.0)
        high.append(1.0)
        kwargs.pop("continuous_names", None)
    j = draw(st.integers(0, len(low) - 1))
    if defect == "low > high":
        low[j], high[j] = 2.0, 1.0
    elif defect == "low = +inf":
        low[j], high[j] = INF, INF
    elif defect == "high = -inf":
        low[j], high[j] = -INF, -INF
    elif defect == "NaN bound":
        low[j] = math.nan
    elif defect == "text bound":
        high[j] = "high"
    elif defect == "names count":
        kwargs["continuous_names"] = [f"p{k}" for k in range(len(low) + 1)]
    else:
        if not kwargs["discrete"]:
            kwargs["discrete"] = [2]
        n0 = int(kwargs["discrete"][0])
        rows: list[list[int]] = [[] for _ in range(n0)]
        if defect == "activation is a list":
            kwargs["activation"] = rows
        elif defect == "activation row count":
            kwargs["activation"] = {0: [*rows, []]}
        elif defect == "activation dim out of range":
            kwargs["activation"] = {0: [[len(low)], *rows[1:]]}
        else:
            kwargs["activation"] = {len(kwargs["discrete"]): rows}


def _names(defect: str) -> list[str]:
    if defect in SIZE_DEFECTS:
        return SIZE_DEFECTS[defect][1]
    if defect.startswith("activation"):
        return ["activation"]
    if defect == "names count":
        return ["continuous_names"]
    return ["low", "high"]


@FUZZ
@given(space_arguments())
def test_hybrid_space_constructor(case: tuple[dict[str, Any], str | None]) -> None:
    kwargs, defect = case
    space = check_outcome(
        "HybridSpace(...)",
        lambda: HybridSpace(**kwargs),
        valid=defect is None,
        names=_names(defect or ""),
    )
    if space is not None:  # a valid space round-trips through JSON text
        assert HybridSpace.from_json(json.loads(json.dumps(space.to_json()))) == space


@FUZZ
@given(
    n=st.one_of(
        st.integers(1, 9),
        st.integers(1, 9),
        st.integers(-3, 0),
        st.floats(-3, 9),
        st.booleans(),
        st.text(max_size=3),
    ),
    kind=st.one_of(st.sampled_from(["categorical", "ordinal"]), st.text(max_size=5)),
    positions=st.sampled_from(["none", "increasing", "increasing", "decreasing"]),
)
def test_discrete_component_constructor(n: Any, kind: str, positions: str) -> None:
    valid_n = isinstance(n, int) and not isinstance(n, bool) and n >= 1
    values = None
    if valid_n and positions != "none":
        values = [float(i) for i in range(n)]
        values = values if positions == "increasing" else values[::-1]
    bad_positions = values is not None and n >= 2 and positions == "decreasing"
    check_outcome(
        "DiscreteComponent(...)",
        lambda: DiscreteComponent(n, kind, values),  # type: ignore[arg-type]
        valid=valid_n and kind in ("categorical", "ordinal") and not bad_positions,
        names=["DiscreteComponent"],
    )


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | FINITE | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
SPACE_KEYS = ["discrete", "low", "high", "activation", "continuous_names"]


@st.composite
def space_documents(draw: st.DrawFn) -> dict[str, Any]:
    """Documents shaped like ``to_json`` output with random JSON in random places."""
    document = {key: draw(JSON) for key in draw(st.lists(st.sampled_from(SPACE_KEYS), unique=True))}
    if draw(st.booleans()):
        document["discrete"] = [
            {"n": draw(JSON | st.integers(1, 4))} if draw(st.booleans()) else draw(JSON)
            for _ in range(draw(st.integers(0, 3)))
        ]
    return document


@FUZZ
@given(st.one_of(JSON, space_documents()))
def test_from_json_of_random_documents(document: Any) -> None:
    """Random JSON either rebuilds a space that round-trips or is refused by a ValueError
    naming the document's part (never a KeyError, AttributeError or IndexError)."""
    try:
        space = HybridSpace.from_json(document)
    except (ValueError, TypeError) as err:
        assert any(word in str(err) for word in ("HybridSpace", "DiscreteComponent")), err
        record("HybridSpace.from_json(random JSON)", REJECTED)
        return
    assert HybridSpace.from_json(space.to_json()) == space
    record("HybridSpace.from_json(random JSON)", ACCEPTED)


@FUZZ
@given(st.one_of(st.integers(-5, 64), st.floats(-5, 64), st.booleans(), st.text(max_size=3)))
def test_sample_batch_size(n: Any) -> None:
    space = HybridSpace([3, 2], low=[0.0, -INF], high=[1.0, INF], activation={0: [[0], [], [1]]})
    valid = isinstance(n, int) and not isinstance(n, bool) and n >= 0
    action = check_outcome(
        "HybridSpace.sample(n)", lambda: space.sample(n), valid=valid, names=["batch_size"]
    )
    if action is not None:
        assert action.batch_size == n
        space.validate(action)


VALIDATE_SPACE = HybridSpace(
    [3, 4], low=[0.0, -1.0, -INF], high=[1.0, INF, INF], activation={0: [[0], [1], []]}
)
ACTION_DEFECTS = [
    "discrete index too high",
    "discrete index negative",
    "discrete float dtype",
    "continuous int dtype",
    "discrete wrong width",
    "continuous wrong width",
    "active parameter NaN",
    "active parameter inf",
    "active parameter out of bounds",
    "not a HybridAction",
]


@FUZZ
@given(
    batch=st.integers(1, 8),
    seed=st.integers(0, 2**16),
    defect=st.one_of(st.none(), st.sampled_from(ACTION_DEFECTS)),
)
def test_validate_random_actions(batch: int, seed: int, defect: str | None) -> None:
    action = VALIDATE_SPACE.sample(batch, generator=torch.Generator().manual_seed(seed))
    bad = _corrupt(VALIDATE_SPACE, action, defect, seed) if defect else action
    check_outcome(
        "HybridSpace.validate(action)",
        lambda: VALIDATE_SPACE.validate(bad),  # type: ignore[arg-type]
        valid=defect is None,
        names=["action"],
    )


def _corrupt(space: HybridSpace, action: HybridAction, defect: str, seed: int) -> Any:
    d, c = action.discrete.clone(), action.continuous.clone()
    row, comp = seed % d.shape[0], seed % space.n_discrete
    if defect == "discrete index too high":
        d[row, comp] = space.discrete[comp].n
    elif defect == "discrete index negative":
        d[row, comp] = -1
    elif defect == "discrete float dtype":
        return HybridAction(d.float(), c)
    elif defect == "continuous int dtype":
        return HybridAction(d, c.long())
    elif defect == "discrete wrong width":
        return HybridAction(torch.cat([d, d[:, :1]], dim=1), c)
    elif defect == "continuous wrong width":
        return HybridAction(d, c[:, 1:])
    elif defect == "not a HybridAction":
        return (d, c)
    else:
        d[row, 0] = 0  # choice 0 activates parameter 0 (bounded [0, 1]); 2 is always active
        j = 0 if defect == "active parameter out of bounds" else 2
        c[row, j] = {"active parameter NaN": math.nan, "active parameter inf": INF}.get(defect, 1.5)
    return HybridAction(d, c)


@pytest.mark.parametrize("sizes", [[10] * 50, [1000] * 40, [2] * 200, [101] * 100])
def test_huge_spaces_are_never_enumerated(sizes: list[int]) -> None:
    """Spaces of 10^50 and more discrete actions: every operation stays fast."""
    start = time.perf_counter()
    space = HybridSpace.multi_discrete(sizes, kind="ordinal")
    assert space.log10_cardinality >= 50
    action = space.sample(4096, generator=torch.Generator().manual_seed(0))
    space.validate(action)
    relaxed = space.relaxed()
    assert torch.equal(relaxed.project(relaxed.encode(action)).discrete, action.discrete)
    assert HybridSpace.from_json(space.to_json()) == space
    assert time.perf_counter() - start < 10.0
    record("10^50+ action spaces (sample, validate, project, JSON)", ACCEPTED)
