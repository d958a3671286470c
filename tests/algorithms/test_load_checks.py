"""Loading a model: the env is checked against the saved spaces before anything is built, the
file is decompressed once, and foreign content in it surfaces as `CheckpointError`."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
import torch

import hybrid_toolkit as ht
from hybrid_toolkit.algorithms.saved_env import check_env_matches
from hybrid_toolkit.training import CheckpointError

SMALL = {"num_envs": 4, "n_steps": 8, "policy_hidden": (8,), "value_hidden": (8,)}


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An (untrained) PPO model on TargetRegime-v0."""
    model = ht.PPO("TargetRegime-v0", seed=0, verbose=0, **SMALL)
    return model.save(tmp_path_factory.mktemp("model") / "ppo.zip")


def _edit_json(saved: Path, tmp_path: Path, entry: str, **changes: Any) -> Path:
    path = tmp_path / "edited.zip"
    with zipfile.ZipFile(saved) as src, zipfile.ZipFile(path, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == entry:
                data = json.dumps({**json.loads(data), **changes}).encode()
            dst.writestr(name, data)
    return path


def test_a_different_env_is_refused_saying_what_differs(saved: Path) -> None:
    with pytest.raises(ValueError) as err:
        ht.load(saved, env=ht.make("Maze-v0", num_envs=2))
    assert not isinstance(err.value, CheckpointError)  # the user's env, not the file, is at fault
    message = str(err.value)
    assert "env Maze-v0 differs from the saved model" in message
    assert "observation shape (7,) in the model, (2,) in the env" in message
    assert "1 discrete component [categorical(3)] in the model, 4 [4 × ordinal(17)]" in message
    assert "3 continuous parameters in the model, 0 in the env" in message


def test_an_action_space_with_other_bounds_is_refused_naming_the_parameters(saved: Path) -> None:
    env = ht.make("TargetRegime-v0", num_envs=2)
    spaces = json.loads(zipfile.ZipFile(saved).read("spaces.json"))
    spaces["action_space"]["high"][1] = 9.0
    with pytest.raises(ValueError, match=r"continuous parameters \[1\] have bounds") as err:
        check_env_matches(env, spaces, "m.zip")
    assert "observation shape" not in str(err.value)


def test_only_the_observation_shape_differing_is_named(saved: Path) -> None:
    env = ht.make("TargetRegime-v0", num_envs=2)
    spaces = json.loads(zipfile.ZipFile(saved).read("spaces.json"))
    spaces["observation_shape"] = [9]
    with pytest.raises(ValueError, match=r"observation shape \(9,\) in the model, \(7,\)") as err:
        check_env_matches(env, spaces, "m.zip")
    assert "action space" not in str(err.value)


def test_a_matching_env_with_another_batch_size_loads(saved: Path) -> None:
    env = ht.make("TargetRegime-v0", num_envs=3)
    obs = env.reset(seed=1)
    assert torch.equal(
        ht.load(saved, env=env).predict(obs)[0].discrete, ht.load(saved).predict(obs)[0].discrete
    )


def test_ht_load_decompresses_each_entry_once(saved: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def counting_open(self: zipfile.ZipFile, name: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(getattr(name, "filename", name))
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", counting_open)
    ht.load(saved)
    assert sorted(opened) == sorted(set(opened))
    assert "policy.pt" in opened


@pytest.mark.parametrize(
    ("entry", "changes", "message"),
    [
        ("config.json", {"nonsense": 1}, "unknown PPOConfig key"),
        ("config.json", {"policy_hidden": "wide"}, "cannot be rebuilt"),
        ("config.json", {"policy_hidden": [16]}, "cannot be rebuilt"),  # weights do not fit
        ("extra.json", {"seed": "zero"}, "seed and num_timesteps must be ints"),
        ("extra.json", {"env": {"name": "Gone-v0"}}, "'Gone-v0', which is not a registered env"),
        ("extra.json", {"env": ["TargetRegime-v0"]}, "extra.json 'env' must be"),
        (
            "extra.json",
            {"env": {"name": "TargetRegime-v0", "config": {"horizon": "x"}}},
            "saved TargetRegime-v0 env config",
        ),
        ("spaces.json", {"action_space": {"discrete": 3}}, "not a valid action space"),
        ("spaces.json", {"action_space": [1]}, "'action_space' must be a JSON object"),
        ("spaces.json", {"observation_shape": "7"}, "'observation_shape' must be a list"),
        ("metadata.json", {"algorithm": "sac"}, "holds a 'sac' model, which this hybrid_toolkit"),
    ],
)
def test_foreign_content_is_a_checkpoint_error(
    saved: Path, tmp_path: Path, entry: str, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(CheckpointError, match=message):
        ht.load(_edit_json(saved, tmp_path, entry, **changes))


def test_a_saved_space_that_contradicts_the_saved_env_is_a_checkpoint_error(
    saved: Path, tmp_path: Path
) -> None:
    other = ht.make("TargetHybrid-v0", num_envs=1).action_space.to_json()
    edited = _edit_json(saved, tmp_path, "spaces.json", action_space=other)
    with pytest.raises(CheckpointError, match="env TargetRegime-v0 differs from the saved model"):
        ht.load(edited)
    with pytest.raises(CheckpointError, match="differs from the saved model"):
        ht.PPO.load(edited)
