"""xarray ``DataArray``, ``Dataset`` and ``Variable``: their logical content, never their caches.

A variable is its dimensions, its values (numpy data through the numpy fast path; other array
types, such as dask's, as they are hashed anywhere), its ``attrs`` and its ``encoding``. A
DataArray is its name, its variable and its coordinates (each a named variable, in their order:
``list(da.coords)`` shows it, and ``assign_coords`` moves what it assigns last); a Dataset its
variables in order, which of them are coordinates, its ``attrs`` and ``encoding``.
What does not count: whether ``attrs`` or ``encoding`` were ever read (xarray creates them on
first read: none and empty are the same), index caches, and whether data was loaded or copied.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from . import numpy_array

if TYPE_CHECKING:
    from .._hashing import Sink, ValueHasher


def supports(obj: Any) -> bool:
    return isinstance(obj, (xr.DataArray, xr.Dataset, xr.Variable))


def _mapping(hasher: "ValueHasher", mapping: Any, h: "Sink") -> None:
    """``attrs`` or ``encoding``: never read (None) is empty."""
    hasher.feed(dict(mapping or {}), h)


def _variable(hasher: "ValueHasher", variable: Any, h: "Sink") -> None:
    h.update(b"xr-var")
    hasher.feed(tuple(variable.dims), h)
    data = variable.data
    if isinstance(data, np.ndarray) or isinstance(variable, xr.IndexVariable):
        numpy_array.feed(hasher, np.asarray(variable.values), h)
    else:  # dask, sparse, a lazy backend array: as such a value is hashed anywhere
        hasher.feed(data, h)
    _mapping(hasher, variable.attrs, h)
    _mapping(hasher, variable.encoding, h)


def feed(hasher: "ValueHasher", obj: Any, h: "Sink") -> bool:
    if not supports(obj):
        return False
    if not hasher._container(obj, h, b"XR"):
        return True  # the same object again: a back-reference
    if isinstance(obj, xr.Variable):
        h.update(b"index" if isinstance(obj, xr.IndexVariable) else b"variable")
        _variable(hasher, obj, h)
        return True
    if isinstance(obj, xr.DataArray):
        h.update(b"dataarray")
        hasher.feed(obj.name, h)
        _variable(hasher, obj.variable, h)
        h.update(b"coords")
        hasher.feed(len(obj.coords), h)
        for name, coord in obj.coords.items():
            hasher.feed(name, h)
            _variable(hasher, coord.variable, h)
        return True
    h.update(b"dataset")
    coords = set(obj.coords)
    hasher.feed(len(obj.variables), h)
    for name, variable in obj.variables.items():
        hasher.feed(name, h)
        h.update(b"c" if name in coords else b"d")
        _variable(hasher, variable, h)
    _mapping(hasher, obj.attrs, h)
    _mapping(hasher, obj.encoding, h)
    return True
