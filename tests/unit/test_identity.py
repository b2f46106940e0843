"""Keys of calls, in process: twins share keys, anything that can differ does not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from checkpointing import FuncCallContext
from checkpointing._identifier import AutoFuncCallIdentifier
from tests.helpers import load_function


def load(tmp_path: Path, source: str):  # type: ignore[no-untyped-def]
    return load_function(tmp_path, source)


def key(func, *args, **kwargs) -> str:
    return AutoFuncCallIdentifier().identify(FuncCallContext(func, args, kwargs))


ACC_AUG = """
def f(xs):
    t = 0
    for v in xs:
        t += v
    return t
"""
ACC_PLAIN = ACC_AUG.replace("t += v", "t = t + v")


def test_guarded_twin_shares_key_with_strict_twin_for_plain_arguments(tmp_path) -> None:
    aug, plain = load(tmp_path, ACC_AUG), load(tmp_path, ACC_PLAIN)
    assert key(aug, (1, 2, 3)) == key(plain, (1, 2, 3))
    assert key(aug, [1, [2]]) == key(plain, [1, [2]])


def test_guarded_twin_differs_when_an_assumption_fails(tmp_path) -> None:
    aug, plain = load(tmp_path, ACC_AUG), load(tmp_path, ACC_PLAIN)
    arrays = [np.arange(2), np.arange(2) + 0.5]
    assert key(aug, arrays) != key(plain, arrays)


def test_key_is_stable_and_depends_on_every_argument(tmp_path) -> None:
    f = load(tmp_path, "def f(a, b=2):\n    return a - b\n")
    assert key(f, 1) == key(f, 1, 2) == key(f, a=1, b=2)
    assert len({key(f, 1), key(f, 2), key(f, 1, 3), key(f, 1.0)}) == 4


def test_dynamic_access_in_deep_mode_warns_once_naming_the_line(tmp_path) -> None:
    import warnings

    from checkpointing import DynamicAccessWarning

    f = load(tmp_path, """
def helper(obj, name):
    return getattr(obj, name)

def f(x):
    return helper(x, "real")
""")
    ident = AutoFuncCallIdentifier(deep=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        k1 = ident.identify(FuncCallContext(f, (3,), {}))
        k2 = ident.identify(FuncCallContext(f, (3,), {}))
    messages = [str(w.message) for w in caught if issubclass(w.category, DynamicAccessWarning)]
    assert k1 == k2 and len(messages) == 1
    assert "`getattr()` with a computed attribute name in helper()" in messages[0] and ".py:3)" in messages[0]


def test_deep_mode_follows_a_chain_longer_than_the_default_recursion_limit(tmp_path) -> None:
    """1,100 helpers in a chain (Python allows 1,000 frames): no recursion limit is raised, and the
    deepest one counts."""
    import sys

    limit = sys.getrecursionlimit()
    chain = "\n".join(f"def h{i}(v):\n    return h{i + 1}(v) + 1\n" for i in range(1100))
    ident = AutoFuncCallIdentifier(deep=True)
    keys = []
    for last in ("return v", "return v + 1"):
        (tmp_path / last[-1]).mkdir()
        f = load(tmp_path / last[-1], chain + f"\ndef h1100(v):\n    {last}\n\ndef f(x):\n    return h0(x)\n")
        keys.append(ident.identify(FuncCallContext(f, (1,), {})))
        assert keys[-1] == ident.identify(FuncCallContext(f, (1,), {}))
    assert keys[0] != keys[1] and sys.getrecursionlimit() == limit


def test_library_callables_are_identified_by_name_and_version(tmp_path) -> None:
    from checkpointing._key import KeyBuilder

    for deep in (True, False):
        assert KeyBuilder(deep=deep).identify(np.sum).startswith(b"lib:numpy:sum@numpy==")
        assert KeyBuilder(deep=deep).identify(np.add).startswith(b"lib:numpy:add@numpy==")


@pytest.mark.parametrize("deep", [False, True])
def test_the_hot_path_gives_the_key_a_full_computation_gives(tmp_path, deep) -> None:
    """ScalarKey (scalar arguments, a function that reads nothing) is only a shortcut."""
    f = load(tmp_path, "def f(a, b, c):\n    y = c - a\n    return (b, y)\n")
    ident = AutoFuncCallIdentifier(deep=deep)
    for args in [(1, 2.5, "x"), (True, None, b"raw"), (-(2 ** 70), 1j, ""), (0, 0.0, False)]:
        fast = ident.scalar_key(f, args, {})
        assert fast is not None and fast == ident.identify(FuncCallContext(f, args, {}))
    assert ident.scalar_key(f, (1, 2, [3]), {}) is None  # not a scalar
    assert ident.scalar_key(f, (1, 2), {"c": 3}) is None  # a keyword
    reads = load(tmp_path, "import os\nK = 3\n\ndef f(a):\n    return a + K\n")
    assert ident.scalar_key(reads, (1,), {}) is None  # reads a global: the full computation


@pytest.mark.filterwarnings("ignore::checkpointing.DynamicAccessWarning")  # (every member counts then)
@pytest.mark.parametrize("deep", [False, True], ids=["default", "deep"])
def test_pickling_an_instance_does_not_change_the_key_of_code_using_its_class(tmp_path, deep) -> None:
    """copyreg caches ``__slotnames__`` on a class the first time one of its instances is
    pickled (saving a result does): bookkeeping, not a member the code can read."""
    module_f = load(tmp_path, """
        class Point:
            __slots__ = ("x", "y")

            def __init__(self, x, y):
                self.x, self.y = x, y

        def f(n):
            return getattr(Point(n, n), "x" if n else "y")
    """)
    point_class = module_f.__globals__["Point"]
    identifier = AutoFuncCallIdentifier(deep=deep)
    before = identifier.identify(FuncCallContext(module_f, (1,), {}))
    import copyreg

    copyreg._slotnames(point_class)  # type: ignore[attr-defined]  # what pickling an instance calls
    assert "__slotnames__" in vars(point_class)
    assert identifier.identify(FuncCallContext(module_f, (1,), {})) == before


@pytest.mark.filterwarnings("ignore::checkpointing.DynamicAccessWarning")
def test_a_computed_name_does_not_make_docstrings_count(tmp_path) -> None:
    """Code that looks attributes up by computed names may read any of them, but a docstring is
    read by its name (helper.__doc__) or not at all: editing one is served, editing code is not."""
    source = '''
        def helper(v):
            """Doubles."""
            return v * 2

        class Ops:
            double = staticmethod(helper)

        def f(name, v):
            return getattr(Ops, name)(v)
    '''
    identifier = AutoFuncCallIdentifier(deep=True)

    versions = iter(range(3))

    def key_of(text):  # (an edit keeps the module's name: each version in a folder of its own)
        folder = tmp_path / f"version{next(versions)}"
        folder.mkdir()
        f = load_function(folder, text, module_name="edited_module")
        return identifier.identify(FuncCallContext(f, ("double", 3), {}))

    before = key_of(source)
    assert key_of(source.replace("Doubles.", "Twice the value.")) == before
    assert key_of(source.replace("v * 2", "v * 3")) != before
