"""Values for the hashing tests: pairs a function can tell apart, and values that must hash
equal however they are rebuilt. Each entry is built by a function, so that a fresh process (with
another ``PYTHONHASHSEED``) can rebuild exactly the same value (see tests/unit/test_values.py).
"""

from __future__ import annotations

import array
import collections
import datetime
import decimal
import enum
import fractions
import functools
import operator
import pathlib
import re
import shutil
import struct
import types
import typing
import uuid
import weakref
from typing import Any, Callable, Dict, FrozenSet, List, Tuple

import numpy as np
import pandas as pd

Builder = Callable[[], Any]
#: name -> builder of two values a function can tell apart
DIFFERENT: Dict[str, Tuple[Builder, Builder]] = {}
#: name -> builder of one value, rebuilt equal in any process
EQUAL: Dict[str, Builder] = {}


def differ(name: str, a: Builder, b: Builder) -> None:
    assert name not in DIFFERENT, name
    DIFFERENT[name] = (a, b)


def equal(name: str, build: Builder) -> None:
    assert name not in EQUAL, name
    EQUAL[name] = build


# -- scalars and containers ---------------------------------------------------------------------

for _name, _a, _b in [
    ("int-float", 1, 1.0), ("int-bool", 1, True), ("int-str", 1, "1"), ("float-negzero", 0.0, -0.0),
    ("float-nan-inf", float("nan"), float("inf")), ("str-bytes", "a", b"a"), ("bytes-bytearray", b"a", bytearray(b"a")),
    ("tuple-list", (1,), [1]), ("list-set", [1], {1}), ("set-frozenset", {1}, frozenset({1})),
    ("none-false", None, False), ("empty-tuple-list", (), []), ("dict-order", {"a": 1, "b": 2}, {"b": 2, "a": 1}),
    ("nested-depth", [[1]], [1]), ("complex-float", 1 + 0j, 1.0), ("big-int", 2 ** 64, 2 ** 64 + 1),
    ("str-unicode-normal", "\u00e9", "e\u0301"), ("int-subclass-bool", 0, False),
    ("decimal-precision", decimal.Decimal("1.0"), decimal.Decimal("1.00")),
    ("fraction-float", fractions.Fraction(1, 2), 0.5), ("range-step", range(0, 10, 2), range(0, 10, 3)),
    ("slice", slice(1, 2), slice(1, 3)), ("datetime-tz", datetime.datetime(2020, 1, 1),
                                          datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)),
    ("date-datetime", datetime.date(2020, 1, 1), datetime.datetime(2020, 1, 1)),
    ("timedelta", datetime.timedelta(1), datetime.timedelta(1, 1)),
    ("path", pathlib.PurePosixPath("a/b"), pathlib.PurePosixPath("a/c")),
    ("uuid", uuid.UUID(int=1), uuid.UUID(int=2)), ("ellipsis-none", ..., None),
    ("array-typecode", array.array("i", [1]), array.array("l", [1])),
]:
    differ(_name, (lambda v=_a: v), (lambda v=_b: v))


def _aliased() -> List[Any]:
    shared = [1]
    return [shared, shared]


differ("aliasing-lists", _aliased, lambda: [[1], [1]])


def _aliased_arrays() -> List[Any]:
    a = np.arange(3)
    return [a, a]


differ("aliasing-arrays", _aliased_arrays, lambda: [np.arange(3), np.arange(3)])


def _aliased_in_dict() -> Dict[str, Any]:
    shared: Dict[str, int] = {}
    return {"a": shared, "b": shared}


differ("aliasing-dicts", _aliased_in_dict, lambda: {"a": {}, "b": {}})
differ("ordered-dict-vs-dict", lambda: collections.OrderedDict(a=1), lambda: {"a": 1})
differ("defaultdict-factory", lambda: collections.defaultdict(int, a=1), lambda: collections.defaultdict(list, a=1))
differ("counter-vs-dict", lambda: collections.Counter(a=1), lambda: {"a": 1})
differ("deque-maxlen", lambda: collections.deque([1], maxlen=2), lambda: collections.deque([1], maxlen=3))
differ("namespace", lambda: types.SimpleNamespace(a=1), lambda: types.SimpleNamespace(a=2))
differ("mappingproxy", lambda: types.MappingProxyType({"a": 1}), lambda: types.MappingProxyType({"a": 2}))


class _MySet(set):
    pass


class _OtherSet(set):
    pass


differ("set-subclass-vs-set", lambda: _MySet({1, 2}), lambda: {1, 2})
differ("set-subclasses", lambda: _MySet({1}), lambda: _OtherSet({1}))
differ("frozenset-content", lambda: frozenset({"a", "b"}), lambda: frozenset({"a", "c"}))


def _set_subclass_with_state() -> Any:
    s = _MySet({1})
    s.label = "x"
    return s


def _set_subclass_other_state() -> Any:
    s = _MySet({1})
    s.label = "y"
    return s


differ("set-subclass-state", _set_subclass_with_state, _set_subclass_other_state)


# -- functions, methods and classes inside values --------------------------------------------------


def _make_adder(k: int) -> Callable[[int], int]:
    def add(v: int) -> int:
        return v + k
    return add


def _with_default(k: int) -> Callable[..., int]:
    def scale(v: int, factor: int = k) -> int:
        return v * factor
    return scale


def _with_kwdefault(k: int) -> Callable[..., int]:
    def scale(v: int, *, factor: int = k) -> int:
        return v * factor
    return scale


def _with_attribute(k: int) -> Callable[[int], int]:
    def f(v: int) -> int:
        return v
    f.weight = k  # type: ignore[attr-defined]
    return f


def _exec_made(body: str) -> Callable[..., Any]:
    namespace: Dict[str, Any] = {}
    exec(f"def made(v):\n    return {body}\n", namespace)
    return namespace["made"]


differ("lambda-code", lambda: (lambda v: v + 1), lambda: (lambda v: v + 2))
differ("closure-cell", lambda: _make_adder(1), lambda: _make_adder(2))
differ("function-default", lambda: _with_default(1), lambda: _with_default(2))
differ("function-kwdefault", lambda: _with_kwdefault(1), lambda: _with_kwdefault(2))
differ("function-dict", lambda: _with_attribute(1), lambda: _with_attribute(2))
differ("exec-made-function", lambda: _exec_made("v + 1"), lambda: _exec_made("v - 1"))
differ("eval-made-lambda", lambda: eval("lambda v: v * 2"), lambda: eval("lambda v: v * 3"))
differ("function-in-list", lambda: [_make_adder(1)], lambda: [_make_adder(3)])
differ("partial-args", lambda: functools.partial(operator.add, 1), lambda: functools.partial(operator.add, 2))
differ("partial-keywords", lambda: functools.partial(int, base=2), lambda: functools.partial(int, base=8))
differ("partial-of-closure", lambda: functools.partial(_make_adder(1), 5), lambda: functools.partial(_make_adder(2), 5))
differ("builtin-method-self", lambda: "abc".upper, lambda: "abd".upper)
differ("dict-get-self", lambda: {"a": 1}.get, lambda: {"a": 2}.get)
differ("list-append-self", lambda: [1].append, lambda: [2].append)
differ("method-descriptor", lambda: str.upper, lambda: str.lower)
differ("library-closure", lambda: shutil.ignore_patterns("*.py"), lambda: shutil.ignore_patterns("*.txt"))
differ("attrgetter", lambda: operator.attrgetter("a"), lambda: operator.attrgetter("b"))
differ("itemgetter", lambda: operator.itemgetter(0), lambda: operator.itemgetter(1))
differ("methodcaller", lambda: operator.methodcaller("f", 1), lambda: operator.methodcaller("f", 2))
differ("lru-cache-wrapper", lambda: functools.lru_cache(None)(_make_adder(1)),
       lambda: functools.lru_cache(None)(_make_adder(2)))
differ("staticmethod-object", lambda: staticmethod(_make_adder(1)), lambda: staticmethod(_make_adder(2)))
differ("property-object", lambda: property(_make_adder(1)), lambda: property(_make_adder(2)))


class _Scaler:
    def __init__(self, k: int) -> None:
        self.k = k

    def apply(self, v: int) -> int:
        return v * self.k


differ("bound-method-self", lambda: _Scaler(1).apply, lambda: _Scaler(2).apply)


def _local_class(k: int) -> type:
    class Local:
        weight = k

        def get(self) -> int:
            return self.weight
    return Local


differ("local-class-attribute", lambda: _local_class(1), lambda: _local_class(2))
differ("local-class-instance", lambda: _local_class(1)(), lambda: _local_class(2)())
differ("type-made-class", lambda: type("T", (), {"k": 1}), lambda: type("T", (), {"k": 2}))
differ("type-made-bases", lambda: type("T", (int,), {}), lambda: type("T", (str,), {}))
differ("namedtuple-fields", lambda: collections.namedtuple("Row", "a b"), lambda: collections.namedtuple("Row", "a c"))
differ("namedtuple-defaults", lambda: collections.namedtuple("Row", "a b", defaults=(1,)),
       lambda: collections.namedtuple("Row", "a b", defaults=(2,)))
differ("namedtuple-instances", lambda: collections.namedtuple("Row", "a b")(1, 2),
       lambda: collections.namedtuple("Row", "a c")(1, 2))
differ("functional-enum", lambda: enum.Enum("E", "A B"), lambda: enum.Enum("E", "A C"))
differ("functional-enum-values", lambda: enum.Enum("E", {"A": 1}), lambda: enum.Enum("E", {"A": 2}))
differ("typed-dict", lambda: typing.TypedDict("TD", {"a": int}), lambda: typing.TypedDict("TD", {"b": int}))


def _module(value: int) -> types.ModuleType:
    module = types.ModuleType("made_module")
    module.VALUE = value  # type: ignore[attr-defined]
    return module


differ("module-as-value", lambda: _module(1), lambda: _module(2))
differ("library-function-vs-other", lambda: np.sum, lambda: np.mean)
differ("class-as-value", lambda: int, lambda: float)


# -- numpy ----------------------------------------------------------------------------------------

differ("np-element", lambda: np.array([1, 2, 3]), lambda: np.array([1, 2, 4]))
differ("np-dtype", lambda: np.array([1, 2], dtype=np.int32), lambda: np.array([1, 2], dtype=np.int64))
differ("np-byteorder", lambda: np.array([1], dtype="<i4"), lambda: np.array([1], dtype=">i4"))
differ("np-shape", lambda: np.zeros((2, 3)), lambda: np.zeros((3, 2)))
differ("np-ndim", lambda: np.zeros((6,)), lambda: np.zeros((6, 1)))
differ("np-order", lambda: np.ones((2, 3)), lambda: np.asfortranarray(np.ones((2, 3))))
differ("np-bool-uint8", lambda: np.array([True]), lambda: np.array([1], dtype=np.uint8))
differ("np-scalar-vs-0d", lambda: np.float64(1.0), lambda: np.array(1.0))
differ("np-scalar-vs-float", lambda: np.float64(1.0), lambda: 1.0)
differ("np-datetime-unit", lambda: np.array(["2020-01-01"], dtype="datetime64[D]"),
       lambda: np.array(["2020-01-01"], dtype="datetime64[s]"))
differ("np-structured-names", lambda: np.zeros(2, dtype=[("a", "i4"), ("b", "f8")]),
       lambda: np.zeros(2, dtype=[("a", "i4"), ("c", "f8")]))
differ("np-structured-value", lambda: np.array([(1, 2.0)], dtype=[("a", "i4"), ("b", "f8")]),
       lambda: np.array([(1, 3.0)], dtype=[("a", "i4"), ("b", "f8")]))
differ("np-dtype-metadata", lambda: np.zeros(2, dtype=np.dtype(float, metadata={"unit": "m"})),
       lambda: np.zeros(2, dtype=np.dtype(float, metadata={"unit": "s"})))
differ("np-object-elements", lambda: np.array([1, "a"], dtype=object), lambda: np.array([1, "b"], dtype=object))
differ("np-string-width", lambda: np.array(["a"], dtype="U1"), lambda: np.array(["a"], dtype="U2"))
differ("np-masked", lambda: np.ma.array([1, 2], mask=[0, 1]), lambda: np.ma.array([1, 2], mask=[1, 0]))
differ("np-matrix-vs-array", lambda: np.matrix([[1, 2]]), lambda: np.array([[1, 2]]))
differ("np-generator-state", lambda: np.random.default_rng(0), lambda: np.random.default_rng(1))
differ("np-generator-method", lambda: np.random.default_rng(0).normal, lambda: np.random.default_rng(1).normal)
differ("np-longdouble", lambda: np.array([1.0], dtype=np.longdouble), lambda: np.array([2.0], dtype=np.longdouble))
differ("memoryview-format", lambda: memoryview(b"abcd"), lambda: memoryview(b"abcd").cast("H"))
differ("memoryview-shape", lambda: memoryview(b"abcd").cast("B", (2, 2)), lambda: memoryview(b"abcd").cast("B", (4,)))
differ("memoryview-content", lambda: memoryview(b"abcd"), lambda: memoryview(b"abce"))


def _readonly(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


# -- pandas ---------------------------------------------------------------------------------------

differ("pd-values", lambda: pd.DataFrame({"a": [1, 2]}), lambda: pd.DataFrame({"a": [1, 3]}))
differ("pd-column-name", lambda: pd.DataFrame({"a": [1]}), lambda: pd.DataFrame({"b": [1]}))
differ("pd-column-order", lambda: pd.DataFrame({"a": [1], "b": [2]}), lambda: pd.DataFrame({"b": [2], "a": [1]}))
differ("pd-dtype", lambda: pd.Series([1, 2], dtype="int64"), lambda: pd.Series([1, 2], dtype="int32"))
differ("pd-series-name", lambda: pd.Series([1], name="x"), lambda: pd.Series([1], name="y"))
differ("pd-index-values", lambda: pd.Series([1, 2], index=[0, 1]), lambda: pd.Series([1, 2], index=[1, 0]))
differ("pd-index-name", lambda: pd.Series([1], index=pd.Index([0], name="i")),
       lambda: pd.Series([1], index=pd.Index([0], name="j")))
differ("pd-columns-name", lambda: pd.DataFrame({"a": [1]}).rename_axis(columns="c"), lambda: pd.DataFrame({"a": [1]}))
differ("pd-range-vs-int-index", lambda: pd.Series([1, 2]), lambda: pd.Series([1, 2], index=pd.Index([0, 1])))
differ("pd-multiindex-names", lambda: pd.Series([1], index=pd.MultiIndex.from_tuples([(0, 1)], names=["a", "b"])),
       lambda: pd.Series([1], index=pd.MultiIndex.from_tuples([(0, 1)], names=["a", "c"])))
differ("pd-datetime-freq", lambda: pd.date_range("2020-01-01", periods=3, freq="D"),
       lambda: pd.DatetimeIndex(pd.date_range("2020-01-01", periods=3, freq="D"), freq=None))
differ("pd-datetime-tz", lambda: pd.date_range("2020-01-01", periods=2, tz="UTC"),
       lambda: pd.date_range("2020-01-01", periods=2))
differ("pd-datetime-tz-other", lambda: pd.Series(pd.date_range("2020-01-01", periods=2, tz="UTC")),
       lambda: pd.Series(pd.date_range("2020-01-01", periods=2, tz="UTC").tz_convert("Asia/Tokyo")))
differ("pd-datetime-unit", lambda: pd.Series(pd.to_datetime(["2020-01-01"])).astype("datetime64[ns]"),
       lambda: pd.Series(pd.to_datetime(["2020-01-01"])).astype("datetime64[s]"))
differ("pd-categorical-ordered", lambda: pd.Categorical(["a", "b"], ordered=True), lambda: pd.Categorical(["a", "b"]))
differ("pd-categorical-categories", lambda: pd.Categorical(["a"], categories=["a", "b"]),
       lambda: pd.Categorical(["a"], categories=["a", "c"]))
differ("pd-categorical-order", lambda: pd.Categorical(["a"], categories=["a", "b"]),
       lambda: pd.Categorical(["a"], categories=["b", "a"]))
differ("pd-nullable-na", lambda: pd.array([1, None], dtype="Int64"), lambda: pd.array([1, 0], dtype="Int64"))
differ("pd-nullable-vs-numpy", lambda: pd.Series([1, 2], dtype="Int64"), lambda: pd.Series([1, 2], dtype="int64"))
differ("pd-string-vs-object", lambda: pd.Series(["a"], dtype="string"), lambda: pd.Series(["a"], dtype=object))
differ("pd-string-values", lambda: pd.Series(["a", "b"], dtype="string"), lambda: pd.Series(["a", "c"], dtype="string"))
differ("pd-object-strings", lambda: pd.Series(["a", "b"], dtype=object), lambda: pd.Series(["a", "c"], dtype=object))
differ("pd-period-freq", lambda: pd.period_range("2020-01", periods=2, freq="M"),
       lambda: pd.period_range("2020-01-01", periods=2, freq="D"))
differ("pd-interval-closed", lambda: pd.IntervalIndex.from_breaks([0, 1, 2], closed="left"),
       lambda: pd.IntervalIndex.from_breaks([0, 1, 2], closed="right"))
differ("pd-attrs", lambda: _with_attrs(pd.DataFrame({"a": [1]}), 1), lambda: _with_attrs(pd.DataFrame({"a": [1]}), 2))
differ("pd-flags", lambda: pd.DataFrame({"a": [1]}).set_flags(allows_duplicate_labels=False),
       lambda: pd.DataFrame({"a": [1]}))
differ("pd-timedelta-values", lambda: pd.to_timedelta(["1D"]), lambda: pd.to_timedelta(["2D"]))
differ("pd-sparse", lambda: pd.arrays.SparseArray([0, 1, 0]), lambda: pd.arrays.SparseArray([0, 1, 0], fill_value=1))
differ("pd-boolean-na", lambda: pd.array([True, None], dtype="boolean"), lambda: pd.array([True, False], dtype="boolean"))
differ("pd-float-na", lambda: pd.Series([1.0, np.nan]), lambda: pd.Series([1.0, 0.0]))
differ("pd-timestamp", lambda: pd.Timestamp("2020-01-01"), lambda: pd.Timestamp("2020-01-02"))
differ("pd-timestamp-tz", lambda: pd.Timestamp("2020-01-01", tz="UTC"), lambda: pd.Timestamp("2020-01-01"))
differ("pd-duplicate-columns", lambda: pd.DataFrame([[1, 2]], columns=["a", "a"]),
       lambda: pd.DataFrame([[1, 2]], columns=["a", "b"]))
differ("pd-frame-vs-series", lambda: pd.DataFrame({"a": [1]}), lambda: pd.Series([1], name="a"))
differ("pd-empty-frames", lambda: pd.DataFrame(columns=["a"]), lambda: pd.DataFrame(columns=["b"]))


try:
    import pyarrow as pa
except ImportError:  # the Arrow-backed cases need pyarrow (a test extra)
    pa = None
if pa is not None:
    differ("pd-arrow-boundaries", lambda: pd.array(["ab", "c"], dtype="string[pyarrow]"),
           lambda: pd.array(["a", "bc"], dtype="string[pyarrow]"))
    differ("pd-arrow-missing-vs-empty", lambda: pd.array(["a", None], dtype="string[pyarrow]"),
           lambda: pd.array(["a", ""], dtype="string[pyarrow]"))
    differ("pd-arrow-vs-python-storage", lambda: pd.array(["a", "b"], dtype="string[pyarrow]"),
           lambda: pd.array(["a", "b"], dtype="string[python]"))
    differ("pd-arrow-values", lambda: pd.Series(["a", "b"], dtype="string[pyarrow]"),
           lambda: pd.Series(["a", "d"], dtype="string[pyarrow]"))
    differ("pd-arrow-strings-vs-bytes", lambda: pd.array(pa.array(["a"]), dtype=pd.ArrowDtype(pa.string())),
           lambda: pd.array(pa.array([b"a"]), dtype=pd.ArrowDtype(pa.binary())))


def _with_attrs(frame: pd.DataFrame, value: int) -> pd.DataFrame:
    frame.attrs["v"] = value
    return frame


# -- values that must hash equal, however they are built ------------------------------------------

for _name, _value in [
    ("int", 1), ("float", 1.5), ("str", "text"), ("bytes", b"raw"), ("tuple", (1, "a", 2.0)), ("list", [1, [2, [3]]]),
    ("dict", {"a": [1, 2], "b": {"c": None}}), ("set-of-strings", {"alpha", "beta", "gamma", "delta"}),
    ("frozenset-of-strings", frozenset({"x", "y", "z"})), ("nested-sets", {frozenset({"a", "b"}), frozenset({"c"})}),
    ("decimal", decimal.Decimal("1.25")), ("datetime", datetime.datetime(2020, 1, 2, 3, 4, 5)),
    ("complex", 1 + 2j), ("none", None), ("big-int", 10 ** 30),
]:
    equal(_name, (lambda v=_value: v))

equal("set-subclass", lambda: _MySet({"alpha", "beta", "gamma"}))
equal("set-of-tuples-sharing", lambda: {("s", "t"), ("s", "u"), ("v", "t")})
equal("dict-of-sets", lambda: {"k": {"a", "b", "c"}, "j": frozenset({"d", "e"})})
equal("namespace", lambda: types.SimpleNamespace(a=1, b="x"))
equal("ordered-dict", lambda: collections.OrderedDict([("b", 1), ("a", 2)]))
equal("counter", lambda: collections.Counter("abracadabra"))
equal("np-array", lambda: np.arange(12, dtype=np.float32).reshape(3, 4))
equal("np-fortran", lambda: np.asfortranarray(np.arange(6).reshape(2, 3)))
equal("np-view", lambda: np.arange(20)[::3])
equal("np-structured", lambda: np.array([(1, 2.0), (3, 4.0)], dtype=[("a", "i1"), ("b", "f8")]))
equal("np-structured-aligned", lambda: np.zeros(3, dtype=np.dtype([("a", "i1"), ("b", "f8")], align=True)))
equal("np-longdouble", lambda: np.array([1.5, 2.25], dtype=np.longdouble))
equal("np-clongdouble", lambda: np.array([1 + 2j], dtype=np.clongdouble))
equal("np-object", lambda: np.array([1, "a", None], dtype=object))
equal("np-datetime", lambda: np.array(["2020-01-01", "2021-06-30"], dtype="datetime64[D]"))
equal("np-masked", lambda: np.ma.array([1, 2, 3], mask=[0, 1, 0]))
equal("np-unicode", lambda: np.array(["ab", "c"]))
equal("pd-frame", lambda: pd.DataFrame({"a": [1, 2], "b": ["x", "y"], "c": [0.5, 1.5]}))
equal("pd-datetime-repr", lambda: _after_repr(pd.Series(pd.date_range("2020-01-01", periods=4, freq="h"))))
equal("pd-datetime-max", lambda: _after_max(pd.date_range("2020-01-01", periods=4, freq="D", tz="UTC")))
equal("pd-nullable-int", lambda: pd.array([1, None, 3], dtype="Int64"))
equal("pd-nullable-bool", lambda: pd.array([True, None], dtype="boolean"))
equal("pd-nullable-float", lambda: pd.array([1.5, None], dtype="Float64"))
equal("pd-string", lambda: pd.Series(["a", None, "c"], dtype="string"))
equal("pd-categorical", lambda: pd.Series(pd.Categorical(["b", "a", "b"], categories=["b", "a"])))
equal("pd-multiindex", lambda: pd.DataFrame({"v": [1, 2]}, index=pd.MultiIndex.from_tuples([("a", 1), ("b", 2)])))
equal("pd-period", lambda: pd.Series(pd.period_range("2020-01", periods=3, freq="M")))
equal("pd-interval", lambda: pd.Series(pd.IntervalIndex.from_breaks([0, 1, 2])))
equal("pd-tz-series", lambda: pd.Series(pd.date_range("2020-01-01", periods=3, tz="Europe/Paris")))
equal("pd-object-strings", lambda: pd.Series(["x", "yy", "zzz"], dtype=object))
equal("pd-sparse", lambda: pd.Series(pd.arrays.SparseArray([0, 0, 1])))
equal("pd-timedelta", lambda: pd.Series(pd.to_timedelta(["1D", "2h"])))
equal("pd-frame-attrs", lambda: _with_attrs(pd.DataFrame({"a": [1]}), 3))
equal("shared-strings-in-object", lambda: _Pair("same" * 3, "same" * 3))
equal("unshared-strings-in-object", lambda: _Pair("".join(["sa", "mesamesame"]), "samesamesame"))
equal("shared-tuple-in-object", lambda: _shared_tuple_pair())
equal("lambda-in-list", lambda: [(lambda v: v + 1)])
equal("closure", lambda: _make_adder(5))
equal("partial", lambda: functools.partial(operator.mul, 3))
equal("library-function", lambda: np.sum)
equal("bound-method", lambda: _Scaler(3).apply)


class _Pair:
    def __init__(self, a: Any, b: Any) -> None:
        self.a = a
        self.b = b


def _shared_tuple_pair() -> _Pair:
    t = ("x", 1)
    return _Pair(t, t)


def _after_repr(series: pd.Series) -> pd.Series:
    repr(series)
    return series


def _after_max(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    index.max()
    repr(index)
    return index


class _Tagged(np.ndarray):
    """An ndarray subclass that carries a unit, as astropy's Quantity does."""


def _tagged(unit: str) -> np.ndarray:
    value = np.arange(3.0).view(_Tagged)
    value.unit = unit
    return value


def _raised(chained: bool) -> BaseException:
    try:
        if chained:
            try:
                raise ValueError("the cause")
            except ValueError as cause:
                raise KeyError("k") from cause
        raise KeyError("k")
    except KeyError as exc:
        return exc


differ("ndarray-subclass-attributes", lambda: _tagged("m"), lambda: _tagged("s"))
differ("exception-cause", lambda: _raised(True), lambda: _raised(False))
# (neither is in EQUAL: pickling, which EQUAL's round trip uses, drops the unit and the cause)


#: objects kept alive for the weak containers below (a weak reference to a dead object is empty)
_ALIVE = [_Pair(1, "one"), _Pair(2, "two")]

differ("weakref-referent", lambda: weakref.ref(_ALIVE[0]), lambda: weakref.ref(_ALIVE[1]))
differ("weakset-members", lambda: weakref.WeakSet(_ALIVE[:1]), lambda: weakref.WeakSet(_ALIVE))
differ("weak-value-dict", lambda: weakref.WeakValueDictionary({"k": _ALIVE[0]}),
       lambda: weakref.WeakValueDictionary({"k": _ALIVE[1]}))
equal("weakset", lambda: weakref.WeakSet(_ALIVE))
equal("weakref", lambda: weakref.ref(_ALIVE[1]))
equal("weak-key-dict", lambda: weakref.WeakKeyDictionary({_ALIVE[0]: 1, _ALIVE[1]: 2}))


def _overlapping_views(copies: bool) -> Tuple[np.ndarray, np.ndarray]:
    a = np.arange(6.0)
    first, second = a[0:3], a[1:4]
    return (first.copy(), second.copy()) if copies else (first, second)


differ("overlapping-views-of-one-buffer", lambda: _overlapping_views(False), lambda: _overlapping_views(True))

differ("regex-match-span", lambda: re.search("b+", "abbbc"), lambda: re.search("b+", "abc"))
differ("regex-match-string", lambda: re.search("b", "abc"), lambda: re.search("b", "xbz"))
differ("struct-format", lambda: struct.Struct("<i"), lambda: struct.Struct(">i"))


class _Box:
    """Hashable by its tag (a set may hold it), holding a mutable list."""

    def __init__(self, tag: str, items: List[int]) -> None:
        self.tag, self.items = tag, items

    def __hash__(self) -> int:
        return hash(self.tag)


def _boxes(shared: bool) -> FrozenSet[_Box]:
    one = [1, 2]
    return frozenset({_Box("a", one), _Box("b", one if shared else [1, 2])})


differ("list-shared-by-two-set-elements", lambda: _boxes(True), lambda: _boxes(False))
