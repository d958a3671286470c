"""LAR: the embedding model, nearest decoding, the phases, save/load and the refusals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

import hybrid_toolkit as ht
from hybrid_toolkit.algorithms.dnc import knn as knn_module
from hybrid_toolkit.algorithms.lar import LAR, ActionEmbedding, LARConfig
from hybrid_toolkit.algorithms.lar.representation import converged

SMALL = {
    "num_envs": 4,
    "n_steps": 2,
    "actor_hidden": (16,),
    "critic_hidden": (16,),
    "inverse_hidden": (16,),
    "buffer_size": 32,
    "pretrain_epochs": 3,
    "embedding_batch_size": 8,
}


def small(env_id: str = "TargetMultiDiscrete-v0", seed: int = 0, **kw: object) -> LAR:
    return LAR(env_id, seed=seed, verbose=0, **{**SMALL, **kw})


@pytest.mark.parametrize("budget", [knn_module.DISTANCE_BUDGET, 5])
def test_nearest_embedding_matches_brute_force(
    budget: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(knn_module, "DISTANCE_BUDGET", budget)  # 5: many table chunks
    torch.manual_seed(0)
    model = ActionEmbedding(3, 50, 2, (8,))
    points = torch.rand(20, 2) * 2.2 - 1.1
    expected = torch.cdist(points, model.embeddings()).argmin(dim=1)
    assert torch.equal(model.nearest(points), expected)


def test_the_inverse_model_separates_actions_with_different_effects() -> None:
    # s' = s + shift[a]: four actions, two pairs with the same effect. Within a pair nothing
    # tells the actions apart; between pairs the transition does: the model must put the
    # probability on the right pair, and g(s, s') must decode into it.
    torch.manual_seed(0)
    shift = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    model = ActionEmbedding(2, 4, 2, (32,), regularization=0.0)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(300):
        state = torch.rand(64, 2)
        action = torch.randint(4, (64,))
        loss = model.loss(state, action, state + shift[action])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    state = torch.rand(16, 2)
    point = model.predict(state, state + shift[2])
    probs = torch.softmax(-torch.cdist(point, model.embeddings()).square(), dim=1)
    assert (probs[:, 2:].sum(dim=1) > 0.9).all()
    assert set(model.nearest(point).tolist()) <= {2, 3}


def test_warm_up_then_pretraining_then_the_actor() -> None:
    model = small()
    model.learn(32)  # exactly the warm-up: random steps, then pre-training
    rep = model.representation
    assert rep.pretrained and len(rep.buffer) == 32 and model.num_timesteps == 32
    assert 1 <= len(rep.pretrain_losses) <= 3
    assert model.learner.gradient_steps == 0
    model.learn(16, reset_num_timesteps=False)
    assert model.learner.gradient_steps == 2 and model.num_timesteps == 48
    assert len(rep.buffer) == 32, "the agent's transitions join the ring buffer"


def test_pretraining_stops_once_the_loss_stops_falling() -> None:
    falling = [1.0 - 0.01 * i for i in range(30)]
    assert not converged(falling[:19]), "never before 20 passes"
    assert not converged(falling)
    assert not converged(falling[:20] + [0.8] * 10), "still below the 20-pass mean"
    assert converged(falling[:20] + [0.8] * 20)  # flat for 20 passes
    assert converged(falling[:20] + [0.9] * 10)  # rising again


def test_actions_are_valid_and_predict_handles_numpy() -> None:
    model = small().learn(64)
    env = ht.make("TargetMultiDiscrete-v0", num_envs=16)
    obs = env.reset(seed=1)
    for deterministic in (True, False):
        action, _ = model.predict(obs, deterministic=deterministic)
        assert action.discrete.shape == (16, 4) and action.continuous.shape == (16, 0)
        env.action_space.validate(action)
    single, state = model.predict(obs[0].numpy())
    assert state is None
    assert single["discrete"].shape == (4,) and single["discrete"].dtype == np.int64


def test_deterministic_action_is_the_nearest_embedding_of_the_mean() -> None:
    model = small().learn(64)
    obs = ht.make("TargetMultiDiscrete-v0", num_envs=8).reset(seed=2)
    mean = model.learner.actor.mean(model.learner.features(obs))
    flat = torch.cdist(mean, model.embedding.embeddings()).argmin(dim=1)
    sizes = torch.tensor([5, 5, 5, 5])
    digits = torch.stack([(flat // sizes[i + 1 :].prod()) % 5 for i in range(4)], dim=1)
    assert torch.equal(model.act(obs).discrete, digits)


def test_save_load_identical_predictions_and_state(tmp_path: Path) -> None:
    model = small().learn(64)
    obs = ht.make("TargetMultiDiscrete-v0", num_envs=8).reset(seed=3)
    loaded = ht.load(model.save(tmp_path / "lar"))
    assert isinstance(loaded, LAR) and loaded.config == model.config
    assert torch.equal(model.predict(obs)[0].discrete, loaded.predict(obs)[0].discrete)
    assert torch.equal(model.embedding.table, loaded.embedding.table)
    assert loaded.representation.pretrained
    assert loaded.representation.pretrain_losses == model.representation.pretrain_losses


def test_same_seed_same_training() -> None:
    def table(seed: int) -> torch.Tensor:
        return small(seed=seed).learn(64).embedding.table.detach()

    assert torch.equal(table(3), table(3))
    assert not torch.equal(table(3), table(4))


def test_refuses_a_table_above_the_limit_naming_size_and_limit() -> None:
    with pytest.raises(ValueError, match=r"about 10\^20\.0 actions.*max_table_entries=10,000,000"):
        LAR("JobShop-v0", verbose=0)
    with pytest.raises(ValueError, match=r"dgrl or dnc"):
        LAR("JobShop-v0", verbose=0)
    with pytest.raises(ValueError, match=r"625 x 2 numbers, above max_table_entries=1,000"):
        LAR("TargetMultiDiscrete-v0", verbose=0, max_table_entries=1_000)
    LAR("TargetMultiDiscrete-v0", verbose=0, max_table_entries=1_250)  # exactly fits


def test_refuses_continuous_parameters_pointing_to_hyar() -> None:
    with pytest.raises(ValueError, match=r"2 continuous parameters; use hyar"):
        LAR("TargetHybrid-v0", verbose=0)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("embedding_dim", 0, "an integer >= 1"),
        ("buffer_size", 0, "an integer >= 1"),
        ("embedding_loss_weight", -1.0, ">= 0"),
        ("exploration_std", 0.0, "> 0"),
    ],
)
def test_config_refuses_bad_values_naming_the_field(
    field: str, value: object, expected: str
) -> None:
    with pytest.raises(ValueError, match=rf"{field}.*{expected}"):
        LARConfig(**{field: value})


def test_paper_preset_is_the_reference_setting() -> None:
    model = LAR("Maze-v0", "paper", verbose=0)
    cfg = model.config
    assert (cfg.buffer_size, cfg.pretrain_epochs, cfg.embedding_dim) == (600_000, 500, 2)
    assert (cfg.optimizer, cfg.advantage, cfg.fourier_order) == ("sgd", "td_error", 3)
    assert model.embedding.table.shape == (17**4, 2)


def test_no_pretraining_keeps_the_random_table() -> None:
    model = small(pretrain_epochs=0, embedding_loss_weight=0.0)
    before = model.embedding.table.detach().clone()
    model.learn(48)
    assert model.representation.pretrained and model.learner.gradient_steps == 2
    assert torch.equal(model.embedding.table, before)


def test_frozen_embeddings_after_pretraining() -> None:
    model = small(embedding_loss_weight=0.0).learn(32)
    before = model.embedding.table.detach().clone()
    model.learn(32, reset_num_timesteps=False)
    assert torch.equal(model.embedding.table, before)


def test_cli_trains_lar(tmp_path: Path, run_cli: object) -> None:
    code, out = run_cli(  # type: ignore[operator]
        [
            "train",
            "lar",
            "TargetMultiDiscrete-v0",
            "--run.total-timesteps",
            "96",
            "--run.run-root",
            str(tmp_path),
            "--run.no-progress-bar",
            "--run.verbose",
            "0",
            "--algo.buffer-size",
            "32",
            "--algo.pretrain-epochs",
            "2",
        ]
    )
    assert code == 0, out
    (run_dir,) = tmp_path.iterdir()
    assert run_dir.name.startswith("TargetMultiDiscrete-v0__lar__0__")
