"""HPO's user surface: refusals, config errors, presets, metrics, save/load and determinism."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import torch
from support import TINY_JRP

import hybrid_toolkit as ht
from hybrid_toolkit.algorithms.hpo import HPO_PRESETS, HPOConfig, HPOPolicy
from hybrid_toolkit.algorithms.hpo.batch import prepare_batch
from hybrid_toolkit.algorithms.hpo.steps import discrete_ppo_epochs
from hybrid_toolkit.envs import HybridEnv
from hybrid_toolkit.spaces import HybridSpace

SMALL = {
    "discrete_hidden": (16,),
    "continuous_hidden": (16,),
    "value_hidden": (16,),
    "buffer_periods": 2,
    "n_epochs": 2,
    "n_minibatches": 2,
}


def tiny_jrp(num_envs: int = 8, **config: object) -> HybridEnv:
    cfg = dataclasses.replace(TINY_JRP, **config)
    return ht.make("JointReplenishment-v0", num_envs, config=cfg, validate_actions=False)


def small_hpo(seed: int = 0, **overrides: object) -> ht.HPO:
    return ht.HPO(tiny_jrp(), seed=seed, verbose=0, **{**SMALL, **overrides})


def test_refuses_a_non_differentiable_env() -> None:
    with pytest.raises(ValueError, match=r"needs a differentiable environment.*Maze-v0.*ppo"):
        ht.HPO("Maze-v0", verbose=0)


def test_refuses_an_action_space_without_discrete_components() -> None:
    with pytest.raises(ValueError, match="at least one discrete component"):
        HPOPolicy(3, HybridSpace([], low=[0.0], high=[1.0]))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"buffer_periods": -1}, "HPOConfig.buffer_periods must be >= 0, got -1"),
        ({"n_steps": 10, "buffer_periods": 5}, "buffer_periods=5 trims every step"),
        ({"max_grad_norm": 0.0}, "HPOConfig.max_grad_norm must be > 0"),
        ({"discrete_hidden": (8, 0)}, "HPOConfig.discrete_hidden must be a tuple of integers"),
        ({"activation": "sigmoidish"}, "HPOConfig.activation must be one of"),
    ],
)
def test_config_errors_name_field_value_and_expectation(
    overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        HPOConfig(**overrides)  # type: ignore[arg-type]


def test_unknown_override_and_preset_raise_listing_valid_ones() -> None:
    with pytest.raises(ValueError, match="valid keys are"):
        small_hpo(not_a_field=1)
    with pytest.raises(ValueError, match="valid presets are: default, jrp, lqr"):
        ht.HPO(tiny_jrp(), "nope", verbose=0)


def test_buffer_must_leave_steps_of_the_episode() -> None:
    with pytest.raises(ValueError, match="buffer_periods=6 trims every step of a 12-step"):
        small_hpo(buffer_periods=6)


def test_episodic_length_must_be_known_or_given() -> None:
    with pytest.raises(ValueError, match="has no `horizon` attribute; set n_steps"):
        ht.HPO("TargetRegime-v0", verbose=0, buffer_periods=0, **{"discrete_hidden": (8,)})


def test_presets_hold_the_papers_settings() -> None:
    jrp, lqr = HPO_PRESETS["jrp"], HPO_PRESETS["lqr"]
    assert (jrp["gamma"], jrp["buffer_periods"], jrp["continuous_shift"]) == (0.93, 20, 1.0)
    assert (lqr["gamma"], lqr["buffer_periods"], lqr["continuous_shift"]) == (0.99, 0, 0.0)
    assert HPO_PRESETS["lqr-decentralized"]["cross_term"] is False
    model = ht.HPO(tiny_jrp(), "jrp-decentralized", verbose=0, buffer_periods=2)
    assert model.config.cross_term is False and model.config.learning_rate == 1e-3


def test_one_update_logs_the_hpo_metrics() -> None:
    # A non-uniform first discrete policy: its state dependence makes the cross term non-zero.
    model = small_hpo(piece_norms_interval=1, eval_interval=1, init_discrete_uniform=False)
    metrics = model.update(model.collect())
    for key in (
        "train/grad_norm_score_function",
        "train/grad_norm_cross",
        "train/grad_norm_pathwise",
        "train/grad_norm_discrete",
        "train/grad_norm_continuous",
        "train/grad_norm_value",
        "train/pathwise_loss",
        "rollout/regime_0_fraction",
        "rollout/regime_1_fraction",
        "rollout/cost",
        "eval/dev_cost",
    ):
        assert key in metrics, key
    fractions = metrics["rollout/regime_0_fraction"] + metrics["rollout/regime_1_fraction"]
    assert fractions == pytest.approx(1.0)
    assert metrics["train/grad_norm_cross"] > 0.0
    assert metrics["train/grad_norm_pathwise"] > 0.0
    # Discrete steps: epoch 0 plus up to one PPO epoch of two minibatches.
    assert 1 <= metrics["train/n_updates"] <= 3
    assert model.dev_curve == [(1, metrics["eval/dev_cost"])]


def test_decentralized_variant_has_no_cross_gradient() -> None:
    model = small_hpo(piece_norms_interval=1, cross_term=False, init_discrete_uniform=False)
    metrics = model.update(model.collect())
    assert metrics["train/grad_norm_cross"] == 0.0
    assert metrics["train/grad_norm_pathwise"] > 0.0


def continuous_params(model: ht.HPO) -> list[torch.Tensor]:
    return [p.detach().clone() for p in model.policy.parameter_groups()["continuous"]]


def test_only_epoch_zero_moves_the_continuous_network() -> None:
    model = small_hpo(n_epochs=4, target_kl=0.0)
    before = continuous_params(model)
    data = prepare_batch(
        model.policy,
        model.collect(),
        gamma=0.9,
        gae_lambda=0.9,
        buffer_periods=2,
        reward_scaling=True,
        reward_scaling_pathwise=True,
    )
    model._mixed_gradient_step(data, ent_coef=0.1, pieces=False)
    after_epoch0 = continuous_params(model)
    assert all(not torch.equal(a, b) for a, b in zip(before, after_epoch0, strict=True))
    discrete_before = [p.detach().clone() for p in model.policy.discrete_net.parameters()]
    metrics = discrete_ppo_epochs(
        model.policy, model.optimizer, data.detached(), model.config, 0.1, model.generator
    )
    assert metrics["train/n_updates"] == 1 + 3 * 2  # three PPO epochs of two minibatches
    for a, b in zip(after_epoch0, continuous_params(model), strict=True):
        assert torch.equal(a, b)
    assert any(
        not torch.equal(a, b)
        for a, b in zip(discrete_before, model.policy.discrete_net.parameters(), strict=True)
    )


def test_zero_continuous_learning_rate_freezes_the_continuous_network() -> None:
    model = small_hpo(continuous_lr_scale=0.0)
    before = continuous_params(model)
    model.update(model.collect())
    for a, b in zip(before, continuous_params(model), strict=True):
        assert torch.equal(a, b)


def test_training_cycles_through_the_train_split_and_keeps_the_best_dev_weights() -> None:
    model = small_hpo()
    assert model.rollouts_per_epoch == 32 // 8
    model.learn(8 * 12 * 8)  # eight updates = two training epochs
    assert [u for u, _ in model.dev_curve] == [4, 8]
    best = min(c for _, c in model.dev_curve)
    assert model.best_dev_cost == best
    assert model.evaluate_split("dev") == pytest.approx(best, rel=1e-6)


def test_entropy_coefficient_anneals_linearly_per_training_epoch() -> None:
    model = small_hpo(ent_coef=0.5, min_ent_coef=0.1)
    model.total_timesteps_target = 8 * 12 * 12  # 12 updates = 3 epochs of 4
    seen = [model.entropy_coef(update) for update in range(12)]
    assert model.entropy_coef() == 0.5  # the next update of a fresh model is the first
    assert seen == [0.5] * 4 + [pytest.approx(0.3)] * 4 + [pytest.approx(0.1)] * 4


def test_save_load_gives_identical_predictions(tmp_path: Path) -> None:
    model = small_hpo().learn(8 * 12 * 2)
    obs = tiny_jrp(num_envs=5).reset()
    before, _ = model.predict(obs)
    path = model.save(tmp_path / "hpo")
    for loaded in (ht.load(path, env=tiny_jrp()), ht.HPO.load(path, env=tiny_jrp())):
        after, _ = loaded.predict(obs)
        assert isinstance(loaded, ht.HPO)
        assert torch.equal(before.discrete, after.discrete)
        assert torch.equal(before.continuous, after.continuous)
        assert loaded.config == model.config
        assert loaded.n_updates == model.n_updates == 2  # the entropy schedule resumes there
    rebuilt = ht.load(path)  # the env is rebuilt from the saved config
    assert rebuilt.env.config == model.env.config  # type: ignore[attr-defined]


def test_same_seed_same_training_curve() -> None:
    def curve(seed: int) -> list[float]:
        model = small_hpo(seed, piece_norms_interval=2)
        model.learn(8 * 12 * 4)
        return [c for _, c in model.dev_curve] + [
            float(sum(p.detach().double().sum() for p in model.policy.parameters()))
        ]

    assert curve(3) == curve(3)
    assert curve(3) != curve(4)


def test_double_precision_env_gets_a_double_precision_policy() -> None:
    model = ht.HPO(tiny_jrp(precision="float64"), verbose=0, **SMALL)
    assert model.policy.dtype == torch.float64
    metrics = model.update(model.collect())
    assert metrics["train/loss"] == metrics["train/loss"]  # finite, not NaN
