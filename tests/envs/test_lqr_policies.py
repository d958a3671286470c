"""Reference controllers of switched LQR: exactness where claimed, guarantees elsewhere."""

from __future__ import annotations

import pytest
import torch

from hybrid_toolkit.envs.families.lqr import (
    RandomLQRPolicy,
    SwitchedLinearSystem,
    SwitchedLQRConfig,
    SwitchedLQREnv,
    SwitchedRiccatiPolicy,
    fixed_mode_riccati,
    initial_states,
    min_quadratic,
    mode_sequence_values,
    paper_2d_system,
    rollout_costs,
)


def closed_form_optimum(system: SwitchedLinearSystem, x0: torch.Tensor, horizon: int) -> float:
    """Minimise Σ_t x_tᵀ Q x_t + u_tᵀ R u_t over the stacked controls by least squares.

    x_t = A^t x0 + Σ_{s<t} A^(t-1-s) B u_s, so the cost is a quadratic ½UᵀHU + gᵀU + c in
    U = (u_0, …, u_{T-1}); the optimum solves H U = -g. Independent of any Riccati recursion.
    """
    A, B, Q, R = system.A[0], system.B[0], system.Q[0], system.R[0]
    n, m = B.shape
    # x_t = F_t x0 + G_t U
    F = [torch.linalg.matrix_power(A, t) for t in range(horizon)]
    G = []
    for t in range(horizon):
        row = torch.zeros(n, m * horizon, dtype=torch.float64)
        for s in range(t):
            row[:, s * m : (s + 1) * m] = torch.linalg.matrix_power(A, t - 1 - s) @ B
        G.append(row)
    H = torch.block_diag(*[R] * horizon) * 2
    g = torch.zeros(m * horizon, dtype=torch.float64)
    c = 0.0
    for t in range(horizon):
        H = H + 2 * G[t].T @ Q @ G[t]
        g = g + 2 * G[t].T @ Q @ F[t] @ x0
        c += float(x0 @ F[t].T @ Q @ F[t] @ x0)
    U = torch.linalg.solve(H, -g)
    return float(0.5 * U @ H @ U + g @ U + c)


def float64_env(config: SwitchedLQRConfig, x0: torch.Tensor) -> SwitchedLQREnv:
    env = SwitchedLQREnv(config, num_envs=x0.shape[0], validate_actions=False)
    env.set_scenarios(x0)
    return env


@pytest.mark.parametrize("state_dim", [1, 2, 4])
def test_single_mode_riccati_is_the_exact_finite_horizon_optimum(state_dim: int) -> None:
    config = SwitchedLQRConfig(state_dim=state_dim, n_modes=1, horizon=6, precision="float64")
    x0 = initial_states(config, "dev")[:5]
    env = float64_env(config, x0)
    policy = SwitchedRiccatiPolicy.fixed_mode(env.system, 0, config.horizon)
    realised = rollout_costs(env, policy).sum(dim=1)
    for b in range(5):
        optimum = closed_form_optimum(env.system, x0[b], config.horizon)
        assert float(realised[b]) == pytest.approx(optimum, rel=1e-10)
    values, _ = fixed_mode_riccati(env.system, 0, config.horizon)
    predicted = torch.einsum("bi,ij,bj->b", x0, values[0], x0)
    assert torch.allclose(realised, predicted, rtol=1e-10)


def test_perturbing_the_riccati_controls_costs_more() -> None:
    config = SwitchedLQRConfig(state_dim=3, n_modes=1, horizon=5, precision="float64")
    x0 = initial_states(config, "dev")[:4]
    env = float64_env(config, x0)
    policy = SwitchedRiccatiPolicy.fixed_mode(env.system, 0, config.horizon)
    best = rollout_costs(env, policy).sum()
    generator = torch.Generator().manual_seed(0)

    def noisy(e: SwitchedLQREnv) -> object:
        mode, control = policy.act(e.state, e.period)
        noise = 0.05 * torch.randn(control.shape, generator=generator, dtype=torch.float64)
        return e.make_action(mode, control + noise)

    assert float(rollout_costs(env, noisy).sum()) > float(best)  # type: ignore[arg-type]


def test_value_set_controller_matches_full_enumeration_on_the_2d_example() -> None:
    horizon = 9
    system = paper_2d_system()
    config = SwitchedLQRConfig(
        system="paper_2d", state_dim=2, n_modes=2, horizon=horizon, precision="float64"
    )
    x0 = initial_states(config, "dev")[:256]
    exact = min_quadratic(x0, mode_sequence_values(system, horizon))  # 2^9 sequences
    policy = SwitchedRiccatiPolicy.value_set(system, horizon)
    realised = rollout_costs(float64_env(config, x0), policy).sum(dim=1)
    assert torch.allclose(realised, exact, rtol=1e-9)


def test_switching_controllers_never_lose_to_the_best_fixed_mode() -> None:
    config = SwitchedLQRConfig(state_dim=4, n_modes=2, precision="float64")
    x0 = initial_states(config, "dev")[:64]
    env = float64_env(config, x0)
    fixed = (
        torch.stack(
            [
                rollout_costs(env, SwitchedRiccatiPolicy.fixed_mode(env.system, m, 20)).sum(1)
                for m in range(2)
            ]
        )
        .min(dim=0)
        .values
    )
    for policy in (
        SwitchedRiccatiPolicy.lookahead(env.system, 20),
        SwitchedRiccatiPolicy.value_set(env.system, 20, max_size=16),
    ):
        realised = rollout_costs(env, policy).sum(dim=1)
        bound = policy.upper_bound(x0)
        assert bool((realised <= bound * (1 + 1e-9)).all()), policy.name
        assert bool((bound <= fixed * (1 + 1e-9)).all()), policy.name
        assert float(realised.sum()) < float(fixed.sum())  # switching helps here


def test_mode_sequence_enumeration_refuses_huge_counts() -> None:
    with pytest.raises(ValueError, match="exceeds max_sequences"):
        mode_sequence_values(paper_2d_system(), 30)


def test_random_policy_and_horizon_guard() -> None:
    env = SwitchedLQREnv(SwitchedLQRConfig(), num_envs=8)
    env.reset(seed=0)
    action = RandomLQRPolicy(torch.Generator().manual_seed(0))(env)
    env.action_space.validate(action)
    short = SwitchedRiccatiPolicy.fixed_mode(env.system, 0, 1)
    env.step(short(env))
    with pytest.raises(ValueError, match="horizon 1"):
        short(env)
