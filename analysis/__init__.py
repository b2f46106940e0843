"""Static analysis for checkpointing: reads code, never runs it.

Installed as ``checkpointing.analysis``. The runtime asks it one question through
:func:`normalize_function`: "what is the canonical form of this function's source?".
This package never imports the runtime (a test enforces it). Its names are loaded lazily so
that reading a cached :class:`NormalizedFunction` does not import libcst.
"""

from typing import Any

__all__ = [
    "NORMALIZER_VERSION",
    "Assumption",
    "NormalizeError",
    "NormalizedFunction",
    "Variant",
    "normalize_function",
]


def __getattr__(name: str) -> Any:
    if name in ("NormalizedFunction", "Variant", "Assumption"):
        from .normalize import result

        return getattr(result, name)
    if name in ("normalize_function", "NormalizeError", "NORMALIZER_VERSION"):
        from .normalize import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
