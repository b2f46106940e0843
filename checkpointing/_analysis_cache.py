"""Normalized forms, computed once per process and cached across processes.

The cache key is the xxh3-128 of the function's source text and the normalizer version, so
an unchanged function on a warm rerun is read from a small JSON file: no libcst import, no
parse. Files are written atomically; any unreadable file is simply recomputed.
"""

from __future__ import annotations

import json
import logging
import os
from typing import TYPE_CHECKING, Dict

import xxhash

from ._config import analysis_cache_directory

if TYPE_CHECKING:
    from .analysis import NormalizedFunction

logger = logging.getLogger("checkpointing")

# must equal analysis.normalize.pipeline.NORMALIZER_VERSION (a unit test checks): reading it
# from there would import libcst on every run
NORMALIZER_VERSION = 7

_memory: Dict[str, "NormalizedFunction"] = {}


def _path(digest: str) -> str:
    return os.path.join(analysis_cache_directory(), f"v{NORMALIZER_VERSION}", digest[:2], digest + ".json")


def normalized(source: str) -> "NormalizedFunction":
    """The normalized form of ``source`` (raises analysis.NormalizeError if it has none)."""
    digest = xxhash.xxh3_128_hexdigest(source.encode("utf-8", "surrogatepass"))
    found = _memory.get(digest)
    if found is not None:
        return found
    path = _path(digest)
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        from .analysis.normalize.result import NormalizedFunction

        found = NormalizedFunction.from_json(data)
    except (OSError, ValueError, KeyError, TypeError):
        from .analysis import normalize_function

        found = normalize_function(source)
        _write(path, found)
    _memory[digest] = found
    return found


def _write(path: str, value: "NormalizedFunction") -> None:
    tmp = f"{path}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(value.to_json(), f)
        os.replace(tmp, path)
    except OSError as exc:  # a read-only home is no reason to fail: we just recompute next time
        logger.debug("could not write the analysis cache %s: %s", path, exc)
        try:
            os.unlink(tmp)
        except OSError:
            pass
