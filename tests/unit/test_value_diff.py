"""`first_difference`: the first part of a stored value that a recomputation does not give back."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from checkpointing._value_diff import compare, first_difference, same


class Model:
    def __init__(self, weights, name="m"):
        self.weights = weights
        self.name = name


@pytest.mark.parametrize("stored, fresh, expected", [
    (1, 2, "result: 1 (stored) != 2 (recomputed)"),
    (1, 1.0, "result: a int (stored) != a float (recomputed)"),
    ({"a": 1, "b": [1, 2]}, {"a": 1, "b": [1, 3]}, "result['b'][1]: 2 (stored) != 3 (recomputed)"),
    ({"a": 1}, {"a": 1, "c": 2}, "result: keys 'c' only in the recomputed one"),
    ([1, 2], [1, 2, 3], "result: 2 items (stored) != 3 items (recomputed)"),
    (np.arange(6).reshape(2, 3), np.array([[0, 1, 2], [3, 9, 5]]),
     "result[(1, 1)]: np.int64(4) (stored) != np.int64(9) (recomputed); 1 of 6 elements differ"),
    (np.zeros(3), np.zeros(4), "result: shape (3,) (stored) != (4,) (recomputed)"),
    (np.zeros(3), np.zeros(3, dtype=np.float32), "result: dtype float64 (stored) != float32 (recomputed)"),
    (np.array([0.0]), np.array([-0.0]), "result: equal elementwise but not bitwise (signed zeros or NaN payloads)"),
    (pd.DataFrame({"a": [1, 2]}), pd.DataFrame({"a": [1, 2], "b": [3, 4]}),
     "result: columns 'b' only in the recomputed one"),
    (pd.DataFrame({"a": [1, 2], "b": [3.0, 4.0]}, index=["x", "y"]),
     pd.DataFrame({"a": [1, 2], "b": [3.0, 4.5]}, index=["x", "y"]),
     "result['b'], row 'y': np.float64(4.0) (stored) != np.float64(4.5) (recomputed); 1 of 2 rows differ"),
    (pd.Series([1, 2], index=[0, 1]), pd.Series([1, 2], index=[0, 2]), "result.index[1]: 1 (stored) != 2 (recomputed)"),
    (Model(np.ones(2)), Model(np.array([1.0, 2.0])),
     "result.weights[1]: np.float64(1.0) (stored) != np.float64(2.0) (recomputed); 1 of 2 elements differ"),
])
def test_the_first_difference_is_named_with_its_path(stored, fresh, expected) -> None:
    assert first_difference(stored, fresh) == expected


def test_equal_values_have_no_difference_and_nan_equals_nan() -> None:
    for value in [{"a": [1, np.arange(3)]}, pd.DataFrame({"a": [1.0, math.nan]}), np.array([math.nan]), Model([1])]:
        assert first_difference(value, value) is None
    assert same(np.array([math.nan]), np.array([math.nan]))
    assert same(float("nan"), float("nan"))
    assert not same(0.0, -0.0)


def test_what_cannot_be_digested_is_compared_by_equality_or_not_at_all() -> None:
    import threading

    class Opaque:
        lock = None

        def __init__(self):
            self.lock = threading.Lock()

    class Comparable(Opaque):
        def __eq__(self, other):
            return isinstance(other, Comparable)

    a = Opaque()
    assert compare(a, a) is True and compare(a, Opaque()) is None
    assert compare(Comparable(), Comparable()) is True
