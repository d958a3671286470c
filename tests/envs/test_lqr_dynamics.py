"""Switched-LQR dynamics: hand-computed steps, the generator, gradients, a Python reference."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from hybrid_toolkit.envs.families.lqr import (
    SwitchedLQRConfig,
    SwitchedLQREnv,
    SwitchedRiccatiPolicy,
    generate_switched_lqr_matrices,
    initial_states,
)
from hybrid_toolkit.spaces import HybridAction

PAPER_2D = {"system": "paper_2d", "state_dim": 2, "n_modes": 2, "precision": "float64"}


def env_from(x0: list[list[float]], **overrides: object) -> SwitchedLQREnv:
    config = SwitchedLQRConfig(**{**PAPER_2D, **overrides})  # type: ignore[arg-type]
    env = SwitchedLQREnv(config, num_envs=len(x0))
    env.set_scenarios(torch.tensor(x0, dtype=torch.float64))
    env.reset()
    return env


def act(env: SwitchedLQREnv, mode: int, u: float) -> float:
    action = env.make_action(torch.tensor([mode]), torch.tensor([[u]], dtype=torch.float64))
    return -float(env.step(action).reward[0])


def test_paper_2d_steps_worked_by_hand() -> None:
    env = env_from([[1.0, 2.0]])
    # mode 0: A = [[2, 1], [0, 1]], B = [1, 1]: cost |x|² + u² = 1 + 4 + 1, x' = (5, 3)
    assert act(env, 0, 1.0) == 6.0
    assert env.state.tolist() == [[5.0, 3.0]]
    # mode 1: A = [[2, 1], [0, 0.5]], B = [1, 2]: cost 25 + 9 + 4, x' = (13 - 2, 1.5 - 4)
    assert act(env, 1, -2.0) == 38.0
    assert env.state.tolist() == [[11.0, -2.5]]


def test_clipping_and_cost_on_the_pre_transition_state() -> None:
    env = env_from([[60.0, 0.0]])
    assert act(env, 0, 0.0) == 3600.0  # cost of x0, before the move to (120, 0)
    assert env.state.tolist() == [[100.0, 0.0]]  # clipped
    assert act(env, 0, 0.0) == 10000.0  # the clipped state is what the next cost sees
    unclipped = env_from([[60.0, 0.0]], state_clip=float("inf"))
    act(unclipped, 0, 0.0)
    assert unclipped.state.tolist() == [[120.0, 0.0]]


def test_generator_follows_the_spec() -> None:
    system = generate_switched_lqr_matrices(5, 2, seed=0)
    noise = np.random.default_rng(0).standard_normal((5, 5))
    noise = (noise + noise.T) / 2
    expected_a = 1.10 * np.eye(5) + 0.05 * noise / np.abs(noise).max()
    assert np.allclose(system.A[0].numpy(), expected_a, rtol=0, atol=1e-15)
    assert torch.equal(system.A[0], system.A[1])
    # array_split: groups {0, 1, 2} and {3, 4}
    assert torch.diagonal(system.B[0]).tolist() == [1.0, 1.0, 1.0, 0.15, 0.15]
    assert torch.diagonal(system.B[1]).tolist() == [0.15, 0.15, 0.15, 1.0, 1.0]
    assert torch.equal(system.Q[1], torch.eye(5, dtype=torch.float64))
    assert torch.allclose(system.R[0], 0.1 * torch.eye(5, dtype=torch.float64))


def episode_cost(env: SwitchedLQREnv, modes: torch.Tensor, controls: torch.Tensor) -> torch.Tensor:
    env.reset()
    total = torch.zeros((), dtype=torch.float64)
    for t in range(env.horizon):
        total = total - env.step(env.make_action(modes[t], controls[t])).reward.sum()
    return total


@pytest.mark.parametrize(
    "config",
    [
        SwitchedLQRConfig(**PAPER_2D, horizon=4),  # type: ignore[arg-type]
        SwitchedLQRConfig(state_dim=3, n_modes=2, horizon=4, precision="float64"),
        SwitchedLQRConfig(state_dim=3, n_modes=1, horizon=4, precision="float64"),
    ],
    ids=["paper_2d", "generated", "single_mode"],
)
def test_episode_cost_gradcheck_in_controls(config: SwitchedLQRConfig) -> None:
    env = SwitchedLQREnv(config, num_envs=3)
    env.set_scenarios(env.scenarios("dev")[:3])
    generator = torch.Generator().manual_seed(0)
    modes = torch.randint(0, config.n_modes, (config.horizon, 3), generator=generator)
    size = (config.horizon, 3, env.control_dim)
    controls = torch.randn(*size, generator=generator, dtype=torch.float64).requires_grad_(True)
    assert torch.autograd.gradcheck(
        lambda u: episode_cost(env, modes, u), (controls,), eps=1e-6, atol=1e-6
    )


def python_metric(system: object, x0: torch.Tensor, modes: list, controls: list) -> float:
    """Replay recorded actions with Python floats, one scenario at a time."""
    A, B, Q, R = (getattr(system, k).tolist() for k in "ABQR")
    total = 0.0
    n = len(A[0])
    for b, x in enumerate(x0.tolist()):
        for t in range(len(modes)):
            m, u = modes[t][b], controls[t][b]
            total += sum(x[i] * Q[m][i][j] * x[j] for i in range(n) for j in range(n))
            total += sum(u[i] * R[m][i][j] * u[j] for i in range(len(u)) for j in range(len(u)))
            x = [
                sum(A[m][i][j] * x[j] for j in range(n))
                + sum(B[m][i][k] * u[k] for k in range(len(u)))
                for i in range(n)
            ]
            x = [min(max(v, -100.0), 100.0) for v in x]
    return total / (x0.shape[0] * len(modes) * n)


@pytest.mark.parametrize("system", ["paper_2d", "generated"])
def test_reported_metric_matches_a_pure_python_replay(system: str) -> None:
    if system == "paper_2d":
        config = SwitchedLQRConfig(**PAPER_2D)  # type: ignore[arg-type]
    else:
        config = SwitchedLQRConfig(state_dim=3, n_modes=2, precision="float64")
    x0 = initial_states(config, "dev")[:10]
    env = SwitchedLQREnv(config, num_envs=10)
    env.set_scenarios(x0)
    policy = SwitchedRiccatiPolicy.lookahead(env.system, config.horizon)
    env.reset()
    modes, controls, costs = [], [], []
    for _ in range(config.horizon):
        action = policy(env)
        modes.append(action.discrete[:, 0].tolist())
        blocks = action.continuous.reshape(10, env.n_modes, env.control_dim)
        controls.append(blocks[torch.arange(10), action.discrete[:, 0]].tolist())
        costs.append(-env.step(action).reward)
    batched = float(env.reported_metric(torch.stack(costs, dim=1)))
    assert {m for row in modes for m in row} == {0, 1}  # the lookahead really switches
    assert batched == pytest.approx(python_metric(env.system, x0, modes, controls), rel=1e-12)


def test_inactive_mode_blocks_are_never_read() -> None:
    # Each row reads only its chosen mode's control block: NaN elsewhere changes nothing and
    # the gradient of the unused block is exactly zero.
    env = env_from([[1.0, 2.0], [1.0, 2.0]])
    u = torch.tensor([[1.0, torch.nan], [torch.nan, -2.0]], dtype=torch.float64)
    u.requires_grad_(True)
    step = env.step(HybridAction(torch.tensor([[0], [1]]), u))
    assert (-step.reward).tolist() == [6.0, 9.0]  # |x|² + u², u = 1 (mode 0) and u = -2 (mode 1)
    assert env.state.tolist() == [[5.0, 3.0], [2.0, -3.0]]
    step.reward.sum().backward()
    assert u.grad is not None
    assert u.grad[0, 1].item() == 0.0 and u.grad[1, 0].item() == 0.0
    assert u.grad[0, 0].item() == -2.0 and u.grad[1, 1].item() != 0.0
