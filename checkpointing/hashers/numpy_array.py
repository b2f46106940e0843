"""numpy arrays and scalars: dtype, shape and raw buffer, without pickling.

Contiguous arrays are hashed in place (xxh3 reads the buffer directly); non-contiguous ones in
C order, a block of rows at a time, so a view never costs a full copy. Structured dtypes are
hashed field by field (padding bytes are not data), object arrays element by element.
"""

from __future__ import annotations

import struct
from typing import Any

import numpy as np

_PACK_Q = struct.Struct("<Q").pack
_BLOCK_BYTES = 16 << 20


def supports(obj: Any) -> bool:
    return type(obj) is np.ndarray or isinstance(obj, np.generic)


def _dtype_tag(dtype: np.dtype) -> bytes:
    text = dtype.str if dtype.fields is None else repr(dtype.descr)
    raw = text.encode()
    return _PACK_Q(len(raw)) + raw


def feed(hasher: Any, obj: Any, h: Any) -> bool:
    if isinstance(obj, np.generic):
        if obj.dtype.hasobject:
            return False
        h.update(b"a" + _dtype_tag(obj.dtype) + obj.tobytes())
        return True
    if type(obj) is not np.ndarray:
        return False
    dtype = obj.dtype
    h.update(b"A" + _dtype_tag(dtype) + _PACK_Q(obj.ndim) + b"".join(_PACK_Q(n) for n in obj.shape))
    if dtype.fields is not None:
        for name in dtype.names:
            feed(hasher, np.ascontiguousarray(obj[name]), h)
        return True
    if dtype.hasobject:
        for item in obj.flat:
            hasher.feed(item, h)
        return True
    if obj.flags.c_contiguous:
        if obj.size:
            h.update(obj.reshape(-1).view(np.uint8))
        return True
    # a strided view: copy a block of rows at a time into C order
    rows = obj.shape[0]
    row_bytes = max(1, obj[0].size * dtype.itemsize) if rows else 1
    step = max(1, _BLOCK_BYTES // row_bytes)
    for start in range(0, rows, step):
        block = np.ascontiguousarray(obj[start:start + step])
        if block.size:
            h.update(block.reshape(-1).view(np.uint8))
    return True
