"""The normalizer: source of one function -> canonical form (see ``pipeline``).

Names are loaded lazily: ``result`` is plain data and must be importable without libcst.
"""

from typing import Any

__all__ = ["NORMALIZER_VERSION", "Assumption", "NormalizeError", "NormalizedFunction", "Variant",
           "normalize_function"]


def __getattr__(name: str) -> Any:
    if name in ("NormalizedFunction", "Variant", "Assumption"):
        from . import result

        return getattr(result, name)
    if name in ("normalize_function", "NormalizeError", "NORMALIZER_VERSION"):
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
