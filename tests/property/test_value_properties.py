"""Property tests for value hashing (hypothesis): equal values hash equal, distinguishable
values hash differently.

Values are generated over scalars, nested containers, numpy arrays of every dtype kind and
memory layout, and pandas objects with several index kinds and extension dtypes. Properties:

(a) a value, its ``copy.deepcopy``, its pickle round trip and its rebuild in a fresh process
    with another ``PYTHONHASHSEED`` all hash equal;
(b) a single change of one component (an element, the dtype, the shape, the memory order, an
    index label, a name, the frequency, the time zone) that changes the value's pickle hashes
    differently.
"""

from __future__ import annotations

import copy
import json
import os
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from checkpointing import hash_anything

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "40"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))

# -- generated values --------------------------------------------------------------------------

atoms = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8),
    st.binary(max_size=8), st.complex_numbers(allow_nan=False, allow_infinity=False),
)
hashable = st.recursive(atoms, lambda inner: st.tuples(inner, inner) | st.frozensets(inner, max_size=3), max_leaves=6)
containers = st.recursive(
    atoms | hashable,
    lambda inner: (st.lists(inner, max_size=4) | st.tuples(inner, inner) | st.dictionaries(st.text(max_size=4), inner,
                                                                                             max_size=4)
                   | st.sets(hashable, max_size=4)),
    max_leaves=12,
)

DTYPES = ["i1", "i2", "i4", "i8", "u1", "u4", "u8", "f2", "f4", "f8", "c8", "c16", "?", "U3", "S3",
          "M8[s]", "m8[ms]", "g", "G", [("a", "i1"), ("b", "f8")]]


@st.composite
def arrays(draw):
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    array = draw(hnp.arrays(dtype, shape, elements=_elements(dtype)))
    layout = draw(st.sampled_from(["C", "F", "view"]))
    if layout == "F":
        array = np.asfortranarray(array)
    elif layout == "view" and array.shape[0] > 1:
        array = array[::2]
    return array


def _elements(dtype):
    if dtype.kind == "f" or dtype.kind == "c":
        return None if dtype.itemsize < 4 else hnp.from_dtype(dtype, allow_nan=False, allow_subnormal=False)
    return None


@st.composite
def frames(draw):
    n = draw(st.integers(1, 4))
    columns = {}
    for i in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["int", "float", "str", "Int64", "boolean", "category", "datetime", "tz"]))
        values = draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))
        if kind == "int":
            column = pd.Series(values, dtype="int64")
        elif kind == "float":
            column = pd.Series([v / 2 for v in values])
        elif kind == "str":
            column = pd.Series([f"s{v}" for v in values], dtype=object)
        elif kind == "Int64":
            column = pd.Series([None if v == 0 else v for v in values], dtype="Int64")
        elif kind == "boolean":
            column = pd.Series([None if v == 0 else v % 2 == 1 for v in values], dtype="boolean")
        elif kind == "category":
            column = pd.Series(pd.Categorical([f"c{v % 3}" for v in values]))
        elif kind == "datetime":
            column = pd.Series(pd.to_datetime(values, unit="D"))
        else:
            column = pd.Series(pd.to_datetime(values, unit="h").tz_localize("UTC"))
        columns[f"col{i}"] = column.to_numpy() if kind in ("int", "float") else column.array
    index = draw(st.sampled_from(["range", "labels", "dates", "multi"]))
    frame = pd.DataFrame(columns)
    if index == "labels":
        frame.index = pd.Index([f"r{i}" for i in range(n)], name="row")
    elif index == "dates":
        frame.index = pd.date_range("2020-01-01", periods=n, freq="D")
    elif index == "multi":
        frame.index = pd.MultiIndex.from_arrays([list(range(n)), [f"k{i % 2}" for i in range(n)]], names=["a", "b"])
    return frame


values = st.one_of(containers, arrays(), frames())


def h(value):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hash_anything(value)


# -- (a) equal values hash equal ---------------------------------------------------------------


@SETTINGS
@given(values)
def test_a_value_its_deep_copy_and_its_pickle_round_trip_hash_equal(value):
    digest = h(value)
    assert h(copy.deepcopy(value)) == digest
    assert h(pickle.loads(pickle.dumps(value))) == digest


REBUILD = """
import json, pickle, sys, warnings
warnings.simplefilter("ignore")
from checkpointing import hash_anything
values = pickle.load(open(sys.argv[1], "rb"))
print(json.dumps([hash_anything(v) for v in values]))
"""


@settings(max_examples=max(2, EXAMPLES // 10), deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(values, min_size=10, max_size=10))
def test_values_rebuilt_in_a_process_with_another_hash_seed_hash_equal(tmp_path_factory, batch):
    path = tmp_path_factory.mktemp("rebuild") / "values.pkl"
    path.write_bytes(pickle.dumps(batch))
    results = []
    for seed in ("3", "4"):
        out = subprocess.run([sys.executable, "-c", REBUILD, str(path)], capture_output=True, text=True, check=True,
                             env=dict(os.environ, PYTHONHASHSEED=seed)).stdout
        results.append(json.loads(out))
    assert results[0] == results[1] == [h(v) for v in batch]


# -- (b) a change of one component changes the hash ----------------------------------------------


def _changed_leaf(value, path):
    """``value`` with the leaf at ``path`` (a list of indices into containers) changed."""
    if not path:
        return _other(value)
    i, rest = path[0], path[1:]
    if isinstance(value, list):
        return value[:i] + [_changed_leaf(value[i], rest)] + value[i + 1:]
    if isinstance(value, tuple):
        return value[:i] + (_changed_leaf(value[i], rest),) + value[i + 1:]
    if isinstance(value, dict):
        key = list(value)[i]
        return {k: (_changed_leaf(v, rest) if k == key else v) for k, v in value.items()}
    return _other(value)


def _other(value):
    if isinstance(value, bool) or value is None:
        return 0 if value is None else not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value + 1.0 if abs(value) < 1e300 else 0.0
    if isinstance(value, complex):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, bytes):
        return value + b"x"
    if isinstance(value, tuple):
        return value + (None,)
    if isinstance(value, frozenset):
        return value | {"added"}
    if isinstance(value, set):
        return value | {"added"}
    return [value]


@st.composite
def leaf_paths(draw, value):
    path = []
    while isinstance(value, (list, tuple, dict)) and value and draw(st.booleans()):
        i = draw(st.integers(0, len(value) - 1))
        path.append(i)
        value = value[i] if not isinstance(value, dict) else list(value.values())[i]
    return path


@SETTINGS
@given(st.data())
def test_changing_one_leaf_of_a_container_changes_the_hash(data):
    value = data.draw(containers)
    changed = _changed_leaf(value, data.draw(leaf_paths(value)))
    assume(pickle.dumps(changed) != pickle.dumps(value))
    assert h(changed) != h(value)


def _array_mutations(array):
    out = []
    if array.size and array.dtype.fields is None and array.dtype.kind not in "OUSMm":
        flipped = array.copy()
        raw = flipped.reshape(-1).view(np.uint8) if flipped.flags.c_contiguous else None
        if raw is not None:
            raw[0] ^= 1
            out.append(("one element", flipped))
    if (array.dtype.kind in "iu" and array.dtype.itemsize >= 2) or (array.dtype.kind == "f" and array.dtype.itemsize in (4, 8)):
        smaller = np.dtype(f"{array.dtype.kind}{array.dtype.itemsize // 2}")
        with np.errstate(all="ignore"):
            out.append(("dtype", array.astype(smaller)))
    if array.ndim >= 1 and array.size > 1:
        out.append(("shape", array.reshape(-1)[::-1].reshape(array.shape) if array.ndim > 1 else array.reshape(1, -1)))
    if array.ndim >= 2 and array.shape[0] > 1 and array.shape[1] > 1:
        other = np.asfortranarray(array) if not array.flags.f_contiguous else np.ascontiguousarray(array)
        out.append(("memory order", other))
    return out


@SETTINGS
@given(arrays(), st.data())
def test_changing_one_component_of_an_array_changes_the_hash(array, data):
    mutations = _array_mutations(array)
    assume(mutations)
    what, changed = data.draw(st.sampled_from(mutations))
    assume(pickle.dumps(changed) != pickle.dumps(array))
    assert h(changed) != h(array), what


def _frame_mutations(frame):
    out = []
    renamed = frame.copy()
    renamed.index = renamed.index.set_names([f"{n}x" for n in renamed.index.names])
    out.append(("index name", renamed))
    labels = frame.copy()
    labels.columns = [f"{c}_" if i == 0 else c for i, c in enumerate(labels.columns)]
    out.append(("column label", labels))
    if isinstance(frame.index, pd.DatetimeIndex):
        out.append(("freq", frame.set_axis(pd.DatetimeIndex(frame.index, freq=None), axis=0)))
        out.append(("tz", frame.set_axis(frame.index.tz_localize("UTC"), axis=0)))
    changed = frame.copy()
    column = changed.columns[0]
    series = changed[column]
    if len(series) and series.dtype.kind in "if":
        changed.iloc[0, 0] = series.iloc[0] + 1
        out.append(("one element", changed))
    return out


@SETTINGS
@given(frames(), st.data())
def test_changing_one_component_of_a_frame_changes_the_hash(frame, data):
    what, changed = data.draw(st.sampled_from(_frame_mutations(frame)))
    assume(pickle.dumps(changed) != pickle.dumps(frame))
    assert h(changed) != h(frame), what
