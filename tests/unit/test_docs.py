"""Every ```python block in docs/ runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
BLOCKS = [(p.name, i, code) for p in sorted(DOCS.glob("*.md"))
          for i, code in enumerate(re.findall(r"```python\n(.*?)```", p.read_text(), re.S))]


@pytest.mark.parametrize("name, index, code", BLOCKS, ids=[f"{n}-{i}" for n, i, _ in BLOCKS])
def test_docs_example_runs(name: str, index: int, code: str) -> None:
    exec(compile(code, f"docs/{name}[{index}]", "exec"), {"__name__": f"docs_{index}"})
