"""Fuzzing `hybrid_toolkit.load` with damaged copies of a real checkpoint.

Each property takes one small PPO checkpoint (saved once per module) and damages it: flipped
bytes, truncation, dropped/duplicated/renamed/reordered entries, JSON values replaced with
random JSON. The contract: ``ht.load`` raises `CheckpointError`, or loads a model whose actions
are identical to the original's (the damage hit bytes nobody reads) — never another exception.
Replacing a JSON value is an edit rather than damage (the zip's CRCs still hold), so there a model
that loads may also act differently, when the edit was a valid value (another hidden size whose
weights happen to fit is impossible, but e.g. another observation-clipping bound is not).
"""

from __future__ import annotations

import json
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch
from fuzz_outcomes import FUZZ, REJECTED, record
from hypothesis import given
from hypothesis import strategies as st

import hybrid_toolkit as ht
from hybrid_toolkit.training import CheckpointError

UNCHANGED = "loaded, actions identical (nothing the model depends on changed)"
EDITED = "loaded, actions changed (a valid edit of a JSON value)"

Entries = list[tuple[zipfile.ZipInfo, bytes]]


class Original:
    """The checkpoint under test, its entries and the actions it must reproduce."""

    def __init__(self, folder: Path) -> None:
        model = ht.PPO(
            "TargetRegime-v0", seed=0, verbose=0, num_envs=4, n_steps=8, n_epochs=1,
            policy_hidden=(8,), value_hidden=(8,),
        ).learn(64)  # fmt: skip
        self.path = model.save(folder / "original.zip")
        self.raw = self.path.read_bytes()
        with zipfile.ZipFile(self.path) as archive:
            self.entries: Entries = [(i, archive.read(i)) for i in archive.infolist()]
        self.obs = ht.make("TargetRegime-v0", num_envs=16).reset(seed=3)
        self.actions = model.predict(self.obs)[0]
        self.damaged = folder / "damaged.zip"


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Original:
    return Original(tmp_path_factory.mktemp("fuzz_checkpoints"))


def _load_and_count(original: Original, target: str, *, edits_allowed: bool = False) -> None:
    try:
        model = ht.load(original.damaged)
    except CheckpointError as err:
        assert original.damaged.name in str(err), f"{target}: the error names no file: {err}"
        record(target, REJECTED)
        return
    actions = model.predict(original.obs)[0]
    same = torch.equal(actions.discrete, original.actions.discrete) and torch.equal(
        actions.continuous, original.actions.continuous
    )
    assert same or edits_allowed, f"{target}: a damaged file loaded and acts differently"
    record(target, UNCHANGED if same else EDITED)


def _write(original: Original, entries: Entries) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns on duplicate names
        with zipfile.ZipFile(original.damaged, "w") as archive:
            for info, data in entries:
                archive.writestr(info, data)


@FUZZ
@given(data=st.data())
def test_flipped_bytes(original: Original, data: st.DataObject) -> None:
    raw = bytearray(original.raw)
    offsets = st.integers(0, len(raw) - 1)
    for offset, mask in data.draw(
        st.lists(st.tuples(offsets, st.integers(1, 255)), min_size=1, max_size=8)
    ):
        raw[offset] ^= mask
    original.damaged.write_bytes(bytes(raw))
    _load_and_count(original, "ht.load(checkpoint with flipped bytes)")


@FUZZ
@given(data=st.data())
def test_truncation(original: Original, data: st.DataObject) -> None:
    length = data.draw(st.integers(0, len(original.raw) - 1))
    original.damaged.write_bytes(original.raw[:length])
    _load_and_count(original, "ht.load(truncated checkpoint)")


def _drop(entries: Entries, index: int, data: st.DataObject) -> Entries:
    return entries[:index] + entries[index + 1 :]


def _duplicate(entries: Entries, index: int, data: st.DataObject) -> Entries:
    return [*entries, entries[index]]


def _rename(entries: Entries, index: int, data: st.DataObject) -> Entries:
    names = [info.filename for info, _ in entries]
    new = data.draw(st.sampled_from(names) | st.text(min_size=1, max_size=12), label="new name")
    info = zipfile.ZipInfo(new, entries[index][0].date_time)
    info.compress_type = entries[index][0].compress_type
    return [*entries[:index], (info, entries[index][1]), *entries[index + 1 :]]


def _shuffle(entries: Entries, index: int, data: st.DataObject) -> Entries:
    return data.draw(st.permutations(entries), label="order")


def _recompress(entries: Entries, index: int, data: st.DataObject) -> Entries:
    info, blob = entries[index]
    copy = zipfile.ZipInfo(info.filename, info.date_time)
    copy.compress_type = zipfile.ZIP_STORED + zipfile.ZIP_DEFLATED - info.compress_type
    return [*entries[:index], (copy, blob), *entries[index + 1 :]]


EDITS: dict[str, Callable[[Entries, int, st.DataObject], Entries]] = {
    "drop": _drop,
    "duplicate": _duplicate,
    "rename": _rename,
    "shuffle": _shuffle,
    "recompress": _recompress,
}


@FUZZ
@given(data=st.data(), edit=st.sampled_from(sorted(EDITS)))
def test_entries_dropped_duplicated_renamed_reordered(
    original: Original, data: st.DataObject, edit: str
) -> None:
    index = data.draw(st.integers(0, len(original.entries) - 1), label="entry")
    _write(original, EDITS[edit](original.entries, index, data))
    _load_and_count(original, f"ht.load(checkpoint with entries edited: {edit})")


# Integers stay small: a config asking for a layer of 10**9 units only tests the machine's memory.
SCALARS = st.none() | st.booleans() | st.integers(-1000, 1000) | st.floats(-1e3, 1e3) | st.text()
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=6,
)


def _paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON document a value can be replaced, the root included."""
    found = [prefix]
    if isinstance(document, dict | list):
        items = document.items() if isinstance(document, dict) else enumerate(document)
        for key, value in items:
            found += _paths(value, (*prefix, key))
    return found


def _replace(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    document[path[0]] = _replace(document[path[0]], path[1:], value)
    return document


@FUZZ
@given(data=st.data(), value=JSON_VALUES)
def test_json_values_replaced(original: Original, data: st.DataObject, value: Any) -> None:
    documents = [(i, blob) for i, blob in original.entries if i.filename.endswith(".json")]
    position = data.draw(st.integers(0, len(documents) - 1), label="document")
    info, blob = documents[position]
    document = json.loads(blob)
    path = data.draw(st.sampled_from(_paths(document)), label="path")
    edited = json.dumps(_replace(document, path, value)).encode()
    _write(original, [(i, edited if i is info else b) for i, b in original.entries])
    _load_and_count(
        original,
        f"ht.load(checkpoint with a value in {info.filename} replaced)",
        edits_allowed=True,
    )
