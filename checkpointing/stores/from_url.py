"""Choosing a store: an object, a URL, ``defaults["cache.store"]`` or ``$CHECKPOINTING_STORE``."""

from __future__ import annotations

import os
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
    if scheme in ("redis", "rediss", "unix"):
        from .redis_store import RedisCache

        return RedisCache(spec, pickle_protocol=pickle_protocol)
    if scheme in _FSSPEC_SCHEMES or (scheme and "::" in spec):
        from .fsspec_store import FsspecCache

        return FsspecCache(spec, pickle_protocol=pickle_protocol)
    if scheme:
        raise ValueError(f"unknown store URL scheme {scheme!r} in {spec!r}: use redis://, s3://, gs://, memory://, "
                         f"file:// or a directory path")
    from .pickle_file import PickleFileCache

    return PickleFileCache(spec, pickle_protocol)


def configured_store(pickle_protocol: Optional[int] = None) -> Optional[CacheBase[str, Any]]:
    """The store ``defaults["cache.store"]`` or ``$CHECKPOINTING_STORE`` names, if any."""
    spec = defaults.get("cache.store") or os.environ.get("CHECKPOINTING_STORE") or None
    return open_store(spec, pickle_protocol) if spec is not None else None
