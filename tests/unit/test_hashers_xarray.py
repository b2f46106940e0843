"""``checkpointing/hashers/xarray_object.py``: xarray objects keyed by their logical content: one
key after a copy, a load, or reading ``attrs``/``encoding`` (created on first read), another for
every logical change."""

from __future__ import annotations

import numpy as np
import pytest

from checkpointing import hash_anything

xr = pytest.importorskip("xarray")


def _array() -> "xr.DataArray":
    return xr.DataArray(np.arange(6.0).reshape(2, 3), dims=("x", "y"), coords={"x": [10, 20], "y": ["a", "b", "c"]},
                        name="t", attrs={"units": "K"})


def _touched(value):
    value.attrs  # noqa: B018 - xarray creates it on first read
    value.encoding  # noqa: B018
    for variable in getattr(value, "variables", {}).values():
        variable.attrs  # noqa: B018
    return value


def test_copies_loads_and_lazily_created_mappings_are_not_content() -> None:
    a = _array()
    key = hash_anything(a)
    assert hash_anything(_touched(a.copy(deep=True))) == key
    assert hash_anything(a.copy(deep=False)) == key
    assert hash_anything(a.load()) == key
    moved = a.assign_coords(x=[10, 20])  # the same values, but x now comes after y: `list(coords)` shows it
    assert list(moved.coords) == ["y", "x"] and hash_anything(moved) != key
    assert hash_anything(moved.assign_coords(y=["a", "b", "c"])) == key  # (x, y) again
    dataset = a.to_dataset()
    assert hash_anything(_touched(dataset.copy(deep=True))) == hash_anything(dataset)
    assert hash_anything(xr.Dataset({"t": a})) == hash_anything(dataset)


@pytest.mark.parametrize("change", ["value", "attrs", "name", "coordinate", "dims", "encoding", "dtype"])
def test_every_logical_change_is_another_key(change: str) -> None:
    a, b = _array(), _array()
    if change == "value":
        b.values[0, 0] = 99
    elif change == "attrs":
        b.attrs["units"] = "C"
    elif change == "name":
        b = b.rename("u")
    elif change == "coordinate":
        b = b.assign_coords(x=[10, 21])
    elif change == "dims":
        b = b.rename({"x": "row"})
    elif change == "encoding":
        b.encoding["dtype"] = "int16"
    else:
        b = b.astype(np.float32)
    assert hash_anything(a) != hash_anything(b)


def test_a_coordinate_and_a_data_variable_of_a_dataset_differ() -> None:
    a = _array()
    as_data = xr.Dataset({"t": a, "w": ("x", [1.0, 2.0])})
    as_coord = xr.Dataset({"t": a}, coords={"w": ("x", [1.0, 2.0])})
    assert hash_anything(as_data) != hash_anything(as_coord)
