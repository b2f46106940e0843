"""pyarrow arrays, chunked arrays, tables and record batches: their logical content, never their
storage.

An array is its type (``int64`` and ``int32``, ``string`` and ``large_string`` differ: a
function can see the type), its length, which entries are missing, and the values of the
others. A table or a record batch is its schema (field names, types, nullability, field and
schema metadata) and its columns. What does not count: how the values are split into chunks, a
slice's offset into a longer parent buffer, whether an array with no missing entry carries an
all-valid bitmap or none, and what lies in a missing entry's slot. Strings and bytes are hashed
by their buffers (as in pandas' Arrow-backed columns), numbers, booleans and times by the numpy
view of their values, and nested or dictionary-encoded values element by element through the
key's hasher.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from . import numpy_array

if TYPE_CHECKING:
    from .._hashing import Sink, ValueHasher

_PACK_Q = struct.Struct("<Q").pack
_COLUMNAR = (pa.Array, pa.ChunkedArray, pa.Table, pa.RecordBatch)


def supports(obj: Any) -> bool:
    return isinstance(obj, _COLUMNAR)


def _text(h: "Sink", text: str) -> None:
    raw = text.encode("utf-8", "surrogatepass")
    h.update(_PACK_Q(len(raw)) + raw)


def _metadata(hasher: "ValueHasher", metadata: Any, h: "Sink") -> None:
    """Schema or field metadata (bytes to bytes); none and empty are the same."""
    items = sorted((bytes(k), bytes(v)) for k, v in (metadata or {}).items())
    h.update(b"meta" + _PACK_Q(len(items)))
    for key, value in items:
        h.update(_PACK_Q(len(key)) + key + _PACK_Q(len(value)) + value)


def _schema(hasher: "ValueHasher", schema: Any, h: "Sink") -> None:
    h.update(b"schema" + _PACK_Q(len(schema)))
    for field in schema:
        _text(h, field.name)
        _text(h, str(field.type))
        h.update(b"N" if field.nullable else b"n")
        _metadata(hasher, field.metadata, h)
    _metadata(hasher, schema.metadata, h)


def _values(hasher: "ValueHasher", column: Any, h: "Sink") -> None:
    """An array or chunked array: type, length, the missing entries, the values of the others."""
    _text(h, str(column.type))
    h.update(_PACK_Q(len(column)) + _PACK_Q(column.null_count))
    if arrow_text(column, h):
        return
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    if _numeric(hasher, chunks, column.null_count, h):
        return
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if array.null_count:
        valid = array.is_valid()
        h.update(b"valid")
        numpy_array._buffer(np.asarray(valid.to_numpy(zero_copy_only=False), dtype=np.bool_), h)
        array = array.filter(valid)  # the values of the others only: a missing slot holds nothing
    h.update(b"items")
    hasher.feed(array.to_pylist(), h)


def _numeric(hasher: "ValueHasher", chunks: Any, missing: int, h: "Sink") -> bool:
    """Numbers, booleans and times: which entries are missing (if any is), then the others'
    values, each as one stream over all chunks (so the chunking does not show), from numpy views
    of the chunks (no copy where there is no missing entry). False: not such a type."""
    try:
        views = [c.filter(c.is_valid()) if c.null_count else c for c in chunks]
        values = [v.to_numpy(zero_copy_only=False) for v in views]
    except (pa.ArrowException, NotImplementedError, TypeError):
        return False
    dtypes = {v.dtype for v in values}
    if len(dtypes) > 1 or (dtypes and next(iter(dtypes)).hasobject):
        return False
    if missing:
        h.update(b"valid")
        for chunk in chunks:
            valid = chunk.is_valid().to_numpy(zero_copy_only=False) if chunk.null_count else \
                np.ones(len(chunk), dtype=np.bool_)
            numpy_array._buffer(np.ascontiguousarray(valid, dtype=np.bool_), h)
    h.update(b"numpy")
    if dtypes:
        numpy_array._dtype_tag(hasher, next(iter(dtypes)), h)
    h.update(_PACK_Q(sum(len(v) for v in values)))
    for v in values:
        numpy_array._buffer(np.ascontiguousarray(v), h)
    return True


def arrow_text(chunked: Any, h: "Sink") -> bool:
    """Arrow strings or bytes by their buffers, the same however chunked or sliced, with 32- or
    64-bit offsets (False: not such an array)."""
    kind = chunked.type
    empty: Any
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        target, empty = pa.large_string(), ""
    elif pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        target, empty = pa.large_binary(), b""
    else:
        return False
    array = chunked.combine_chunks() if isinstance(chunked, pa.ChunkedArray) else chunked
    if array.type != target:
        array = array.cast(target)  # 32- and 64-bit offsets hold the same strings
    h.update(b"arrow:" + str(target).encode() + len(array).to_bytes(8, "little")
             + array.null_count.to_bytes(8, "little"))
    if array.null_count:
        import pyarrow.compute as pc

        h.update(np.asarray(array.is_valid()).tobytes())
        array = pc.fill_null(array, empty)  # what a missing entry's slot holds is not data
    buffers = array.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64)[array.offset:array.offset + len(array) + 1] \
        if buffers[1] is not None else np.zeros(1, dtype=np.int64)
    first, last = int(offsets[0]), int(offsets[-1])
    h.update((offsets - first if first else offsets).astype("<i8", copy=False).tobytes())
    if buffers[2] is not None and last > first:
        h.update(memoryview(buffers[2])[first:last])
    return True


def feed(hasher: "ValueHasher", obj: Any, h: "Sink") -> bool:
    if not supports(obj):
        return False
    if not hasher._container(obj, h, b"W"):
        return True  # the same object again: a back-reference
    if isinstance(obj, (pa.Table, pa.RecordBatch)):
        h.update(b"arrow-table" if isinstance(obj, pa.Table) else b"arrow-batch")
        _schema(hasher, obj.schema, h)
        h.update(_PACK_Q(obj.num_rows))
        for column in obj.columns:
            _values(hasher, column, h)
        return True
    h.update(b"arrow-chunked" if isinstance(obj, pa.ChunkedArray) else b"arrow-array")
    _values(hasher, obj, h)
    return True
