"""HPO's optimisation steps: per-group clipping and the discrete-only PPO epochs (spec §3.4).

After epoch 0 the rollout's graph is gone ("pathwise gradients can be used only once"): the
remaining ``n_epochs - 1`` epochs are plain PPO on the detached, trimmed batch — clipped
surrogate of the discrete log-probability, value loss, entropy bonus — over shuffled
minibatches, stopped early once the approximate KL exceeds ``target_kl``. The continuous
network receives no gradient there.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor

from hybrid_toolkit.algorithms.common.grouped_clipping import GroupedModel, clip_groups
from hybrid_toolkit.algorithms.hpo.batch import HPOBatch, normalize
from hybrid_toolkit.algorithms.hpo.config import HPOConfig
from hybrid_toolkit.algorithms.hpo.estimator import GradientPieces
from hybrid_toolkit.algorithms.hpo.policy import HPOPolicy
from hybrid_toolkit.spaces import HybridAction

GROUPS = ("discrete", "continuous", "value")
"""HPO's parameter groups, one per network (one Adam group and one clipping norm each)."""


def clip_and_step(
    policy: GroupedModel,
    optimizer: torch.optim.Optimizer,
    names: Sequence[str],
    max_norm: float,
) -> dict[str, float]:
    """Clip each named group's gradient norm separately, then take one optimizer step.

    Returns:
        ``train/grad_norm_<group>``: each group's norm before clipping.
    """
    norms = clip_groups(policy, names, max_norm)
    optimizer.step()
    return to_floats(norms)


def discrete_ppo_epochs(
    policy: HPOPolicy,
    optimizer: torch.optim.Optimizer,
    data: HPOBatch,
    cfg: HPOConfig,
    ent_coef: float,
    generator: torch.Generator,
) -> dict[str, float]:
    """Epochs ``1 … n_epochs-1`` on the detached batch; returns mean KL / clip fraction.

    ``train/n_updates`` counts the optimizer steps of this update, epoch 0 included (`HPO`
    adds them to its cumulative count).
    """
    sums: dict[str, float] = {}
    steps = 0
    for _ in range(1, cfg.n_epochs):
        perm = torch.randperm(len(data), generator=generator, device=generator.device)
        stop = False
        for idx in perm.to(data.advantages.device).chunk(cfg.n_minibatches):
            stats = _minibatch_step(policy, optimizer, data, idx, cfg, ent_coef)
            for key, value in stats.items():
                sums[key] = sums.get(key, 0.0) + value
            steps += 1
            if cfg.target_kl and stats["train/approx_kl"] > cfg.target_kl:
                stop = True
                break
        if stop:
            break
    metrics = {key: value / steps for key, value in sums.items()} if steps else {}
    metrics["train/n_updates"] = float(1 + steps)
    return metrics


def _minibatch_step(
    policy: HPOPolicy,
    optimizer: torch.optim.Optimizer,
    data: HPOBatch,
    idx: Tensor,
    cfg: HPOConfig,
    ent_coef: float,
) -> dict[str, float]:
    feats, action = data.feats[idx], data.discrete[idx]
    dist = policy.discrete_distribution(feats)
    log_prob, _ = dist.log_prob_parts(HybridAction(action, feats.new_zeros(len(idx), 0)))
    entropy, _ = dist.entropy_parts()
    adv = data.advantages[idx]
    adv = normalize(adv) if cfg.normalize_advantage else adv
    log_ratio = log_prob - data.old_log_prob[idx]
    ratio = log_ratio.exp()
    clipped = torch.clamp(ratio, 1 - cfg.clip_range, 1 + cfg.clip_range)
    policy_loss = torch.max(-adv * ratio, -adv * clipped).mean()
    value_loss = 0.5 * (policy.value(feats) - data.returns[idx]).square().mean()
    loss = policy_loss + cfg.vf_coef * value_loss - ent_coef * entropy.mean()
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    clip_and_step(policy, optimizer, ("discrete", "value"), cfg.max_grad_norm)
    with torch.no_grad():
        approx_kl = ((ratio - 1) - log_ratio).mean()
        clip_fraction = ((ratio - 1).abs() > cfg.clip_range).to(approx_kl.dtype).mean()
    return to_floats({"train/approx_kl": approx_kl, "train/clip_fraction": clip_fraction})


def linear_anneal(
    start: float, end: float, update: int, updates_per_epoch: int, total_updates: int
) -> float:
    """A coefficient annealed linearly per training epoch: ``start`` in the first epoch,
    ``end`` in the last epoch of ``total_updates`` (HPO's entropy schedule, spec §3.4)."""
    epochs = max(1, math.ceil(max(total_updates, 1) / updates_per_epoch))
    frac = min(1.0, (update // updates_per_epoch) / (epochs - 1)) if epochs > 1 else 0.0
    return start + frac * (end - start)


def piece_metrics(split: GradientPieces) -> dict[str, float]:
    """``train/grad_norm_{score_function,cross,pathwise}`` and the cross–pathwise cosine."""
    norms = split.norms()
    metrics = {f"train/grad_norm_{k}": norms[k] for k in ("score_function", "cross", "pathwise")}
    if split.cross.numel():
        cosine = torch.nn.functional.cosine_similarity(split.cross, split.pathwise, dim=0)
        metrics["train/cross_pathwise_cosine"] = float(cosine)
    return metrics


def to_floats(values: dict[str, Tensor]) -> dict[str, float]:
    """Scalar tensors as floats with one device sync."""
    if not values:
        return {}
    numbers = torch.stack([v.detach().to(torch.float64) for v in values.values()]).tolist()
    return dict(zip(values, numbers, strict=True))


def assign_flat_grad(params: Sequence[torch.nn.Parameter], flat: Tensor) -> None:
    """Write a flat gradient vector into ``params``' ``.grad`` (parameter order)."""
    offset = 0
    for p in params:
        p.grad = flat[offset : offset + p.numel()].view_as(p).clone()
        offset += p.numel()
