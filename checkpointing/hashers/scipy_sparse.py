"""scipy.sparse matrices and arrays: their logical content in a canonical order, never their
storage details.

A sparse value is its class (``csr_matrix`` and ``csr_array`` differ; so do CSR and CSC: a
function can see the format), shape, dtype, and its stored entries (explicit zeros and repeated
coordinates included: ``.nnz`` and ``.data`` show them) in a canonical order: row by row for CSR
(column indices sorted within a row), column by column for CSC, by (row, column) for every other
format (COO, DOK, LIL, DIA, BSR through COO; BSR also by its block size). What does not count:
whether the indices were sorted when it was hashed, the cached ``has_sorted_indices`` /
``has_canonical_format`` flags, the index arrays' integer width (int32 or int64), and how a COO
matrix's triplets were ordered. So a CSR matrix converted from COO, built from a dense array, or
after ``sort_indices()`` is the same key. Linear in the stored entries when the indices are
sorted already (the common case), else one sort.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any

import numpy as np

from . import numpy_array

if TYPE_CHECKING:
    from .._hashing import Sink, ValueHasher

_PACK_Q = struct.Struct("<Q").pack


def supports(obj: Any) -> bool:
    import scipy.sparse

    return bool(scipy.sparse.issparse(obj))


def _indices(h: "Sink", values: np.ndarray) -> None:
    """Index arrays by value, whatever their integer width: as int32 when every value fits (scipy's
    usual width: hashed in place), else as int64."""
    values = np.asarray(values)
    if values.dtype != np.int32:
        fits = not values.size or (int(values.min()) >= -(2**31) and int(values.max()) < 2**31)
        values = values.astype(np.int32 if fits else np.int64)
    h.update(b"i%d:" % values.dtype.itemsize + _PACK_Q(values.size))
    numpy_array._buffer(np.ascontiguousarray(values), h)


def _compressed(hasher: "ValueHasher", obj: Any, h: "Sink") -> None:
    """CSR or CSC: the index pointer, then each row's (column's) entries with sorted indices."""
    if not obj.has_sorted_indices:
        obj = obj.copy()
        obj.sort_indices()  # (stable for repeated indices within a row: their order is kept)
    h.update(b"indptr")
    _indices(h, obj.indptr)
    h.update(b"indices")
    _indices(h, obj.indices)
    h.update(b"data")
    numpy_array.feed(hasher, np.asarray(obj.data), h)


def _coordinates(hasher: "ValueHasher", obj: Any, h: "Sink") -> None:
    """Any other format: its entries as (row, column, value), sorted by row then column (entries
    with the same coordinates keep their order)."""
    coo = obj.tocoo(copy=False)
    row, col = np.asarray(coo.row), np.asarray(coo.col)
    order = np.lexsort((col, row)) if row.size > 1 else np.arange(row.size)
    h.update(b"row")
    _indices(h, row[order])
    h.update(b"col")
    _indices(h, col[order])
    h.update(b"data")
    numpy_array.feed(hasher, np.ascontiguousarray(np.asarray(coo.data)[order]), h)


def feed(hasher: "ValueHasher", obj: Any, h: "Sink") -> bool:
    if not supports(obj):
        return False
    if not hasher._container(obj, h, b"Z"):
        return True  # the same matrix again: a back-reference
    cls = type(obj)
    h.update(b"sparse:" + f"{cls.__module__}:{cls.__qualname__}".encode() + b";")
    h.update(_PACK_Q(len(obj.shape)) + b"".join(_PACK_Q(n) for n in obj.shape))
    numpy_array._dtype_tag(hasher, np.dtype(obj.dtype), h)
    fmt = obj.format
    h.update(fmt.encode() + b":" + _PACK_Q(int(obj.nnz)))
    if fmt == "bsr":
        h.update(b"block" + b"".join(_PACK_Q(n) for n in obj.blocksize))
    if fmt in ("csr", "csc") and obj.ndim == 2:
        _compressed(hasher, obj, h)
    else:
        _coordinates(hasher, obj, h)
    return True
