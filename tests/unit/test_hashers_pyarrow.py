"""``checkpointing/hashers/pyarrow_object.py``: Arrow data keyed by its logical content: one key
however it is chunked, sliced or given a validity bitmap, another for every logical change."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checkpointing import hash_anything

pa = pytest.importorskip("pyarrow")

TYPES = {"int64": st.integers(-(2**40), 2**40), "float64": st.floats(allow_nan=False, width=64),
         "string": st.text(max_size=5), "bool": st.booleans(), "list<item: int64>": st.lists(st.integers(-9, 9),
                                                                                           max_size=3)}


@st.composite
def column(draw):
    kind = draw(st.sampled_from(sorted(TYPES)))
    values = draw(st.lists(st.one_of(st.none(), TYPES[kind]), min_size=1, max_size=12))
    arrow_type = {"int64": pa.int64(), "float64": pa.float64(), "string": pa.string(), "bool": pa.bool_(),
                  "list<item: int64>": pa.list_(pa.int64())}[kind]
    return values, arrow_type


def _chunked(values, arrow_type, cuts):
    points = sorted({c % (len(values) + 1) for c in cuts} | {0, len(values)})
    return pa.chunked_array([pa.array(values[a:b], type=arrow_type) for a, b in zip(points, points[1:])],
                            type=arrow_type)


def _sliced(values, arrow_type):
    """The same values, as a slice of a longer array."""
    return pa.array([values[0], *values, values[-1]], type=arrow_type).slice(1, len(values))


@settings(max_examples=80, deadline=None)
@given(column(), st.lists(st.integers(0, 20), max_size=4))
def test_chunking_slicing_and_bitmaps_are_not_content(data, cuts) -> None:
    values, arrow_type = data
    plain = pa.chunked_array([pa.array(values, type=arrow_type)])
    key = hash_anything(plain)
    assert hash_anything(_chunked(values, arrow_type, cuts)) == key
    assert hash_anything(pa.chunked_array([_sliced(values, arrow_type)])) == key
    table = pa.table({"x": plain})
    assert hash_anything(pa.table({"x": _chunked(values, arrow_type, cuts)})) == hash_anything(table)
    assert hash_anything(pa.array(values, type=arrow_type)) == hash_anything(_sliced(values, arrow_type))


@settings(max_examples=80, deadline=None)
@given(column(), st.integers(0, 11))
def test_every_logical_change_is_another_key(data, where) -> None:
    values, arrow_type = data
    base = pa.array(values, type=arrow_type)
    i = where % len(values)
    changed = list(values)
    filler = {pa.int64(): 7, pa.float64(): 0.5, pa.string(): "z", pa.bool_(): True, pa.list_(pa.int64()): [1]}
    changed[i] = None if values[i] is not None else filler[arrow_type]
    assert hash_anything(pa.array(changed, type=arrow_type)) != hash_anything(base)
    assert hash_anything(base) != hash_anything(pa.array(values + values[:1], type=arrow_type))


def test_an_all_valid_bitmap_is_no_bitmap_and_a_missing_slot_holds_nothing() -> None:
    import numpy as np

    bare = pa.Array.from_buffers(pa.int64(), 3, [None, pa.py_buffer(np.array([1, 2, 3]).tobytes())])
    bitmap = pa.py_buffer(np.packbits([1, 1, 1, 0, 0, 0, 0, 0], bitorder="little").tobytes())
    with_bitmap = pa.Array.from_buffers(pa.int64(), 3, [bitmap, pa.py_buffer(np.array([1, 2, 3]).tobytes())])
    assert hash_anything(bare) == hash_anything(with_bitmap)
    one_missing = pa.py_buffer(np.packbits([1, 0, 1, 0, 0, 0, 0, 0], bitorder="little").tobytes())
    under_a = pa.Array.from_buffers(pa.int64(), 3, [one_missing, pa.py_buffer(np.array([1, 2, 3]).tobytes())])
    under_b = pa.Array.from_buffers(pa.int64(), 3, [one_missing, pa.py_buffer(np.array([1, 99, 3]).tobytes())])
    assert hash_anything(under_a) == hash_anything(under_b) != hash_anything(bare)


def test_types_schema_metadata_and_nullability_count() -> None:
    assert hash_anything(pa.array([1, 2], pa.int64())) != hash_anything(pa.array([1, 2], pa.int32()))
    assert hash_anything(pa.array(["a"], pa.string())) != hash_anything(pa.array(["a"], pa.large_string()))
    table = pa.table({"x": [1, 2]})
    assert hash_anything(table) != hash_anything(table.replace_schema_metadata({"unit": "m"}))
    assert hash_anything(table) != hash_anything(table.rename_columns(["y"]))
    strict = pa.table({"x": [1, 2]}, schema=pa.schema([pa.field("x", pa.int64(), nullable=False)]))
    assert hash_anything(table) != hash_anything(strict)
    assert hash_anything(table) != hash_anything(pa.RecordBatch.from_pydict({"x": [1, 2]}))
