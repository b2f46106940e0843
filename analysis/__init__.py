"""Static analysis for checkpointing: reads code, never runs it.

Installed as ``checkpointing.analysis``. The runtime asks it one question through
:func:`normalize_function`: "what is the canonical form of this function's source?".
This package never imports the runtime (a test enforces it). Its names are loaded lazily so
that reading a cached :class:`NormalizedFunction` does not import libcst.
"""

import importlib
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
    if name in __all__:
        # import_module, not `from . import normalize`: that would look the name up here again
        return getattr(importlib.import_module(f"{__name__}.normalize"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
