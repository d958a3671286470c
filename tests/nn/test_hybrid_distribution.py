"""HybridDistribution against independent references: torch.distributions, brute force, sampling."""

from __future__ import annotations

import itertools
import math

import pytest
import torch
from torch.distributions import Categorical, Normal

from hybrid_toolkit.nn import DistributionLayout, HybridDistribution
from hybrid_toolkit.spaces import HybridAction, HybridSpace

DEVICES = ["cpu", *(["cuda"] if torch.cuda.is_available() else [])]


def regime_space() -> HybridSpace:
    """Three regimes with 1, 2 and 0 parameters (dims 0 | 1, 2 | none)."""
    return HybridSpace.parameterized([1, 2, 0], low=-1.0, high=1.0)


def both_space() -> HybridSpace:
    """Components of sizes 3, 2, 4: comp 0 governs dims 0-2, comp 2 governs dim 4, dim 3 is free."""
    return HybridSpace(
        [3, 2, 4],
        low=-2.0,
        high=[2.0, 2.0, 2.0, 2.0, 2.0],
        activation={0: [[0], [1, 2], []], 2: [[4], [], [4], []]},
    )


def random_params(space: HybridSpace, batch: int, seed: int = 0, device: str = "cpu"):
    gen = torch.Generator().manual_seed(seed)
    logits = 1.5 * torch.randn(batch, int(space.nvec.sum()), generator=gen)
    mean = torch.randn(batch, space.n_continuous, generator=gen)
    log_std = 0.5 * torch.randn(batch, space.n_continuous, generator=gen)
    return logits.to(device), mean.to(device), log_std.to(device)


def split(logits: torch.Tensor, space: HybridSpace) -> list[torch.Tensor]:
    return list(torch.split(logits, space.nvec.tolist(), dim=1))


def reference_log_prob(space, logits, mean, log_std, action) -> torch.Tensor:
    """Per-component torch Categoricals plus a Normal masked by HybridSpace.active_mask."""
    total = torch.zeros(action.batch_size, dtype=torch.float64)
    for k, logits_k in enumerate(split(logits, space)):
        total += Categorical(logits=logits_k.double()).log_prob(action.discrete[:, k])
    if space.n_continuous:
        normal = Normal(mean.double(), log_std.double().exp())
        per_dim = normal.log_prob(action.continuous.double())
        active = space.active_mask(action.discrete)
        total += (per_dim * active).sum(dim=1)
    return total


def brute_force_entropy(space, logits, mean, log_std) -> tuple[torch.Tensor, torch.Tensor]:
    """Enumerate every joint discrete action: H_d = Σ p(-log p), H_c = Σ p Σ_active H_j."""
    batch = logits.shape[0]
    probs = [Categorical(logits=lk.double()).probs for lk in split(logits, space)]
    gauss_h = Normal(mean.double(), log_std.double().exp()).entropy()
    h_d = torch.zeros(batch, dtype=torch.float64)
    h_c = torch.zeros(batch, dtype=torch.float64)
    for joint in itertools.product(*(range(c.n) for c in space.discrete)):
        p = torch.ones(batch, dtype=torch.float64)
        for k, choice in enumerate(joint):
            p = p * probs[k][:, choice]
        active = space.active_mask(torch.tensor([joint]))[0]
        h_d -= p * p.clamp_min(1e-300).log()  # 0 log 0 = 0, with finite gradients
        h_c += p * (gauss_h * active).sum(dim=1)
    return h_d, h_c


@pytest.mark.parametrize("make_space", [regime_space, both_space])
@pytest.mark.parametrize("logits_form", ["concatenated", "list"])
def test_log_prob_matches_masked_torch_distributions(make_space, logits_form):
    space = make_space()
    logits, mean, log_std = random_params(space, batch=64)
    given = logits if logits_form == "concatenated" else split(logits, space)
    dist = HybridDistribution(space, given, mean, log_std)
    action = space.sample(64, generator=torch.Generator().manual_seed(1))
    expected = reference_log_prob(space, logits, mean, log_std, action)
    torch.testing.assert_close(dist.log_prob(action).double(), expected, rtol=1e-5, atol=1e-5)
    d, c = dist.log_prob_parts(action)
    torch.testing.assert_close(d + c, dist.log_prob(action))


@pytest.mark.parametrize("make_space", [regime_space, both_space])
def test_entropy_matches_brute_force_enumeration(make_space):
    space = make_space()
    logits, mean, log_std = random_params(space, batch=16, seed=3)
    dist = HybridDistribution(space, logits, mean, log_std)
    h_d, h_c = brute_force_entropy(space, logits, mean, log_std)
    got_d, got_c = dist.entropy_parts()
    torch.testing.assert_close(got_d.double(), h_d, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(got_c.double(), h_c, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(dist.entropy(), got_d + got_c)


def test_expected_entropy_weights_parameters_by_activation_probability():
    # Regime probabilities (0.5, 0.25, 0.25) and unit std: H_j = 0.5 + 0.5 log 2π for every dim.
    space = regime_space()
    logits = torch.log(torch.tensor([[0.5, 0.25, 0.25]]))
    dist = HybridDistribution(space, logits, torch.zeros(1, 3), torch.zeros(3))
    h_unit = 0.5 + 0.5 * math.log(2 * math.pi)
    expected_c = 0.5 * h_unit + 0.25 * 2 * h_unit  # dim 0 via regime 0, dims 1-2 via regime 1
    expected_d = -(0.5 * math.log(0.5) + 2 * 0.25 * math.log(0.25))
    torch.testing.assert_close(dist.active_probability(), torch.tensor([[0.5, 0.25, 0.25]]))
    d, c = dist.entropy_parts()
    assert d.item() == pytest.approx(expected_d, rel=1e-6)
    assert c.item() == pytest.approx(expected_c, rel=1e-6)


@pytest.mark.parametrize("make_space", [regime_space, both_space])
def test_monte_carlo_negative_log_prob_estimates_entropy(make_space):
    # E[-log π(a)] over a ~ π equals the exact joint entropy; tolerance: 4 standard errors.
    space = make_space()
    logits, mean, log_std = random_params(space, batch=1, seed=5)
    n = 40_000
    dist = HybridDistribution(
        space, logits.expand(n, -1), mean.expand(n, -1), log_std.expand(n, -1)
    )
    action = dist.sample(torch.Generator().manual_seed(7))
    neg_d, neg_c = (-part for part in dist.log_prob_parts(action))
    h_d, h_c = dist.entropy_parts()
    for neg, h in ((neg_d, h_d), (neg_d + neg_c, h_d + h_c)):
        stderr = neg.std() / math.sqrt(n)
        assert abs(neg.mean() - h[0]) < 4 * stderr, (neg.mean(), h[0], stderr)


@pytest.mark.parametrize("make_space", [regime_space, both_space])
def test_inactive_parameters_do_not_change_log_prob(make_space):
    space = make_space()
    logits, mean, log_std = random_params(space, batch=128, seed=11)
    dist = HybridDistribution(space, logits, mean, log_std)
    action = dist.sample(torch.Generator().manual_seed(2))
    inactive = ~space.active_mask(action.discrete)
    assert inactive.any()
    for junk in (
        torch.randn_like(action.continuous) * 100,
        torch.full_like(action.continuous, 1e30),
    ):
        changed = torch.where(inactive, junk, action.continuous)
        torch.testing.assert_close(
            dist.log_prob(HybridAction(action.discrete, changed)), dist.log_prob(action)
        )
    nan_filled = torch.where(inactive, torch.nan, action.continuous)
    assert torch.isfinite(dist.log_prob(HybridAction(action.discrete, nan_filled))).all()
    # ...while moving an active parameter does change it.
    shifted = torch.where(~inactive, action.continuous + 0.5, action.continuous)
    has_active = (~inactive).any(dim=1)
    moved = dist.log_prob(HybridAction(action.discrete, shifted)) != dist.log_prob(action)
    assert torch.equal(moved, has_active)


def test_rsample_gradients_flow_to_mean_and_log_std():
    space = both_space()
    logits, mean, log_std = random_params(space, batch=8)
    mean.requires_grad_(True)
    log_std.requires_grad_(True)
    dist = HybridDistribution(space, logits, mean, log_std)
    action = dist.rsample(torch.Generator().manual_seed(0))
    action.continuous.sum().backward()
    # c = μ + exp(log σ)·ε, so dc/dμ = 1 and dc/dlog σ = c − μ.
    torch.testing.assert_close(mean.grad, torch.ones_like(mean))
    torch.testing.assert_close(log_std.grad, (action.continuous - mean).detach())
    assert not dist.sample().continuous.requires_grad


def test_sample_and_rsample_consume_the_generator_identically():
    space = both_space()
    dist = HybridDistribution(space, *random_params(space, batch=32))
    a = dist.sample(torch.Generator().manual_seed(4))
    b = dist.rsample(torch.Generator().manual_seed(4))
    assert torch.equal(a.discrete, b.discrete)
    torch.testing.assert_close(a.continuous, b.continuous.detach())
    c = dist.sample(torch.Generator().manual_seed(5))
    assert not torch.equal(a.discrete, c.discrete)


def chi_square_p_value(counts: torch.Tensor, probs: torch.Tensor) -> float:
    expected = probs * counts.sum()
    stat = ((counts - expected).square() / expected).sum()
    dof = torch.tensor((probs.numel() - 1) / 2, dtype=torch.float64)
    return float(torch.special.gammaincc(dof, stat.double() / 2))


@pytest.mark.parametrize("device", DEVICES)
def test_sample_frequencies_match_probabilities(device):
    space = both_space()
    logits, mean, log_std = random_params(space, batch=1, seed=9, device=device)
    n = 30_000
    dist = HybridDistribution(space, logits.expand(n, -1), mean.expand(n, -1), log_std[0])
    action = dist.sample(torch.Generator(device=device).manual_seed(0))
    assert action.discrete.device.type == device
    sizes = space.nvec.tolist()
    for k, logits_k in enumerate(split(logits.cpu(), space)):
        probs = torch.softmax(logits_k[0].double(), dim=0)
        counts = torch.bincount(action.discrete[:, k].cpu(), minlength=sizes[k]).double()
        assert chi_square_p_value(counts, probs) > 1e-3, (k, counts, probs)
    # Components are independent: the joint of components 0 and 2 is the outer product.
    p0 = torch.softmax(split(logits.cpu(), space)[0][0].double(), 0)
    p2 = torch.softmax(split(logits.cpu(), space)[2][0].double(), 0)
    joint = action.discrete[:, 0].cpu() * sizes[2] + action.discrete[:, 2].cpu()
    counts = torch.bincount(joint, minlength=sizes[0] * sizes[2]).double()
    assert chi_square_p_value(counts, torch.outer(p0, p2).flatten()) > 1e-3
    # Continuous samples: mean and std per dim within 5 standard errors.
    c = action.continuous.cpu().double()
    std = log_std[0].cpu().double().exp()
    assert ((c.mean(0) - mean[0].cpu()).abs() < 5 * std / math.sqrt(n)).all()
    assert ((c.std(0) / std - 1).abs() < 5 / math.sqrt(2 * n)).all()


def test_mode_is_argmax_and_mean():
    space = both_space()
    logits, mean, log_std = random_params(space, batch=20)
    mode = HybridDistribution(space, logits, mean, log_std).mode()
    expected = torch.stack([lk.argmax(dim=1) for lk in split(logits, space)], dim=1)
    assert torch.equal(mode.discrete, expected)
    assert torch.equal(mode.continuous, mean)


def test_action_masks_exclude_choices_and_renormalise():
    space = both_space()
    logits, mean, log_std = random_params(space, batch=4000, seed=2)
    allowed = torch.ones_like(logits, dtype=torch.bool)
    allowed[:, 1] = False  # comp 0, choice 1 (the one activating dims 1, 2)
    allowed[::2, 5] = False  # comp 2, choice 0 on even rows
    dist = HybridDistribution(space, logits, mean, log_std, action_masks=allowed)
    listed = HybridDistribution(space, logits, mean, log_std, split(allowed, space))
    torch.testing.assert_close(dist.entropy(), listed.entropy())

    action = dist.sample(torch.Generator().manual_seed(3))
    assert not (action.discrete[:, 0] == 1).any()
    assert not (action.discrete[::2, 2] == 0).any()
    masked_logits = logits.masked_fill(~allowed, -math.inf)
    h_d, h_c = brute_force_entropy(space, masked_logits, mean, log_std)
    d, c = dist.entropy_parts()
    torch.testing.assert_close(d.double(), h_d, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(c.double(), h_c, rtol=1e-5, atol=1e-5)
    assert torch.isfinite(d).all() and torch.isfinite(c).all()
    assert (dist.active_probability()[:, 1:3] == 0).all()
    expected = reference_log_prob(space, masked_logits, mean, log_std, action)
    torch.testing.assert_close(dist.log_prob(action).double(), expected, rtol=1e-5, atol=1e-5)
    forbidden = HybridAction(torch.ones_like(action.discrete), action.continuous)
    assert (dist.log_prob(forbidden) == -math.inf).all()


@pytest.mark.parametrize("sizes", [[5] * 200, [2, 3, 7, 3] * 50], ids=["equal", "irregular"])
def test_many_components_vectorised_path_agrees_with_per_component_loop(sizes):
    space = HybridSpace.multi_discrete(sizes, kind="ordinal")
    layout = DistributionLayout.of(space, "cpu")
    assert (layout.gather_index is None) == (len(set(sizes)) == 1)
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(32, sum(sizes), generator=gen)
    empty = torch.zeros(32, 0)
    dist = HybridDistribution(space, logits, empty, torch.zeros(0))
    listed = HybridDistribution(space, split(logits, space), empty, torch.zeros(0))
    action = dist.sample(gen)
    per_comp = [Categorical(logits=lk) for lk in split(logits, space)]
    ref_lp = sum(c.log_prob(action.discrete[:, k]) for k, c in enumerate(per_comp))
    ref_h = sum(c.entropy() for c in per_comp)
    torch.testing.assert_close(dist.log_prob(action), ref_lp)
    torch.testing.assert_close(dist.entropy(), ref_h)
    torch.testing.assert_close(listed.log_prob(action), ref_lp)
    ref_mode = torch.stack([c.probs.argmax(1) for c in per_comp], dim=1)
    assert torch.equal(dist.mode().discrete, ref_mode)
    assert ((action.discrete >= 0) & (action.discrete < space.nvec)).all()


def test_layout_active_mask_matches_space():
    space = both_space()
    discrete = space.sample(500, generator=torch.Generator().manual_seed(0)).discrete
    layout = DistributionLayout.of(space, "cpu")
    assert torch.equal(layout.active_mask(discrete), space.active_mask(discrete))
    assert DistributionLayout.of(space, "cpu") is layout


def test_pure_continuous_and_pure_discrete_spaces():
    cont = HybridSpace(low=[-1.0, -1.0], high=[1.0, 1.0])
    mean, log_std = torch.randn(6, 2), torch.full((2,), -0.3)
    dist = HybridDistribution(cont, torch.zeros(6, 0), mean, log_std)
    action = dist.sample()
    assert action.discrete.shape == (6, 0)
    expected = Normal(mean, log_std.exp()).log_prob(action.continuous).sum(1)
    torch.testing.assert_close(dist.log_prob(action), expected)
    torch.testing.assert_close(dist.entropy(), Normal(mean, log_std.exp()).entropy().sum(1))

    disc = HybridSpace.multi_discrete([3, 4])
    dist = HybridDistribution(
        disc, [torch.zeros(6, 3), torch.zeros(6, 4)], torch.zeros(6, 0), torch.zeros(0)
    )
    torch.testing.assert_close(dist.entropy(), torch.full((6,), math.log(12)))
    assert dist.sample().continuous.shape == (6, 0)


def test_tanh_squash_matches_transformed_normal():
    space = both_space()
    logits, mean, log_std = random_params(space, batch=64, seed=8)
    wide = HybridDistribution(space, logits, mean, log_std + 2, squash="tanh").sample()
    # float32 tanh saturates, so samples may land exactly on a bound, never beyond it.
    assert ((wide.continuous >= space.low) & (wide.continuous <= space.high)).all()
    log_std = log_std.clamp(max=0.0) - 0.5  # keep away from saturation for the density check
    dist = HybridDistribution(space, logits, mean, log_std, squash="tanh")
    action = dist.sample(torch.Generator().manual_seed(1))
    loc, half = (space.high + space.low) / 2, (space.high - space.low) / 2
    reference = torch.distributions.TransformedDistribution(
        Normal(mean.double(), log_std.double().exp()),
        [
            torch.distributions.TanhTransform(),
            torch.distributions.AffineTransform(loc.double(), half.double()),
        ],
    )
    per_dim = reference.log_prob(action.continuous.double())
    expected = sum(
        Categorical(logits=lk).log_prob(action.discrete[:, k]).double()
        for k, lk in enumerate(split(logits, space))
    ) + (per_dim * space.active_mask(action.discrete)).sum(1)
    torch.testing.assert_close(dist.log_prob(action).double(), expected, rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(dist.mode().continuous, loc + half * torch.tanh(mean))


def test_invalid_arguments_name_the_parameter():
    space = both_space()
    logits, mean, log_std = random_params(space, batch=4)
    with pytest.raises(ValueError, match=r"logits must have shape \[4, 9\].*got \[4, 8\]"):
        HybridDistribution(space, logits[:, :8], mean, log_std)
    with pytest.raises(ValueError, match=r"one tensor per discrete component \(3\), got 2"):
        HybridDistribution(space, split(logits, space)[:2], mean, log_std)
    with pytest.raises(ValueError, match=r"logits\[1\] must have shape \[4, 2\]"):
        parts = split(logits, space)
        HybridDistribution(space, [parts[0], parts[2], parts[1]], mean, log_std)
    with pytest.raises(ValueError, match=r"mean must have shape \[B, 5\]"):
        HybridDistribution(space, logits, mean[:, :4], log_std)
    with pytest.raises(ValueError, match="log_std must have shape"):
        HybridDistribution(space, logits, mean, log_std[:2])
    with pytest.raises(ValueError, match="squash must be None or 'tanh'"):
        HybridDistribution(space, logits, mean, log_std, squash="sigmoid")  # type: ignore[arg-type]
    unbounded = HybridSpace([2], low=[0.0, -math.inf], high=[1.0, 1.0])
    with pytest.raises(ValueError, match=r"parameters \[1\] are unbounded"):
        HybridDistribution(
            unbounded, torch.zeros(1, 2), torch.zeros(1, 2), torch.zeros(2), squash="tanh"
        )
    dist = HybridDistribution(space, logits, mean, log_std)
    with pytest.raises(ValueError, match="action must have discrete shape"):
        dist.log_prob(HybridAction(torch.zeros(4, 2, dtype=torch.long), torch.zeros(4, 5)))


@pytest.mark.parametrize("masked", [False, True])
def test_gradients_match_the_reference_and_stay_finite_under_masks(masked):
    space = both_space()
    logits, mean, log_std = random_params(space, batch=16, seed=12)
    allowed = torch.ones_like(logits, dtype=torch.bool)
    if masked:
        allowed[:, [1, 6]] = False  # comp 0 choice 1, comp 2 choice 1
    action = space.sample(16, generator=torch.Generator().manual_seed(0))
    action = HybridAction(action.discrete.masked_fill(action.discrete == 1, 0), action.continuous)

    def grads(loss_fn):
        params = [t.clone().double().requires_grad_(True) for t in (logits, mean, log_std)]
        loss_fn(*params).backward()
        return [p.grad for p in params]

    def ours(lg, mu, ls):
        dist = HybridDistribution(space, lg, mu, ls, action_masks=allowed)
        return dist.log_prob(action).sum() + dist.entropy().sum()

    def reference(lg, mu, ls):
        lg = lg.masked_fill(~allowed, -math.inf)
        h_d, h_c = brute_force_entropy(space, lg, mu, ls)
        return reference_log_prob(space, lg, mu, ls, action).sum() + h_d.sum() + h_c.sum()

    got, expected = grads(ours), grads(reference)
    for g, e in zip(got, expected, strict=True):
        assert torch.isfinite(g).all()
        torch.testing.assert_close(g, e, rtol=1e-6, atol=1e-8)
    if masked:
        assert (got[0][:, [1, 6]] == 0).all()
