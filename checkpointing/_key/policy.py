"""What the two modes answer differently, asked by the walk (``walk.KeyBuilder``).

The default (*shallow*) mode is checkpointing 1.0.1's: a function or class the checkpointed
function refers to by name, and that is found again under that name, is identified by the name
(editing it is not seen, see docs/caveats.md); only the function's own reads are followed.
*Deep* mode identifies all of the user's code it reaches by content, and walks it.
"""

from __future__ import annotations

from types import FunctionType, ModuleType
from typing import TYPE_CHECKING, Any, Optional

from .. import _objects

if TYPE_CHECKING:
    from .._fingerprint import Fingerprint, Reading
    from .observers import Stream
    from .walk import KeyBuilder


class Policy:
    """One mode's answers."""

    name = ""
    #: every member of a reached class counts (no reachable code is known to select them)
    every_member = False
    #: a reached class's name is part of its identity
    names_classes = False
    #: the user code stored in the state of a library met is reached (see _registered)
    reaches_registered = False

    def by_name(self, value: Any) -> Optional[bytes]:
        """The token of a name's value identified by its name, or None: by content."""
        return None

    def class_by_name(self, cls: type) -> Optional[bytes]:
        """The token of a user class met anywhere identified by its name, or None: by content."""
        return None

    def read(self, walk: "KeyBuilder", fp: "Fingerprint", reading: "Reading", h: "Stream") -> None:
        """Add what the code reads to the key's stream ``h``."""
        raise NotImplementedError


class Shallow(Policy):
    name = "shallow"
    every_member = True
    names_classes = True

    def by_name(self, value: Any) -> Optional[bytes]:
        if isinstance(value, ModuleType):
            return None if _objects.is_library_module(value) else b"module:" + value.__name__.encode()
        if isinstance(value, (FunctionType, type)) and getattr(value, "__checkpointing__", None) is None \
                and _objects.is_user_named(value):
            return b"name:" + _objects.key_name(value).encode()  # 1.0.1: helpers by name
        return None

    def class_by_name(self, cls: type) -> Optional[bytes]:
        if _objects.lookup(cls.__module__, cls.__qualname__) is cls:
            return b"class:" + _objects.key_name(cls).encode()  # 1.0.1: classes by name
        return None

    def read(self, walk: "KeyBuilder", fp: "Fingerprint", reading: "Reading", h: "Stream") -> None:
        if reading.free_names or reading.imports or walk.objects:
            walk.read_code(fp, reading, h)


class Deep(Policy):
    name = "deep"
    reaches_registered = True

    def read(self, walk: "KeyBuilder", fp: "Fingerprint", reading: "Reading", h: "Stream") -> None:
        walk.read_reachable(fp, reading, h)


SHALLOW = Shallow()
DEEP = Deep()
