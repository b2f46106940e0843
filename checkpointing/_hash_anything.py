"""hash_anything: the public value hash (checkpointing 1.0.1 API)."""

from __future__ import annotations

from typing import Any, Optional

from ._config import defaults
from ._key import KeyBuilder


def hash_anything(*objs: Any, algorithm: Optional[str] = None, pickle_protocol: Optional[int] = None) -> str:
    """Hex digest of ``objs``, deterministic across processes, machines and ``PYTHONHASHSEED``.

    Values are type-tagged (``1``, ``1.0``, ``True`` and ``"1"`` differ), dict order counts and
    set order does not; functions of the user's own code are hashed by their normalized code and
    the values they read. Raises :class:`UnhashableValueError` for values without a stable
    content (generators, open files, locks).
    """
    builder = KeyBuilder(pickle_protocol if pickle_protocol is not None else defaults["hash.pickle_protocol"],
                         algorithm if algorithm is not None else defaults["hash.algorithm"])
    return builder.value_digest(objs).hex()
