"""Deep mode, per call: re-read what the reachable code reads; reuse everything else (a plan).

The first deep call of a function in a process walks all the user code it can reach (see
``walk.KeyBuilder``). While walking, every *read* of a value that can change at run time is
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
from types import BuiltinFunctionType, CodeType, FunctionType, ModuleType
from typing import Any, Callable, FrozenSet, Hashable, List, Optional, Set, Tuple

from .._objects import MISSING

SAME = 0  # compared by identity
EQUAL = 1  # compared with ==
DATA = 2  # hashed again, compared by digest

_ATOMS = (type(None), bool, int, float, complex, str, bytes)
_IDENTIFIED = (FunctionType, type, ModuleType, CodeType)

#: reads a value again: (no arguments) -> current value
Reader = Callable[[], Any]
#: digests a value the way the walk did: (builder, value) -> digest
Digester = Callable[[Any, Any], bytes]


def is_constant(value: Any, depth: int = 0) -> bool:
    """Can this value be checked by identity? Immutable atoms, functions, classes, modules and
    code objects (their own reads are part of the plan), tuples and frozensets of those."""
    t = type(value)
    if t in _ATOMS or isinstance(value, _IDENTIFIED) or value is MISSING:
        return True
    if t is BuiltinFunctionType:  # len, np.add; a method bound to data (d.get) is data
        self_ = getattr(value, "__self__", None)
        return self_ is None or isinstance(self_, ModuleType)
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
    #: binds a new value where the read found it (a module global), for a hit that replays what
    #: the computation did (see _replay); None where the value can only change in place
    writer: Optional[Callable[[Any], None]] = None


class Recorder:
    """Collects the reads of one walk (owned by a ``KeyBuilder`` while it plans)."""

    __slots__ = ("reads", "_values", "_seen")

    def __init__(self) -> None:
        self.reads: List[Read] = []
        self._values: List[Any] = []  # DATA values as the walk saw them, until the plan is made
        self._seen: Set[Hashable] = set()

    def note(self, reader: Reader, value: Any, digester: Optional[Digester] = None, kind: Optional[int] = None,
             key: Optional[Hashable] = None, writer: Optional[Callable[[Any], None]] = None) -> None:
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
            self.reads.append(Read(reader, DATA, None, digester, writer))
            self._values.append(value)
        else:
            self.reads.append(Read(reader, kind, value, None, writer))

    def plan(self, digest: bytes, entry: Tuple[Any, ...], builder: Any, new_probe: Callable[[], Any]) -> "Plan":
        """The plan of a finished walk. DATA reads are digested by a *replay* builder, exactly as
        :meth:`Plan.holds` will: code met inside them is identified by object identity (what it
        reads is in the plan), and those objects are kept alive so that identities stay unique."""
        probe = new_probe()
        values = iter(self._values)
        for read in self.reads:
            if read.kind == DATA:
                assert read.digester is not None
                read.expected = read.digester(probe, next(values))
        self._values.clear()
        keep = (entry, tuple(builder.objects), tuple(probe.seen), tuple(r.expected for r in self.reads
                                                                       if r.kind != DATA))
        return Plan(digest, tuple(self.reads), tuple(builder.dynamic_sites), keep)


@dataclass
class Plan:
    """What one walk read and produced; valid while every read gives the same answer."""

    digest: bytes
    reads: Tuple[Read, ...]
    dynamic_sites: Tuple[Any, ...]
    _keep: Any  # the objects whose identities the reads compare
    #: the random generators the walk met through code ((label, generator, "static"), see _key)
    generators: Tuple[Any, ...] = ()
    #: the library packages the walk met (their settings count, see reads.library_settings)
    packages: FrozenSet[str] = frozenset()
    #: makes the builder that digests DATA reads as the walk did
    new_probe: Optional[Callable[[], Any]] = None
    #: the SAME reads apart, checked in one pass of C-level calls
    _same_readers: Tuple[Reader, ...] = field(init=False, repr=False)
    _same_expected: Tuple[Any, ...] = field(init=False, repr=False)
    _other: Tuple[Read, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        same = [r for r in self.reads if r.kind == SAME]
        self._same_readers = tuple(r.reader for r in same)
        self._same_expected = tuple(r.expected for r in same)
        self._other = tuple(r for r in self.reads if r.kind != SAME)

    def changed(self, new_probe: Callable[[], Any]) -> List[int]:
        """The indices of the reads that now give another answer than the walk saw (after a
        computation: what it changed of the state its key read)."""
        found = []
        probe = None
        for index, read in enumerate(self.reads):
            try:
                value = read.reader()
                if read.kind == SAME:
                    differs = value is not read.expected
                elif read.kind == EQUAL:
                    differs = bool(value != read.expected)
                else:
                    if probe is None:
                        probe = new_probe()
                    differs = read.digester(probe, value) != read.expected  # type: ignore[misc]
            except Exception:
                differs = True
            if differs:
                found.append(index)
        return found

    def holds(self, new_probe: Callable[[], Any]) -> bool:
        """Does every read still give what the walk saw?"""
        if not all(map(is_, [read() for read in self._same_readers], self._same_expected)):
            return False
        probe = None
        for read in self._other:
            value = read.reader()
            if read.kind == EQUAL:
                if value != read.expected:
                    return False
                continue
            if probe is None:
                probe = new_probe()
            try:
                if read.digester(probe, value) != read.expected:  # type: ignore[misc]
                    return False
            except Exception:  # the walk will raise the real error, with its message
                return False
        return True
