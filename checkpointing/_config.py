"""Global settings: a plain dict, as in checkpointing 1.0.1, plus our own keys."""

from __future__ import annotations

import os
from typing import Any, Dict, Optional

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
    # normalize a source file's functions in forked worker processes when many are new (Linux)
    "analysis.parallel": True,
    # the store: a CacheBase object or a URL (redis://, s3://, memory://, file://, a directory);
    # None: $CHECKPOINTING_STORE, else the directory store in cache.filesystem.directory
    "cache.store": None,
    # HMAC-SHA256 key (str or bytes) that signs entries; None: $CHECKPOINTING_SECRET, else unsigned
    "cache.secret": None,
    # load unsigned entries from stores others could write (see docs/security.md); also $CHECKPOINTING_TRUST_UNSIGNED
    "cache.trust_unsigned": False,
    # an entry written with other library versions is a miss: "minor" (same major.minor), "exact" or
    # "ignore"; None: $CHECKPOINTING_ENVIRONMENT, else "minor"
    "cache.environment": None,
    # evict least recently used entries beyond this size (bytes, or a string such as "10GB"); None: never
    "cache.max_size": None,
    # permissions of cache directories the store creates (owner only)
    "cache.directory_mode": 0o700,
    # seconds a caller waits for another process computing the same key (lock=True), then computes itself
    "cache.lock_timeout": 600.0,
    # record the files a computation reads and recompute when one changed (also $CHECKPOINTING_INPUTS=0)
    "checkpoint.inputs": True,
    # an input file larger than this is checked by size and modification time only, not by its bytes
    "checkpoint.inputs_digest_limit": "2GB",
}

ON_ERROR_CHOICES = ("raise", "warn", "ignore")


def validate_on_error(value: Any) -> str:
    """Return ``value`` if it is a valid ``on_error`` mode, else raise a ValueError saying which are."""
    if value not in ON_ERROR_CHOICES:
        raise ValueError(
            f"Valid options for 'on_error' are {ON_ERROR_CHOICES!r}. Got on_error={value!r} instead."
        )
    return str(value)


def analysis_cache_directory() -> str:
    """Folder of the cross-process cache of normalized function forms."""
    configured = defaults.get("analysis.cache_directory") or os.environ.get("CHECKPOINTING_ANALYSIS_CACHE")
    if configured:
        return os.fspath(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "checkpointing", "analysis")


def cache_secret() -> Optional[bytes]:
    """The signing key, if one is configured (``defaults["cache.secret"]``, then ``$CHECKPOINTING_SECRET``,
    read when first needed)."""
    secret = defaults.get("cache.secret")
    if secret is None:
        return _environment_secret()
    if not secret:  # an empty secret signs nothing anyone could not sign: not a secret
        _warn_empty_secret()
        return _environment_secret()
    return secret.encode("utf-8", "surrogatepass") if isinstance(secret, str) else bytes(secret)


_empty_told = False


def _warn_empty_secret() -> None:
    global _empty_told
    if not _empty_told:
        _empty_told = True
        import warnings

        from .exceptions import CheckpointWarning

        warnings.warn('defaults["cache.secret"] is empty, which is no secret: it is ignored, and entries are not '
                      "signed. Set a secret (the same wherever the store is shared), or None.", CheckpointWarning,
                      stacklevel=4)


_env_secret: Optional[bytes] = None
_env_read = False


def _environment_secret() -> Optional[bytes]:
    """``$CHECKPOINTING_SECRET``, as the bytes the environment holds (any encoding), read once per
    process (it is looked up on every hit); empty is unset."""
    global _env_secret, _env_read
    if not _env_read:
        value = os.environ.get("CHECKPOINTING_SECRET")
        _env_secret, _env_read = (os.fsencode(value) if value else None), True
    return _env_secret


_UNITS = {"": 1, "B": 1, "K": 1 << 10, "KB": 1 << 10, "KIB": 1 << 10, "M": 1 << 20, "MB": 1 << 20, "MIB": 1 << 20,
          "G": 1 << 30, "GB": 1 << 30, "GIB": 1 << 30, "T": 1 << 40, "TB": 1 << 40, "TIB": 1 << 40}


def parse_size(value: Any) -> int:
    """Bytes from an int or a string such as ``"10GB"``, ``"512 MiB"`` (binary units)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    text = str(value).strip().upper().replace(" ", "")
    number = text.rstrip("KMGTIB")
    unit = text[len(number):]
    try:
        amount = float(number)
    except ValueError:
        amount = -1.0
    if unit not in _UNITS or amount < 0:
        raise ValueError(f"not a size: {value!r}; write a number of bytes or one with a unit, such as 500MB or 10GB")
    return int(amount * _UNITS[unit])


_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(value: Any) -> float:
    """Seconds from a number or a string such as ``"7d"``, ``"12h"``, ``"30m"``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return float(value)
    text = str(value).strip().lower()
    unit = text[-1:] if text[-1:] in _DURATION_UNITS else "s"
    number = text[:-1] if text[-1:] in _DURATION_UNITS else text
    try:
        amount = float(number)
    except ValueError:
        amount = -1.0
    if amount < 0:
        raise ValueError(f"not a duration: {value!r}; write a number with a unit s, m, h, d or w, such as 7d")
    return amount * _DURATION_UNITS[unit]
