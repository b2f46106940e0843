"""docs/configuration.md lists every ``defaults`` key with its default value, and every
environment variable the package reads."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "configuration.md").read_text()


def _default_text(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value == 0o700:
        return "0o700"
    return json.dumps(value) if isinstance(value, str) else repr(value)


def test_every_defaults_key_is_documented_with_its_default() -> None:
    # the defaults of a fresh process (the test fixtures change some in this one)
    code = "import json, checkpointing; print(json.dumps(checkpointing.defaults))"
    defaults = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                         check=True).stdout)
    rows = dict(re.findall(r"^\| `([a-z_.]+)` \| `([^`]*)` \|", PAGE, re.M))
    assert set(rows) == set(defaults)
    for key, value in defaults.items():
        assert rows[key] == _default_text(value), key


def test_every_environment_variable_read_is_documented() -> None:
    sources = [p.read_text() for folder in ("checkpointing", "analysis") for p in (ROOT / folder).rglob("*.py")]
    read = {name for text in sources for name in re.findall(r"\b(CHECKPOINTING_[A-Z_]+|XDG_CACHE_HOME)\b", text)}
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", PAGE, re.M))
    assert read <= documented, read - documented
