"""User code registered in the state of a library the walk met (deep mode): reached like code
the walk meets itself (see ``_registered`` for where it is looked for).

``registered_code`` runs while the walk expands items: the packages met so far (by their code,
by the types of the values hashed, by the arguments' types) are searched, and the user code
found in them is met as items, which may reach further packages in turn. Each location is a
live read (a plan checks that it still holds the same code), and so is the search's
generation (a module of a searched package imported later, and searched then, invalidates a
plan). ``registered_components`` writes
what was found, each location a component of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, List, Set, Tuple

from .. import _registered
from .plan import EQUAL
from .reads import packages_of

if TYPE_CHECKING:
    from .._hashing import Sink
    from .shared import Walk

#: the codec registry, as a package name of its own (met when code uses ``.encode``/``.decode``)
_CODECS = "(codec search functions)"


class Registered:
    """Registered user code (a part of ``walk.KeyBuilder``)."""

    __slots__ = ()

    def registered_code(self: "Walk") -> None:
        """Meet the user code registered in the packages met so far and not searched yet."""
        met = self.packages | self.entry_packages
        if self.types:
            met = met | packages_of(self.types)
        if not self.attributes.isdisjoint(_registered.CODEC_ATTRIBUTES) or not met.isdisjoint(_registered.CODEC_READERS):
            met = met | {_CODECS}
        done = self.registries_met
        new = sorted(met - done - _registered.NOT_SEARCHED)
        if not new:
            return
        if not done:
            self.registries_met = done = set()
            self.registered = []
            self.note_read(_registered.generation, EQUAL)
            new.append(_registered.INTERPRETER)  # (consulted by any library)
        for package in new:
            done.add(package)
            if package == _CODECS:
                found: List[Tuple[str, Any]] = [("codecs.register", _registered.codec_search_functions)]
            else:
                found = list(_registered.locations(package))
            for label, reader in found:
                code = self.note_read(reader, EQUAL)
                if code:
                    self.registered.append((label, code, b"".join(self.part(c) for c in code)))

    def registered_components(self: "Walk", h: "Sink") -> None:
        """What ``registered_code`` found, each location a component (in the order of their labels)."""
        if not self.registered:
            return
        written: Set[Tuple[int, ...]] = set()
        for label, code, tokens in sorted(self.registered, key=lambda found: found[0]):
            same = tuple(map(id, code))
            if same in written:  # (one table under two names: copy.dispatch_table is copyreg's)
                continue
            written.add(same)
            self.observer.begin("registered", label, code[0], code)  # (where: the code's file and line)
            h.update(b"registered:" + label.encode() + b"=" + tokens)
            self.observer.end()
