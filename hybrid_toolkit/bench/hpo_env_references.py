"""``hybrid-toolkit bench hpo-env-references``: reference-policy costs of the HPO environments.

Joint replenishment (both instances, n ∈ {1, 3, 5, 10, 20, 50}): random, newsvendor
base-stock, and the joint (s, S) policy tuned by grid search on the dev split; costs are the
reported metric (average cost per period per item, periods ≥ 16) on the test split, plus the
tuned policy's dev value. Switched LQR: the generator grid n × M and the 2-D example, with the
random policy, every fixed-mode Riccati controller, the lookahead and the value-set controllers,
and for the 2-D example the exact optimum by enumerating every mode sequence.

Writes ``hpo-env-references.{json,md}`` under ``--out-dir``; ``--docs-dir docs/envs`` rewrites
the tables of ``joint-replenishment.md`` and ``switched-lqr.md`` (the committed ones come from
``--mode full``).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

import torch

from hybrid_toolkit.bench.registry import BY_MODE, BenchOptions, register_suite, with_mode_defaults
from hybrid_toolkit.bench.report import (
    environment,
    environment_lines,
    load_average,
    publish,
    replace_named_block,
    write_json,
)
from hybrid_toolkit.envs.families.inventory import JointReplenishmentConfig, make_instance
from hybrid_toolkit.envs.families.inventory.policies import (
    BaseStockPolicy,
    RandomInventoryPolicy,
    tune_joint_ss,
)
from hybrid_toolkit.envs.families.inventory.policies import evaluate_policy as evaluate_jrp
from hybrid_toolkit.envs.families.lqr import (
    RandomLQRPolicy,
    SwitchedLQRConfig,
    SwitchedRiccatiPolicy,
    initial_states,
    make_system,
    min_quadratic,
    mode_sequence_values,
)
from hybrid_toolkit.envs.families.lqr import evaluate_policy as evaluate_lqr
from hybrid_toolkit.envs.families.lqr.policies import default_directions

SEED = 0
SAFETY_GRID = (-4.0, -3.25, -2.5, -1.75, -1.0, -0.25, 0.5, 1.25, 2.0)
CYCLE_GRID = (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0)
# Best dev cost per item of the HPO checkpoints in the reference code (spec §12.2); most likely
# the homogeneous instance.
HPO_BEST_DEV = {1: 37.077, 3: 38.453, 5: 38.691, 10: 38.819, 20: 38.964, 50: 39.086}
PAGES = {
    "jrp-heterogeneous": "joint-replenishment.md",
    "jrp-homogeneous": "joint-replenishment.md",
    "lqr-grid": "switched-lqr.md",
    "lqr-2d": "switched-lqr.md",
}
"""Table key → the env page (under ``docs_dir``) whose ``<!-- key:start -->`` block it fills."""

MODE_DEFAULTS: dict[str, dict[str, Any]] = {
    "smoke": {"jrp_items": (1,), "lqr_states": (1, 2), "lqr_modes": (1, 2), "lqr_2d_horizon": 4},
    "quick": {"jrp_items": (1, 3), "lqr_states": (1, 3), "lqr_modes": (1, 2), "lqr_2d_horizon": 10},
    "full": {
        "jrp_items": (1, 3, 5, 10, 20, 50),
        "lqr_states": (1, 3, 5, 10, 20, 48),
        "lqr_modes": (1, 2, 4, 8),
        "lqr_2d_horizon": 20,
    },
}
"""What every option left at 0 / empty means in each mode."""


@dataclass
class HPOEnvReferencesOptions(BenchOptions):
    """Settings of the HPO env reference costs; 0 or empty: the mode's default."""

    jrp_items: Annotated[tuple[int, ...], BY_MODE] = ()
    """Joint-replenishment sizes n; full 1, 3, 5, 10, 20, 50; quick 1, 3."""
    lqr_states: Annotated[tuple[int, ...], BY_MODE] = ()
    """Switched-LQR state dimensions n; full 1, 3, 5, 10, 20, 48; quick 1, 3."""
    lqr_modes: Annotated[tuple[int, ...], BY_MODE] = ()
    """Switched-LQR mode counts M (M > n skipped); full 1, 2, 4, 8; quick 1, 2."""
    lqr_2d_horizon: Annotated[int, BY_MODE] = 0
    """Horizon of the 2-D example (2^horizon mode sequences enumerated); full 20, quick 10."""
    docs_dir: str = ""
    """Folder of the env pages whose tables are rewritten (`docs/envs`); empty: none."""

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("jrp_items", "lqr_states", "lqr_modes"):
            if any(v < 1 for v in getattr(self, name)):
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if not 0 <= self.lqr_2d_horizon <= 24:
            raise ValueError(f"lqr_2d_horizon must be in 1..24, got {self.lqr_2d_horizon}")


def jrp_table(instance: str, items: tuple[int, ...]) -> str:
    """Random, base-stock and tuned (s, S) costs of one JRP instance family, per size n."""
    rows = [
        "| n | K | random | base-stock | tuned (s, S): test | dev | safety a | cycle b |"
        + (" HPO best dev (spec §12.2) |" if instance == "homogeneous" else ""),
        "|---:|---:|---:|---:|---:|---:|---:|---:|"
        + ("---:|" if instance == "homogeneous" else ""),
    ]
    for n in items:
        config = JointReplenishmentConfig(n_items=n, instance=instance)  # type: ignore[arg-type]
        start = time.perf_counter()
        random = evaluate_jrp(
            RandomInventoryPolicy(torch.Generator().manual_seed(SEED)), config, "test"
        )
        base = evaluate_jrp(BaseStockPolicy.newsvendor(make_instance(config)), config, "test")
        tuned = tune_joint_ss(config, SAFETY_GRID, CYCLE_GRID)
        test = evaluate_jrp(tuned.policy, config, "test")
        at_edge = tuned.safety <= SAFETY_GRID[0] or tuned.cycle >= CYCLE_GRID[-1]
        edge = " (grid edge)" if at_edge else ""
        row = (
            f"| {n} | {config.fixed_cost:g} | {random:.2f} | {base:.2f} | **{test:.3f}** "
            f"| {tuned.dev_metric:.3f} | {tuned.safety:.3f}{edge} | {tuned.cycle:.2f} |"
        )
        if instance == "homogeneous":
            row += f" {HPO_BEST_DEV.get(n, float('nan')):.3f} |"
        rows.append(row)
        print(f"jrp {instance} n={n}: {time.perf_counter() - start:.1f}s", flush=True)
    return "\n".join(rows)


@dataclass(frozen=True)
class LQRCosts:
    """Test costs of the LQR reference policies on one system."""

    random: float
    fixed: list[float]
    lookahead: float
    value_set: float


def lqr_policies(config: SwitchedLQRConfig) -> LQRCosts:
    """Test costs of every reference policy on the system of ``config``."""
    system = make_system(config)
    horizon = config.horizon
    dirs = default_directions(system.state_dim, 4096 if system.state_dim <= 2 else 1024)
    fixed = [
        evaluate_lqr(SwitchedRiccatiPolicy.fixed_mode(system, m, horizon), config, "test")
        for m in range(system.n_modes)
    ]
    random = RandomLQRPolicy(torch.Generator().manual_seed(SEED))
    lookahead = SwitchedRiccatiPolicy.lookahead(system, horizon)
    value_set = SwitchedRiccatiPolicy.value_set(system, horizon, dirs, max_size=32)
    return LQRCosts(
        random=evaluate_lqr(random, config, "test"),
        fixed=fixed,
        lookahead=evaluate_lqr(lookahead, config, "test"),
        value_set=evaluate_lqr(value_set, config, "test"),
    )


def lqr_grid(states: tuple[int, ...], modes: tuple[int, ...]) -> str:
    """The reference costs over the generator grid n × M."""
    rows = [
        "| n | M | random | best fixed-mode Riccati | lookahead | value set |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for n in states:
        for m in modes:
            if m > n:
                continue
            start = time.perf_counter()
            costs = lqr_policies(SwitchedLQRConfig(state_dim=n, n_modes=m))
            exact = " (exact)" if m == 1 else ""
            rows.append(
                f"| {n} | {m} | {costs.random:.3g} | {min(costs.fixed):.4f}{exact} "
                f"| {costs.lookahead:.4f} | {costs.value_set:.4f} |"
            )
            print(f"lqr n={n} M={m}: {time.perf_counter() - start:.1f}s", flush=True)
    return "\n".join(rows)


def lqr_2d(horizon: int) -> str:
    """The 2-D example's reference costs beside the exact optimum over all mode sequences."""
    # float64 so the value-set controller can be compared with the enumeration digit for digit
    config = SwitchedLQRConfig(
        system="paper_2d",
        state_dim=2,
        n_modes=2,
        num_eval_scenarios=4096,
        horizon=horizon,
        precision="float64",
    )
    costs = lqr_policies(config)
    x0 = initial_states(config, "test")
    exact = min_quadratic(x0, mode_sequence_values(make_system(config), horizon))
    optimum = float(exact.sum()) / (x0.shape[0] * horizon * 2)

    def gap(cost: float) -> str:
        return f"{100 * (cost / optimum - 1):.3g} %"

    return "\n".join(
        [
            "| policy | test cost | gap to the exact optimum |",
            "|---|---:|---:|",
            f"| random | {costs.random:.4g} | |",
            *(
                f"| Riccati, mode {m} only | {c:.4f} | {gap(c)} |"
                for m, c in enumerate(costs.fixed)
            ),
            f"| lookahead | {costs.lookahead:.6f} | {gap(costs.lookahead)} |",
            f"| value set | {costs.value_set:.6f} | {gap(costs.value_set)} |",
            f"| exact optimum (all 2^{horizon} mode sequences) | {optimum:.6f} | 0 |",
        ]
    )


@register_suite(
    "hpo-env-references",
    HPOEnvReferencesOptions,
    "Reference-policy costs of JRP and switched LQR (base-stock, (s, S), Riccati, exact 2-D)",
)
def run(options: HPOEnvReferencesOptions) -> int:
    """Compute every table; writes ``hpo-env-references.{json,md}`` under ``out_dir``."""
    opts = with_mode_defaults(options, MODE_DEFAULTS)
    torch.set_num_threads(1)
    env = environment(opts.device)
    start = time.perf_counter()
    blocks = {
        "jrp-heterogeneous": jrp_table("heterogeneous", opts.jrp_items),
        "jrp-homogeneous": jrp_table("homogeneous", opts.jrp_items),
        "lqr-grid": lqr_grid(opts.lqr_states, opts.lqr_modes),
        "lqr-2d": lqr_2d(opts.lqr_2d_horizon),
    }
    env["load_average_end"] = load_average()
    out = Path(opts.out_dir)
    seconds = time.perf_counter() - start
    write_json(
        out / "hpo-env-references.json",
        {"settings": asdict(opts), "environment": env, "seconds": seconds, "tables": blocks},
    )
    sections = [f"#### {key}\n\n{body}\n" for key, body in blocks.items()]
    text = "\n".join([*environment_lines(env), "", *sections])
    publish(text, out / "hpo-env-references.md", None)
    if opts.docs_dir:
        for key, body in blocks.items():
            print(f"updated {replace_named_block(Path(opts.docs_dir) / PAGES[key], key, body)}")
    return 0
