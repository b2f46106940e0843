"""Where two results differ, said in one line: ``result["scores"][3]: 0.25 (stored) != 0.5 (recomputed)``.

Used by ``checkpointing verify`` to show the first part of a stored value that a recomputation
does not give back: the first differing element of an array (and how many differ), the
columns or index a frame gains or loses or the first cell that differs, a dict's missing or
extra keys or first differing value, a sequence's length or first differing item, an object's
first differing attribute. Parts are compared by value digest (what the key uses), so NaN
equals NaN and ``-0.0`` is not ``0.0``; what cannot be digested is compared with ``==``.
"""

from __future__ import annotations

from typing import Any, Optional

from ._explain import short_repr
from ._hashing import ValueHasher, _type_module

_MAX_DEPTH = 12


def compare(a: Any, b: Any) -> Optional[bool]:
    """Equal by value digest (the key's notion of equal values); by ``==`` what cannot be digested,
    when its type defines equality; None when neither can tell (an object that cannot be pickled
    and compares by identity)."""
    try:
        return ValueHasher().digest(a) == ValueHasher().digest(b)
    except Exception:
        pass
    if a is b:
        return True
    equality: Any = type(a).__eq__
    if equality is object.__eq__:  # compares by identity: two results can never be told equal
        return None
    try:
        return bool(a == b)
    except Exception:
        return None


def same(a: Any, b: Any) -> bool:
    """:func:`compare` says they are equal."""
    return compare(a, b) is True


def first_difference(stored: Any, fresh: Any, path: str = "result") -> Optional[str]:
    """The first place where ``stored`` and ``fresh`` differ, described; None if they do not."""
    return _difference(stored, fresh, path, 0)


def _pair(path: str, stored: Any, fresh: Any) -> str:
    return f"{path}: {short_repr(stored)} (stored) != {short_repr(fresh)} (recomputed)"


def _difference(a: Any, b: Any, path: str, depth: int) -> Optional[str]:
    if same(a, b):
        return None
    if type(a) is not type(b):
        return f"{path}: a {type(a).__qualname__} (stored) != a {type(b).__qualname__} (recomputed)"
    if depth >= _MAX_DEPTH:
        return _pair(path, a, b)
    module = _type_module(type(a)).split(".")[0]
    if module == "numpy" and hasattr(a, "shape"):
        return _array(a, b, path)
    if module == "pandas":
        found = _pandas(a, b, path, depth)
        if found is not None:
            return found
    if isinstance(a, dict):
        found = _only_in_one(path, "keys", a, b, "value")
        if found is not None:
            return found
        for k in a:
            found = _difference(a[k], b[k], f"{path}[{short_repr(k)}]", depth + 1)
            if found is not None:
                return found
        return _pair(path, a, b)
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return f"{path}: {len(a)} items (stored) != {len(b)} items (recomputed)"
        for i, (x, y) in enumerate(zip(a, b)):
            found = _difference(x, y, f"{path}[{i}]", depth + 1)
            if found is not None:
                return found
        return _pair(path, a, b)
    state_a, state_b = getattr(a, "__dict__", None), getattr(b, "__dict__", None)
    if isinstance(state_a, dict) and isinstance(state_b, dict) and state_a and not callable(a):
        for k in [*state_a, *(k for k in state_b if k not in state_a)]:
            if k not in state_a or k not in state_b:
                return f"{path}.{k}: set only in the {'recomputed' if k not in state_a else 'stored'} value"
            found = _difference(state_a[k], state_b[k], f"{path}.{k}", depth + 1)
            if found is not None:
                return found
    return _pair(path, a, b)


def _only_in_one(path: str, what: str, a: Any, b: Any, noun: str) -> Optional[str]:
    """Keys (or columns) of one side that the other lacks, or None."""
    missing = [k for k in a if k not in b]
    extra = [k for k in b if k not in a]
    if not (missing or extra):
        return None
    parts = []
    if missing:
        parts.append(f"{what} {', '.join(map(short_repr, missing[:5]))} only in the stored {noun}")
    if extra:
        parts.append(f"{what} {', '.join(map(short_repr, extra[:5]))} only in the recomputed one")
    return f"{path}: " + "; ".join(parts)


def _array(a: Any, b: Any, path: str) -> str:
    import numpy as np

    if a.shape != b.shape:
        return f"{path}: shape {a.shape} (stored) != {b.shape} (recomputed)"
    if a.dtype != b.dtype:
        return f"{path}: dtype {a.dtype} (stored) != {b.dtype} (recomputed)"
    try:
        differ = a != b
        if a.dtype.kind in "fc":
            differ &= ~(np.isnan(a) & np.isnan(b))
        where = np.argwhere(differ)
    except Exception:  # object or structured arrays that do not compare elementwise
        return f"{path}: arrays of shape {a.shape} differ"
    if len(where) == 0:  # equal values, different bytes (-0.0 and 0.0, NaN payloads)
        return f"{path}: equal elementwise but not bitwise (signed zeros or NaN payloads)"
    index = tuple(int(i) for i in where[0])
    shown = index[0] if len(index) == 1 else index
    return (f"{path}[{shown}]: {short_repr(a[index])} (stored) != {short_repr(b[index])} (recomputed); "
            f"{len(where)} of {a.size} elements differ")


def _pandas(a: Any, b: Any, path: str, depth: int) -> Optional[str]:
    columns = getattr(a, "columns", None)
    if columns is not None:  # a DataFrame
        found = _only_in_one(path, "columns", a.columns, b.columns, "frame")
        if found is not None:
            return found
        if a.shape != b.shape:
            return f"{path}: shape {a.shape} (stored) != {b.shape} (recomputed)"
        if not same(a.index, b.index):
            return _index(a.index, b.index, f"{path}.index")
        for column in a.columns:
            found = _series(a[column], b[column], f"{path}[{short_repr(column)}]")
            if found is not None:
                return found
        return None
    if hasattr(a, "index") and hasattr(a, "dtype") and hasattr(a, "iloc"):  # a Series
        if len(a) != len(b):
            return f"{path}: {len(a)} rows (stored) != {len(b)} rows (recomputed)"
        if not same(a.index, b.index):
            return _index(a.index, b.index, f"{path}.index")
        return _series(a, b, path)
    return None


def _index(a: Any, b: Any, path: str) -> str:
    for i, (x, y) in enumerate(zip(a, b)):
        if not same(x, y):
            return f"{path}[{i}]: {short_repr(x)} (stored) != {short_repr(y)} (recomputed)"
    return f"{path}: {len(a)} labels (stored) != {len(b)} labels (recomputed)"


def _series(a: Any, b: Any, path: str) -> Optional[str]:
    if a.dtype != b.dtype:
        return f"{path}: dtype {a.dtype} (stored) != {b.dtype} (recomputed)"
    try:  # elementwise first: a long column is not digested cell by cell
        import numpy as np
        import pandas as pd

        x, y = a.to_numpy(), b.to_numpy()
        positions = np.flatnonzero(~((x == y) | (pd.isna(x) & pd.isna(y))))
    except Exception:
        positions = None
    if positions is not None and len(positions):
        position = int(positions[0])
        return (f"{path}, row {short_repr(a.index[position])}: {short_repr(a.iloc[position])} (stored) != "
                f"{short_repr(b.iloc[position])} (recomputed); {len(positions)} of {len(a)} rows differ")
    for position in range(len(a)):
        x, y = a.iloc[position], b.iloc[position]
        if not same(x, y):
            return (f"{path}, row {short_repr(a.index[position])}: {short_repr(x)} (stored) != {short_repr(y)} "
                    f"(recomputed)")
    return None
