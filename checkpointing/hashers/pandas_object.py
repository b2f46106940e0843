"""pandas objects: their logical content, never their caches or the bytes under a mask.

A Series or DataFrame is its values, dtypes, index, columns, names, ``attrs`` and ``flags``; an
Index also its frequency. Arrays are hashed by what a function can observe, never by their
pickled state: a ``DatetimeArray`` by its integers, unit, time zone and frequency (its lazily
filled caches after ``repr()`` or ``.max()`` are not data); a nullable array (``Int64``,
``boolean``, ``Float64``) by its mask and the values outside it; a categorical by its codes,
categories and order; an interval array by its two sides; a sparse array by its values, their
positions and its fill value; numpy-backed columns by the numpy fast path (no pickling, no
copy); Arrow-backed strings and bytes (pandas 3's ``str`` with pyarrow installed,
``string[pyarrow]``) by their Arrow buffers: which entries are missing, the offsets (relative to
the first) and the bytes between, the same however the array is chunked or sliced. Anything else
(other Arrow types, third-party extension types) is pickled, with the numpy buffers inside still
routed through the numpy fast path. A frame seen twice in one value is a back-reference, as for
lists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import numpy_array

if TYPE_CHECKING:
    from .._hashing import Sink, ValueHasher

_ARRAYS = pd.arrays


def supports(obj: Any) -> bool:
    t = type(obj)
    return (t is pd.DataFrame or t is pd.Series or isinstance(obj, (pd.Index, pd.api.extensions.ExtensionArray))
            ) and t.__module__.startswith("pandas")


def _tag(h: "Sink", text: str) -> None:
    raw = text.encode("utf-8", "surrogatepass")
    h.update(len(raw).to_bytes(8, "little") + raw)


def _values(hasher: "ValueHasher", values: Any, h: "Sink") -> None:
    """An array of values: numpy, or an extension array by its logical content."""
    if isinstance(values, np.ndarray):
        numpy_array.feed(hasher, values, h)
        return
    _tag(h, f"{type(values).__qualname__}:{values.dtype}")
    if isinstance(values, (_ARRAYS.DatetimeArray, _ARRAYS.TimedeltaArray, _ARRAYS.PeriodArray)):
        numpy_array.feed(hasher, np.asarray(values.asi8), h)
        numpy_array.feed(hasher, np.asarray(pd.isna(values)), h)
        freq = getattr(values, "freq", None)
        _tag(h, "" if freq is None else freq.freqstr)
    elif isinstance(values, pd.Categorical):
        h.update(b"o" if values.ordered else b"u")
        numpy_array.feed(hasher, np.asarray(values.codes), h)
        _index(hasher, values.categories, h)
    elif isinstance(values, (_ARRAYS.IntegerArray, _ARRAYS.FloatingArray, _ARRAYS.BooleanArray)):
        mask = np.asarray(values._mask)
        data = np.asarray(values._data)
        if mask.any():  # what lies under the mask is not data
            data = np.where(mask, np.zeros(1, dtype=data.dtype), data)
        numpy_array.feed(hasher, mask, h)
        numpy_array.feed(hasher, data, h)
    elif isinstance(values, _ARRAYS.IntervalArray):
        _tag(h, str(values.closed))
        _values(hasher, values.left._values if hasattr(values.left, "_values") else values.left, h)
        _values(hasher, values.right._values if hasattr(values.right, "_values") else values.right, h)
        numpy_array.feed(hasher, np.asarray(pd.isna(values)), h)
    elif isinstance(values, _ARRAYS.SparseArray):
        hasher.feed(len(values), h)
        numpy_array.feed(hasher, np.asarray(values.sp_values), h)
        numpy_array.feed(hasher, np.asarray(values.sp_index.indices), h)
        hasher.feed(values.fill_value, h)
    elif type(values).__name__ == "StringArray":
        data = np.asarray(values._ndarray)
        if not numpy_array.strings(data, h):  # not only strings: the missing values apart
            missing = np.asarray(pd.isna(values))
            h.update(b"missing")
            numpy_array.feed(hasher, missing, h)
            present = data[~missing]
            if not numpy_array.strings(present, h):
                numpy_array.feed(hasher, present, h)
    elif isinstance(values, _ARRAYS.NumpyExtensionArray):
        numpy_array.feed(hasher, np.asarray(values._ndarray), h)
    elif not _arrow_text(getattr(values, "_pa_array", None), h):
        h.update(hasher._pickled_digest(values))


def _arrow_text(chunked: Any, h: "Sink") -> bool:
    """Arrow strings or bytes by their buffers (False: not such an array; see ``pyarrow_object``)."""
    if chunked is None:
        return False
    from .pyarrow_object import arrow_text  # (pyarrow is imported: the column is one of its arrays)

    return arrow_text(chunked, h)


def _index(hasher: "ValueHasher", index: Any, h: "Sink") -> None:
    _tag(h, type(index).__qualname__)
    hasher.feed(list(index.names), h)
    if isinstance(index, pd.RangeIndex):
        hasher.feed((index.start, index.stop, index.step), h)
    elif isinstance(index, pd.MultiIndex):
        hasher.feed(len(index.levels), h)
        for level, codes in zip(index.levels, index.codes):
            _index(hasher, level, h)
            numpy_array.feed(hasher, np.asarray(codes), h)
    else:
        _tag(h, str(index.dtype))
        _values(hasher, index._values, h)
        freq = getattr(index, "freq", None)
        if freq is not None:
            _tag(h, "freq:" + freq.freqstr)


def feed(hasher: "ValueHasher", obj: Any, h: "Sink") -> bool:
    if not supports(obj):
        return False
    if isinstance(obj, pd.Index):
        _index(hasher, obj, h)
        return True
    if isinstance(obj, pd.api.extensions.ExtensionArray):
        _values(hasher, obj, h)
        return True
    if not hasher._container(obj, h, b"PD"):
        return True  # the same frame or series again: a back-reference
    if type(obj) is pd.Series:
        h.update(b"SE")
        hasher.feed(obj.name, h)
        _index(hasher, obj.index, h)
        _tag(h, str(obj.dtype))
        _values(hasher, obj._values, h)
    else:
        h.update(b"DF")
        _index(hasher, obj.columns, h)
        _index(hasher, obj.index, h)
        for i in range(obj.shape[1]):
            column = obj.iloc[:, i]
            _tag(h, str(column.dtype))
            _values(hasher, column._values, h)
    h.update(b"flags" + (b"1" if obj.flags.allows_duplicate_labels else b"0"))
    attrs = getattr(obj, "attrs", None)
    if attrs:
        h.update(b"attrs")
        hasher.feed(dict(attrs), h)
    return True
