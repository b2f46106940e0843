"""numpy arrays, masked arrays and scalars: what a function can observe, from the raw buffer.

An array is its class (``ndarray``, ``matrix``, ``memmap``...; a subclass from outside numpy
with its instance attributes, such as a unit), dtype (byte order, metadata and field layout
included; numpy's ``longlong`` and ``int64`` are one dtype, as numpy's ``==`` says), shape, memory order (C or Fortran: a function can see it, and a
copy or a pickle keeps it) and elements. Contiguous arrays are hashed in place (xxh3 reads the
buffer directly); strided views a block of rows at a time in C order (a view and its copy hold
the same elements). Views of one buffer that overlap, inside one value, are aliases (a write
through one shows in the other), told apart from copies. Bytes that are not data never reach the hash: structured dtypes are hashed
field by field (padding), ``longdouble`` by its significant bytes (the x87 format pads 80 bits
to 16 bytes), a masked array's data under the mask not at all. Object arrays are hashed
element by element through the key's hasher. An array seen twice in one value (``[a, a]``) is a
back-reference, as for lists: a function that mutates one sees the other change.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any, Optional

import numpy as np

if TYPE_CHECKING:
    from .._hashing import Sink, ValueHasher

_PACK_Q = struct.Struct("<Q").pack
_BLOCK_BYTES = 16 << 20
_TOO_HARD = getattr(getattr(np, "exceptions", np), "TooHardError", Exception)  # (numpy.exceptions: 1.25+)


def supports(obj: Any) -> bool:
    return isinstance(obj, (np.ndarray, np.generic))


def _significant_bytes(dtype: np.dtype) -> Optional[int]:
    """The data bytes of each ``longdouble`` of an extended-precision float, if it is padded."""
    if dtype.type not in (np.longdouble, np.clongdouble):
        return None
    base = np.dtype(np.longdouble)
    if base.itemsize == 8 or np.finfo(base).nmant != 63:  # a plain double, or IEEE quad: no padding
        return None
    return 10  # x87 extended precision: 64-bit mantissa, 15-bit exponent and sign, then padding


def _dtype_tag(hasher: "ValueHasher", dtype: np.dtype, h: "Sink") -> None:
    text = dtype.str if dtype.fields is None else repr(dtype.descr) + repr(dtype.names)
    raw = text.encode()
    h.update(_PACK_Q(len(raw)) + raw)
    if dtype.metadata:
        h.update(b"meta")
        hasher.feed(dict(dtype.metadata), h)


def _buffer(obj: np.ndarray, h: "Sink") -> None:
    """The elements of a numeric array in C order, significant bytes only."""
    if not obj.size:
        return
    keep = _significant_bytes(obj.dtype)
    if obj.flags.c_contiguous and keep is None:
        h.update(obj.reshape(-1).view(np.uint8))
        return
    rows = obj.shape[0] if obj.ndim else 1
    row_bytes = max(1, (obj.size // max(rows, 1)) * obj.dtype.itemsize)
    step = max(1, _BLOCK_BYTES // row_bytes)
    for start in range(0, rows, step):
        block = np.ascontiguousarray(obj[start:start + step] if obj.ndim else obj)
        raw = block.reshape(-1).view(np.uint8)
        if keep is not None:
            half = np.dtype(np.longdouble).itemsize
            raw = raw.reshape(-1, half)[:, :keep]
            raw = np.ascontiguousarray(raw).reshape(-1)
        h.update(raw)


def _elements(hasher: "ValueHasher", obj: np.ndarray, h: "Sink") -> None:
    dtype = obj.dtype
    if dtype.names is not None:
        for name in dtype.names:
            _elements(hasher, np.asarray(obj[name]), h)
    elif dtype.hasobject:
        if not strings(obj, h):
            for item in obj.flat:
                hasher.feed(item, h)
    else:
        _buffer(obj, h)


def strings(obj: np.ndarray, h: "Sink") -> bool:
    """An object array of ``str`` only (a text column): all of it in one encoding, without a
    Python-level step per element: the strings joined by NUL (their count of NULs proves the
    split unambiguous; otherwise each string's length goes first)."""
    flat = obj.reshape(-1) if obj.flags.c_contiguous else np.ascontiguousarray(obj).reshape(-1)
    if not flat.size or set(map(type, flat)) != {str}:
        return False
    raw = "\0".join(flat).encode("utf-8", "surrogatepass")
    h.update(b"strs" + _PACK_Q(flat.size))
    if raw.count(b"\0") != flat.size - 1:
        lengths = np.fromiter(map(len, flat), dtype=np.int64, count=flat.size)
        h.update(b"lengths")
        h.update(lengths.view(np.uint8))
    h.update(_PACK_Q(len(raw)))
    h.update(raw)
    return True


def _owner(obj: np.ndarray) -> Any:
    """The object that owns an array's memory (the array itself if it owns it)."""
    owner: Any = obj
    while isinstance(owner, np.ndarray) and owner.base is not None:
        owner = owner.base
    return owner


def _share(a: np.ndarray, b: np.ndarray) -> bool:
    """Do two arrays share an element of memory? Exactly where numpy can tell quickly (interleaved
    columns of one array do not), else assumed (never a copy's key for an alias)."""
    try:
        return bool(np.shares_memory(a, b, max_work=10_000))  # type: ignore[arg-type]  # (stubs: -1 or 0 only)
    except _TOO_HARD:
        return True


def _overlaps(hasher: "ValueHasher", obj: np.ndarray, h: "Sink") -> None:
    """Views of one buffer that overlap, inside one value, are aliases: writing through one
    changes the other, as for ``[a, a]``. Such a view is told apart from a copy by which earlier
    view it overlaps, where it starts relative to it, and its strides. (A view alone, or views
    of one buffer that do not overlap, are their elements: a view equals its copy.)"""
    owner = _owner(obj)
    found = hasher.buffers.get(id(owner))
    if found is None:
        hasher.buffers[id(owner)] = (len(hasher.buffers), [obj])
        hasher._keepalive.append(owner)
        return
    number, views = found
    start = obj.__array_interface__["data"][0]
    for i, other in enumerate(views):
        if _share(other, obj):
            offset = start - other.__array_interface__["data"][0]
            h.update(b"overlaps" + _PACK_Q(number) + _PACK_Q(i) + struct.pack("<q", offset)
                     + b"".join(struct.pack("<q", s) for s in obj.strides))
            break
    views.append(obj)


def feed(hasher: "ValueHasher", obj: Any, h: "Sink") -> bool:
    if isinstance(obj, np.generic):
        if obj.dtype.hasobject:
            return False
        h.update(b"a" + type(obj).__name__.encode() + b":")
        _dtype_tag(hasher, obj.dtype, h)
        _elements(hasher, np.asarray(obj), h)
        return True
    if not isinstance(obj, np.ndarray):
        return False
    if not hasher._container(obj, h, b"A"):
        return True  # the same array again: a back-reference
    _overlaps(hasher, obj, h)
    cls = type(obj)
    if cls is not np.ndarray:
        h.update(b"class:" + f"{cls.__module__}:{cls.__qualname__}".encode() + b";")
        state = getattr(obj, "__dict__", None)
        if state and not cls.__module__.startswith("numpy"):  # a subclass of yours (or astropy's
            h.update(b"attrs")  # Quantity): what it adds, such as a unit, is part of the value
            hasher.feed(dict(state), h)
    _dtype_tag(hasher, obj.dtype, h)
    order = b"F" if obj.flags.f_contiguous and not obj.flags.c_contiguous else b"C"
    h.update(order + _PACK_Q(obj.ndim) + b"".join(_PACK_Q(n) for n in obj.shape))
    if isinstance(obj, np.ma.MaskedArray):
        mask = np.ma.getmaskarray(obj)
        data = np.ma.getdata(obj)
        if mask.any():  # what lies under the mask is not data
            data = data.copy()
            data[mask] = np.zeros(1, dtype=data.dtype)[0]
        h.update(b"mask")
        _buffer(mask, h)
        _elements(hasher, np.asarray(data), h)
        h.update(b"fill")
        hasher.feed(np.asarray(obj.fill_value).tolist() if obj.dtype.fields is None else repr(obj.fill_value), h)
        hasher.feed(bool(obj.hardmask), h)
        return True
    _elements(hasher, np.asarray(obj) if cls is not np.ndarray else obj, h)
    return True
