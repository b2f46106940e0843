"""How the walk refers to an *item* (a function, class or module identified by content) and to a
random generator it meets, in the bytes it writes.

- :data:`POSITIONS`, the key's: an item by the order in which the walk met it (``#3``; its
  record, its content with references to other items, is added once all are met), a generator
  by where it was met (``argument#0``, ``static#1``, see ``_replay``). This encodes any graph
  without names: renaming a helper consistently keeps the key.
- :data:`IDENTITIES`, a deep-mode plan's probe (see ``plan``): an item by the object itself (what
  it reads is checked by the plan's own reads); the objects are kept alive meanwhile.
- :data:`NAMES`, for the stable digests of an explanation's components, and :data:`ORDERING`,
  for putting the elements of a set in an order that does not depend on the process: an item by
  its name and code, which does not shift when another item is met first.
"""

from __future__ import annotations

from types import CodeType
from typing import TYPE_CHECKING, Any

from .. import _generators, _objects
from .._hashing import ValueHasher

if TYPE_CHECKING:
    from .shared import Walk


class Numbering:
    #: items get positions and records (only the key's numbering does)
    positional = False
    #: a composite's parts are hashed without the key's aliasing between them
    fresh_parts = False

    def item(self, walk: "Walk", obj: Any) -> bytes:
        raise NotImplementedError

    def generator(self, walk: "Walk", generator: Any, kind: bytes) -> bytes:
        raise NotImplementedError


class Positions(Numbering):
    positional = True

    def item(self, walk: "Walk", obj: Any) -> bytes:
        return walk.position(obj)

    def generator(self, walk: "Walk", generator: Any, kind: bytes) -> bytes:
        label, new = walk.note_generator(generator)
        token = b"generator:" + kind + b"@" + label.encode()
        if new and label.startswith("argument"):  # the caller's generator: its state is an input
            token += b"=" + _state(generator)
        return token


class Identities(Numbering):
    def item(self, walk: "Walk", obj: Any) -> bytes:
        walk.keep(obj)
        return b"@%d" % id(obj)

    def generator(self, walk: "Walk", generator: Any, kind: bytes) -> bytes:
        walk.keep(generator)
        return b"generator@%d" % id(generator)


class Names(Numbering):
    def __init__(self, fresh_parts: bool) -> None:
        self.fresh_parts = fresh_parts

    def item(self, walk: "Walk", obj: Any) -> bytes:
        code = getattr(obj, "__code__", None)
        return b"?" + _objects.key_name(obj).encode() + (code.co_code if isinstance(code, CodeType) else b"")

    def generator(self, walk: "Walk", generator: Any, kind: bytes) -> bytes:
        if walk.in_arguments and not self.fresh_parts:  # an argument's component: by its state, as in the key
            return b"generator:" + kind + b"=" + _state(generator)
        return b"generator:" + kind


def _state(generator: Any) -> bytes:
    return ValueHasher().digest(_generators.state_of(generator))


POSITIONS = Positions()
IDENTITIES = Identities()
NAMES = Names(fresh_parts=False)
ORDERING = Names(fresh_parts=True)
