"""Choosing a store: an object, a URL, ``defaults["cache.store"]`` or ``$CHECKPOINTING_STORE``."""

from __future__ import annotations

import os
import re
from typing import Any, Optional

from .._config import defaults
from .base import CacheBase

_FSSPEC_SCHEMES = ("s3", "s3a", "gs", "gcs", "az", "abfs", "memory", "file", "hdfs", "sftp", "ftp", "http", "https")


def open_store(spec: Any, pickle_protocol: Optional[int] = None) -> CacheBase[str, Any]:
    """A store from a ``CacheBase`` (returned as is) or a URL:

    - ``redis://host:port/db`` (or ``rediss://``, ``unix://``): :class:`RedisCache`;
    - ``s3://bucket/prefix``, ``gs://...``, ``memory://...``, ``file:///path``: :class:`FsspecCache`;
    - a plain path: the directory store, :class:`PickleFileCache`.
    """
    if isinstance(spec, CacheBase):
        return spec
    if isinstance(spec, os.PathLike):
        spec = os.fspath(spec)
    if not isinstance(spec, str) or not spec:
        raise TypeError(f"a store is a CacheBase instance or a URL string such as 'redis://localhost:6379/0', "
                        f"'s3://bucket/prefix' or a directory path; got {spec!r}")
    scheme = spec.split("://", 1)[0].lower() if "://" in spec else ""
    try:
        if scheme in ("redis", "rediss", "unix"):
            from .redis_store import RedisCache

            return RedisCache(spec, pickle_protocol=pickle_protocol)
        if scheme in _FSSPEC_SCHEMES or (scheme and "::" in spec):
            from .fsspec_store import FsspecCache

            return FsspecCache(spec, pickle_protocol=pickle_protocol)
    except ImportError:
        raise
    except Exception as exc:  # a malformed URL, a server that cannot be reached: say which store
        raise ValueError(f"cannot open the store {spec!r}: {type(exc).__name__}: {exc}") from exc
    if scheme:
        raise ValueError(f"unknown store URL scheme {scheme!r} in {spec!r}: use redis://, s3://, gs://, memory://, "
                         f"file:// or a directory path")
    typo = _MISSPELT_URL.match(spec)
    if typo is not None and typo.group(1).lower() in (*_FSSPEC_SCHEMES, "redis", "rediss", "unix"):
        raise ValueError(f"{spec!r} looks like a misspelt URL (did you mean {typo.group(1)}://"
                         f"{spec[typo.end():]}?); a folder of that name would be made instead. Write ./{spec} for a "
                         f"folder.")
    from .pickle_file import PickleFileCache

    return PickleFileCache(spec, pickle_protocol)


#: ``s3//bucket``, ``s3:/bucket``, ``redis:host``: a scheme with its ``://`` misspelt
_MISSPELT_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)(?://|:/?)(?!/)")


def configured_store(pickle_protocol: Optional[int] = None) -> Optional[CacheBase[str, Any]]:
    """The store ``defaults["cache.store"]`` or ``$CHECKPOINTING_STORE`` names, if any."""
    spec = defaults.get("cache.store") or os.environ.get("CHECKPOINTING_STORE") or None
    return open_store(spec, pickle_protocol) if spec is not None else None
