"""Deep mode, per call: re-read what the reachable code reads; reuse everything else.

The first deep call of a function in a process walks all the user code it can reach (see
``_identity.KeyBuilder``). While walking, every *read* of a value that can change at run time is
noted: a free name of a reachable function (closure cell, global or builtin), an attribute
chain on a user module (``config.THRESHOLD``), a class's MRO, member names and members, a
function's ``__wrapped__``. The walk's result, the digest of everything reachable, is kept
with those reads in a :class:`Plan`.

On later calls the plan is *replayed*: each read is done again and compared with what the
walk saw. Functions, classes, modules and immutable constants are compared by identity (their
own reads are in the plan too); any other value (a list, an array, an object) is hashed again
and compared by digest. If everything matches, the walk would produce the same digest, so it
is reused; otherwise the walk runs again and replaces the plan. A hit therefore costs one
read per reachable name instead of a walk over the whole graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import is_
from types import BuiltinFunctionType, FunctionType, ModuleType
from typing import Any, Callable, FrozenSet, Hashable, List, Optional, Sequence, Set, Tuple

SAME = 0  # compared by identity (also defined in _identity, which imports this module lazily)
EQUAL = 1  # compared with ==
DATA = 2  # hashed again, compared by digest

_ATOMS = (type(None), bool, int, float, complex, str, bytes)
_IDENTIFIED = (FunctionType, BuiltinFunctionType, type, ModuleType, staticmethod, classmethod, property)

#: reads a value again: (no arguments) -> current value
Reader = Callable[[], Any]
#: digests a value the way the walk did: (builder, value) -> digest
Digester = Callable[[Any, Any], bytes]


def is_constant(value: Any, depth: int = 0) -> bool:
    """Can this value be checked by identity? Immutable atoms, functions, classes, modules and
    method descriptors (their own reads are part of the plan), tuples and frozensets of those."""
    t = type(value)
    if t in _ATOMS or isinstance(value, _IDENTIFIED):
        return True
    if t in (tuple, frozenset) and depth < 4:
        return all(is_constant(v, depth + 1) for v in value)
    return False


@dataclass
class Read:
    """One value the walk read, and how to check it."""

    reader: Reader
    kind: int
    expected: Any  # the value (SAME, EQUAL) or its digest (DATA)
    digester: Optional[Digester] = None


class Recorder:
    """Collects the reads of one walk (owned by a ``KeyBuilder`` while it plans)."""

    __slots__ = ("reads", "_values", "_seen")

    def __init__(self) -> None:
        self.reads: List[Read] = []
        self._values: List[Any] = []  # DATA values as the walk saw them, until the plan is made
        self._seen: Set[Hashable] = set()

    def note(self, reader: Reader, value: Any, digester: Optional[Digester] = None, kind: Optional[int] = None,
             key: Optional[Hashable] = None) -> None:
        """Note one read; ``key`` names what is read (say, a module's global), so that a value
        read by many functions is checked once."""
        if key is not None:
            if key in self._seen:
                return
            self._seen.add(key)
        if kind is None:
            kind = SAME if is_constant(value) else DATA
        if kind == DATA:
            assert digester is not None
            self.reads.append(Read(reader, DATA, None, digester))
            self._values.append(value)
        else:
            self.reads.append(Read(reader, kind, value))

    def plan(self, digest: bytes, arg_classes: Tuple[type, ...], builder: Any, probe: Any) -> "Plan":
        """The plan of a finished walk; ``probe`` is a fresh builder used to digest DATA reads
        exactly as :meth:`Plan.holds` will."""
        values = iter(self._values)
        for read in self.reads:
            if read.kind == DATA:
                assert read.digester is not None
                read.expected = read.digester(probe, next(values))
        self._values.clear()
        return Plan(digest, arg_classes, tuple(self.reads), frozenset(id(c) for c in builder.classes.values()),
                    frozenset(builder.attributes), builder.dynamic, tuple(builder.dynamic_sites),
                    tuple(builder.classes.values()))


@dataclass
class Plan:
    """What one walk read and produced; valid while every read gives the same answer."""

    digest: bytes
    arg_classes: Tuple[type, ...]
    reads: Tuple[Read, ...]
    class_ids: FrozenSet[int]
    attributes: FrozenSet[str]
    dynamic: bool
    dynamic_sites: Tuple[Any, ...]
    _classes: Tuple[type, ...]  # keeps the ids in class_ids alive
    #: the SAME reads apart, checked in one pass of C-level calls
    _same_readers: Tuple[Reader, ...] = field(init=False, repr=False)
    _same_expected: Tuple[Any, ...] = field(init=False, repr=False)
    _other: Tuple[Read, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        same = [r for r in self.reads if r.kind == SAME]
        self._same_readers = tuple(r.reader for r in same)
        self._same_expected = tuple(r.expected for r in same)
        self._other = tuple(r for r in self.reads if r.kind != SAME)

    def matches(self, arg_classes: Sequence[type]) -> bool:
        """Did the arguments reach exactly the classes they reached when the plan was made?"""
        mine = self.arg_classes
        return len(mine) == len(arg_classes) and all(a is b for a, b in zip(mine, arg_classes))

    def holds(self, probe: Any) -> bool:
        """Does every read still give what the walk saw? ``probe`` is a fresh deep builder."""
        if not all(map(is_, [read() for read in self._same_readers], self._same_expected)):
            return False
        probed = False
        for read in self._other:
            value = read.reader()
            if read.kind == EQUAL:
                if value != read.expected:
                    return False
            else:
                probed = True
                try:
                    if read.digester(probe, value) != read.expected:  # type: ignore[misc]
                        return False
                except Exception:  # the walk will raise the real error, with its message
                    return False
        if probed:
            # values hashed again may reach code: it must be code the plan already covers
            if not (all(i in self.class_ids for i in probe.classes) and probe.attributes <= self.attributes
                    and (self.dynamic or not probe.dynamic)):
                return False
        return True
