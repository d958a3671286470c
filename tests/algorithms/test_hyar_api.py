"""HyAR's surface: phases in the trainer loop, save/load, determinism, config errors."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

import hybrid_toolkit as ht
from hybrid_toolkit.algorithms.hyar import HYAR_PRESETS, HyARConfig
from hybrid_toolkit.training import NonFiniteTrainingError

# Warm-up of 8 episodes = 2 chunks of 8 batched steps on 4 scenarios (TargetRegime's horizon is 8).
TINY: dict[str, Any] = {
    "num_envs": 4,
    "vae_hidden": 16,
    "actor_hidden": (16,),
    "critic_hidden": (16,),
    "warmup_episodes": 8,
    "warmup_chunk": 8,
    "vae_pretrain_steps": 20,
    "vae_batch_size": 32,
    "lsc_samples": 200,
    "embedding_buffer_size": 2000,
    "buffer_size": 2000,
    "learning_starts": 16,
    "batch_size": 32,
    "vae_update_start": 4,
    "vae_update_interval": 4,
    "expl_noise_episodes": 20,
}
WARMUP_STEPS = 64


def tiny_hyar(seed: int = 0, env_id: str = "TargetRegime-v0", **kw: Any) -> ht.HyAR:
    return ht.HyAR(env_id, seed=seed, verbose=0, **{**TINY, **kw})


def parameter_sum(model: ht.HyAR) -> float:
    modules = (model.representation, model.actor_critic)
    return float(sum(p.detach().double().sum() for m in modules for p in m.parameters()))


def test_episode_updates_add_the_official_scripts_update_per_ended_episode() -> None:
    # TargetRegime's episodes end together every 8 batched steps: 4 episodes each time
    plain = tiny_hyar().learn(WARMUP_STEPS + 256)
    extra = tiny_hyar(episode_updates=1).learn(WARMUP_STEPS + 256)
    assert extra.progress.td3_episodes == plain.progress.td3_episodes == 32
    # every TD3-phase episode ends after learning_starts (16 transitions, the 4th step)
    assert extra.progress.td3_updates == plain.progress.td3_updates + 32
    with pytest.raises(ValueError, match=r"HyARConfig.episode_updates must be >= 0"):
        HyARConfig(episode_updates=-1)


def test_warmup_ends_with_the_chunk_that_completes_it() -> None:
    model = tiny_hyar()
    model.learn(WARMUP_STEPS - 32)
    assert model.progress.phase == "warmup" and model.progress.warmup_episodes == 4
    assert len(model.embedding_buffer) == 32 and len(model.replay_buffer) == 0
    model.learn(32, reset_num_timesteps=False)
    assert model.progress.phase == "td3" and model.progress.warmup_episodes == 8
    assert model.progress.td3_updates == 0 and len(model.replay_buffer) == 0
    assert bool((model.representation.latent_low < model.representation.latent_high).all())


def test_phases_run_in_order_through_the_trainer(tmp_path: Path) -> None:
    model = tiny_hyar(tensorboard_log=tmp_path).learn(WARMUP_STEPS + 256)
    progress = model.progress
    assert progress.td3_episodes == 32  # 64 batched steps of 4 fresh 8-step episodes
    # one update per transition from the 4th batched step on (16 stored = learning_starts)
    assert progress.td3_updates == (64 - 3) * 4
    # one VAE round at 4 TD3-phase episodes, then one every 4 episodes
    assert progress.vae_rounds == (32 - 4) // 4 + 1
    assert len(model.replay_buffer) == 256 and len(model.embedding_buffer) == WARMUP_STEPS + 256
    assert model.run_dir is not None
    with (model.run_dir / "progress.csv").open() as f:
        columns = set(next(csv.reader(f)))
    expected = {
        "train/phase",
        "train/warmup_episodes",
        "train/vae_loss",
        "train/vae_reconstruction_loss",
        "train/vae_dynamics_loss",
        "train/vae_kl",
        "train/latent_width",
        "train/dynamics_error",
        "train/critic_loss",
        "train/actor_loss",
        "train/q_value",
        "train/discrete_relabel_fraction",
        "train/continuous_relabel_fraction",
        "train/exploration_std",
        "rollout/ep_rew_mean",
    }
    assert expected <= columns, expected - columns


def test_exploration_noise_anneals_over_td3_episodes() -> None:
    model = tiny_hyar(gradient_steps=0).learn(WARMUP_STEPS)  # the schedule counts episodes only
    config = model.config
    assert model.progress.exploration_std(config) == config.expl_noise_initial
    model.learn(400, reset_num_timesteps=False)  # 50 episodes > expl_noise_episodes = 20
    assert model.progress.exploration_std(config) == pytest.approx(config.expl_noise_final)


def test_save_load_gives_identical_predictions_and_resumes_the_phase(tmp_path: Path) -> None:
    model = tiny_hyar().learn(WARMUP_STEPS + 64)
    obs = ht.make("TargetRegime-v0", num_envs=32).reset(seed=5)
    before = model.act(obs, deterministic=True)
    path = model.save(tmp_path / "hyar")
    for loaded in (ht.load(path), ht.HyAR.load(path)):
        assert isinstance(loaded, ht.HyAR)
        after = loaded.act(obs, deterministic=True)
        assert torch.equal(before.discrete, after.discrete)
        assert torch.equal(before.continuous, after.continuous)
        assert loaded.config == model.config
        assert loaded.num_timesteps == model.num_timesteps
        assert loaded.progress == model.progress
        assert torch.equal(loaded.representation.latent_low, model.representation.latent_low)
    # A loaded model continues in the TD3 phase (no second warm-up), with its saved buffers.
    loaded = ht.HyAR.load(path, env=ht.make("TargetRegime-v0", num_envs=4))
    loaded.learn(64, reset_num_timesteps=False)
    assert loaded.progress.pretrained
    assert len(loaded.embedding_buffer) == len(model.embedding_buffer) + 64
    assert loaded.progress.td3_updates > model.progress.td3_updates


def test_same_seed_same_training() -> None:
    def run(seed: int) -> list[float]:
        model = tiny_hyar(seed)
        sums = []
        for steps in (WARMUP_STEPS, 48, 48):
            model.learn(steps, reset_num_timesteps=False)
            sums.append(parameter_sum(model))
        return sums

    assert run(3) == run(3)
    assert run(3) != run(4)


def test_predict_numpy_single_and_batch() -> None:
    model = tiny_hyar()
    env = ht.make("TargetRegime-v0", num_envs=4)
    obs = env.reset(seed=0).numpy()
    single, state = model.predict(obs[0])
    assert state is None and single["discrete"].shape == (1,) and single["continuous"].shape == (3,)
    batch, _ = model.predict(obs)
    np.testing.assert_array_equal(batch["discrete"][0], single["discrete"])
    assert env.action_space.contains(
        ht.HybridAction(torch.as_tensor(batch["discrete"]), torch.as_tensor(batch["continuous"]))
    )


def test_invalid_config_values_name_the_field() -> None:
    with pytest.raises(ValueError, match=r"HyARConfig.lsc_tail must be in \[0, 0.5\), got 0.6"):
        HyARConfig(lsc_tail=0.6)
    with pytest.raises(ValueError, match=r"HyARConfig.batch_size must be an integer .*, got 12.5"):
        HyARConfig(batch_size=12.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"HyARConfig.relabel must be True or False, got 1"):
        HyARConfig(relabel=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"HyARConfig.gradient_steps must be >= 0, or -1"):
        HyARConfig(gradient_steps=-2)
    with pytest.raises(ValueError, match=r"HyARConfig.actor_hidden must be a tuple of items"):
        HyARConfig(actor_hidden=(64, 6.4))  # type: ignore[arg-type]
    assert HyARConfig(actor_hidden=[64, 64]).actor_hidden == (64, 64)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"unknown HyARConfig key\(s\) \['latent_dims'\]"):
        ht.HyAR("TargetRegime-v0", latent_dims=4)
    with pytest.raises(ValueError, match=r"unknown hyar preset 'nope'; valid presets are: default"):
        ht.HyAR("TargetRegime-v0", "nope")


@pytest.mark.parametrize("preset", list(HYAR_PRESETS))
def test_every_preset_is_a_valid_config(preset: str) -> None:
    config = ht.HyAR._resolve_config(preset)
    assert isinstance(config, HyARConfig)


def test_hyar_is_registered() -> None:
    assert ht.get_algorithm("hyar") is ht.HyAR
    assert "hyar" in ht.list_algorithms()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_runs_on_cuda() -> None:
    model = tiny_hyar(device="cuda").learn(WARMUP_STEPS + 32)
    assert model.progress.td3_updates > 0
    obs = ht.make("TargetRegime-v0", num_envs=8, device="cuda").reset(seed=0)
    assert model.act(obs).discrete.device.type == "cuda"


def test_a_non_finite_representation_stops_training() -> None:
    # The representation's parameters are counted when the VAE trains (TD3 leaves them alone).
    model = tiny_hyar()
    model.learn(WARMUP_STEPS)
    with torch.no_grad():
        model.representation.embeddings[1, 0] = float("nan")
    with pytest.raises(NonFiniteTrainingError, match="non-finite parameter value"):
        model.learn(64, reset_num_timesteps=False)
