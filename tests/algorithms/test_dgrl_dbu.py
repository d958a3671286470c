"""DBU: the softmax-weighted target on hand-computed cases, rounding of the perturbations, the
Huber regression, and the hybrid path perturbing and regressing both parts."""

from __future__ import annotations

import math

import pytest
import torch

import hybrid_toolkit as ht
from hybrid_toolkit.algorithms.dgrl.dbu import (
    Perturbations,
    PerturbationScheme,
    gaussian_perturbations,
    regression_loss,
    softmax_target,
    symmetric_coordinates,
)
from hybrid_toolkit.spaces import DiscreteComponent, HybridSpace

SMALL = {"actor_hidden": (16,), "critic_hidden": (16, 16), "verbose": 0}


def test_softmax_target_equals_the_hand_computed_average() -> None:
    # two coordinates, three candidates, raw Q-values (no standardisation), temperature 0.5
    cands = torch.tensor([[[-1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]])
    q = torch.tensor([[1.0, 2.0, 0.5]])
    e = [math.exp(v / 0.5) for v in (1.0, 2.0, 0.5)]
    w = [x / sum(e) for x in e]
    expected = [w[0] * -1 + w[1] * 0 + w[2] * 1, w[0] * 0 + w[1] * 1 + w[2] * 1]
    target, weights = softmax_target(cands, q, temperature=0.5, standardized=False)
    assert torch.allclose(weights[0], torch.tensor(w))
    assert torch.allclose(target[0], torch.tensor(expected))


def test_standardised_target_is_scale_free_and_hand_computable() -> None:
    cands = torch.tensor([[[0.0], [1.0], [-1.0], [0.5]]])
    q = torch.tensor([[3.0, 5.0, 1.0, 3.0]])
    mean = 3.0
    std = math.sqrt(((0.0) ** 2 + 2.0**2 + 2.0**2 + 0.0**2) / 4)  # population std = sqrt(2)
    z = [(v - mean) / std for v in (3.0, 5.0, 1.0, 3.0)]
    e = [math.exp(v) for v in z]
    expected = sum(ei * c for ei, c in zip(e, (0.0, 1.0, -1.0, 0.5), strict=True)) / sum(e)
    target, _ = softmax_target(cands, q, temperature=1.0, standardized=True)
    assert math.isclose(float(target), expected, rel_tol=1e-5)
    scaled, _ = softmax_target(cands, 1000 * q - 7, temperature=1.0, standardized=True)
    assert torch.allclose(scaled, target, atol=1e-6)
    # equal values (all candidates rounded to the same action): the plain average
    flat, w = softmax_target(cands, torch.ones(1, 4), standardized=True)
    assert torch.allclose(w, torch.full((1, 4), 0.25))
    assert math.isclose(float(flat), 0.125, abs_tol=1e-7)


def test_regression_loss_is_the_summed_huber_of_both_blocks() -> None:
    proto = torch.tensor([[0.0, 0.5, -0.2], [1.0, -1.0, 0.0]], requires_grad=True)
    target = torch.tensor([[0.5, 0.5, 1.0], [-1.0, -1.0, 0.1]])
    loss = regression_loss(proto, target, n_discrete=2, delta=1.0)

    def huber(d: float) -> float:
        return 0.5 * d * d if abs(d) <= 1 else abs(d) - 0.5

    disc = (huber(-0.5) + huber(0.0) + huber(2.0) + huber(0.0)) / 2
    cont = (huber(-1.2) + huber(-0.1)) / 2
    assert math.isclose(float(loss.discrete.detach()), disc, rel_tol=1e-6)
    assert math.isclose(float(loss.continuous.detach()), cont, rel_tol=1e-6)
    assert math.isclose(float(loss.total.detach()), disc + cont, rel_tol=1e-6)
    loss.total.backward()
    assert proto.grad is not None and bool((proto.grad[:, 1] == 0).all())  # at the target


def test_clamped_perturbations_are_gaussian_around_the_proto_action_and_in_the_box() -> None:
    proto = torch.tensor([[0.0, 0.9]])
    noisy = gaussian_perturbations(
        proto, 0.1, 20000, torch.Generator().manual_seed(0), scheme="clamp"
    )
    assert noisy.points.shape == (1, 20000, 2)
    assert abs(float(noisy.points[0, :, 0].std()) - 0.1) < 0.005
    assert float(noisy.points.max()) <= 1.0  # clamped to the unit box
    assert bool((noisy.overshoot == 0).all())
    # the clamped mass averages inward of a proto-action near the face
    assert float(noisy.points[0, :, 1].mean()) < 0.9 - 0.002


def test_symmetric_perturbations_stay_centred_on_the_proto_action() -> None:
    proto = torch.tensor([[0.0, 0.9, 1.0]])
    gen = torch.Generator().manual_seed(0)
    noisy = gaussian_perturbations(proto, 0.3, 20000, gen, scheme="symmetric", min_window=0.02)
    offsets = noisy.points + noisy.overshoot - proto[:, None, :]
    assert abs(float(offsets[0, :, 0].std()) - 0.3) < 0.01  # far from a face: the Gaussian
    assert float(offsets[0, :, 1].abs().max()) <= 0.1 + 1e-6  # within the distance to the face
    assert abs(float(offsets[0, :, 1].mean())) < 0.002  # symmetric: no drift
    assert abs(float(offsets[0, :, 2].mean())) < 0.001  # at the face: the +-0.02 floor
    assert float(noisy.points.max()) <= 1.0
    assert float(noisy.overshoot.max()) <= 0.02 + 1e-6


def test_auto_perturbs_ordinal_coordinates_symmetrically_and_clamps_the_rest() -> None:
    space = HybridSpace(
        [DiscreteComponent(11, "ordinal"), DiscreteComponent(11, "categorical")], [0.0], [1.0]
    )
    mask = symmetric_coordinates(space, "auto")
    assert mask.tolist() == [True, False, False]
    assert symmetric_coordinates(space, "symmetric").all()
    assert not symmetric_coordinates(space, "clamp").any()
    with pytest.raises(ValueError, match="'auto', 'symmetric' or 'clamp'"):
        symmetric_coordinates(space, "reflect")  # type: ignore[arg-type]
    # per coordinate, the same draws as the pure schemes
    proto = torch.tensor([[0.95, 0.95, 0.95]])
    draws = {
        name: gaussian_perturbations(proto, 0.3, 500, torch.Generator().manual_seed(1), scheme, 0.2)
        for name, scheme in (("mixed", mask), ("symmetric", "symmetric"), ("clamp", "clamp"))
    }
    for part in ("points", "overshoot"):
        mixed = getattr(draws["mixed"], part)
        assert torch.equal(mixed[..., 0], getattr(draws["symmetric"], part)[..., 0])
        assert torch.equal(mixed[..., 1:], getattr(draws["clamp"], part)[..., 1:])


def test_a_mask_or_its_indices_use_each_columns_own_window_and_no_columns_is_the_clamp() -> None:
    proto = torch.tensor([[0.95, 0.95, -0.99, 0.5]])
    windows = torch.tensor([0.2, 0.02, 0.1, 0.0])
    mask = torch.tensor([True, False, True, False])

    def draw(
        scheme: PerturbationScheme | torch.Tensor, window: torch.Tensor | float
    ) -> Perturbations:
        gen = torch.Generator().manual_seed(2)
        return gaussian_perturbations(proto, 0.3, 400, gen, scheme, window)

    mixed, symmetric, clamped = draw(mask, windows), draw("symmetric", windows), draw("clamp", 0)
    for part in ("points", "overshoot"):
        got = getattr(mixed, part)
        assert torch.equal(got[..., mask], getattr(symmetric, part)[..., mask])
        assert torch.equal(got[..., ~mask], getattr(clamped, part)[..., ~mask])
    by_index = draw(torch.tensor([0, 2]), windows)  # the mask's indices: the same draws
    assert torch.equal(by_index.points, mixed.points)
    assert torch.equal(by_index.overshoot, mixed.overshoot)
    empty = draw(torch.zeros(4, dtype=torch.bool), windows)
    assert torch.equal(empty.points, clamped.points)
    assert not empty.overshoot.any()


def test_perturbation_scheme_is_checked() -> None:
    with pytest.raises(ValueError, match="'symmetric' or 'clamp'"):
        gaussian_perturbations(torch.zeros(1, 2), 0.1, 4, scheme="reflect")  # type: ignore[arg-type]


def test_dgrl_dbu_target_on_a_small_case_matches_the_hand_formula() -> None:
    """End to end: rounded perturbations, their critic values and the weighted average (the
    paper's clamped perturbations: nothing overshoots the box)."""
    model = ht.DGRL(
        "TargetMultiDiscrete-v0", seed=0, dbu_candidates=6, dbu_perturbation="clamp", **SMALL
    )
    optimum = torch.tensor([0.5, -0.5, 1.0, 0.0])

    def critic(features: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        return -((actions - optimum) ** 2).sum(dim=-1)

    model.model.critic.min_value = critic  # type: ignore[method-assign]
    proto = torch.tensor([[0.1, -0.2, 0.6, 0.3], [-0.9, 0.9, 0.0, 0.26]])
    features = torch.zeros(2, model.model.features.out_dim)
    target, cands, q, weights = model.dbu_target(features, proto)
    # every candidate is a rounded action: 5 levels sit at -1, -0.5, 0, 0.5, 1 in unit coords
    assert torch.equal(cands * 2, torch.round(cands * 2))
    assert torch.allclose(q, critic(features, cands))
    for b in range(2):  # the hand formula, one state at a time
        z = (q[b] - q[b].mean()) / (q[b].std(unbiased=False) + 1e-8)
        w = torch.exp(z) / torch.exp(z).sum()
        assert torch.allclose(weights[b], w, atol=1e-6)
        assert torch.allclose(target[b], (w[:, None] * cands[b]).sum(0), atol=1e-6)
    # a near-noiseless perturbation rounds every candidate to the proto-action's neighbour
    model.config.perturbation_std = 1e-6
    _, cands, _, _ = model.dbu_target(features, proto)
    nearest = model.model.encode_unit(*model.model.unit_actions(proto))
    assert torch.equal(cands, nearest[:, None, :].expand_as(cands))


def test_hybrid_path_perturbs_and_regresses_both_parts() -> None:
    model = ht.DGRL("TargetHybrid-v0", seed=0, perturbation_std=0.3, actor_lr=1e-2, **SMALL)
    n_d = model.action_space.n_discrete
    obs = model.env.reset(seed=1)
    features = model.model.features(obs)
    with torch.no_grad():
        proto = model.model.actor(features)
    target, cands, _, _ = model.dbu_target(features, proto)
    moved = (cands - proto[:, None, :]).abs()
    assert bool((moved[..., :n_d] > 0.1).any()) and bool((moved[..., n_d:] > 0.05).any())
    # continuous candidates are the perturbations themselves (inside the box), not rounded
    assert not torch.equal(cands[..., n_d:] * 2, torch.round(cands[..., n_d:] * 2))
    assert bool(((target - proto).abs()[:, :n_d] > 0).any())
    assert bool(((target - proto).abs()[:, n_d:] > 0).any())

    # one DBU step moves both parts of the proto-action toward a fixed target
    with torch.no_grad():
        before = regression_loss(model.model.actor(features), target, n_d)
    fixed = target.clone()
    model.dbu_target = lambda f, p: (fixed, cands, torch.zeros(1), torch.ones(1, 1))  # type: ignore[method-assign]
    for _ in range(20):
        metrics = model._dbu_step(features)
    with torch.no_grad():
        after = regression_loss(model.model.actor(features), fixed, n_d)
    # (targets at the edge of the box are approached slowly through the tanh)
    assert float(after.discrete) < 0.75 * float(before.discrete)
    assert float(after.continuous) < 0.75 * float(before.continuous)
    assert float(metrics["train/dbu_continuous_loss"]) > 0


def test_regime_spaces_hide_inactive_parameters_from_the_critic() -> None:
    model = ht.DGRL("TargetRegime-v0", seed=0, **SMALL)  # regime k activates parameter k only
    discrete = torch.tensor([[0], [2]])
    continuous = torch.tensor([[0.5, -0.7, 0.9], [0.5, -0.7, 0.9]])
    unit = model.model.critic_actions(discrete, continuous)
    assert torch.allclose(unit[0, 1:], torch.tensor([0.5, 0.0, 0.0]))
    assert torch.allclose(unit[1, 1:], torch.tensor([0.0, 0.0, 0.9]))


def test_temperature_moves_the_target_from_the_average_to_the_best_candidate() -> None:
    cands = torch.tensor([[[-1.0], [0.0], [1.0]]])
    q = torch.tensor([[0.0, 0.2, 1.0]])
    targets = [
        float(softmax_target(cands, q, temperature=t, standardized=False)[0])
        for t in (100.0, 1.0, 0.3, 0.01)
    ]
    assert abs(targets[0]) < 0.01  # hot: the plain average of the candidates
    assert targets == sorted(targets)  # cooling moves it monotonically toward the best
    assert abs(targets[-1] - 1.0) < 1e-6  # cold: the argmax candidate
