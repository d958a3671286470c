"""Config fields are checked against their annotations, and env rewards against float32."""

from __future__ import annotations

import dataclasses
import json
import math
import re
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pytest

import hybrid_toolkit as ht
from hybrid_toolkit.utils.config import apply_overrides, config_from_json, config_to_json
from hybrid_toolkit.utils.config_checks import (
    REWARD_LIMIT,
    check_field_types,
    check_reward_scale,
    field_choices,
    require_int,
)

ALGORITHMS = ht.list_algorithms()
ALGO_CONFIGS = {name: ht.get_algorithm(name).config_class for name in ALGORITHMS}
ENV_CONFIGS = sorted({ht.env_spec(name).config_class for name in ht.list_envs()}, key=str)


def fields_of(config_class: type, kind: type) -> list[str]:
    hints = {f.name: f.type for f in dataclasses.fields(config_class)}
    return [name for name, t in hints.items() if t == kind.__name__]


@dataclass
class Demo:
    count: int = 1
    rate: float = 0.5
    flag: bool = False
    mode: Literal["a", "b"] = "a"
    sizes: tuple[int, ...] = (4, 4)
    pair: tuple[float, float] = (0.0, 1.0)
    clip: float = math.inf
    label: str = ""
    maybe: int | None = None

    def __post_init__(self) -> None:
        check_field_types(self, allow_infinite=("clip",))


# ---------------------------------------------------------------- the generic validator


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("count", 2.5, "an integer"),
        ("count", 2.0, "an integer"),
        ("count", True, "an integer"),
        ("count", "3", "an integer"),
        ("rate", math.nan, "a finite number"),
        ("rate", math.inf, "a finite number"),
        ("rate", True, "a number"),
        ("rate", "0.1", "a number"),
        ("flag", 1, "True or False"),
        ("mode", "c", r"one of \('a', 'b'\)"),
        ("mode", 1, r"one of \('a', 'b'\)"),
        ("sizes", (4, 2.5), "a tuple of items that are each an integer"),
        ("sizes", 4, "a tuple"),
        ("pair", (0.0,), "a tuple of 2 items"),
        ("pair", (0.0, math.nan), "a tuple of 2 items"),
        ("clip", math.nan, r"a number \(inf allowed, not NaN\)"),
        ("label", 3, "a string"),
        ("maybe", 1.5, "an integer"),
    ],
)
def test_wrong_values_are_refused_naming_field_value_and_expectation(
    field: str, value: Any, expected: str
) -> None:
    got = re.escape(repr(value))
    with pytest.raises(ValueError, match=rf"Demo\.{field} must be {expected}.*, got {got}"):
        Demo(**{field: value})


def test_valid_values_are_accepted_and_lists_become_tuples() -> None:
    demo = Demo(count=3, rate=2, flag=True, mode="b", sizes=[8], clip=-math.inf, maybe=4)  # type: ignore[arg-type]
    assert demo.sizes == (8,) and isinstance(demo.sizes, tuple)
    assert field_choices(Demo, "mode") == ("a", "b") and field_choices(Demo, "count") == ()


def test_require_int_accepts_numpy_integers_and_refuses_floats() -> None:
    assert require_int("seed", np.int64(7)) == 7
    for bad in (1.5, 2.0, True, "1"):
        with pytest.raises(ValueError, match=rf"seed must be an integer .*, got {bad!r}"):
            require_int("seed", bad)


# ---------------------------------------------------------------- every algorithm config


HYPERPARAMETER_CASES = [
    ("learning_rate", math.inf),
    ("learning_rate", math.nan),
    ("actor_lr", math.inf),
    ("ent_coef", math.nan),
    ("gamma", math.nan),
    ("n_minibatches", 2.5),
    ("num_envs", 2.0),
    ("num_envs", True),
    ("activation", "no-such-choice"),
    ("quantity_scale_feature", "no-such-choice"),
]


@pytest.mark.parametrize("name", ALGORITHMS)
@pytest.mark.parametrize(("field", "value"), HYPERPARAMETER_CASES)
def test_bad_hyperparameters_are_refused_at_construction_naming_the_field(
    name: str, field: str, value: Any
) -> None:
    config_class = ALGO_CONFIGS[name]
    if field not in {f.name for f in dataclasses.fields(config_class)}:
        pytest.skip(f"{name} has no {field}")
    pattern = rf"{config_class.__name__}\.{field} must be .*got {re.escape(repr(value))}"
    with pytest.raises(ValueError, match=pattern):
        config_class(**{field: value})
    with pytest.raises(ValueError, match=pattern):
        apply_overrides(config_class(), {field: value})
    with pytest.raises(ValueError, match=pattern):
        config_from_json(config_class, {field: value})
    with pytest.raises(ValueError, match=pattern):
        ht.get_algorithm(name)("TargetRegime-v0", **{field: value})


@pytest.mark.parametrize("name", ALGORITHMS)
def test_every_float_field_refuses_non_finite_and_every_int_field_floats(name: str) -> None:
    config_class = ALGO_CONFIGS[name]
    for field in fields_of(config_class, float):
        for value in (math.nan, math.inf, -math.inf):
            with pytest.raises(ValueError, match=rf"\.{field} must be a finite number"):
                config_class(**{field: value})
    for field in fields_of(config_class, int):
        with pytest.raises(ValueError, match=rf"\.{field} must be an integer"):
            config_class(**{field: 2.5})


@pytest.mark.parametrize("name", ALGORITHMS)
def test_defaults_and_presets_pass_and_round_trip_through_json(name: str) -> None:
    cls = ht.get_algorithm(name)
    for preset in cls.presets:
        config = apply_overrides(cls.config_class(), cls.presets[preset])
        data = json.loads(json.dumps(config_to_json(config)))
        assert config_from_json(cls.config_class, data) == config


@pytest.mark.parametrize("seed", [1.5, 2.0, True, "3"])
def test_non_integer_seed_is_refused(seed: Any) -> None:
    with pytest.raises(ValueError, match=rf"seed must be an integer .*got {seed!r}"):
        ht.PPO("TargetRegime-v0", seed=seed, verbose=0)


def test_cli_shows_the_choices_of_literal_fields(run_cli: Any) -> None:
    code, out = run_cli(["train", "ppo", "TargetRegime-v0", "--help"])
    assert code == 0 and "tanh" in out and "silu" in out


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["train", "ppo", "TargetRegime-v0", "--algo.activation", "bogus"], "activation"),
        (["train", "ppo", "TargetRegime-v0", "--algo.learning-rate", "inf"], "learning_rate"),
        (
            ["train", "ppo", "JointReplenishment-v0", "--env.fixed-cost-per-item", "1e38"],
            "fixed_cost_per_item",
        ),
    ],
)
def test_cli_refuses_bad_values_naming_the_field(args: list[str], named: str, run_cli: Any) -> None:
    code, out = run_cli(args)
    assert code == 2 and named in out.replace("-", "_").replace("\n", "")


# ---------------------------------------------------------------- env configs


@pytest.mark.parametrize(
    ("env_id", "field", "value"),
    [
        ("JointReplenishment-v0", "fixed_cost_per_item", 1e38),
        ("JointReplenishment-v0", "fixed_cost_per_item", 1e17),
        ("JobShop-v0", "job_reward", 3e38),
        ("Maze-v0", "step_reward", -3e38),
        ("Maze-v0", "goal_reward", 1e30),
        ("OrderUpToReplenishment-v0", "major_order_cost", 1e20),
        ("Recommender-v0", "reward_tiers", (1.0, 10.0, 1e25)),
        ("SwitchedLQR-v0", "state_clip", 1e12),
        ("HardMove-v0", "target_reward", 1e18),
    ],
)
def test_env_configs_whose_rewards_overflow_float32_training_are_refused(
    env_id: str, field: str, value: Any
) -> None:
    with pytest.raises(ValueError, match=rf"\.{field}=.*makes rewards too large.*1e\+18"):
        ht.make(env_id, num_envs=8, **{field: value})


def test_the_reward_bound_counts_the_whole_episode() -> None:
    # 1e16 per step is fine for one step but not for a 100-step episode
    ht.make("Maze-v0", max_steps=1, goal_reward=1e16)
    with pytest.raises(ValueError, match=r"goal_reward.*1e\+18 over a 100-step episode"):
        ht.make("Maze-v0", max_steps=100, goal_reward=1e16)


def test_check_reward_scale_names_the_largest_contributor() -> None:
    demo = Demo()
    check_reward_scale(demo, {"rate": 1.0, "count": 2.0}, steps=10)
    with pytest.raises(ValueError, match=r"Demo\.count=1 makes rewards too large"):
        check_reward_scale(demo, {"rate": 1.0, "count": REWARD_LIMIT}, steps=10)
    with pytest.raises(ValueError, match=r"Demo\.rate"):
        check_reward_scale(demo, {"rate": math.inf, "count": 1.0}, steps=1)


@pytest.mark.parametrize("config_class", ENV_CONFIGS, ids=lambda c: c.__name__)
def test_every_env_config_refuses_non_finite_floats_and_float_ints(config_class: type) -> None:
    allow_inf = {"state_clip"}
    for field in fields_of(config_class, float):
        values = [math.nan] if field in allow_inf else [math.nan, math.inf, -math.inf]
        for value in values:
            with pytest.raises(ValueError, match=rf"{config_class.__name__}\.{field} must be"):
                config_class(**{field: value})
    for field in fields_of(config_class, int):
        with pytest.raises(ValueError, match=rf"{config_class.__name__}\.{field} must be an"):
            config_class(**{field: 1.5})
    for field in fields_of(config_class, bool):
        with pytest.raises(ValueError, match=rf"{config_class.__name__}\.{field} must be True"):
            config_class(**{field: 1})


def test_unclipped_lqr_states_that_grow_past_float32_training_are_refused() -> None:
    # open loop, x grows by up to instability + coupling * n per step: 100^20 overflows float32
    with pytest.raises(ValueError, match=r"instability=100.0 makes.*set a finite state_clip"):
        ht.make("SwitchedLQR-v0", state_clip=math.inf, instability=100.0)
    ht.make("SwitchedLQR-v0", state_clip=math.inf)  # the default system stays usable unclipped
    ht.make("SwitchedLQR-v0", state_clip=100.0, instability=100.0)  # the clip bounds the cost
