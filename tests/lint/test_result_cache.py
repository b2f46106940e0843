"""A rerun over unchanged files reuses the previous results (analysis/lint/result_cache.py); any
change to the files, the configuration or the linter is a miss."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from checkpointing.analysis.lint import LintConfig, engine, lint_paths

MAIN = ("import time\n\nimport helpers\nfrom checkpointing import checkpoint\n\n\n@checkpoint(deep=True)\n"
        "def run(x):\n    return helpers.clean(x), time.time()\n")
HELPERS = "import requests\n\n\ndef clean(x):\n    return requests.get(x).json()\n"


@pytest.fixture
def counted(monkeypatch, tmp_path: Path):
    """The project, and how many times the lint really ran."""
    (tmp_path / "main.py").write_text(MAIN)
    (tmp_path / "helpers.py").write_text(HELPERS)
    runs = []
    real = engine._lint

    def counting(project, config):
        runs.append(1)
        return real(project, config)

    monkeypatch.setattr(engine, "_lint", counting)
    return runs


def test_unchanged_files_reuse_the_results(counted, tmp_path: Path) -> None:
    first = lint_paths(["."], LintConfig())
    second = lint_paths(["."], LintConfig())
    assert len(counted) == 1
    assert second == first and [f.code for f in second.findings] == ["CKP104", "CKP103"]
    assert second.findings[0].chain == ("run", "clean") and second.findings[0].chain_at == (("main.py", 8),
                                                                                           ("helpers.py", 4))
    assert len([n for n in os.listdir(tmp_path / ".lint-cache") if n.endswith(".json")]) == 1


@pytest.mark.parametrize("change", ["file", "config", "pyproject"])
def test_a_change_is_a_miss(counted, tmp_path: Path, change: str) -> None:
    lint_paths(["."], LintConfig())
    config = LintConfig()
    if change == "file":
        (tmp_path / "helpers.py").write_text(HELPERS.replace("requests.get", "requests.post"))
    elif change == "config":
        config = LintConfig(ignore=["CKP103"])
    else:
        (tmp_path / "pyproject.toml").write_text('[project]\nname = "p"\nrequires-python = ">=3.9"\n')
    again = lint_paths(["."], config)
    assert len(counted) == 2
    assert again == lint_paths(["."], LintConfig(**{**config.__dict__, "cache": False}))


def test_no_cache_neither_reads_nor_writes(counted, tmp_path: Path) -> None:
    lint_paths(["."], LintConfig(cache=False))
    lint_paths(["."], LintConfig(cache=False))
    assert len(counted) == 2 and not (tmp_path / ".lint-cache").exists()


def test_a_damaged_entry_is_a_miss(counted, tmp_path: Path) -> None:
    first = lint_paths(["."], LintConfig())
    [entry] = (tmp_path / ".lint-cache").glob("*.json")
    entry.write_text("{not json")
    assert lint_paths(["."], LintConfig()) == first and len(counted) == 2
