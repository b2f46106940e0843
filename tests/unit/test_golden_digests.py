"""Keys stay the same: across Python versions (3.9-3.13) and across releases.

The keys of a fixed set of calls (plain code, globals, deep helpers, classes, f-strings,
comprehensions) and the digests of a fixed set of values (numbers, strings, containers, numpy
arrays, pandas frames) are compared with the digests committed in ``tests/golden/digests.json``.
A refactoring that changes any of them would silently invalidate every user's cache (or, for
a store shared between interpreters, make each one miss the other's entries): it fails here.
Changing a key on purpose means changing ``KEY_FORMAT`` and regenerating the file with

    python tests/unit/test_golden_digests.py --write

A pandas value is a different object under pandas 2 and pandas 3 (its text columns and labels
have another dtype), so its digests are pinned per pandas major version (and a text column per
storage: Arrow when pyarrow is installed).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "digests.json"

PROJECT = '''
import math
SCALE = 3


def helper(v):
    return v * SCALE + 1


def plain(a, b=2, *args, c=3, **kw):
    total = 0
    for x in range(a):
        total += x * b
    return total, c, args, kw


def uses_global(x):
    return x * SCALE


def deep(x):
    return helper(x) + math.floor(x / 2)


class Model:
    def __init__(self, w):
        self.w = w

    def fit(self, xs):
        return [helper(x) * self.w for x in xs]


def uses_class(xs):
    return Model(2).fit(xs)


def sorted_by_key(xs):
    return sorted(xs, key=lambda x: -x) + [(lambda: 0)()]


def fstrings(d):
    return f"{d['k']}!" + f"{d['k']!r:>10}" + f"{d = }"


def comprehension(xs):
    return {k: [v for v in range(k) if v % 2] for k in xs if k > 1}


def walrus(xs):
    return [y for x in xs if (y := x * 2) > 3]


def handles(x):
    try:
        return 1 / x
    except ZeroDivisionError as e:
        return str(e)


def strings(x):
    return 'a' "b" + """c""" + r'\\d' + x + 0x1F.__class__.__name__
'''

CALLS = [("plain", (5,)), ("uses_global", (2,)), ("deep", (3,)), ("uses_class", ([1, 2],)),
         ("sorted_by_key", ([3, 1],)), ("fstrings", ({"k": 1},)), ("comprehension", ([1, 2, 3],)),
         ("walrus", ([1, 2],)), ("handles", (0,)), ("strings", ("x",))]


def _values() -> Dict[str, Any]:
    import numpy as np

    values: Dict[str, Any] = {
        "int": 1, "float": 0.1, "negative zero": -0.0, "nan": float("nan"), "str": "héllo", "bytes": b"\x00\x01",
        "none": None, "bool": True, "tuple": (1, "a", 2.5), "list": [1, [2, [3]]], "dict": {"b": 1, "a": [1, 2]},
        "set": {3, 1, 2}, "frozenset": frozenset({"x", "y"}), "big int": 2 ** 100, "complex": 1 + 2j,
        "float64 array": np.arange(10, dtype=np.float64), "int32 2-d array": np.arange(12, dtype=np.int32).reshape(3, 4),
        "fortran array": np.asfortranarray(np.arange(6.0).reshape(2, 3)), "float32 scalar": np.float32(1.5),
    }
    try:
        import pandas as pd
    except ImportError:
        return values
    # pandas 3 stores text (values and labels) in Arrow when pyarrow is installed
    where = f"@pandas{pd.__version__.split('.')[0]}/{type(pd.Index(['x']).array).__name__}"
    values.update({
        f"frame{where}": pd.DataFrame({"a": [1, 2], "b": [0.5, 1.5]}),
        f"series{where}": pd.Series([1, 2, 3], name="s"),
        f"text frame{where}": pd.DataFrame({"t": ["x", "y", None]}),
        f"string[python]{where}": pd.array(["x", None, "yz"], dtype="string[python]"),
    })
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return values
    values[f"string[pyarrow]{where}"] = pd.array(["x", None, "yz"], dtype="string[pyarrow]")
    return values


def compute() -> Dict[str, str]:
    from checkpointing import AutoFuncCallIdentifier, FuncCallContext, defaults, hash_anything

    digests: Dict[str, str] = {}
    saved_cwd, saved_cache = os.getcwd(), defaults.get("analysis.cache_directory")
    with tempfile.TemporaryDirectory() as folder:
        try:
            os.chdir(folder)  # the project is the user's code: it lives in the working directory
            defaults["analysis.cache_directory"] = os.path.join(folder, "analysis")
            Path(folder, "golden_project.py").write_text(PROJECT)
            spec = importlib.util.spec_from_file_location("golden_project", os.path.join(folder, "golden_project.py"))
            module = importlib.util.module_from_spec(spec)
            sys.modules["golden_project"] = module
            spec.loader.exec_module(module)
            for deep in (False, True):
                identifier = AutoFuncCallIdentifier(deep=deep)
                for name, args in CALLS:
                    context = FuncCallContext(getattr(module, name), args, {})
                    digests[f"call {name} ({'deep' if deep else 'shallow'})"] = identifier.identify(context)
        finally:
            sys.modules.pop("golden_project", None)
            os.chdir(saved_cwd)
            defaults["analysis.cache_directory"] = saved_cache
    for name, value in _values().items():
        digests[f"value {name}"] = hash_anything(value)
    return digests


def _key_format() -> str:
    from checkpointing._fingerprint import KEY_FORMAT

    return KEY_FORMAT.decode()


def test_keys_and_value_digests_are_the_committed_ones():
    golden = json.loads(GOLDEN.read_text())
    assert golden["key_format"] == _key_format(), (
        "KEY_FORMAT changed: regenerate the golden digests (python tests/unit/test_golden_digests.py --write) "
        "and say in the changelog that existing entries are recomputed")
    computed = compute()
    missing = sorted(name for name in computed if name not in golden["digests"])
    assert not missing, f"no golden digest for {missing}: run python tests/unit/test_golden_digests.py --write"
    changed = {name: (golden["digests"][name], digest) for name, digest in computed.items()
               if golden["digests"][name] != digest}
    assert not changed, (f"keys changed without a change of KEY_FORMAT (every user's cache would be invalidated, "
                         f"or stores shared between Python versions would miss): {changed}")


if __name__ == "__main__":
    if "--write" not in sys.argv:
        sys.exit("usage: python tests/unit/test_golden_digests.py --write")
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    old = json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {"key_format": "", "digests": {}}
    # the digests of the other pandas major version are kept while the key format is the same
    kept = old["digests"] if old["key_format"] == _key_format() else {}
    digests = {**kept, **compute()}
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps({"key_format": _key_format(), "digests": dict(sorted(digests.items()))},
                                 indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(digests)} digests to {GOLDEN}")
