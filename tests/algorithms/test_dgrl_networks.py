"""The critic ensemble's fast paths (in-place activations, reused scratch buffers in
gradient-free CPU passes) compute exactly what the plain layer-by-layer evaluation does."""

from __future__ import annotations

import threading

import pytest
import torch
from torch import Tensor

from hybrid_toolkit.algorithms.dgrl.networks import QEnsemble


def plain_forward(critic: QEnsemble, features: Tensor, actions: Tensor) -> Tensor:
    """The reference: every layer a fresh tensor, the activation module as given."""
    batch, k = actions.shape[:2]
    n = critic.n_critics
    if critic.encoder is not None:
        state = critic.activation(critic.encoder(features))
    else:
        state = features.expand(n, -1, -1)
    state = state[:, :, None, :].expand(-1, -1, k, -1)
    x = torch.cat([state, actions.expand(n, -1, -1, -1)], dim=-1).reshape(n, batch * k, -1)
    for layer in critic.hidden_layers:
        x = critic.activation(layer(x))
    return critic.output(x).reshape(n, batch, k)


def critic_and_inputs(
    activation: str, state_encoder: bool, batch: int = 5, k: int = 7
) -> tuple[QEnsemble, Tensor, Tensor]:
    torch.manual_seed(0)
    critic = QEnsemble(6, 4, (32, 16, 8), activation, state_encoder, n_critics=2)
    return critic, torch.randn(batch, 6), torch.rand(batch, k, 4) * 2 - 1


@pytest.mark.parametrize("activation", ["relu", "tanh", "elu", "gelu", "silu"])
@pytest.mark.parametrize("state_encoder", [False, True])
def test_forward_matches_the_plain_evaluation_bit_for_bit(
    activation: str, state_encoder: bool
) -> None:
    critic, features, actions = critic_and_inputs(activation, state_encoder)
    with torch.no_grad():
        expected = plain_forward(critic, features, actions)
        assert torch.equal(critic(features, actions), expected)  # scratch buffers
        with torch.inference_mode():
            assert torch.equal(critic(features, actions), expected)
        # a smaller batch reuses the grown buffers; the first result is not overwritten
        first = critic(features, actions)
        critic(features[:2], actions[:2, :3])
        assert torch.equal(first, expected)
    assert torch.equal(critic(features, actions).detach(), expected)  # with autograd


@pytest.mark.parametrize("activation", ["relu", "tanh", "elu", "gelu", "silu"])
def test_gradients_match_the_plain_evaluation_bit_for_bit(activation: str) -> None:
    critic, features, actions = critic_and_inputs(activation, state_encoder=True)
    actions.requires_grad_(True)
    critic(features, actions).sum().backward()
    fast = [p.grad.clone() for p in critic.parameters()] + [actions.grad.clone()]
    critic.zero_grad()
    actions.grad = None
    plain_forward(critic, features, actions).sum().backward()
    slow = [p.grad for p in critic.parameters()] + [actions.grad]
    assert all(torch.equal(a, b) for a, b in zip(fast, slow, strict=True))


def test_buffers_made_in_inference_mode_serve_no_grad_passes() -> None:
    critic, features, actions = critic_and_inputs("relu", state_encoder=False, batch=97, k=13)
    with torch.inference_mode():
        critic(features, actions)  # the first pass of this size makes the buffers
    with torch.no_grad():
        assert torch.equal(critic(features, actions), plain_forward(critic, features, actions))


def test_threads_do_not_share_scratch_buffers() -> None:
    critic, features, actions = critic_and_inputs("relu", state_encoder=False, batch=64, k=33)
    with torch.no_grad():
        expected = plain_forward(critic, features, actions)
    failures: list[str] = []

    def worker() -> None:
        with torch.no_grad():
            for _ in range(20):
                if not torch.equal(critic(features, actions), expected):
                    failures.append("mismatch")

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures


def test_passes_above_the_scratch_limit_allocate_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    from hybrid_toolkit.algorithms.dgrl import networks

    monkeypatch.setattr(networks._Scratch, "limit", 100)
    assert networks._SCRATCH.take(0, (2, 10, 6), torch.float32) is None
    critic, features, actions = critic_and_inputs("relu", state_encoder=False)
    with torch.no_grad():
        assert torch.equal(critic(features, actions), plain_forward(critic, features, actions))
