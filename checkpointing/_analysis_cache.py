"""Normalized forms, cached across processes and found from the running code alone.

An entry is keyed by the *code object* it describes: a digest of what the interpreter runs
(bytecode, constants, names, flags, nested code; see ``_fingerprint._feed_code``), the Python
implementation (bytecode differs between versions) and the normalizer's version. A warm rerun
therefore finds an unchanged function's normalized form without reading its source, without
tokenizing and without importing libcst; and an entry can never describe other code than the
running one (it was made from a source that compiled to exactly this code).

Entries are grouped per source file, one small JSON file per file, read at most once per
process. New entries are written (atomically, merged with what other processes wrote) when a
key computation that made them ends (:func:`flush`). Any unreadable file is simply recomputed.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from types import CodeType
from typing import Any, Dict, Optional

import xxhash

from ._config import analysis_cache_directory
from .analysis.atomic_file import write_atomically

logger = logging.getLogger("checkpointing")

# must equal analysis.normalize.pipeline.NORMALIZER_VERSION (a unit test checks): reading it
# from there would import libcst on every run
NORMALIZER_VERSION = 15
_TAG = f"v{NORMALIZER_VERSION}-{sys.implementation.cache_tag}"


class _Bundle:
    """The cached forms of the functions of one source file, as JSON."""

    __slots__ = ("path", "raw", "dirty")

    def __init__(self, path: str) -> None:
        self.path = path
        self.raw: Dict[str, Any] = _read(path)
        self.dirty = False


_bundles: Dict[Any, _Bundle] = {}  # (cache folder, source file) -> bundle
_lock = threading.Lock()


def _bundle(filename: str) -> _Bundle:
    root = analysis_cache_directory()
    found = _bundles.get((root, filename))
    if found is None:
        digest = xxhash.xxh3_128_hexdigest(os.path.abspath(filename).encode("utf-8", "surrogatepass"))
        found = _bundles[(root, filename)] = _Bundle(os.path.join(root, _TAG, digest[:2], digest + ".json"))
    return found


def code_key(code: CodeType) -> str:
    """The cache key of a code object (see the module docstring)."""
    from ._fingerprint import structure_digest

    return structure_digest(code).hex()


def cached(code: CodeType) -> Optional[Dict[str, Any]]:
    """The normalized form of ``code`` made by an earlier computation, if any, as JSON
    (``analysis.normalize.result.NormalizedFunction.to_json``)."""
    key = code_key(code)
    with _lock:
        data = _bundle(code.co_filename).raw.get(key)
    return data if isinstance(data, dict) else None


def remember(code: CodeType, value: Dict[str, Any]) -> None:
    """Keep ``value`` (JSON) as the normalized form of ``code`` (written by the next :func:`flush`)."""
    key = code_key(code)
    with _lock:
        bundle = _bundle(code.co_filename)
        bundle.raw[key] = value
        bundle.dirty = True


def flush() -> None:
    """Write the bundles that gained entries, merged with what other processes wrote."""
    if not any(b.dirty for b in _bundles.values()):
        return
    with _lock:
        for bundle in _bundles.values():
            if bundle.dirty:
                merged = dict(_read(bundle.path))
                merged.update(bundle.raw)
                _write(bundle.path, merged)
                bundle.dirty = False


def _read(path: str) -> Dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write(path: str, value: Dict[str, Any]) -> None:
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        write_atomically(path, [json.dumps(value).encode("utf-8")])
    except OSError as exc:  # a read-only home is no reason to fail: we just recompute next time
        logger.debug("could not write the analysis cache %s: %s", path, exc)
