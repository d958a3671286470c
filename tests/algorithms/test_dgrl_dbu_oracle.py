"""DBU with a perfect critic: the fixed point of the expected target is the optimum, at a face
of the box and inside it, with symmetric perturbations (the default on ordinal coordinates);
the paper's clamped ones are pulled off the face (issue 15). Small iteration counts keep this a
unit test."""

from __future__ import annotations

import pytest

from hybrid_toolkit.algorithms.dgrl.dbu_oracle import oracle_fixed_point, separable_critic

FAST = {"iterations": 120, "batch": 512}


@pytest.mark.parametrize("optimum", [None, 75.0, 95.0])
@pytest.mark.parametrize("n_dims", [1, 10])
def test_symmetric_dbu_executes_the_optimum_at_a_face_and_inside(
    optimum: float | None, n_dims: int
) -> None:
    best = 100.0 if optimum is None else optimum
    point = oracle_fixed_point(separable_critic(optimum), n_dims, scheme="symmetric", **FAST)
    assert abs(point.proto - best) <= 1.0  # within 1 % of the 0..100 range
    assert abs(point.executed - best) <= 1.0


def test_clamped_dbu_is_pulled_off_a_corner_optimum() -> None:
    point = oracle_fixed_point(separable_critic(None), 10, scheme="clamp", **FAST)
    assert point.proto < 95.0  # 92.2 with 300 iterations of 2048 targets
    assert point.executed < 97.0  # 94.1


def test_dgrl_perturbs_symmetrically_on_ordinal_spaces_by_default() -> None:
    import hybrid_toolkit as ht
    from hybrid_toolkit.algorithms.dgrl.config import DGRL_PRESETS, DGRLConfig

    assert DGRLConfig().dbu_perturbation == "auto"
    for name in ("job-shop", "paper-job-shop"):
        assert DGRL_PRESETS[name]["dbu_perturbation"] == "symmetric"
    small = {"actor_hidden": (8,), "critic_hidden": (8,), "verbose": 0}
    ordinal = ht.DGRL("TargetMultiDiscrete-v0", seed=0, **small)  # ordinal levels
    # the indices of the symmetric coordinates: every one here, none on categorical ids
    assert ordinal.dbu_scheme.tolist() == list(range(ordinal.coords.dim))
    items = ht.DGRL("Recommender-v0", seed=0, **small)  # categorical item ids
    assert items.dbu_scheme.numel() == 0
