"""The last lint results, kept on disk: a rerun over files that did not change prints them again
after reading and hashing the files, without parsing anything.

The key covers everything a result depends on: this linter's version, code and the Python running it,
the configuration, the current directory (paths are reported relative to it), every linted
file's path and contents, the ``pyproject.toml`` files that set their target Python, and the
installed packages (rules read their source; names resolve to them), by the modification
times of the folders they are installed in. Any change is a miss, and the lint runs in full.

The folder is ``$CHECKPOINTING_LINT_CACHE``, else ``$XDG_CACHE_HOME/checkpointing/lint`` (by
default ``~/.cache/checkpointing/lint``); ``checkpointing lint --no-cache`` neither reads nor
writes it. Only the newest entries are kept.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from typing import TYPE_CHECKING, Any, Dict, Iterable, Optional

import xxhash

from ..atomic_file import write_atomically
from ..callgraph.grammar import find_pyproject
from ..callgraph.index_store import code_digest
from .config import LintConfig
from .finding import Finding

if TYPE_CHECKING:
    from ..callgraph import SourceFile
    from .engine import LintResult

#: bump when what the lint reports may change for the same files (a rule, the call graph, a table)
LINT_VERSION = 1
_KEEP = 16


def directory() -> str:
    configured = os.environ.get("CHECKPOINTING_LINT_CACHE")
    if configured:
        return configured
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "checkpointing", "lint")


def key(files: Iterable[SourceFile], config: LintConfig) -> str:
    h = xxhash.xxh3_128()
    settings = {k: v for k, v in dataclasses.asdict(config).items() if k not in ("source", "cache", "jobs")}
    h.update(json.dumps([LINT_VERSION, _version(), sys.version, os.getcwd(), settings], sort_keys=True,
                        default=str).encode())
    folders = set()
    for source in sorted(files, key=lambda f: f.path):
        data = source.data if source.data is not None else source.text.encode("utf-8", "surrogatepass")
        h.update(f"\0{os.path.abspath(source.path)}\0{source.display}\0{len(data)}\0".encode("utf-8", "replace"))
        h.update(data)
        folders.add(os.path.dirname(os.path.abspath(source.path)))
    for pyproject in sorted({p for p in map(find_pyproject, folders) if p is not None}):
        with open(pyproject, "rb") as f:
            h.update(pyproject.encode("utf-8", "replace") + f.read())
    h.update(code_digest().encode())  # the analysis package's own code
    for entry in sys.path:  # installing or removing a package changes its folder's mtime
        try:
            h.update(f"{entry}:{os.stat(entry or '.').st_mtime_ns}".encode("utf-8", "replace"))
        except OSError:
            h.update(f"{entry}:-".encode("utf-8", "replace"))
    return h.hexdigest()


def load(cache_key: str) -> Optional[LintResult]:
    from .engine import LintResult

    try:
        with open(os.path.join(directory(), cache_key + ".json"), encoding="utf-8") as f:
            data = json.load(f)
        result = LintResult(**{k: v for k, v in data.items() if k != "findings"})
        result.findings = [_finding(item) for item in data["findings"]]
        return result
    except (OSError, ValueError, TypeError, KeyError):  # missing, damaged, or from another version
        return None


def save(cache_key: str, result: LintResult) -> None:
    folder = directory()
    try:
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, cache_key + ".json")
        write_atomically(path, [json.dumps(dataclasses.asdict(result)).encode("utf-8")])
        entries = sorted((e for e in os.scandir(folder) if e.name.endswith(".json")),
                         key=lambda e: e.stat().st_mtime, reverse=True)
        for stale in entries[_KEEP:]:
            os.unlink(stale.path)
    except OSError:  # a cache that cannot be written only costs time
        pass


def _finding(item: Dict[str, Any]) -> Finding:
    item = dict(item)
    item["functions"] = tuple(tuple(f) for f in item.get("functions", ()))
    item["chain"] = tuple(item.get("chain", ()))
    item["chain_at"] = tuple(tuple(c) for c in item.get("chain_at", ()))
    return Finding(**item)


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("checkpointing")
    except Exception:
        return "0"
