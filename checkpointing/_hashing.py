"""ValueHasher: the one place where values are hashed.

Every value becomes a type-tagged byte stream fed to xxh3-128, so the digest is the same in
every process and on every machine (``PYTHONHASHSEED`` plays no part): ``1``, ``1.0``, ``True``,
``"1"``, ``(1,)`` and ``[1]`` all differ; dict order counts, set order does not. Fast paths
hash raw buffers (numpy arrays, pandas objects: ``hashers/``); anything else is pickled
(protocol 5) straight into the hash, with a ``persistent_id`` hook that sends nested arrays,
sets and functions back through these encoders; cloudpickle is the last resort.

A value that cannot be hashed deterministically (a generator, an open file, a lock) raises
:class:`UnhashableValueError`, so it never shares a key with another value.

A class whose pickled state is not what its instances mean (a cache it drops, a handle it
holds) can be given a hasher of its own with :func:`register_hasher`, as ``copyreg`` gives it
a reducer: instances are then hashed by the value the hasher returns.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import pickle
import re
import struct
import sys
import threading
import weakref
from types import BuiltinFunctionType, FrameType, FunctionType, MethodType, ModuleType
from typing import Any, Callable, Dict, FrozenSet, Iterator, List, Optional, Protocol, Set, Tuple

import xxhash

from .exceptions import UnhashableValueError

_PACK_Q = struct.Struct("<Q").pack
_PACK_D = struct.Struct("<d").pack
_PACK_DD = struct.Struct("<dd").pack

#: exact types whose values are "plain data" (see analysis.normalize.immutability)
PLAIN_TYPES = frozenset({type(None), bool, int, float, complex, str, bytes, bytearray, tuple, list, dict,
                         set, frozenset})

#: identifies code-like objects (functions, classes, modules, methods...): returns a token, or
#: None to hash the object by value
CallableIdentity = Callable[[Any], Optional[bytes]]
#: feeds an element of a set as the *order* of the elements sees it (see ``_unordered_digests``)
ProvisionalFeed = Callable[[Any, Any], None]

ALGORITHMS = ("xxh3_128", "xxh3_64", "xxh128", "xxh64", *sorted(hashlib.algorithms_guaranteed))


class Sink(Protocol):
    """What a value's bytes are written into: a :class:`Hasher`, or the key's stream (which also
    tells the component being written, see ``_key.observers``)."""

    def update(self, data: Any, /) -> None: ...


class Hasher(Sink, Protocol):
    """A streaming hasher: xxhash's or hashlib's."""

    def digest(self) -> bytes: ...

    def hexdigest(self) -> str: ...

    def copy(self) -> "Hasher": ...


def new_hasher(algorithm: str = "xxh3_128") -> Hasher:
    """A streaming hasher (``update``/``digest``/``hexdigest``) for a name in :data:`ALGORITHMS`."""
    if algorithm in ("xxh3_128", "xxh128"):
        return xxhash.xxh3_128()
    if algorithm == "xxh3_64":
        return xxhash.xxh3_64()
    if algorithm == "xxh64":
        return xxhash.xxh64()
    try:
        return hashlib.new(algorithm)
    except (ValueError, TypeError):
        raise ValueError(
            f"Valid options for 'hash.algorithm' are {ALGORITHMS!r}. Got hash.algorithm={algorithm!r} instead."
        ) from None


_REGISTERED: Dict[type, Callable[[Any], Any]] = {}
_DISPATCH: Dict[type, Optional[Callable[[Any], Any]]] = {}


def register_hasher(cls: type, func: Optional[Callable[[Any], Any]] = None) -> Any:
    """Hash instances of ``cls`` and its subclasses by ``func(obj)`` instead of by pickling them.

    ``func`` returns a value that holds everything a function can observe of ``obj`` (a tuple of
    its fields, an array...); that value is hashed in the object's place, tagged with the
    object's class. Use it when pickling drops state that matters, or keeps state that does
    not (a cache, a handle)::

        @register_hasher(Grid)
        def _(grid):
            return (grid.shape, grid.values)

    Registering a class again replaces its hasher. Returns ``func`` (so it works as a decorator).
    """
    if func is None:
        return lambda f: register_hasher(cls, f)
    if not isinstance(cls, type):
        raise TypeError(f"register_hasher() needs a class, got {type(cls).__name__}: pass the class whose "
                        f"instances the function hashes")
    if not callable(func):
        raise TypeError(f"register_hasher({cls.__qualname__}, ...) needs a function of one object, got "
                        f"{type(func).__name__}")
    _REGISTERED[cls] = func
    _DISPATCH.clear()
    _INERT.clear()
    return func


def _registered(t: type) -> Optional[Callable[[Any], Any]]:
    """The hasher registered for ``t`` or its nearest base, else one of :data:`_LIBRARY_HASHERS`
    (cached per type)."""
    try:
        return _DISPATCH[t]
    except KeyError:
        pass
    mro = getattr(t, "__mro__", ())
    found = next((_REGISTERED[k] for k in mro if k in _REGISTERED), None)
    if found is None:
        found = next((_LIBRARY_HASHERS[n] for n in map(_type_name, mro) if n in _LIBRARY_HASHERS), None)
    _DISPATCH[t] = found
    return found


def _progress_bar(bar: Any) -> Any:
    """A progress bar (tqdm and its subclasses) is output, not input: what it was made to show, not
    its count, timings or terminal, which differ between runs and move as the computation goes."""
    return tuple(getattr(bar, name, None) for name in ("total", "desc", "unit", "disable"))


def _machinery(obj: Any) -> Any:
    """checkpointing's own objects (a decorator, a store, an identifier, a checkpointed function)
    met in what code reads (``from ckpt import cached`` in a module keyed whole): what they are
    configured as, never their state, which changes as they serve calls (a store's caches)."""
    text = repr(obj)
    return type(obj).__qualname__ if " at 0x" in text else text


#: library classes whose instances are hashed by what a computation can observe of them, named
#: by module and qualified name (their modules are not imported here)
_LIBRARY_HASHERS: Dict[str, Callable[[Any], Any]] = {
    "tqdm.std.tqdm": _progress_bar,
    "checkpointing._decorator.DecoratorCheckpoint": _machinery,
    "checkpointing._checkpointed.CheckpointedFunction": _machinery,
    "checkpointing._identifier.FuncCallIdentifierBase": _machinery,
    "checkpointing.stores.base.CacheBase": _machinery,
}


class _HashWriter(io.RawIOBase):
    """A write-only file that feeds everything written to it into a hasher."""

    def __init__(self, hasher: Any) -> None:
        self._update = hasher.update

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        self._update(b)
        return len(b) if not isinstance(b, memoryview) else b.nbytes


class ValueHasher:
    """Hashes values; one instance per key computation (it remembers aliasing between values).

    ``identify`` is asked first about every object that is not plain data (see ``_key``).
    """

    __slots__ = ("identify", "pickle_protocol", "algorithm", "provisional", "_memo", "_keepalive", "_active",
                 "_digests", "_stripped", "types", "buffers", "touched")

    def __init__(self, identify: Optional[CallableIdentity] = None, pickle_protocol: int = 5,
                 algorithm: str = "xxh3_128", provisional: Optional[ProvisionalFeed] = None,
                 active: Optional[Dict[int, int]] = None, types: Optional[Set[type]] = None) -> None:
        self.identify = identify
        #: the types of the values hashed, other than plain data (what libraries a value reaches)
        self.types = types
        self.pickle_protocol = pickle_protocol
        self.algorithm = algorithm
        self.provisional = provisional
        self._memo: Dict[int, int] = {}
        self._keepalive: List[Any] = []
        #: arrays met so far, by the object that owns their memory (id -> its number, and the
        #: arrays): views of one buffer that overlap are aliases (see hashers/numpy_array.py)
        self.buffers: Dict[int, Tuple[int, List[Any]]] = {}
        #: for the hasher of a set's element: the mutable objects it met (ids), to find those that
        #: several elements share (see _unordered_digests); None: not collected
        self.touched: Optional[Set[int]] = None
        #: containers being hashed (id -> nesting depth), shared with the hashers of set elements:
        #: a cycle through a set is encoded by its depth, whatever the iteration order
        self._active: Dict[int, int] = active if active is not None else {}
        #: digests of tuples and frozensets without mutable parts, by identity: a value that shares
        #: them (t = (t, t), fifty times) is hashed in time linear in its size, not exponential.
        #: Equal immutable values have equal digests, so sharing them is not encoded.
        self._digests: Dict[int, bytes] = {}
        #: objects being pickled without their cached_property values (see persistent_id)
        self._stripped: Set[int] = set()

    # -- public ---------------------------------------------------------------------------

    def digest(self, obj: Any) -> bytes:
        """Digest of one value (16 bytes with xxh3-128)."""
        h = new_hasher(self.algorithm)
        self.feed(obj, h)
        return h.digest()

    @staticmethod
    def too_deep(obj: Any) -> UnhashableValueError:
        return UnhashableValueError(
            f"cannot hash a value of type {_type_name(type(obj))}: it is nested deeper than "
            f"Python's recursion limit; pass a flatter value (or an array) instead")

    # -- encoding -------------------------------------------------------------------------

    def feed(self, obj: Any, h: Sink) -> None:
        t = type(obj)
        encode = _EXACT.get(t)
        if encode is not None:
            encode(self, obj, h)
            return
        if self.types is not None:
            self.types.add(t)
        registered = _registered(t)
        if registered is not None:
            self._registered_value(obj, registered, h)
            return
        fast = _fast_path(obj)
        if fast is not None and fast.feed(self, obj, h):
            return
        if isinstance(obj, (set, frozenset)):
            self._set_subclass(obj, h)
            return
        ident = self.identify(obj) if self.identify is not None else None
        if ident is not None:
            h.update(b"@")
            h.update(ident)
            return
        h.update(b"P")
        h.update(self._pickled_digest(obj))
        if isinstance(obj, BaseException) and self._container(obj, h, b"X"):
            # pickling keeps an exception's class, args and attributes, not its chain: `raise A from
            # B` and a bare `raise A` differ (a traceback is where it was raised: not a value)
            for link in (obj.__cause__, obj.__context__):
                if link is None:
                    h.update(b"-")
                else:
                    self.feed(link, h)
            h.update(b"T" if obj.__suppress_context__ else b"F")

    def _container(self, obj: Any, h: Sink, tag: bytes) -> bool:
        """Aliasing: a mutable container seen before becomes a back-reference."""
        ref = self._memo.get(id(obj))
        if ref is not None:
            h.update(b"r" + _PACK_Q(ref))
            return False
        depth = self._active.get(id(obj))
        if depth is not None:  # a cycle through the elements of a set
            h.update(b"^" + _PACK_Q(len(self._active) - depth))
            return False
        self._memo[id(obj)] = len(self._memo)
        self._keepalive.append(obj)
        h.update(tag)
        return True

    def _unordered_digests(self, container: Any) -> List[bytes]:
        """The sorted digests of a set's elements, each hashed on its own (aliasing between
        elements depends on the iteration order, hence on ``PYTHONHASHSEED``). When elements
        hold code, the key builder numbers what it meets in the order of the elements' sorted
        *provisional* digests, so that numbering does not depend on iteration order either."""
        items = list(container)
        self._active[id(container)] = len(self._active)
        try:
            if self.provisional is not None and any(type(x) not in _PLAIN_ELEMENTS for x in items):
                def order(x: Any) -> bytes:
                    sub = new_hasher(self.algorithm)
                    self.provisional(x, sub)  # type: ignore[misc]
                    return sub.digest()

                items.sort(key=order)
            hashed = [self._element(x) if type(x) not in _PLAIN_ELEMENTS else (self._plain_digest(x), _NO_IDS)
                      for x in items]
        finally:
            del self._active[id(container)]
        digests = sorted(d for d, _ in hashed)
        shared = _shared_between(hashed)
        if shared is not None:  # elements that share a mutable object (a list both hold) are aliases
            digests.append(b"shared" + shared)
        return digests

    def _registered_value(self, obj: Any, func: Callable[[Any], Any], h: Sink) -> None:
        cls = type(obj)
        ident = self.identify(cls) if self.identify is not None else None
        h.update(b"R" + (ident if ident is not None else _type_key(cls)) + b":")
        self.feed(func(obj), h)

    def _immutable_digest(self, obj: Any, encode: Callable[["ValueHasher", Any, Any], None]) -> bytes:
        """The digest of a tuple or frozenset, remembered by identity when it holds no mutable
        container (whose aliasing would then go unrecorded the second time)."""
        known = self._digests.get(id(obj))
        if known is not None:
            return known
        before = len(self._memo)
        sub = new_hasher(self.algorithm)
        encode(self, obj, sub)
        digest = sub.digest()
        if len(self._memo) == before:
            self._digests[id(obj)] = digest
            self._keepalive.append(obj)
        return digest

    def _set_subclass(self, obj: Any, h: Sink) -> None:
        """A subclass of set or frozenset: its class, its elements in a hash-seed-independent
        order (pickle would list them in iteration order), and its instance attributes."""
        cls = type(obj)
        ident = self.identify(cls) if self.identify is not None else None
        h.update(b"S+" + (ident if ident is not None else _type_key(cls)))
        if isinstance(obj, set) and not self._container(obj, h, b"s"):
            return
        h.update(_PACK_Q(len(obj)))
        for d in self._unordered_digests(obj):
            h.update(d)
        self.feed(dict(getattr(obj, "__dict__", {})), h)

    def _plain_digest(self, x: Any) -> bytes:
        """The digest of plain data (a number, a string...), as :meth:`digest` gives it: it holds
        nothing mutable, so it needs no hasher of its own."""
        h = new_hasher(self.algorithm)
        _EXACT[type(x)](self, x, h)
        return h.digest()

    def _element(self, x: Any) -> Tuple[bytes, Set[int]]:
        """An element of a set hashed on its own, and the mutable objects it holds (ids)."""
        sub = ValueHasher(self.identify, self.pickle_protocol, self.algorithm, self.provisional, self._active)
        sub._digests = self._digests  # immutable parts' digests do not depend on the memo: shared
        sub._keepalive = self._keepalive
        sub.touched = set()
        digest = sub.digest(x)
        touched = sub.touched | set(sub._memo)
        if self.touched is not None:
            self.touched |= touched
        return digest, touched

    def _pickled_digest(self, obj: Any) -> bytes:
        sub = new_hasher(self.algorithm)
        try:
            pickler = _HashPickler(_HashWriter(sub), self.pickle_protocol, self)
            pickler.dump(obj)
            if self.touched is not None:  # (an element of a set: what it holds, for aliasing)
                self.touched.update(i for i, (_, o) in pickler.memo.copy().items() if _mutable(o))
            return sub.digest()
        except RecursionError:
            raise UnhashableValueError(
                f"cannot hash a value of type {_type_name(type(obj))}: it is nested too "
                f"deeply to pickle") from None
        except UnhashableValueError:
            raise
        except Exception as first:  # pickle raises many types; cloudpickle is the fallback
            try:
                sub = new_hasher(self.algorithm)
                _cloud_pickler(_HashWriter(sub), self.pickle_protocol, self).dump(obj)
                return b"C" + sub.digest()
            except UnhashableValueError:
                raise
            except Exception:
                raise UnhashableValueError(
                    f"cannot hash a value of type {_type_name(type(obj))}: "
                    f"pickle raised {type(first).__name__}({first}); a value like this (a generator, an open "
                    f"file, a lock, a connection) has no stable content to key a cache on"
                ) from first

    def persistent_id(self, obj: Any) -> Optional[bytes]:
        """Called by the pickler for every object: route special ones through our encoders.

        Strings, bytes and tuples are routed too: pickle's memo writes a reference for an object
        it has seen *by identity*, which would make two equal values (one string shared by two
        attributes, or two equal strings) pickle differently. Each returned id is a new bytes
        object, which the memo never matches."""
        t = type(obj)
        if t is str:
            text: bytes = obj.encode("utf-8", "surrogatepass")
            return b"s" + text
        if t is bytes:
            raw: bytes = obj
            return b"b" + raw
        if t in _PICKLE_NATIVE:
            return None
        if self.types is not None:
            self.types.add(t)
        if t in _INERT:
            return None
        if t in _EXACT or _registered(t) is not None or _fast_path(obj) is not None \
                or isinstance(obj, (set, frozenset)):
            h = new_hasher(self.algorithm)
            self.feed(obj, h)
            return b"v" + h.digest()
        if self.identify is None:
            return None
        ident = self.identify(obj)
        if ident is not None:
            return b"@" + ident
        if _chooses_its_state(t) and id(obj) not in self._stripped:
            return self._full_state(obj)
        cached = _cached_properties(t)
        if cached:
            return self._without_cached_values(obj, cached) if id(obj) not in self._stripped else None
        if not callable(obj) and _inert_type(t) and not _chooses_its_state(t):
            _INERT.add(t)
        return None

    def _full_state(self, obj: Any) -> bytes:
        """An object of the user's whose class chooses what pickling keeps (``__getstate__``,
        ``__reduce__``): what its methods can use is its whole state, so that is hashed (a value
        that has no content to key, a lock or a file, by its type: what pickling dropped)."""
        t = type(obj)
        cached = _cached_properties(t)
        state: Dict[str, Any] = {}
        d = getattr(obj, "__dict__", None)
        if isinstance(d, dict):
            state.update(d)
        for name in _slot_names(t):
            value = getattr(obj, name, _NO_VALUE)
            if value is not _NO_VALUE:
                state[name] = value
        h = new_hasher(self.algorithm)
        h.update(b"full-state:")
        self._stripped.add(id(obj))  # (a value that holds the object again: pickled as usual there)
        try:
            self.feed(t, h)
            for name, value in state.items():
                if name in cached:
                    continue  # (a cache filled by code the key covers, see _without_cached_values)
                self.feed(name, h)
                try:
                    h.update(self.digest(value))
                except UnhashableValueError:
                    h.update(b"unkeyable:" + _type_key(type(value)))
        finally:
            self._stripped.discard(id(obj))
        return b"f" + h.digest()

    def _without_cached_values(self, obj: Any, names: FrozenSet[str]) -> Optional[bytes]:
        """An object whose class has ``functools.cached_property`` members, hashed without the
        values they cached in its ``__dict__``: a cache filled by code the key already covers
        (whether it was read yet depends on what ran before, and a hit runs nothing)."""
        state = getattr(obj, "__dict__", None)
        if not isinstance(state, dict):
            return None
        target = obj
        if not names.isdisjoint(state):
            import copy

            target = copy.copy(obj)
            kept = getattr(target, "__dict__", None)
            if target is obj or not isinstance(kept, dict):
                return None
            for name in names.intersection(kept):
                del kept[name]
        self._stripped.add(id(target))
        try:
            sub = new_hasher(self.algorithm)
            _HashPickler(_HashWriter(sub), self.pickle_protocol, self).dump(target)
        finally:
            self._stripped.discard(id(target))
        return b"c" + sub.digest()


#: types whose instances are pickled as they are inside a value: not callable (what identifies a
#: callable depends on the object), no special identity, no hasher, no fast path, no cached
#: property (decided once per type: a value of many such objects pays one set lookup each)
_INERT: Set[type] = set()


def _inert_type(t: type) -> bool:
    module = _type_module(t)
    return not module.startswith(("numpy", "pandas", "numba", "os")) and t.__name__ != "_Environ"


_CHOOSES_STATE: Dict[type, bool] = {}
_NO_VALUE = object()
#: the methods by which a class chooses what pickling keeps of an instance
_STATE_METHODS = ("__getstate__", "__reduce__", "__reduce_ex__")


def _chooses_its_state(t: type) -> bool:
    """Does a class of the user's (not a library's, whose pickling is trusted to keep what its
    methods use) define how its instances are pickled? Then pickling may drop state its methods
    use (once per type)."""
    found = _CHOOSES_STATE.get(t)
    if found is None:
        from ._usercode import is_user_module

        found = False
        for klass in getattr(t, "__mro__", ())[:-1]:  # (not object)
            if any(name in vars(klass) for name in _STATE_METHODS):
                module = sys.modules.get(getattr(klass, "__module__", "") or "")
                found = module is None or is_user_module(module)
                break
        _CHOOSES_STATE[t] = found
    return found


def _slot_names(t: type) -> List[str]:
    names: List[str] = []
    for klass in getattr(t, "__mro__", ()):
        slots = vars(klass).get("__slots__", ())
        for name in (slots,) if isinstance(slots, str) else slots:
            if name.startswith("__") and not name.endswith("__"):  # a private name, as Python mangles it
                name = f"_{klass.__name__.lstrip('_')}{name}"
            if name not in ("__dict__", "__weakref__") and name not in names:
                names.append(name)
    return names


_CACHED_PROPERTIES: Dict[type, FrozenSet[str]] = {}


def _cached_properties(t: type) -> FrozenSet[str]:
    """The attribute names under which ``functools.cached_property`` members of ``t`` store their
    values (once per type)."""
    found = _CACHED_PROPERTIES.get(t)
    if found is None:
        import functools

        names = set()
        for klass in getattr(t, "__mro__", ()):
            for name, member in list(vars(klass).items()):
                if isinstance(member, functools.cached_property):
                    names.add(getattr(member, "attrname", None) or name)
        found = _CACHED_PROPERTIES[t] = frozenset(names)
    return found


def _type_module(t: type) -> str:
    """The module a type was defined in ("" when unknown: a Cython function type's ``__module__``
    is a descriptor of its instances, not a string)."""
    module = getattr(t, "__module__", "")
    return module if isinstance(module, str) else ""


def _type_name(t: type) -> str:
    return f"{_type_module(t)}.{t.__qualname__}"


def _type_key(t: type) -> bytes:
    """A type's name as a key records it (``module:qualname``: see ``_objects.key_name``)."""
    return f"{_type_module(t)}:{t.__qualname__}".encode()


_NO_IDS: Set[int] = set()  # (never changed: what a plain element holds)


def _mutable(obj: Any) -> bool:
    """Could a function change ``obj`` in place (so that two holders of it see the change)?"""
    if type(obj) in (list, dict, set, bytearray):
        return True
    return hasattr(obj, "__dict__") and not isinstance(obj, (type, FunctionType, BuiltinFunctionType, MethodType,
                                                             ModuleType))


def _shared_between(hashed: List[Tuple[bytes, Set[int]]]) -> Optional[bytes]:
    """Which elements of a set share a mutable object, told by the elements' digests (so in no
    particular order): None if none do."""
    if len(hashed) < 2:
        return None
    holders: Dict[int, List[bytes]] = {}
    for digest, touched in hashed:
        for i in touched:
            holders.setdefault(i, []).append(digest)
    groups = sorted(tuple(sorted(found)) for found in holders.values() if len(found) > 1)
    if not groups:
        return None
    h = xxhash.xxh3_128()
    for group in groups:
        h.update(_PACK_Q(len(group)) + b"".join(group))
    return h.digest()


def _fast_path(obj: Any) -> Any:
    """The hasher module for ``obj`` if a fast path supports it (imported only when needed)."""
    module = _type_module(type(obj))
    if module.startswith("numpy"):
        from .hashers import numpy_array

        return numpy_array if numpy_array.supports(obj) else None
    if module.startswith("pandas"):
        from .hashers import pandas_object

        return pandas_object if pandas_object.supports(obj) else None
    if module.startswith("pyarrow"):
        from .hashers import pyarrow_object

        return pyarrow_object if pyarrow_object.supports(obj) else None
    if module.startswith("PIL"):
        from .hashers import pil_image

        return pil_image if pil_image.supports(obj) else None
    if module.startswith("polars"):
        from .hashers import polars_object

        return polars_object if polars_object.supports(obj) else None
    if module.startswith("xarray"):
        from .hashers import xarray_object

        return xarray_object if xarray_object.supports(obj) else None
    if module.startswith("scipy.sparse"):
        from .hashers import scipy_sparse

        return scipy_sparse if scipy_sparse.supports(obj) else None
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(obj, numpy.ndarray):  # a subclass from outside numpy (a unit...)
        from .hashers import numpy_array

        return numpy_array
    return None


#: how deep hashing may recurse when the program raised the recursion limit above it: pickling and
#: Python frames use the C stack (every frame on 3.9 and 3.10), and a limit of a million lets a
#: 100,000-long linked list overflow it, which kills the process; nested deeper than this, a
#: value is refused with UnhashableValueError instead (12,000 levels were measured safe on 3.9)
SAFE_NESTING = 8000
_bounded = threading.local()


@contextlib.contextmanager
def bounded_recursion() -> Iterator[None]:
    """While hashing: the recursion limit, if the program raised it above :data:`SAFE_NESTING`
    levels more than the current depth, lowered to that (and put back after). Free otherwise."""
    limit = sys.getrecursionlimit()
    if limit <= SAFE_NESTING or getattr(_bounded, "active", False):
        yield
        return
    depth = 0
    frame: Optional[FrameType] = sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    bounded = depth + SAFE_NESTING
    if bounded >= limit:
        yield
        return
    _bounded.active = True
    sys.setrecursionlimit(bounded)
    try:
        yield
    finally:
        _bounded.active = False
        if sys.getrecursionlimit() == bounded:  # (unless the program changed it meanwhile)
            sys.setrecursionlimit(limit)


#: left to pickle inside pickled objects (a tuple is routed through our encoders: see persistent_id)
_PICKLE_NATIVE = frozenset({type(None), bool, int, float, complex, bytearray, list, dict})
_PLAIN_ELEMENTS = frozenset({type(None), bool, int, float, complex, str, bytes})
_ATOMS = _PLAIN_ELEMENTS


class _HashPickler(pickle.Pickler):
    def __init__(self, file: Any, protocol: int, owner: ValueHasher) -> None:
        super().__init__(file, protocol=protocol)
        self._owner = owner

    def persistent_id(self, obj: Any) -> Optional[bytes]:
        return self._owner.persistent_id(obj)


def _cloud_pickler(file: Any, protocol: int, owner: ValueHasher) -> Any:
    import cloudpickle

    class _CloudHashPickler(cloudpickle.CloudPickler):  # type: ignore[misc]
        def persistent_id(self, obj: Any) -> Optional[bytes]:
            return owner.persistent_id(obj)

    return _CloudHashPickler(file, protocol=protocol)


# -- exact-type encoders ----------------------------------------------------------------------


def _none(_: ValueHasher, obj: None, h: Sink) -> None:
    h.update(b"N")


def _bool(_: ValueHasher, obj: bool, h: Sink) -> None:
    h.update(b"T" if obj else b"F")


def _int(_: ValueHasher, obj: int, h: Sink) -> None:
    if -(2**63) <= obj < 2**63:
        h.update(b"i" + obj.to_bytes(8, "little", signed=True))
    else:
        raw = obj.to_bytes((obj.bit_length() + 8) // 8, "little", signed=True)
        h.update(b"I" + _PACK_Q(len(raw)) + raw)


def _float(_: ValueHasher, obj: float, h: Sink) -> None:
    h.update(b"f" + _PACK_D(obj))


def _complex(_: ValueHasher, obj: complex, h: Sink) -> None:
    h.update(b"c" + _PACK_DD(obj.real, obj.imag))


def _str(_: ValueHasher, obj: str, h: Sink) -> None:
    raw = obj.encode("utf-8", "surrogatepass")
    h.update(b"s" + _PACK_Q(len(raw)))
    h.update(raw)


def _bytes(_: ValueHasher, obj: bytes, h: Sink) -> None:
    h.update(b"b" + _PACK_Q(len(obj)))
    h.update(obj)


def _bytearray(self: ValueHasher, obj: bytearray, h: Sink) -> None:
    if self._container(obj, h, b"B"):
        h.update(_PACK_Q(len(obj)))
        h.update(obj)


def _tuple(self: ValueHasher, obj: Tuple[Any, ...], h: Sink) -> None:
    if all(type(x) in _ATOMS for x in obj):  # the common case: streamed as it is
        h.update(b"(" + _PACK_Q(len(obj)))
        for item in obj:
            _EXACT[type(item)](self, item, h)
        return
    h.update(b"(d" + self._immutable_digest(obj, _tuple_items))


def _list(self: ValueHasher, obj: List[Any], h: Sink) -> None:
    if self._container(obj, h, b"["):
        h.update(_PACK_Q(len(obj)))
        feed = self.feed
        for item in obj:
            feed(item, h)


def _dict(self: ValueHasher, obj: Dict[Any, Any], h: Sink) -> None:
    if self._container(obj, h, b"{"):
        h.update(_PACK_Q(len(obj)))
        feed = self.feed
        for k, v in obj.items():
            feed(k, h)
            feed(v, h)


def _set(self: ValueHasher, obj: Set[Any], h: Sink) -> None:
    if self._container(obj, h, b"S"):
        h.update(_PACK_Q(len(obj)))
        for d in self._unordered_digests(obj):
            h.update(d)


def _tuple_items(self: ValueHasher, obj: Tuple[Any, ...], h: Sink) -> None:
    h.update(b"(" + _PACK_Q(len(obj)))
    feed = self.feed
    for item in obj:
        feed(item, h)


def _frozenset(self: ValueHasher, obj: FrozenSet[Any], h: Sink) -> None:
    depth = self._active.get(id(obj))
    if depth is not None:  # a frozenset reached again through its own elements
        h.update(b"^" + _PACK_Q(len(self._active) - depth))
        return
    h.update(b"Zd" + self._immutable_digest(obj, _frozenset_items))


def _frozenset_items(self: ValueHasher, obj: FrozenSet[Any], h: Sink) -> None:
    h.update(b"Z" + _PACK_Q(len(obj)))
    for d in self._unordered_digests(obj):
        h.update(d)


def _memoryview(self: ValueHasher, obj: memoryview, h: Sink) -> None:
    """A memoryview: its format and shape (what indexing it gives) and its bytes."""
    h.update(b"V" + obj.format.encode() + b":" + repr(obj.shape).encode() + b":")
    raw = obj.tobytes()
    h.update(_PACK_Q(len(raw)))
    h.update(raw)


def _mappingproxy(self: ValueHasher, obj: Any, h: Sink) -> None:
    h.update(b"M")
    _dict(self, dict(obj), h)


def _weakref(self: ValueHasher, obj: Any, h: Sink) -> None:
    """A weak reference is what it refers to (a call gives it back), or dead."""
    referent = obj()
    if referent is None:
        h.update(b"w-")
        return
    h.update(b"w+")
    self.feed(referent, h)


def _weakset(self: ValueHasher, obj: Any, h: Sink) -> None:
    """The objects still alive in it, as a set."""
    if self._container(obj, h, b"WS"):
        digests = self._unordered_digests(obj)
        h.update(_PACK_Q(len(digests)))
        for d in digests:
            h.update(d)


def _weak_mapping(self: ValueHasher, obj: Any, h: Sink) -> None:
    """A weak-keyed or weak-valued dictionary: its live items, in order, as a dict."""
    if self._container(obj, h, b"WD" if isinstance(obj, weakref.WeakKeyDictionary) else b"WV"):
        items = list(obj.items())
        h.update(_PACK_Q(len(items)))
        for k, v in items:
            self.feed(k, h)
            self.feed(v, h)


def _match(self: ValueHasher, obj: Any, h: Sink) -> None:
    """A regular-expression match: its pattern, the string searched and the span it searched,
    and the span of every group (which gives ``group()``, ``groups()`` and ``lastindex``)."""
    h.update(b"re-match")
    self.feed((obj.re, obj.string, obj.pos, obj.endpos, obj.regs), h)


def _struct(self: ValueHasher, obj: Any, h: Sink) -> None:
    h.update(b"struct")
    self.feed(obj.format, h)


_EXACT: Dict[type, Callable[[ValueHasher, Any, Any], None]] = {
    type(None): _none, bool: _bool, int: _int, float: _float, complex: _complex, str: _str,
    bytes: _bytes, bytearray: _bytearray, tuple: _tuple, list: _list, dict: _dict, set: _set,
    frozenset: _frozenset, type(type.__dict__): _mappingproxy, memoryview: _memoryview,
    weakref.ref: _weakref, weakref.KeyedRef: _weakref, weakref.WeakSet: _weakset,
    weakref.WeakValueDictionary: _weak_mapping, weakref.WeakKeyDictionary: _weak_mapping,
    type(re.match("", "")): _match, struct.Struct: _struct,
}


def is_plain(obj: Any, _seen: Optional[Set[int]] = None) -> bool:
    try:
        return _is_plain(obj, _seen)
    except RecursionError:  # nested too deeply to tell: not assumed plain
        return False


def _is_plain(obj: Any, _seen: Optional[Set[int]] = None) -> bool:
    """Is ``obj`` plain builtin data: exact int, float, complex, bool, str, bytes, None, or a
    tuple, list, dict, set or frozenset of plain data (see analysis.normalize.immutability)?"""
    t = type(obj)
    if t not in PLAIN_TYPES:
        return False
    if t in (tuple, list, set, frozenset, dict):
        seen = _seen if _seen is not None else set()
        if id(obj) in seen:
            return True
        seen.add(id(obj))
        items = obj.items() if t is dict else obj
        if t is dict:
            return all(_is_plain(k, seen) and _is_plain(v, seen) for k, v in items)
        return all(_is_plain(x, seen) for x in items)
    return True
