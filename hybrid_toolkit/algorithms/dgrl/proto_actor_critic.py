"""The machinery DGRL and H-Cacla share, written once: networks, replay loop, critic update.

* `ProtoActorCritic` bundles the state features, the proto-action actor, the critics and their
  Polyak-averaged targets (plus a target actor for DDPG-style training) in one module, and
  encodes actions the way the critics read them: relaxed coordinates scaled to [-1, 1], with
  continuous parameters that are inactive for the chosen discrete values set to 0.
* `ReplayRunner` steps the batched env with a policy (or uniformly at random during the warm-up),
  stores every transition in the shared `ReplayBuffer` and knows when updates may start.
* `critic_update` is one TD step of the critic ensemble with the clipped double-Q target (the
  minimum over the target critics is computed by the caller, who knows the next action).
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import gymnasium
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from hybrid_toolkit.algorithms.common.finite import require_finite_proto
from hybrid_toolkit.algorithms.common.off_policy import ReplayBatch, ReplayBuffer, polyak_update
from hybrid_toolkit.algorithms.dgrl.features import StateFeatures
from hybrid_toolkit.algorithms.dgrl.networks import ProtoActor, QEnsemble
from hybrid_toolkit.algorithms.dgrl.off_policy_config import ProtoOffPolicyConfig
from hybrid_toolkit.envs import HybridEnv
from hybrid_toolkit.nn import NONFINITE_PARAMETERS, count_nonfinite
from hybrid_toolkit.spaces import HybridAction, RelaxedCoordinates
from hybrid_toolkit.training import EpisodeStats

Policy = Callable[[Tensor], HybridAction]
"""Maps raw observations ``[B, *obs_shape]`` to actions."""


class ProtoActorCritic(nn.Module):
    """Features, actor, critics and targets of a proto-action actor-critic.

    Args:
        observation_space: The env's per-scenario observation box.
        coords: Relaxed coordinates of the action space (on the networks' device).
        config: The shared hyperparameters.
        target_actor: Also keep a Polyak-averaged copy of the actor (DDPG).
    """

    def __init__(
        self,
        observation_space: gymnasium.spaces.Box,
        coords: RelaxedCoordinates,
        config: ProtoOffPolicyConfig,
        target_actor: bool = False,
    ) -> None:
        super().__init__()
        self.coords = coords
        space = coords.space
        unbounded = ~(torch.isfinite(space.low) & torch.isfinite(space.high))
        if bool(unbounded.any()):
            j = int(torch.nonzero(unbounded)[0])
            raise ValueError(
                f"proto-action algorithms need finite bounds on every continuous parameter: the "
                f"actor's tanh output is scaled into [low, high], but {space.continuous_label(j)} "
                f"has low={float(space.low[j])}, high={float(space.high[j])}"
            )
        self.features = StateFeatures(observation_space, config.obs_scaling, config.fourier_order)
        feat, dim = self.features.out_dim, coords.dim
        self.actor = ProtoActor(feat, dim, config.actor_hidden, config.activation)
        self.critic = QEnsemble(
            feat,
            dim,
            config.critic_hidden,
            config.activation,
            config.critic_state_encoder,
            config.n_critics,
        )
        self.critic_target = copy.deepcopy(self.critic).requires_grad_(False)
        self.actor_target: ProtoActor | None = (
            copy.deepcopy(self.actor).requires_grad_(False) if target_actor else None
        )
        self._governed = bool(space.activation)
        self._always_active = space.always_active.to(coords.device)
        # comp -> bool [n_choices, n_continuous]: which parameters each choice activates
        self._tables: dict[int, Tensor] = {}
        for comp, per_choice in space.activation.items():
            table = torch.zeros(len(per_choice), space.n_continuous, dtype=torch.bool)
            for choice, dims in enumerate(per_choice):
                table[choice, list(dims)] = True
            self._tables[comp] = table.to(coords.device)

    def active_mask(self, discrete: Tensor) -> Tensor:
        """Bool ``[..., n_continuous]``: parameters active for discrete actions ``[..., n_d]``."""
        lead = discrete.shape[:-1]
        mask = self._always_active.expand(*lead, self.coords.n_continuous).clone()
        for comp, table in self._tables.items():
            mask |= table[discrete[..., comp]]
        return mask

    def mask_inactive(self, unit: Tensor, discrete: Tensor) -> Tensor:
        """Zero the continuous coordinates of ``unit [..., D]`` inactive for ``discrete``."""
        if not self._governed:
            return unit
        n_d = self.coords.n_discrete
        active = self.active_mask(discrete)
        cont = torch.where(active, unit[..., n_d:], torch.zeros_like(unit[..., n_d:]))
        return torch.cat([unit[..., :n_d], cont], dim=-1)

    def encode_unit(self, discrete: Tensor, continuous: Tensor) -> Tensor:
        """Unit-box coordinates ``[..., D]`` of actions given as ``[..., n_d]`` indices and
        ``[..., n_c]`` values."""
        coords = self.coords
        box = torch.cat([coords.positions_of(discrete), continuous.to(coords.dtype)], dim=-1)
        return coords.to_unit(box)

    def critic_actions(self, discrete: Tensor, continuous: Tensor) -> Tensor:
        """Critic input ``[..., D]``: `encode_unit` with inactive parameters set to 0."""
        return self.mask_inactive(self.encode_unit(discrete, continuous), discrete)

    def unit_actions(self, unit: Tensor) -> tuple[Tensor, Tensor]:
        """Nearest valid actions of unit-box points ``[..., D]``: ``(indices, values)``.

        Discrete coordinates round to the nearest choice, continuous ones are clamped.
        """
        box = self.coords.from_unit(require_finite_proto(unit))
        return self.coords.project_indices(box), self.coords.clamp_continuous(box)

    def soft_update_targets(self, tau: float) -> None:
        """Polyak-average the target critics (and the target actor, if any) toward the online."""
        polyak_update(self.critic.parameters(), self.critic_target.parameters(), tau)
        if self.actor_target is not None:
            polyak_update(self.actor.parameters(), self.actor_target.parameters(), tau)


def clip_and_step(
    loss: Tensor, optimizer: torch.optim.Optimizer, module: nn.Module, max_grad_norm: float
) -> Tensor:
    """Backward, optional gradient-norm clip, optimizer step; returns the gradient norm."""
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    params = [p for p in module.parameters() if p.grad is not None]
    if max_grad_norm > 0:
        norm = torch.nn.utils.clip_grad_norm_(params, max_grad_norm)
    else:
        norm = torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in params]))  # type: ignore[union-attr]
    optimizer.step()
    return norm.detach()


def critic_update(
    model: ProtoActorCritic,
    optimizer: torch.optim.Optimizer,
    config: ProtoOffPolicyConfig,
    features: Tensor,
    batch: ReplayBatch,
    next_value: Tensor,
) -> dict[str, Tensor]:
    """One TD step of every critic toward ``r * scale + gamma * (1 - terminated) * next_value``.

    Args:
        model: The networks (the targets are Polyak-updated afterwards).
        optimizer: The critics' optimizer.
        config: Loss, discount, reward scale, clipping and Polyak factor.
        features: ``[N, F]`` features of ``batch.obs``.
        batch: The replay minibatch.
        next_value: ``[N]`` target value of the successor (already the clipped double-Q
            minimum over the target critics), without gradient.

    Returns:
        ``train/critic_loss``, ``train/q_mean``, ``train/critic_grad_norm`` (tensors).
    """
    bootstrap = (~batch.terminated).to(next_value.dtype)
    target = config.reward_scale * batch.reward + config.gamma * bootstrap * next_value
    action = model.critic_actions(batch.action.discrete, batch.action.continuous)
    q = model.critic(features, action[:, None, :])[..., 0]  # [n_critics, N]
    target = target.detach()[None].expand_as(q)
    if config.critic_loss == "huber":
        per_critic = F.huber_loss(q, target, reduction="none", delta=1.0).mean(dim=1)
    else:
        per_critic = F.mse_loss(q, target, reduction="none").mean(dim=1)
    loss = per_critic.sum()
    grad_norm = clip_and_step(loss, optimizer, model.critic, config.max_grad_norm)
    model.soft_update_targets(config.tau)
    return {
        "train/critic_loss": loss.detach() / q.shape[0],
        "train/q_mean": q.detach().mean(),
        "train/critic_grad_norm": grad_norm,
    }


def build_optimizers(
    model: ProtoActorCritic, config: ProtoOffPolicyConfig
) -> tuple[torch.optim.Adam, torch.optim.Adam]:
    """Adam for the actor and for the critics, with the config's learning rates."""
    actor = torch.optim.Adam(model.actor.parameters(), lr=config.actor_lr, foreach=True)
    critic = torch.optim.Adam(model.critic.parameters(), lr=config.critic_lr, foreach=True)
    return actor, critic


def gradient_round(
    runner: ReplayRunner,
    model: ProtoActorCritic,
    critic_optimizer: torch.optim.Optimizer,
    next_value: Callable[[Tensor], Tensor],
    actor_step: Callable[[Tensor], dict[str, Tensor]],
    critic_updates: int,
    actor_delay: int = 1,
) -> tuple[dict[str, float], int]:
    """``gradient_steps`` critic updates, each followed by an actor step every ``actor_delay``.

    Args:
        runner: Where minibatches come from (its config sets the number of steps).
        model: The networks.
        critic_optimizer: Optimizer of the critics.
        next_value: Successor features ``[N, F]`` → ``[N]`` clipped double-Q target values
            (called without gradient).
        actor_step: State features ``[N, F]`` → metrics, after updating the actor.
        critic_updates: Critic updates done so far (for the actor delay).
        actor_delay: Actor steps happen on every ``actor_delay``-th critic update.

    Returns:
        The mean metrics (with ``train/n_updates``) and the new number of critic updates.
    """
    sums = MetricSums()
    for _ in range(runner.config.gradient_steps):
        batch = runner.sample()
        features = model.features(batch.obs)
        with torch.no_grad():
            target = next_value(model.features(batch.next_obs))
        sums.add(critic_update(model, critic_optimizer, runner.config, features, batch, target))
        critic_updates += 1
        if critic_updates % actor_delay == 0:
            sums.add(actor_step(features))
    # read back with the means in one sync; the trainer stops on a non-zero count
    sums.add({NONFINITE_PARAMETERS: count_nonfinite([model.actor, model.critic])})
    return {**sums.means(), "train/n_updates": float(critic_updates)}, critic_updates


class ReplayRunner:
    """Steps the env into the replay buffer; random warm-up and update start by budget share.

    Args:
        env: The batched environment.
        config: ``train_freq``, ``buffer_size``, ``batch_size`` and the warm-up fractions.
        features: Their running statistics (if any) see every new observation.
        episode_stats: Fed with every finished episode.
        generator: The algorithm's random stream (uniform warm-up actions, minibatches).
        device: Storage device of the buffer.
    """

    def __init__(
        self,
        env: HybridEnv,
        config: ProtoOffPolicyConfig,
        features: StateFeatures,
        episode_stats: EpisodeStats,
        generator: torch.Generator,
        device: torch.device,
    ) -> None:
        self.env = env
        self.config = config
        self.features = features
        self.episode_stats = episode_stats
        self.generator = generator
        self.device = device
        space = env.action_space
        self.buffer = ReplayBuffer(
            config.buffer_size, env.obs_shape, space.n_discrete, space.n_continuous, device
        )
        self._obs: Tensor | None = None

    def reset(self) -> None:
        """Start from a fresh env reset at the next `collect` (the buffer is kept)."""
        self._obs = None

    def warming_up(self, num_timesteps: int, total_timesteps: int) -> bool:
        """Whether actions are still uniformly random (``warmup_fraction`` of the budget)."""
        return num_timesteps < self.config.warmup_fraction * total_timesteps

    def ready(self, num_timesteps: int, total_timesteps: int) -> bool:
        """Whether gradient steps may run (enough data, past ``learning_starts_fraction``)."""
        enough = len(self.buffer) >= self.config.batch_size
        return enough and num_timesteps >= self.config.learning_starts_fraction * total_timesteps

    def random_action(self, obs: Tensor) -> HybridAction:
        """Uniformly random actions for a batch of observations."""
        space = self.env.action_space
        return space.sample(obs.shape[0], generator=self.generator, device=self.device)

    @torch.no_grad()
    def collect(self, explore: Policy, num_timesteps: int, total_timesteps: int, seed: int) -> int:
        """``train_freq`` batched steps into the buffer; returns the transitions stored.

        Args:
            explore: The algorithm's training policy (raw observations -> actions).
            num_timesteps: Steps so far; while `warming_up` the actions are uniform instead.
            total_timesteps: The run's budget (the warm-up is a share of it).
            seed: Seeds the env reset when a fresh run starts.
        """
        warm = self.warming_up(num_timesteps, total_timesteps)
        policy = self.random_action if warm else explore
        env = self.env
        if self._obs is None:
            self._obs = env.reset(seed=seed).to(self.device)
            self.features.update(self._obs)
        obs = self._obs
        for _ in range(self.config.train_freq):
            action = policy(obs)
            step = env.step(action)
            self.buffer.add_step(obs, action, step)
            done = step.terminated | step.truncated
            self.episode_stats.add(step.info["episode_return"], step.info["episode_length"], done)
            obs = step.obs.to(self.device)
            self.features.update(obs)
        self._obs = obs
        return self.config.train_freq * env.num_envs

    def sample(self) -> ReplayBatch:
        """A uniformly sampled minibatch of ``batch_size`` transitions."""
        return self.buffer.sample(self.config.batch_size, self.generator)


class MetricSums:
    """Sums metric tensors over gradient steps; `means` syncs with the device once."""

    def __init__(self) -> None:
        self._sums: dict[str, Tensor] = {}
        self._counts: dict[str, int] = {}

    def add(self, metrics: dict[str, Tensor]) -> None:
        """Add one step's metrics."""
        for key, value in metrics.items():
            value = value.detach().float()
            self._sums[key] = self._sums[key] + value if key in self._sums else value
            self._counts[key] = self._counts.get(key, 0) + 1

    def means(self) -> dict[str, float]:
        """The mean of every metric over the steps it was added in."""
        if not self._sums:
            return {}
        keys = list(self._sums)
        values = torch.stack([self._sums[k] / self._counts[k] for k in keys]).tolist()
        return dict(zip(keys, values, strict=True))
