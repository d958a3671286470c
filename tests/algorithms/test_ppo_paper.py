"""The HPO paper's PPO: each difference is a config field doing what its docstring says, the
presets train and resume exactly, and the defaults are this library's PPO, unchanged."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import torch
from support import TINY_JRP

import hybrid_toolkit as ht
from hybrid_toolkit.algorithms import PPO
from hybrid_toolkit.algorithms.common.on_policy import RolloutBuffer
from hybrid_toolkit.algorithms.ppo import (
    PAPER_SWITCHES,
    PPO_PRESETS,
    PPOConfig,
    paper_ablation,
    paper_differences,
)
from hybrid_toolkit.algorithms.ppo.policy import HybridActorCritic
from hybrid_toolkit.nn import HybridDistribution
from hybrid_toolkit.spaces import HybridAction
from hybrid_toolkit.training import Callback, TrainingContext

DOCS = Path(__file__).parents[2] / "docs" / "algorithms" / "ppo.md"
TINY = {"policy_hidden": (16,), "value_hidden": (16,)}


def jrp(num_envs: int = 8) -> Any:
    return ht.make("JointReplenishment-v0", num_envs, config=TINY_JRP, validate_actions=False)


def paper(**overrides: Any) -> PPO:
    """The paper's PPO on the tiny JRP (12 steps, so 2 periods trimmed at each end)."""
    settings = {**TINY, "num_envs": 8, "n_steps": 12, "buffer_periods": 2, **overrides}
    return PPO(jrp(), "paper-jrp", seed=3, verbose=0, **settings)


def signature(model: PPO) -> list[float]:
    return [float(p.detach().double().abs().sum()) for p in model.policy.parameters()]


# ---------------------------------------------------------------- defaults unchanged
# Weights after 2 updates with the default config, recorded before the paper's fields existed.
PINNED_TARGET = [64.610418, 0.063474, 580.594605, 0.061751, 0.003663, 1.887772, 0.021]


def test_the_defaults_train_exactly_as_before_the_paper_fields() -> None:
    model = PPO(
        "TargetHybrid-v0", seed=3, verbose=0, num_envs=8, n_steps=16, n_epochs=2, n_minibatches=2
    )
    model.learn(2 * 8 * 16)
    assert signature(model)[:7] == pytest.approx(PINNED_TARGET, rel=1e-4)


def test_the_defaults_never_reach_the_paper_code(monkeypatch: pytest.MonkeyPatch) -> None:
    import hybrid_toolkit.algorithms.ppo.ppo as ppo_module

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the default path called the paper's code")

    monkeypatch.setattr(ppo_module, "clip_groups", forbidden)
    monkeypatch.setattr(ppo_module, "TrainBatches", forbidden)
    original = HybridDistribution.log_prob_parts

    def active_only(self: HybridDistribution, action: HybridAction, **kw: Any) -> Any:
        assert not kw.get("include_inactive"), "the default counted inactive parameters"
        return original(self, action, **kw)

    monkeypatch.setattr(HybridDistribution, "log_prob_parts", active_only)
    model = PPO(jrp(), seed=0, verbose=0, n_steps=12, **TINY)
    model.learn(2 * 8 * 12)
    assert model.policy.continuous_trunk is None and model._graph_obs is None


# ---------------------------------------------------------------- one field at a time
def test_separate_networks_keep_each_loss_out_of_the_others_features() -> None:
    space = jrp().action_space
    for layout, leaks in (("shared", True), ("separate", False)):
        net = HybridActorCritic(6, space, (8, 8), (8,), "tanh", 0.0, layout)
        dist = net.distribution(torch.randn(4, 6))
        dist.mean.sum().backward()  # a loss of the continuous part only
        trunk = [p.grad for p in net.policy_trunk.parameters() if p.grad is not None]
        trunk_grad = sum(float(g.abs().sum()) for g in trunk)
        assert (trunk_grad > 0) is leaks
        groups = net.parameter_groups()
        assert sum(len(g) for g in groups.values()) == len(list(net.parameters()))
        assert bool(groups["backbone"]) is leaks


def test_all_log_prob_counts_the_samples_of_a_dont_order_step() -> None:
    space = jrp().action_space  # regime 0 "don't order" leaves every quantity inactive
    dist = HybridDistribution(space, torch.zeros(2, 2), torch.zeros(2, 2), torch.zeros(2))
    action = HybridAction(torch.tensor([[0], [1]]), torch.tensor([[1.0, 2.0], [1.0, 2.0]]))
    _, active = dist.log_prob_parts(action)
    _, every = dist.log_prob_parts(action, include_inactive=True)
    density = -0.5 * torch.tensor([1.0, 4.0]) - 0.5 * torch.log(torch.tensor(2 * torch.pi))
    assert active.tolist() == pytest.approx([0.0, float(density.sum())])
    assert every.tolist() == pytest.approx([float(density.sum())] * 2)


def test_batch_std_divides_each_rollout_by_its_own_reward_std() -> None:
    # 6 of the 12 steps: no episode ends, so no bootstrap is folded into the rewards
    model = paper(n_steps=6, buffer_periods=0, rollout_graph="detached")
    buf = model.collect()
    assert float(buf.rewards.std()) == pytest.approx(1.0, rel=1e-5)
    ours = PPO(jrp(), "hpo-paper-jrp", seed=3, verbose=0, n_steps=6, **TINY).collect()
    assert float(ours.rewards.std()) != pytest.approx(1.0, rel=1e-2)


def test_trimming_leaves_the_edge_steps_out_of_every_minibatch() -> None:
    buf = RolloutBuffer(10, 3, (1,), 1, 1, torch.device("cpu"))
    buf.obs[:] = torch.arange(10.0).reshape(10, 1, 1)
    seen = torch.cat([mb.obs for mb in buf.minibatches(4, torch.Generator(), steps=slice(2, 8))])
    assert sorted(set(seen.flatten().tolist())) == [2, 3, 4, 5, 6, 7]
    assert len(seen) == 6 * 3


@pytest.mark.parametrize(("schedule", "steps"), [("minibatches", 3 * 4), ("full_batch_first", 9)])
def test_the_epoch_schedule_counts_its_steps(schedule: str, steps: int) -> None:
    model = paper(epoch_schedule=schedule, n_epochs=3, target_kl=0.0)
    model.learn(8 * 12)
    assert model.gradient_steps == steps


@pytest.mark.parametrize(("factor", "steps"), [(1.0, 2), (1e12, 17)])
def test_the_kl_stop_factor_scales_the_early_stop_threshold(factor: float, steps: int) -> None:
    # the first step's KL is 0 (ratio 1); the second's exceeds 1e-12 but not 1e12 · 1e-12
    model = paper(target_kl=1e-12, kl_stop_factor=factor)
    model.learn(8 * 12)
    assert model.gradient_steps == steps


def test_per_group_clipping_clips_each_network_on_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    clip = torch.nn.utils.clip_grad_norm_

    def spy(params: Any, *args: Any, **kwargs: Any) -> Any:
        params = list(params)
        calls.append(len(params))
        return clip(params, *args, **kwargs)

    monkeypatch.setattr(torch.nn.utils, "clip_grad_norm_", spy)
    for clipping, per_step in (("global", 1), ("per_group", 4)):  # separate: no backbone group
        calls.clear()
        paper(grad_clipping=clipping, target_kl=0.0).learn(8 * 12)
        assert len(calls) == 17 * per_step


def test_the_train_split_feeds_every_rollout_a_fresh_batch_of_it() -> None:
    model = paper()
    loads: list[torch.Tensor] = []
    original = model.env.set_scenarios  # type: ignore[attr-defined]
    model.env.set_scenarios = lambda data: (loads.append(data), original(data))  # type: ignore[attr-defined]
    model.learn(3 * 8 * 12)
    train = model.env.scenarios("train")  # type: ignore[attr-defined]
    assert len(loads) == 3
    for data in loads:
        assert data.shape[0] == 8
        assert all(any(torch.equal(row, t) for t in train) for row in data)


def test_a_kept_graph_changes_the_first_step_but_not_the_rollout() -> None:
    kept, detached = paper(), paper(rollout_graph="detached")
    buf_kept = kept.collect()
    graph = kept._graph_obs
    assert graph is not None and graph.requires_grad
    # the value loss reaches the means through the states (the reference code's behaviour)
    kept.policy.value(graph.flatten(0, 1)).sum().backward(retain_graph=True)
    mean_head = kept.policy.head.mean_head
    assert mean_head is not None and float(mean_head.weight.grad.abs().sum()) > 0
    kept.optimizer.zero_grad()
    buf_detached = detached.collect()
    assert detached._graph_obs is None
    assert torch.equal(buf_kept.continuous, buf_detached.continuous)
    assert torch.equal(buf_kept.rewards, buf_detached.rewards)
    kept.update(buf_kept)
    detached.update(buf_detached)
    assert kept._graph_obs is None  # freed after the first step
    assert signature(kept) != signature(detached)


# ---------------------------------------------------------------- refusals
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"buffer_periods": -1}, "buffer_periods must be >= 0"),
        ({"buffer_periods": 32, "n_steps": 64}, "trims every step"),
        ({"kl_stop_factor": 0.0}, "kl_stop_factor must be > 0"),
        ({"network_layout": "twin"}, "network_layout"),
        ({"reward_scaling": "max"}, "reward_scaling"),
        ({"rollout_graph": "yes"}, "rollout_graph"),
    ],
)
def test_bad_values_are_refused(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PPOConfig(**overrides)


def test_the_paper_fields_refuse_envs_that_cannot_serve_them() -> None:
    with pytest.raises(ValueError, match="fixed scenario splits"):
        PPO("TargetHybrid-v0", train_split="train", verbose=0)
    with pytest.raises(ValueError, match="differentiable"):
        PPO("Platform-v0", rollout_graph="kept", verbose=0)


# ---------------------------------------------------------------- the preset
def test_the_paper_preset_trains_on_joint_replenishment() -> None:
    model = paper()
    model.learn(2 * 8 * 12)
    assert model.gradient_steps == 2 * 17  # 1 full-batch step + 4 × 4 minibatches each
    assert all(torch.isfinite(p).all() for p in model.policy.parameters())


def test_the_paper_preset_switches_every_difference() -> None:
    config = PPOConfig(**PPO_PRESETS["paper-jrp"])  # type: ignore[arg-type]
    for field, value in PAPER_SWITCHES.items():
        assert getattr(config, field) == value
        assert getattr(PPOConfig(), field) != value
    assert config.policy_hidden == (512, 512) and config.learning_rate == 1e-4


class StopAfter(Callback):
    def __init__(self, iterations: int) -> None:
        self.iterations = iterations

    def on_iteration(self, ctx: TrainingContext) -> bool:
        return ctx.iteration < self.iterations


def test_save_load_resume_of_the_paper_preset_is_the_same_run(tmp_path: Path) -> None:
    total = 4 * 8 * 12
    whole = paper().learn(total)
    cut = paper().learn(total, callback=StopAfter(2))
    loaded = PPO.load(cut.save(tmp_path / "paper"), env=jrp())
    loaded.learn(total - loaded.num_timesteps, reset_num_timesteps=False)
    for name, state in whole.policy.state_dict().items():
        assert torch.equal(state, loaded.policy.state_dict()[name]), name
    assert loaded.gradient_steps == whole.gradient_steps


# ---------------------------------------------------------------- ablation API and docs
def test_the_ablation_helpers_switch_one_difference() -> None:
    jrp_fields = paper_differences("paper-jrp")
    assert list(jrp_fields) == list(PAPER_SWITCHES)
    assert "buffer_periods" not in paper_differences("paper-lqr")  # LQR trims nothing
    removed = paper_ablation("paper-jrp", "network_layout")
    assert removed["network_layout"] == "shared" and removed["rollout_graph"] == "kept"
    added = paper_ablation("paper-jrp", "grad_clipping", "add")
    assert added["grad_clipping"] == "per_group" and "rollout_graph" not in added
    PPOConfig(**removed), PPOConfig(**added)  # type: ignore[arg-type]
    both = paper_ablation("paper-jrp", ("network_layout", "buffer_periods"))
    assert both["network_layout"] == "shared" and both["buffer_periods"] == 0
    assert both["rollout_graph"] == "kept"  # the others stay the paper's
    with pytest.raises(ValueError, match="at least one difference"):
        paper_ablation("paper-jrp", ())
    with pytest.raises(ValueError, match="got 'learning_rate'"):
        paper_ablation("paper-jrp", ("network_layout", "learning_rate"))
    with pytest.raises(ValueError, match="differences of 'paper-jrp'"):
        paper_ablation("paper-jrp", "learning_rate")
    with pytest.raises(ValueError, match="preset must be one of"):
        paper_differences("hpo-paper-jrp")


def test_the_docs_table_lists_every_difference() -> None:
    text = DOCS.read_text()
    section = text.split("## The HPO paper's PPO", 1)[1]
    for field in PAPER_SWITCHES:
        assert re.search(rf"^\| `{field}`", section, re.M), field
