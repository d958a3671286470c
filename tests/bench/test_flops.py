"""The matrix-multiply floor helpers count what torch runs and combine timed updates honestly."""

from __future__ import annotations

import pytest
import torch

from hybrid_toolkit.bench.speed.flops import counted_flops, cpu_timed, mm_rate
from hybrid_toolkit.bench.speed.hpo_update import matmul_floor


def test_counted_flops_counts_forward_and_backward_matrix_products() -> None:
    x = torch.randn(16, 8)
    w = torch.randn(8, 4, requires_grad=True)

    def forward_backward() -> torch.Tensor:
        y = torch.tanh(x @ w)  # 2·16·8·4 FLOPs; tanh is not a matrix product
        y.sum().backward()  # the weight gradient x^T·g: 2·8·16·4 more
        return y

    flops, y = counted_flops(forward_backward)
    assert flops == 2 * (2 * 16 * 8 * 4)
    assert y.shape == (16, 4)


def test_mm_rate_and_cpu_timed_return_positive_measurements() -> None:
    assert mm_rate(8, 16, repeats=1) > 0
    seconds, out = cpu_timed(lambda: 3)
    assert out == 3 and seconds >= 0


def test_matmul_floor_scales_the_ppo_flops_with_each_update_s_steps() -> None:
    counted = {"PPO epochs": 40.0, "total": 100.0, "ppo_steps": 4.0}
    runs = [
        {"ppo_steps": 2.0, "mm_rate": 10.0, "cpu": 10.0},  # 60 + 2·10 = 80 FLOPs, floor 8 s
        {"ppo_steps": 4.0, "mm_rate": 10.0, "cpu": 20.0},  # 100 FLOPs, floor 10 s
        {"ppo_steps": 0.0, "mm_rate": 20.0, "cpu": 6.0},  # 60 FLOPs, floor 3 s
    ]
    floor = matmul_floor(counted, runs)
    assert floor["gflop"] == pytest.approx(80e-9)
    assert floor["mm_gflops"] == pytest.approx(10e-9)
    assert floor["cpu_seconds"] == pytest.approx(10.0)
    assert floor["share"] == pytest.approx(0.5)  # median of 0.8, 0.5, 0.5
