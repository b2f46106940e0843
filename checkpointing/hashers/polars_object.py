"""polars ``DataFrame`` and ``Series``: their logical content, never how they are chunked.

A frame is its column names, dtypes and values; a series its name, dtype and values (missing
entries as such). They are read through Arrow (``to_arrow()``, zero-copy where polars can) and
keyed as pyarrow data is (``pyarrow_object``): the chunking of a frame, which ``concat`` or
``vstack`` leave behind and ``rechunk()`` removes, is not content. The polars dtype is keyed
too, as polars names it (``Categorical`` and ``Enum`` stay apart even where Arrow would not
tell). Without pyarrow installed, and for a ``LazyFrame``, the value is pickled as any other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .._hashing import Sink, ValueHasher


def supports(obj: Any) -> bool:
    import polars as pl

    if not isinstance(obj, (pl.DataFrame, pl.Series)):
        return False
    try:
        import pyarrow  # noqa: F401 - to_arrow needs it
    except ImportError:
        return False
    return True


def feed(hasher: "ValueHasher", obj: Any, h: "Sink") -> bool:
    import polars as pl

    from . import pyarrow_object

    if not supports(obj):
        return False
    if not hasher._container(obj, h, b"PL"):
        return True  # the same object again: a back-reference
    if isinstance(obj, pl.Series):
        h.update(b"polars-series")
        hasher.feed(obj.name, h)
        hasher.feed(str(obj.dtype), h)
        pyarrow_object.feed(hasher, obj.to_arrow(), h)
        return True
    h.update(b"polars-frame")
    hasher.feed([(name, str(dtype)) for name, dtype in obj.schema.items()], h)
    pyarrow_object.feed(hasher, obj.to_arrow(), h)
    return True
