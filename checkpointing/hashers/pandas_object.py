"""pandas Series, DataFrame and Index: values, index, columns, dtypes and names, from raw buffers.

Columns backed by numpy arrays are hashed as numpy arrays (no pickling, no copy); extension
arrays (categorical, nullable, Arrow-backed) are pickled, and the numpy buffers inside them are
still routed through the numpy fast path.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import numpy_array


def supports(obj: Any) -> bool:
    t = type(obj)
    return (t is pd.DataFrame or t is pd.Series or t is pd.Categorical
            or (isinstance(obj, pd.Index) and t.__module__.startswith("pandas")))


def _values(hasher: Any, values: Any, h: Any) -> None:
    if type(values) is np.ndarray:
        numpy_array.feed(hasher, values, h)
    elif isinstance(values, pd.Categorical):
        h.update(b"cat" + (b"o" if values.ordered else b"u"))
        numpy_array.feed(hasher, np.asarray(values.codes), h)
        _index(hasher, values.categories, h)
    else:
        h.update(b"ea" + type(values).__qualname__.encode() + b":" + str(values.dtype).encode())
        h.update(hasher._pickled_digest(values))


def _index(hasher: Any, index: Any, h: Any) -> None:
    h.update(b"IX" + type(index).__qualname__.encode() + b":")
    hasher.feed(list(index.names), h)
    if isinstance(index, pd.RangeIndex):
        hasher.feed((index.start, index.stop, index.step), h)
    elif isinstance(index, pd.MultiIndex):
        hasher.feed(len(index.levels), h)
        for level, codes in zip(index.levels, index.codes):
            _index(hasher, level, h)
            numpy_array.feed(hasher, np.asarray(codes), h)
    else:
        h.update(str(index.dtype).encode() + b":")
        _values(hasher, index._values, h)


def feed(hasher: Any, obj: Any, h: Any) -> bool:
    if not supports(obj):
        return False
    if isinstance(obj, pd.Index):
        _index(hasher, obj, h)
    elif type(obj) is pd.Categorical:
        _values(hasher, obj, h)
    elif type(obj) is pd.Series:
        h.update(b"SE")
        hasher.feed(obj.name, h)
        _index(hasher, obj.index, h)
        h.update(str(obj.dtype).encode() + b":")
        _values(hasher, obj._values, h)
    else:
        h.update(b"DF")
        _index(hasher, obj.columns, h)
        _index(hasher, obj.index, h)
        for i in range(obj.shape[1]):
            column = obj.iloc[:, i]
            h.update(str(column.dtype).encode() + b":")
            _values(hasher, column._values, h)
    attrs = getattr(obj, "attrs", None)
    if attrs:
        h.update(b"attrs")
        hasher.feed(dict(attrs), h)
    return True
