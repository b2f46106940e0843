"""PIL images: what a function can read of them.

An image is its class, mode, size, ``info`` (metadata such as DPI or a transparency key), its
palette for palette modes, in the palette's own mode (the alpha of an RGBA palette included:
pickling keeps only its RGB), and its pixels. What does not count: whether the pixels were
loaded yet (a lazily opened image is loaded to be hashed, as pickling would), or the file it was
read from (``filename`` and ``fp`` are where it came from, not what it is).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .._hashing import Sink, ValueHasher


def supports(obj: Any) -> bool:
    from PIL import Image

    return isinstance(obj, Image.Image)


def feed(hasher: "ValueHasher", obj: Any, h: "Sink") -> bool:
    if not supports(obj):
        return False
    if not hasher._container(obj, h, b"PIL"):
        return True  # the same image again: a back-reference
    cls = type(obj)
    hasher.feed((f"{cls.__module__}:{cls.__qualname__}", obj.mode, tuple(obj.size)), h)
    hasher.feed(dict(obj.info), h)
    palette = getattr(obj, "palette", None)
    if obj.mode in ("P", "PA") and palette is not None:
        raw_mode = palette.mode
        hasher.feed((raw_mode, bytes(obj.getpalette(rawmode=raw_mode) or ())), h)
    else:
        h.update(b"no-palette")
    pixels = obj.tobytes()
    hasher.feed(pixels, h)
    return True
