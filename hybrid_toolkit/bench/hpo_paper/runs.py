"""One training run of the reproduction: HPO or the PPO baseline on one task and seed.

Every run trains for a fixed number of policy updates (one update = one rollout of ``B``
scenarios over a whole episode, for both algorithms), evaluates the greedy policy on the whole
dev split every ``eval_every`` updates, and reports the test cost of its best-dev weights. Runs
are cached as JSON so an interrupted grid resumes where it stopped.
"""

from __future__ import annotations

import copy
import json
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import torch
from torch import Tensor

from hybrid_toolkit.algorithms import HPO, PPO
from hybrid_toolkit.algorithms.common.scenario_splits import batches_per_epoch
from hybrid_toolkit.algorithms.hpo import SplitEvaluator
from hybrid_toolkit.algorithms.hpo.steps import linear_anneal
from hybrid_toolkit.algorithms.ppo.paper import paper_ablation, paper_differences
from hybrid_toolkit.bench.hpo_paper.raw_actions import RawActionWrapper, greedy_env_action
from hybrid_toolkit.bench.hpo_paper.tasks import Task, task_env
from hybrid_toolkit.bench.report import cpu_name, load_average
from hybrid_toolkit.envs import HybridEnv
from hybrid_toolkit.spaces import HybridAction
from hybrid_toolkit.training import Callback, TrainingContext

Algo = Literal[
    "hpo",
    "hpo_declared",
    "hpo_decentralized",
    "hpo_low_entropy",
    "ppo",
    "ppo_paper",
    "ppo_low_entropy",
    "ppo_paper-network_layout",
    "ppo_paper-continuous_log_prob",
    "ppo_paper-reward_scaling",
    "ppo_paper-buffer_periods",
    "ppo_paper-epoch_schedule",
    "ppo_paper-kl_stop_factor",
    "ppo_paper-grad_clipping",
    "ppo_paper-train_split",
    "ppo_paper-rollout_graph",
    "ppo_paper-reward_scaling+buffer_periods",
]
ALGOS: tuple[Algo, ...] = get_args(Algo)
"""``hpo`` is the paper's HPO (the family's preset, the paper's raw network inputs);
``hpo_declared`` the same with the network input built from the env's declared features (HPO's
default, ``input_map="declared"``). ``ppo`` is this library's PPO (preset
``hpo-paper-<family>``), ``ppo_paper`` the paper's PPO (preset ``paper-<family>``: every way the
reference's PPO differs, see the PPO page). ``hpo*`` / ``ppo`` / ``ppo_paper`` anneal the entropy
coefficient 0.5 → 0.001 (the paper's schedule for both); the ``*_low_entropy`` variants keep it
at 0.01 (the paper's "PPO 3" one-off setting, the PPO preset's default), an ablation of the
schedule. ``ppo_paper-<field>`` (one per field of ``PAPER_SWITCHES``) is the paper's PPO with
only that field set back to this library's value (:func:`paper_ablation`), trained like
``ppo_paper``; ``ppo_paper-<field>+<field>`` sets those fields back together (the two largest
single effects at JRP n = 20, to see whether they add up)."""

ABLATION_PREFIX = "ppo_paper-"
ENTROPY_START, ENTROPY_END = 0.5, 0.001
"""The entropy anneal of every annealing algorithm (the paper's, HPO's presets)."""


def ablated_fields(algo: str) -> tuple[str, ...]:
    """The ``PAPER_SWITCHES`` fields a ``ppo_paper-<field>[+<field>…]`` algorithm sets back to
    ours, in its name's order (empty for every other algorithm).

    Example:
        >>> ablated_fields("ppo_paper-reward_scaling+buffer_periods"), ablated_fields("ppo")
        (('reward_scaling', 'buffer_periods'), ())
    """
    if not algo.startswith(ABLATION_PREFIX):
        return ()
    return tuple(algo.removeprefix(ABLATION_PREFIX).split("+"))


def runs_on(algo: str, task: Task) -> bool:
    """Whether ``algo`` is a distinct method on ``task``: an ablation of a field that is no
    difference on its family (e.g. ``buffer_periods`` on LQR) would be ``ppo_paper`` itself,
    and ``hpo_declared`` on an env whose declared input map is the identity (switched LQR,
    whose state is in its own units) would be ``hpo``, bit for bit."""
    if algo == "hpo_declared":
        features = task_env(task, 1, "cpu").observation_features()
        return features is not None and not features.is_identity()
    differences = paper_differences(f"paper-{task.family}")
    return all(field in differences for field in ablated_fields(algo))


def anneals(algo: str) -> bool:
    """Whether ``algo`` anneals the entropy coefficient (all but the ``*_low_entropy`` ones)."""
    return not algo.endswith("_low_entropy")


def anneal_end(updates: int, per_epoch: int, anneal_updates: int) -> float:
    """The last-epoch coefficient of a run of ``updates`` whose anneal follows the first
    ``updates`` of an ``anneal_updates``-update one (0: the run's own anneal, ``ENTROPY_END``).

    The anneal is linear per epoch, so ending the run's own anneal at the longer one's value
    at the run's last epoch reproduces the longer one's first ``updates`` exactly.

    Example:
        >>> round(anneal_end(400, 8, 1600), 4), anneal_end(400, 8, 0)
        (0.3771, 0.001)
    """
    if not anneal_updates or anneal_updates == updates:
        return ENTROPY_END
    last_epoch = (math.ceil(updates / per_epoch) - 1) * per_epoch
    return linear_anneal(ENTROPY_START, ENTROPY_END, last_epoch, per_epoch, anneal_updates)


@dataclass(frozen=True)
class RunSpec:
    """What to train.

    Attributes:
        task: The instance.
        algo: ``hpo``, ``hpo_decentralized`` or ``ppo``.
        seed: Seed of initialisation and sampling.
        hidden: Hidden sizes of every network.
        updates: Policy updates to train for.
        batch: Scenarios per rollout ``B``.
        eval_every: Updates between dev evaluations.
        entropy_anneal_updates: Length of the entropy anneal the run follows the start of (0:
            the run's own length; else at least ``updates``).
    """

    task: Task
    algo: Algo
    seed: int
    hidden: tuple[int, ...]
    updates: int
    batch: int = 128
    eval_every: int = 8
    entropy_anneal_updates: int = 0

    def __post_init__(self) -> None:
        n = self.entropy_anneal_updates
        if n < 0 or 0 < n < self.updates:
            raise ValueError(
                f"entropy_anneal_updates must be 0 or >= the run's updates ({self.updates}), "
                f"got {n}"
            )

    @property
    def anneal_horizon(self) -> int:
        """The anneal's length when it is not the run's own and the algorithm anneals, else 0
        (what the key and the settings record)."""
        n = self.entropy_anneal_updates
        return n if anneals(self.algo) and n not in (0, self.updates) else 0

    @property
    def key(self) -> str:
        """File name stem of the cached result (``__a<N>`` only for another anneal length)."""
        width = "x".join(map(str, self.hidden))
        key = f"{self.task.key}__{self.algo}__s{self.seed}__h{width}__u{self.updates}"
        return key + (f"__a{self.anneal_horizon}" if self.anneal_horizon else "")


@dataclass
class RunResult:
    """What a run produced.

    Attributes:
        task: Task key.
        algo: Algorithm.
        seed: Seed.
        curve: ``[updates, dev cost]`` of every evaluation.
        best_dev: Lowest dev cost.
        test: Test cost of the best-dev weights.
        wall_s: Wall-clock seconds of training (evaluations included).
        settings: The run's spec (hidden sizes, updates, batch …), the CPU, torch version
            and threads, and the 1-minute load average at the start and the end.
    """

    task: str
    algo: str
    seed: int
    curve: list[tuple[int, float]]
    best_dev: float
    test: float
    wall_s: float
    settings: dict[str, Any] = field(default_factory=dict)


class DevCurveCallback(Callback):
    """Evaluate on dev every ``every`` iterations and keep the best weights of ``module``.

    Args:
        evaluator: The dev split evaluator.
        act: Observations → env actions of the model being trained.
        module: The network whose best-dev state is kept (``model.policy``).
        every: Iterations between evaluations.
    """

    def __init__(
        self,
        evaluator: SplitEvaluator,
        act: Callable[[Tensor], HybridAction],
        module: Any,
        every: int,
    ) -> None:
        self.evaluator, self.act, self.module, self.every = evaluator, act, module, every
        self.curve: list[tuple[int, float]] = []
        self.best = float("inf")
        self.best_state: dict[str, Any] | None = None

    def on_iteration(self, ctx: TrainingContext) -> bool:
        if ctx.iteration % self.every == 0:
            cost = self.evaluator.evaluate(self.act)
            self.curve.append((ctx.iteration, cost))
            ctx.metrics["eval/dev_cost"] = cost
            if cost < self.best:
                self.best, self.best_state = cost, copy.deepcopy(self.module.state_dict())
        return True


class EntropyAnneal(Callback):
    """Set ``config.ent_coef`` before every update to HPO's schedule (linear per epoch).

    PPO has no entropy schedule of its own; the paper's PPO anneals 0.5 → 0.001 like HPO.

    Args:
        config: The PPO config the update reads ``ent_coef`` from.
        start: First-epoch coefficient.
        end: Last-epoch coefficient.
        total_updates: Updates of the run.
        per_epoch: Updates per training epoch.
    """

    def __init__(
        self, config: Any, start: float, end: float, total_updates: int, per_epoch: int
    ) -> None:
        self.config, self.start, self.end = config, start, end
        self.total_updates, self.per_epoch = total_updates, per_epoch

    def _set(self, update: int) -> None:
        coef = linear_anneal(self.start, self.end, update, self.per_epoch, self.total_updates)
        self.config.ent_coef = coef

    def on_training_start(self, ctx: TrainingContext) -> None:
        self._set(0)

    def on_iteration(self, ctx: TrainingContext) -> bool:
        self._set(ctx.iteration)  # the coefficient of the next update
        return True


def _horizon(task: Task) -> int:
    return int(task.config().horizon)


def build_hpo(spec: RunSpec, device: str) -> HPO:
    """HPO of ``spec`` (the paper's preset for the family, the given network sizes), untrained."""
    env = task_env(spec.task, spec.batch, device)
    preset = spec.task.family + ("-decentralized" if spec.algo == "hpo_decentralized" else "")
    low = spec.algo == "hpo_low_entropy"
    extra: dict[str, Any] = {"ent_coef": 0.01, "min_ent_coef": 0.01} if low else {}
    if spec.algo == "hpo_declared":
        extra["input_map"] = "declared"
    model = HPO(
        env,
        preset,
        seed=spec.seed,
        device=device,
        verbose=0,
        discrete_hidden=spec.hidden,
        continuous_hidden=spec.hidden,
        value_hidden=spec.hidden,
        eval_interval=spec.eval_every,
        **extra,
    )
    if spec.anneal_horizon:  # the anneal reads the config at every update
        end = anneal_end(spec.updates, model.rollouts_per_epoch, spec.anneal_horizon)
        model.config.min_ent_coef = end
    return model


def train_hpo(spec: RunSpec, device: str) -> RunResult:
    """Train HPO (the paper's preset for the family, the given network sizes)."""
    start = time.perf_counter()
    model = build_hpo(spec, device)
    model.learn(spec.updates * spec.batch * _horizon(spec.task))
    wall = time.perf_counter() - start
    test = model.evaluate_split("test")  # the best-dev weights were restored
    return RunResult(
        spec.task.key, spec.algo, spec.seed, model.dev_curve, model.best_dev_cost, test, wall
    )


def build_ppo(spec: RunSpec, device: str) -> tuple[PPO, HybridEnv, RawActionWrapper]:
    """The PPO of ``spec`` in HPO's raw-output space, untrained, with its env and wrapper:
    this library's (preset ``hpo-paper-<family>``), the paper's (``ppo_paper``: preset
    ``paper-<family>``) or the paper's with differences set back (``ppo_paper-<field>[+…]``)."""
    env = task_env(spec.task, spec.batch, device)
    family = spec.task.family
    wrapper = RawActionWrapper(
        env, shift=1.0 if family == "jrp" else 0.0, scale_feature="mean_demand"
    )
    fields = ablated_fields(spec.algo)
    preset = f"{'paper' if spec.algo == 'ppo_paper' else 'hpo-paper'}-{family}"
    settings = paper_ablation(f"paper-{family}", fields, "remove") if fields else {}
    settings.update(policy_hidden=spec.hidden, value_hidden=spec.hidden)
    model = PPO(
        wrapper, None if fields else preset, seed=spec.seed, device=device, verbose=0, **settings
    )
    return model, env, wrapper


def entropy_anneal(spec: RunSpec, config: Any, env: HybridEnv) -> EntropyAnneal | None:
    """The PPO entropy callback of ``spec``: HPO's schedule, per training epoch of ``env``'s
    train split (``None`` for ``ppo_low_entropy``)."""
    if not anneals(spec.algo):
        return None
    per_epoch = batches_per_epoch(env)
    end = anneal_end(spec.updates, per_epoch, spec.anneal_horizon)
    return EntropyAnneal(config, ENTROPY_START, end, spec.updates, per_epoch)


def train_ppo(spec: RunSpec, device: str) -> RunResult:
    """Train a PPO baseline (see :func:`build_ppo`) with HPO's entropy anneal, except
    ``ppo_low_entropy`` (the constant 0.01)."""
    start = time.perf_counter()
    model, env, wrapper = build_ppo(spec, device)
    act = greedy_env_action(model, wrapper)
    dev = DevCurveCallback(SplitEvaluator(env, "dev"), act, model.policy, spec.eval_every)
    callbacks: list[Callback] = [dev]
    anneal = entropy_anneal(spec, model.config, env)
    if anneal is not None:
        callbacks.append(anneal)
    model.learn(spec.updates * spec.batch * _horizon(spec.task), callback=callbacks)
    wall = time.perf_counter() - start
    if dev.best_state is not None:
        model.policy.load_state_dict(dev.best_state)
    test = SplitEvaluator(env, "test").evaluate(act)
    return RunResult(spec.task.key, spec.algo, spec.seed, dev.curve, dev.best, test, wall)


def run_path(spec: RunSpec, folder: Path) -> Path:
    """The cache file of ``spec`` under ``folder``."""
    return folder / f"{spec.key}.json"


def load_run(path: Path) -> RunResult:
    """A cached run."""
    data = json.loads(path.read_text())
    data["curve"] = [tuple(point) for point in data["curve"]]
    return RunResult(**data)


def train_run(spec: RunSpec, device: str) -> RunResult:
    """Train ``spec`` now (HPO or PPO as its algorithm says), its settings recorded."""
    load = load_average()
    result = (train_ppo if spec.algo.startswith("ppo") else train_hpo)(spec, device)
    result.settings = {
        "hidden": list(spec.hidden),
        "updates": spec.updates,
        "batch": spec.batch,
        "eval_every": spec.eval_every,
        "entropy_anneal_updates": spec.anneal_horizon,  # 0: the anneal spans the run
        "device": device,
        "cpu": cpu_name(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "load_average": [load, load_average()],
    }
    return result


def store_run(result: RunResult, path: Path) -> None:
    """Write ``result`` to ``path`` atomically (an interrupted write leaves no broken file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(asdict(result), indent=1))
    tmp.replace(path)


def run_cached(spec: RunSpec, folder: Path, device: str) -> RunResult:
    """The result of ``spec``: read from ``folder`` if it was run before, else trained now."""
    path = run_path(spec, folder)
    if path.exists():
        return load_run(path)
    result = train_run(spec, device)
    store_run(result, path)
    return result
