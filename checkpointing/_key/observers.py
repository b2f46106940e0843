"""Who listens to the walk: one protocol, three listeners.

The walk (``walk.KeyBuilder``) writes the key into a :class:`Stream`, one *component* at a time
(the function's code, each argument, each value it reads, each item it reaches), and says what
it reads live. Listeners never compute a key of their own, so they cannot disagree with it:

- :data:`NOBODY`, on the hot path: every call does nothing;
- :class:`Components`, for an explanation: the components, each with the digest of the very
  bytes it added to the key (``exact``) and a digest that does not shift when an unrelated item
  is met earlier (``digest``, by names instead of positions, see ``numbering``);
- :class:`Planning`, for a deep-mode plan: each live read, to check it again on the next call
  (see ``plan``).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple

from .._explain import Component, notebook_cell, shown_value
from .._hashing import new_hasher
from .._objects import MISSING
from .plan import Recorder
from .reads import location

if TYPE_CHECKING:
    from .._hashing import Hasher


class Observer:
    """The protocol, with every event ignored."""

    #: gets each byte of the key (``written``): a component's exact digest
    wants_bytes = False
    #: collects the components (``begin``/``end``/``inform``): an explanation
    collects = False
    #: notes live reads (``read``): a deep-mode plan
    plans = False

    def begin(self, kind: str, name: str, where: Any = "", value: Any = MISSING, stable: Optional[bytes] = None,
              argument: bool = False) -> None:
        """A component of the key starts: what writes to the stream until :meth:`end` is its.
        ``where`` is a location, or the object (a function, a module) it is read from."""

    def end(self) -> None:
        """The component started last is complete."""

    def written(self, data: Any) -> None:
        """Bytes written to the key (only when :attr:`wants_bytes`)."""

    def inform(self, kind: str, name: str, where: Any = "", value: Any = MISSING) -> None:
        """A value read inside a part that is a component of its own (a helper's global): shown
        in explanations by its stable digest, as what changed in that part."""

    def read(self, reader: Callable[[], Any], value: Any, digester: Any, kind: Optional[int] = None,
             key: Any = None, writer: Any = None) -> None:
        """A value read live (only when :attr:`plans`)."""


NOBODY = Observer()


class Stream:
    """The hasher the key is written into; with a listener that wants them, each byte also goes
    to the component being written."""

    __slots__ = ("_hasher", "update")

    def __init__(self, hasher: "Hasher", observer: Observer) -> None:
        self._hasher = hasher
        self.update: Callable[[Any], None] = hasher.update
        if observer.wants_bytes:
            def update(data: Any) -> None:
                hasher.update(data)
                observer.written(data)
            self.update = update

    def digest(self) -> bytes:
        return self._hasher.digest()

    def hexdigest(self) -> str:
        return self._hasher.hexdigest()


class Components(Observer):
    """Collects the components of a key, for an explanation (``_explain``)."""

    wants_bytes = True
    collects = True

    def __init__(self, stable_digest: Callable[[Any, bool], bytes], algorithm: str) -> None:
        self._stable_digest = stable_digest
        self._algorithm = algorithm
        self.found: List[Component] = []
        self._open: List[Any] = []  # [component fields, exact hasher, bytes written]
        self._places: Dict[Tuple[int, bool, bool], str] = {}  # where an object is, as said

    def begin(self, kind: str, name: str, where: Any = "", value: Any = MISSING, stable: Optional[bytes] = None,
              argument: bool = False) -> None:
        if stable is None:
            stable = self._stable_digest(value, argument) if value is not MISSING else b""
        self._open.append([kind, name, stable, where, value, new_hasher(self._algorithm), False])

    def end(self) -> None:
        kind, name, stable, where, value, exact, written = self._open.pop()
        self._add(kind, name, stable, where, value, exact.hexdigest() if written else "")

    def written(self, data: Any) -> None:
        if not self._open:
            if os.environ.get("CHECKPOINTING_STRICT") == "1":
                raise AssertionError(f"key bytes outside any component: {bytes(data)[:40]!r}")
            self.begin("unnamed", "part of the key")  # never silent: the diff can still name it
            self.written(data)
            self.end()
            return
        current = self._open[-1]
        current[5].update(data)
        current[6] = True

    def inform(self, kind: str, name: str, where: Any = "", value: Any = MISSING) -> None:
        self._add(kind, name, self._stable_digest(value, False), where, value, "")

    def _add(self, kind: str, name: str, stable: bytes, where: Any, value: Any, exact: str) -> None:
        if not isinstance(where, str):  # code where it is (a line), a value read from a module (its file)
            place = (id(where), kind in ("code", "helper", "decorator"), kind == "global")  # (alive: walked)
            text = self._places.get(place)
            if text is None:
                code = getattr(where, "__code__", None)
                read_in_cell = place[2] and notebook_cell(getattr(code, "co_filename", "")) is not None
                text = self._places[place] = ("read in " if read_in_cell else "") + location(where, line=place[1])
            where = text  # (a notebook's globals live in no cell: where they are read is said)
        self.found.append(Component(kind, name, stable.hex(), where, shown_value(kind, value), exact))


class Planning(Observer):
    """Notes the live reads of a deep-mode walk, for its plan."""

    plans = True

    def __init__(self) -> None:
        self.recorder = Recorder()

    def read(self, reader: Callable[[], Any], value: Any, digester: Any, kind: Optional[int] = None,
             key: Any = None, writer: Any = None) -> None:
        self.recorder.note(reader, value, digester, kind, key, writer)
