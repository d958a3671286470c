"""Register every hybrid_toolkit env with gymnasium as ``hybrid_toolkit/<Name>-v0``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import gymnasium

if TYPE_CHECKING:
    from hybrid_toolkit.envs.registry import EnvSpec

SINGLE_ENTRY_POINT = "hybrid_toolkit.envs.adapters.gymnasium_env:make_gymnasium_env"
VECTOR_ENTRY_POINT = "hybrid_toolkit.envs.adapters.gymnasium_env:make_gymnasium_vector_env"


def register_with_gymnasium(spec: EnvSpec) -> None:
    """Make ``gymnasium.make(spec.gym_id)`` and ``gymnasium.make_vec(spec.gym_id)`` work.

    Extra keyword arguments given to ``gymnasium.make`` become config overrides (plus
    ``device``); ``make_vec``'s ``num_envs`` becomes the batch size of one batched env.
    """
    if spec.gym_id in gymnasium.registry:
        return
    gymnasium.register(
        id=spec.gym_id,
        entry_point=SINGLE_ENTRY_POINT,
        vector_entry_point=VECTOR_ENTRY_POINT,
        kwargs={"env_name": spec.name},
        disable_env_checker=False,
    )
