"""Value hashing: type tags, order rules, fast paths, determinism across processes."""

from __future__ import annotations

import subprocess
import sys
import threading

import numpy as np
import pandas as pd
import pytest

from checkpointing import UnhashableValueError, hash_anything


def h(*objs):
    return hash_anything(*objs)


def test_type_tags_keep_equal_looking_values_apart() -> None:
    values = [1, 1.0, True, "1", b"1", (1,), [1], {1}, frozenset({1}), {1: None}, None, 1 + 0j, np.int64(1)]
    assert len({h(v) for v in values}) == len(values)


def test_dict_order_counts_set_order_does_not() -> None:
    assert h({"a": 1, "b": 2}) != h({"b": 2, "a": 1})
    assert h({"x", "y", "z"}) == h({"z", "y", "x"})
    assert h(frozenset(range(100))) == h(frozenset(reversed(range(100))))


def test_aliasing_of_mutable_containers_is_part_of_the_value() -> None:
    a = [1]
    assert h([a, a]) != h([a, [1]])


def test_cycles_are_hashed() -> None:
    a: list = [1]
    a.append(a)
    b: list = [1]
    b.append(b)
    assert h(a) == h(b)


def test_big_ints_and_floats() -> None:
    assert h(10**100) != h(10**100 + 1)
    assert h(0.0) != h(-0.0)


def test_numpy_arrays_by_dtype_shape_and_data() -> None:
    a = np.arange(12, dtype=np.int64).reshape(3, 4)
    assert h(a) == h(a.copy())
    assert h(a) != h(a.astype(np.int32))
    assert h(a) != h(a.reshape(4, 3))
    b = a.copy()
    b[2, 3] = -1
    assert h(a) != h(b)


def test_numpy_non_contiguous_equals_its_contiguous_copy() -> None:
    a = np.arange(40.0).reshape(8, 5)
    view = a[::2, 1:4]
    assert not view.flags.c_contiguous
    assert h(view) == h(np.ascontiguousarray(view))
    # Fortran order is kept by copies and pickles, and a function can see it
    assert h(a.T) == h(np.array(a.T, order="F")) != h(np.ascontiguousarray(a.T))


def test_numpy_object_and_structured_arrays() -> None:
    o1 = np.array([1, "a", None], dtype=object)
    o2 = np.array([1, "b", None], dtype=object)
    assert h(o1) != h(o2) and h(o1) == h(o1.copy())
    dt = np.dtype([("x", np.int8), ("y", np.float64)], align=True)
    s1, s2 = np.zeros(3, dtype=dt), np.zeros(3, dtype=dt)
    s1.view(np.uint8)[1] = 7  # padding byte: not data
    assert h(s1) == h(s2)


def test_pandas_values_index_columns_dtypes_names() -> None:
    df = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]})
    assert h(df) == h(df.copy())
    assert h(df) != h(df.rename(columns={"a": "c"}))
    assert h(df) != h(df.set_axis([5, 6]))
    assert h(df) != h(df.astype({"a": "float32"}))
    changed = df.copy()
    changed.loc[1, "b"] = "z"
    assert h(df) != h(changed)
    s = pd.Series([1, 2], name="s")
    assert h(s) != h(s.rename("t"))
    assert h(pd.Categorical(["a", "b"])) != h(pd.Categorical(["b", "a"]))


def test_objects_with_arrays_inside_use_the_fast_path() -> None:
    from sklearn.linear_model import LinearRegression

    m1 = LinearRegression().fit([[0], [1]], [0, 1])
    m2 = LinearRegression().fit([[0], [1]], [0, 1])
    m3 = LinearRegression().fit([[0], [1]], [0, 2])
    assert h(m1) == h(m2) != h(m3)


def test_functions_hash_by_code_and_values_read() -> None:
    k = 1
    f1 = lambda x: x + k  # noqa: E731
    f2 = lambda x: x + 2  # noqa: E731
    assert h(f1) != h(f2)


@pytest.mark.parametrize("value", [
    (x for x in range(3)),
    threading.Lock(),
])
def test_values_without_stable_content_are_refused(value) -> None:
    with pytest.raises(UnhashableValueError, match="cannot hash"):
        h(value)


def test_open_file_is_refused(tmp_path) -> None:
    with open(tmp_path / "f", "w") as f, pytest.raises(UnhashableValueError):
        h(f)


PROGRAM = """
import numpy as np, pandas as pd
from checkpointing import hash_anything
print(hash_anything(1, "a", {"k": {1, 2, "s"}}, frozenset({"x", "y"}), np.arange(5),
                    pd.DataFrame({"a": [1, 2], "b": ["u", "v"]}), 3.5, None, (b"z",)))
"""


def test_digests_are_identical_across_processes_and_hash_seeds() -> None:
    outs = {subprocess.run([sys.executable, "-c", PROGRAM], env={"PYTHONHASHSEED": seed, "PATH": ""},
                           capture_output=True, text=True, check=True).stdout for seed in ("1", "2", "random")}
    assert len(outs) == 1


def test_a_nested_class_and_a_class_of_a_module_with_the_same_dotted_name_differ(monkeypatch) -> None:
    """``pkg.Sub.Thing``: a class ``Thing`` in module ``pkg.Sub``, or a class ``Sub.Thing`` in
    module ``pkg``. Same dotted name, different classes: never one key."""
    import sys
    import types

    from checkpointing import hash_anything

    inner = types.ModuleType("pkg_golden_case.Sub")
    outer = types.ModuleType("pkg_golden_case")
    monkeypatch.setitem(sys.modules, inner.__name__, inner)
    monkeypatch.setitem(sys.modules, outer.__name__, outer)
    exec("class Thing:\n    def __init__(self):\n        self.x = 1\n", inner.__dict__)
    exec("class Sub:\n    class Thing:\n        def __init__(self):\n            self.x = 1\n", outer.__dict__)
    a, b = inner.Thing(), outer.Sub.Thing()
    assert f"{type(a).__module__}.{type(a).__qualname__}" == f"{type(b).__module__}.{type(b).__qualname__}"
    assert hash_anything(a) != hash_anything(b)
    assert hash_anything(inner.Thing) != hash_anything(outer.Sub.Thing)


def test_views_that_do_not_overlap_are_their_elements() -> None:
    """Interleaved columns of one array share no element: they are keyed as copies are (no
    needless rerun); views that overlap are aliases (tests/values.py)."""
    import numpy as np

    from checkpointing import hash_anything

    grid = np.arange(12.0).reshape(4, 3)
    assert hash_anything([grid[:, 0], grid[:, 1]]) == hash_anything([grid[:, 0].copy(), grid[:, 1].copy()])
    assert hash_anything((grid[:2], grid[2:])) == hash_anything((grid[:2].copy(), grid[2:].copy()))
    assert hash_anything([grid[:, 0], grid[::2, 0]]) != hash_anything([grid[:, 0].copy(), grid[::2, 0].copy()])
