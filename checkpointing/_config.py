"""Global settings: a plain dict, as in checkpointing 1.0.1, plus our own keys."""

from __future__ import annotations

import os
from typing import Any, Dict

defaults: Dict[str, Any] = {
    # checkpointing 1.0.1 keys
    "cache.filesystem.directory": ".checkpointing",
    "cache.pickle_protocol": 5,
    "hash.algorithm": "xxh3_128",
    "hash.pickle_protocol": 5,
    "checkpoint.on_error": "warn",
    # our keys
    # follow the user's own helpers, classes and methods (see docs/deep-mode.md)
    "checkpoint.deep": False,
    # where normalized function forms are cached across processes (None: the user cache dir)
    "analysis.cache_directory": None,
}

ON_ERROR_CHOICES = ("raise", "warn", "ignore")


def validate_on_error(value: Any) -> str:
    """Return ``value`` if it is a valid ``on_error`` mode, else raise a ValueError saying which are."""
    if value not in ON_ERROR_CHOICES:
        raise ValueError(
            f"Valid options for 'on_error' are {ON_ERROR_CHOICES!r}. Got on_error={value!r} instead."
        )
    return value


def analysis_cache_directory() -> str:
    """Folder of the cross-process cache of normalized function forms."""
    configured = defaults.get("analysis.cache_directory") or os.environ.get("CHECKPOINTING_ANALYSIS_CACHE")
    if configured:
        return os.fspath(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "checkpointing", "analysis")
