"""DGRL (Sampled Dynamic Neighbourhoods + Distance-Based Updates) and H-Cacla.

Both are off-policy actor-critics whose actor emits a proto-action in the relaxed action box;
they share the networks, the replay loop and the critic update
(`hybrid_toolkit.algorithms.dgrl.proto_actor_critic`).
"""

from hybrid_toolkit.algorithms.dgrl.config import DGRL_PRESETS, DGRLConfig
from hybrid_toolkit.algorithms.dgrl.dgrl import DGRL
from hybrid_toolkit.algorithms.dgrl.h_cacla import HCacla
from hybrid_toolkit.algorithms.dgrl.h_cacla_config import H_CACLA_PRESETS, HCaclaConfig

__all__ = ["DGRL", "DGRL_PRESETS", "H_CACLA_PRESETS", "DGRLConfig", "HCacla", "HCaclaConfig"]
