"""The code on the DGRL and H-Cacla pages runs, and the pages show every config field."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from hybrid_toolkit.algorithms import DGRLConfig, HCaclaConfig

DOCS = Path(__file__).resolve().parents[2] / "docs" / "algorithms"


@pytest.mark.parametrize(
    ("page", "printed"), [("dgrl.md", "torch.Size([4, 4])"), ("h-cacla.md", "")]
)
def test_page_examples_run(page: str, printed: str, capsys: pytest.CaptureFixture[str]) -> None:
    text = (DOCS / page).read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks
    namespace: dict[str, object] = {}
    for i, block in enumerate(blocks):
        exec(compile(block, f"{page}[block {i}]", "exec"), namespace)
    assert printed in capsys.readouterr().out


def test_hyperparameter_tables_name_real_fields() -> None:
    text = (DOCS / "dgrl.md").read_text(encoding="utf-8")
    text = text.split("## Hyperparameters")[1].split(":::")[0]  # the table of defaults
    rows = re.findall(r"^\| (`[a-z_]+`(?:, `[a-z_]+`)*) \|", text, flags=re.M)
    named = {name for row in rows for name in re.findall(r"`([a-z_]+)`", row)}
    fields = {f.name for f in dataclasses.fields(DGRLConfig)} | {
        f.name for f in dataclasses.fields(HCaclaConfig)
    }
    assert len(named) >= 15
    assert named - fields == set()
