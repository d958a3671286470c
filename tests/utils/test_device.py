"""`resolve_device`: "auto" picks CUDA when present; impossible devices fail clearly."""

from __future__ import annotations

import pytest
import torch

import hybrid_toolkit as ht
from hybrid_toolkit.algorithms.ppo import PPO
from hybrid_toolkit.utils.device import resolve_device


def test_auto_is_cuda_when_available_else_cpu() -> None:
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == expected
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device(torch.device("cpu")) == torch.device("cpu")


@pytest.mark.parametrize(
    ("device", "pattern"),
    [
        ("banana", r"device must be 'auto', 'cpu', 'cuda' or 'cuda:N'.*got 'banana'"),
        (3, r"device must be 'auto', a device string.*got 3"),
        ("cuda:99", r"device must .*got 'cuda:99'"),
    ],
)
def test_invalid_devices_are_value_errors_naming_the_device(device: object, pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        resolve_device(device)  # type: ignore[arg-type]


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without a usable GPU")
def test_cuda_without_cuda_fails_at_construction() -> None:
    with pytest.raises(ValueError, match=r"no CUDA.*got 'cuda'|sees no CUDA GPU.*got 'cuda'"):
        ht.make("TargetRegime-v0", device="cuda")
    env = ht.make("TargetRegime-v0", num_envs=2)
    with pytest.raises(ValueError, match="got 'cuda'"):
        PPO(env, device="cuda", verbose=0)


def test_library_defaults_are_auto() -> None:
    expected = resolve_device("auto")
    env = ht.make("TargetRegime-v0", num_envs=2)
    assert env.device.type == expected.type
    assert PPO(env, verbose=0).device.type == expected.type
