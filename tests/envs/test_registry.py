"""The environment registry as users meet it: make, list_envs, clear errors, gymnasium ids."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import gymnasium
import pytest

from hybrid_toolkit.envs import env_spec, list_envs, make, register_env
from hybrid_toolkit.envs.families.target import TargetConfig, TargetEnv
from hybrid_toolkit.envs.registry import ENV_REGISTRY

TARGET_IDS = {
    "TargetRegime-v0": "regime",
    "TargetMultiDiscrete-v0": "multi_discrete",
    "TargetHybrid-v0": "both",
}


def test_importing_envs_registers_the_target_family() -> None:
    for name, shape in TARGET_IDS.items():
        assert name in list_envs()
        spec = env_spec(name)
        assert spec.env_class is TargetEnv and spec.config_class is TargetConfig
        assert spec.default_config().shape == shape
        assert spec.description
        assert spec.gym_id == f"hybrid_toolkit/{name}" and spec.gym_id in gymnasium.registry


def test_make_builds_the_requested_batch_with_overrides() -> None:
    env = make("TargetRegime-v0", num_envs=7, n_choices=5, param_dim=2)
    assert isinstance(env, TargetEnv)
    assert env.num_envs == 7 and env.config.shape == "regime"
    assert env.action_space.nvec.tolist() == [5] and env.action_space.n_continuous == 10
    assert env.reset(seed=0).shape == (7, 5 + 10 + 1)


def test_make_accepts_a_full_config_and_still_applies_overrides() -> None:
    env = make("TargetRegime-v0", config=TargetConfig(shape="both", n_params=3), horizon=4)
    assert isinstance(env, TargetEnv)
    assert env.config == TargetConfig(shape="both", n_params=3, horizon=4)


def test_unknown_env_name_lists_the_valid_names() -> None:
    with pytest.raises(KeyError) as info:
        make("TargetRegme-v0")
    message = str(info.value)
    assert "'TargetRegme-v0'" in message
    assert all(name in message for name in TARGET_IDS)


def test_unknown_config_key_is_named() -> None:
    expected = r"unknown TargetConfig key\(s\) \['n_choice'\].*valid keys.*n_choices"
    with pytest.raises(ValueError, match=expected):
        make("TargetRegime-v0", n_choice=4)


def test_config_of_the_wrong_class_is_refused() -> None:
    with pytest.raises(TypeError, match="TargetConfig"):
        make("TargetRegime-v0", config={"shape": "both"})


def test_duplicate_registration_raises_and_keeps_the_original() -> None:
    before = env_spec("TargetRegime-v0")
    with pytest.raises(ValueError, match="'TargetRegime-v0' is already registered"):
        register_env("TargetRegime-v0", TargetEnv, TargetConfig, shape="both")
    assert env_spec("TargetRegime-v0") is before


def test_registration_with_an_unknown_default_fails_without_registering() -> None:
    with pytest.raises(ValueError, match="colour"):
        register_env("TargetColour-v0", TargetEnv, TargetConfig, colour="red")
    assert "TargetColour-v0" not in list_envs()
    assert "hybrid_toolkit/TargetColour-v0" not in gymnasium.registry


# ---------------------------------------------------------------- documentation examples
DOC_PAGES = ["concepts/environments.md", "envs/target.md"]
DOCS = Path(__file__).resolve().parents[2] / "docs"


def _python_blocks(page: Path) -> str:
    """The page's ```python blocks, joined in order (later blocks may use earlier names)."""
    return "\n\n".join(re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.S))


@pytest.mark.parametrize("page", DOC_PAGES)
def test_documentation_examples_run(
    page: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The code on the environment pages is real: run it, then forget what it registered."""
    script = tmp_path / "example.py"
    script.write_text(_python_blocks(DOCS / page))
    known_envs, known_gym_ids = set(list_envs()), set(gymnasium.registry)
    try:
        runpy.run_path(str(script), run_name="docs_example")
    finally:
        for name in set(list_envs()) - known_envs:
            del ENV_REGISTRY._entries[name]  # test-only cleanup of the example's registration
        for gym_id in set(gymnasium.registry) - known_gym_ids:
            del gymnasium.registry[gym_id]
    assert capsys.readouterr().out
