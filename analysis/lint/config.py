"""``[tool.checkpointing.lint]`` in the nearest ``pyproject.toml``, and rule selection."""

from __future__ import annotations

import fnmatch
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional

from ..callgraph.grammar import find_pyproject

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

KEYS = ("select", "ignore", "exclude", "per-file-ignores", "inputs", "max-findings-per-function", "max-depth",
        "decorators")


class ConfigError(ValueError):
    """The configuration cannot be used; the message says where and how to fix it."""


@dataclass
class LintConfig:
    select: List[str] = field(default_factory=lambda: ["CKP"])
    ignore: List[str] = field(default_factory=list)
    exclude: List[str] = field(default_factory=list)
    per_file_ignores: Dict[str, List[str]] = field(default_factory=dict)
    #: qualified names (or ``*`` patterns) of the project's own functions that read input (CKP104)
    inputs: List[str] = field(default_factory=list)
    #: findings shown per checkpointed function (0: all); the rest are counted
    max_findings_per_function: int = 20
    #: findings in code at most this many calls away from the checkpointed function (0: any); the rest counted
    max_depth: int = 0
    #: qualified names of other caching decorators whose functions are checked (as shallow mode)
    decorators: List[str] = field(default_factory=list)
    #: reuse the results of a previous run over the same files (``result_cache``)
    cache: bool = True
    #: processes that parse files (0: one per core)
    jobs: int = 0
    source: Optional[str] = None  # the pyproject.toml it came from
    root: str = "."  # per-file-ignores and exclude patterns are relative to this directory

    def enabled(self, code: str, path: Optional[str] = None) -> bool:
        """Is ``code`` selected (the most specific prefix wins, as in ruff) and not ignored for ``path``?"""
        ignore = list(self.ignore)
        if path is not None:
            for pattern, codes in self.per_file_ignores.items():
                if matches(path, pattern, self.root):
                    ignore.extend(codes)
        return _specificity(code, self.select) > _specificity(code, ignore)


def _specificity(code: str, prefixes: Iterable[str]) -> int:
    """Length of the longest prefix of ``code`` in ``prefixes`` (0: none; ``ALL`` matches everything)."""
    best = 0
    for prefix in prefixes:
        if prefix == "ALL":
            best = max(best, 1)
        elif code.startswith(prefix):
            best = max(best, len(prefix) + 1)
    return best


def matches(path: str, pattern: str, root: str = ".") -> bool:
    """Does a file path match a glob pattern: against its path relative to ``root``, or its name?"""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, os.path.abspath(root)).replace(os.sep, "/")
    pattern = pattern.rstrip("/")
    return any(fnmatch.fnmatch(candidate, pattern) or fnmatch.fnmatch(candidate, pattern + "/*")
               for candidate in (relative, os.path.basename(absolute), path.replace(os.sep, "/")))


def _codes(value: Any, where: str) -> List[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of rule codes such as [\"CKP001\", \"CKP1\"], got {value!r}")
    return [v.strip().upper() for v in value]


def _qualified_names(value: Any, where: str, example: str) -> List[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where} must be a list of qualified names such as {example}, got {value!r}")
    return [v.strip() for v in value]


def load_config(start: str = ".") -> LintConfig:
    """The configuration from the ``pyproject.toml`` nearest to ``start`` (defaults if none)."""
    path = find_pyproject(start)
    if path is None:
        return LintConfig()
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read it: {exc}") from exc
    section = data.get("tool", {}).get("checkpointing", {}).get("lint")
    if section is None:
        return LintConfig(source=path, root=os.path.dirname(path))
    where = f"{path}: [tool.checkpointing.lint]"
    if not isinstance(section, dict):
        raise ConfigError(f"{where} must be a table")
    unknown = sorted(set(section) - set(KEYS))
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; the keys are {', '.join(KEYS)}")
    config = LintConfig(source=path, root=os.path.dirname(path))
    if "select" in section:
        config.select = _codes(section["select"], f"{where} select")
    if "ignore" in section:
        config.ignore = _codes(section["ignore"], f"{where} ignore")
    if "exclude" in section:
        exclude = section["exclude"]
        if not isinstance(exclude, list) or not all(isinstance(e, str) for e in exclude):
            raise ConfigError(f"{where} exclude must be a list of glob patterns, got {exclude!r}")
        config.exclude = list(exclude)
    if "inputs" in section:
        config.inputs = _qualified_names(section["inputs"], f"{where} inputs", '["mylab.io.fetch", "mylab.db.*"]')
    if "decorators" in section:
        config.decorators = _qualified_names(section["decorators"], f"{where} decorators",
                                             '["joblib.Memory.cache", "cachier.cachier"]')
    for key in ("max-findings-per-function", "max-depth"):
        if key in section:
            limit = section[key]
            if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
                raise ConfigError(f"{where} {key} must be a whole number (0: no limit), got {limit!r}")
            setattr(config, key.replace("-", "_"), limit)
    pfi = section.get("per-file-ignores", {})
    if not isinstance(pfi, dict):
        raise ConfigError(f"{where} per-file-ignores must be a table of \"glob\" = [\"CODE\", ...]")
    config.per_file_ignores = {k: _codes(v, f"{where} per-file-ignores.{k}") for k, v in pfi.items()}
    return config
