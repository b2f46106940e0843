"""The hot path: the key of a call with scalar arguments, of a function that reads nothing."""

from __future__ import annotations

from typing import Any, Optional, Sequence

from .. import _objects
from .._fingerprint import Fingerprint
from .._hashing import _EXACT, new_hasher

_SCALARS = {t: _EXACT[t] for t in (type(None), bool, int, float, complex, str, bytes)}


class ScalarKey:
    """The key of a call whose arguments are all scalars, of a function that reads nothing
    (no free name, no import, no dynamic access): the prefix, then each argument. Exactly the
    key ``KeyBuilder.key`` gives for such a call (a test checks), without building one."""

    __slots__ = ("_start", "_order", "_tail")

    def __init__(self, fp: Fingerprint, deep: bool, algorithm: str) -> None:
        self._start = new_hasher(algorithm)
        self._start.update(fp.strict_prefix)
        names = fp.bound_names
        assert names is not None
        self._order = tuple(names.index(p) for p in fp.strict.params)
        # deep mode: the digest of a walk that meets nothing
        self._tail = new_hasher(algorithm).digest() if deep else b""

    @staticmethod
    def applies(fp: Fingerprint) -> bool:
        identity, reading = fp.identity, fp.strict
        return (fp.error is None and not fp.layers and fp.guarded is None and fp.bound_names is not None
                and not reading.free_names and not reading.imports and not identity.dynamic
                and identity.attributes.isdisjoint(_objects.IMPLICIT_INPUTS)
                and sorted(reading.params) == sorted(fp.bound_names))

    def __call__(self, args: Sequence[Any]) -> Optional[str]:
        order = self._order
        if len(args) != len(order):
            return None
        h = self._start.copy()
        for i in order:
            value = args[i]
            encode = _SCALARS.get(type(value))
            if encode is None:
                return None
            encode(None, value, h)  # type: ignore[arg-type]
        if self._tail:
            h.update(self._tail)
        return h.hexdigest()
