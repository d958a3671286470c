"""HyAR's action representation: VAE reconstruction, nearest-neighbour decoding, latent bounds."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import hybrid_toolkit as ht
from hybrid_toolkit.algorithms.common.off_policy import ReplayBuffer
from hybrid_toolkit.algorithms.hyar import HyARConfig
from hybrid_toolkit.algorithms.hyar.codec import ActionCodec
from hybrid_toolkit.algorithms.hyar.observation import ObservationScaler
from hybrid_toolkit.algorithms.hyar.relabel import relabel_latents
from hybrid_toolkit.algorithms.hyar.representation import ActionRepresentation
from hybrid_toolkit.algorithms.hyar.td3 import invert_gradients
from hybrid_toolkit.algorithms.hyar.vae_training import RepresentationTrainer
from hybrid_toolkit.spaces import HybridAction, HybridSpace

OBS_DIM = 5


def fixed_action_set(n_actions: int = 24, seed: int = 0) -> tuple[torch.Tensor, ...]:
    """A fixed set of (state, choice, parameters, state change) of a 3-choice, 2-param space."""
    gen = torch.Generator().manual_seed(seed)
    obs = torch.rand(n_actions, OBS_DIM, generator=gen) * 2 - 1
    index = torch.arange(n_actions) % 3
    params = torch.rand(n_actions, 2, generator=gen) * 2 - 1
    params[index == 2, 1] = 0.0  # choice 2 owns one parameter only: its second slot is padding
    # A state change that depends on the choice and its parameters (what L_Dyn learns).
    delta = 0.5 * torch.tanh(params.sum(dim=1, keepdim=True) + index.unsqueeze(1).float())
    return obs, index, params, delta.expand(-1, OBS_DIM).clone()


def filled_buffer(codec: ActionCodec) -> ReplayBuffer:
    obs, index, params, delta = fixed_action_set()
    buffer = ReplayBuffer(1000, (OBS_DIM,), 1, codec.param_dim)
    batch = obs.shape[0]
    buffer.add(
        obs,
        HybridAction(index.unsqueeze(1), params),
        torch.zeros(batch),
        obs + delta,
        torch.zeros(batch, dtype=torch.bool),
    )
    return buffer


def small_space() -> HybridSpace:
    return HybridSpace.parameterized([2, 2, 1], low=-1.0, high=1.0)


def test_vae_reconstructs_the_parameters_of_a_fixed_set_of_actions() -> None:
    torch.manual_seed(0)
    codec = ActionCodec(small_space(), 4096)
    rep = ActionRepresentation(OBS_DIM, codec.n_choices, codec.param_dim, 4, 4, hidden=32)
    config = HyARConfig(vae_batch_size=24, vae_learning_rate=3e-3, kl_weight=0.01, lsc_samples=96)
    trainer = RepresentationTrainer(rep, codec, filled_buffer(codec), config, torch.Generator())
    obs, index, params, _ = fixed_action_set()
    mask = codec.slot_mask(index)

    def reconstruction_error() -> float:
        with torch.no_grad():
            emb = rep.embed(index)
            mean, _ = rep.encode(obs, emb, params)
            recon, _ = rep.decode(obs, emb, mean)
        return float(((recon - params).square() * mask).sum() / mask.sum())

    before = reconstruction_error()
    metrics = trainer.fit(400)
    after = reconstruction_error()
    assert before > 0.1
    assert after < 0.01, f"reconstruction MSE {after:.4f} (was {before:.4f})"
    assert 400 <= metrics["train/vae_steps"] <= 410
    assert float(rep.dynamics_error) < 0.02  # the state change is predicted too


def test_nearest_neighbour_decoding_matches_brute_force() -> None:
    torch.manual_seed(1)
    rep = ActionRepresentation(OBS_DIM, 50, 1, 3, 2, hidden=8)
    queries = torch.rand(400, 3) * 2.4 - 1.2
    table = rep.table().detach().double().numpy()
    brute = np.argmin(((queries.double().numpy()[:, None] - table[None]) ** 2).sum(-1), axis=1)
    assert torch.equal(rep.nearest(queries), torch.as_tensor(brute))
    # Every embedding decodes to its own choice, also after a small perturbation.
    rows = rep.table().detach()
    assert torch.equal(rep.nearest(rows), torch.arange(50))
    gaps = torch.cdist(rows, rows) + torch.eye(50) * 10
    nudge = (
        0.4
        * gaps.min(dim=1).values.unsqueeze(1)
        * torch.nn.functional.normalize(torch.randn(50, 3), dim=1)
    )
    assert torch.equal(rep.nearest(rows + nudge), torch.arange(50))


def test_latent_bounds_are_the_central_order_statistics() -> None:
    rep = ActionRepresentation(OBS_DIM, 3, 1, 2, 2, hidden=8)
    n = 5000
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(0))
    z = torch.stack([perm.float(), -3.0 * perm.float()], dim=1)  # dim 0: 0..4999 shuffled
    rep.set_latent_bounds(z, tail=0.02)
    # border = 100: the 101st smallest and the 101st largest samples
    assert rep.latent_low.tolist() == [100.0, -3.0 * 4899]
    assert rep.latent_high.tolist() == [4899.0, -3.0 * 100]
    inside = ((z >= rep.latent_low) & (z <= rep.latent_high)).float().mean(dim=0)
    assert torch.allclose(inside, torch.full((2,), 0.96), atol=1e-3)
    # The actor's [-1, 1] covers exactly the bounds, and from_latent inverts to_latent.
    corners = rep.to_latent(torch.tensor([[-1.0, -1.0], [1.0, 1.0]]))
    assert torch.equal(corners[0], rep.latent_low) and torch.equal(corners[1], rep.latent_high)
    u = torch.rand(64, 2) * 2 - 1
    assert torch.allclose(rep.from_latent(rep.to_latent(u)), u, atol=1e-5)
    assert bool((rep.to_latent(u) >= rep.latent_low).all())
    assert bool((rep.to_latent(u) <= rep.latent_high).all())


def test_trained_bounds_hold_for_the_encoder_samples() -> None:
    torch.manual_seed(2)
    codec = ActionCodec(small_space(), 4096)
    rep = ActionRepresentation(OBS_DIM, codec.n_choices, codec.param_dim, 4, 3, hidden=32)
    config = HyARConfig(vae_batch_size=24, lsc_samples=4000, lsc_tail=0.05)
    buffer = filled_buffer(codec)
    gen = torch.Generator().manual_seed(0)
    RepresentationTrainer(rep, codec, buffer, config, gen).fit(20)
    batch = buffer.sample(4000, gen)
    with torch.no_grad():
        emb = rep.embed(batch.action.discrete[:, 0])
        z, _, _ = rep.sample_latent(batch.obs, emb, batch.action.continuous, gen)
    inside = ((z >= rep.latent_low) & (z <= rep.latent_high)).float().mean(dim=0)
    # fresh samples of the same distribution: about 90 % inside each dimension's range
    assert bool((inside > 0.85).all()) and bool((inside < 0.95).all()), inside
    assert bool((rep.latent_low < rep.latent_high).all())
    assert float(rep.dynamics_error) > 0


def test_relabelling_replaces_stale_embeddings_and_latents() -> None:
    torch.manual_seed(3)
    rep = ActionRepresentation(OBS_DIM, 4, 1, 3, 2, hidden=16)
    obs = torch.rand(8, OBS_DIM)
    index = torch.tensor([0, 1, 2, 3, 0, 1, 2, 3])
    params = torch.rand(8, 1) * 2 - 1
    delta = torch.zeros(8, OBS_DIM)
    table = rep.table().detach()
    stored = table[index].clone()
    stored[4:] = table[(index[4:] + 1) % 4]  # these four decode to a different choice now
    latent = torch.full((8, 2), 0.3)
    kwargs = {"noise": 0.1, "noise_clip": 0.5, "generator": torch.Generator().manual_seed(0)}
    out = relabel_latents(rep, obs, index, params, delta, stored, latent, threshold=1e9, **kwargs)
    assert torch.equal(out.embedding[:4], stored[:4])
    assert float((out.embedding[4:] - table[index[4:]]).abs().max()) <= 0.5
    assert float(out.discrete_fraction) == 0.5
    assert torch.equal(out.latent, latent) and float(out.continuous_fraction) == 0.0
    redo = relabel_latents(rep, obs, index, params, delta, stored, latent, threshold=0.0, **kwargs)
    assert float(redo.continuous_fraction) == 1.0
    assert not torch.equal(redo.latent, latent)
    assert bool((redo.latent.abs() <= 1.0).all())


def test_inverting_gradients_shrink_towards_the_bound_being_approached() -> None:
    value = torch.tensor([0.5, 0.5, -0.5, 1.2])
    grad = torch.tensor([2.0, -2.0, -2.0, 1.0])
    # up: grad·(1 - a)/2; down: grad·(a + 1)/2; beyond the bound an upward push reverses
    expected = torch.tensor([2.0 * 0.25, -2.0 * 0.75, -2.0 * 0.25, 1.0 * -0.1])
    assert torch.allclose(invert_gradients(grad, value), expected)


@pytest.mark.parametrize("embed_dim", [1, 6])
def test_nearest_handles_ties_by_lowest_index(embed_dim: int) -> None:
    rep = ActionRepresentation(OBS_DIM, 3, 1, embed_dim, 2, hidden=8)
    with torch.no_grad():
        rep.embeddings.zero_()  # all rows equal: every query is a tie
    assert torch.equal(rep.nearest(torch.rand(5, embed_dim)), torch.zeros(5, dtype=torch.int64))


def test_goal_observations_are_not_scaled_twice() -> None:
    """Goal's features are already in [-1, 1] (its [-2, 2] box only bounds the clipping): HyAR's
    input scaler leaves them as they are, while a raw box such as Platform's is mapped."""
    goal = ht.make("Goal-v0", num_envs=8)
    obs = goal.reset(seed=0)
    scaler = ObservationScaler(goal, enabled=True, device=torch.device("cpu"))
    assert torch.equal(scaler(obs), obs.reshape(8, -1))
    platform = ht.make("Platform-v0", num_envs=8)
    space = platform.observation_space
    scaled = ObservationScaler(platform, enabled=True, device=torch.device("cpu"))
    corner = torch.as_tensor(space.high, dtype=torch.float32)[None]
    finite = torch.isfinite(corner)
    assert torch.allclose(scaled(corner)[finite], torch.ones(int(finite.sum())))


def test_observation_bounds_box_scales_goal_by_its_clipping_box() -> None:
    """``observation_bounds="box"`` ignores the nominal bounds: Goal's features are halved."""
    model = ht.HyAR("Goal-v0", seed=0, verbose=0, num_envs=4, observation_bounds="box")
    obs = model.env.reset(seed=0)
    assert torch.allclose(model.scaler(obs), obs.reshape(4, -1) / 2)
    nominal = ht.HyAR("Goal-v0", seed=0, verbose=0, num_envs=4)
    assert torch.equal(nominal.scaler.half, torch.ones(17))
    with pytest.raises(ValueError, match="observation_bounds"):
        ht.HyAR("Goal-v0", seed=0, verbose=0, num_envs=4, observation_bounds="raw")
