"""The decorator and the 1.0.1-compatible API, in process."""

from __future__ import annotations

import inspect
import os
import warnings
from typing import Any, Dict

import pytest

from checkpointing import (
    AutoFuncCallIdentifier,
    CacheBase,
    CheckpointFailedError,
    CheckpointFailedWarning,
    CheckpointNotExist,
    DecoratorCheckpoint,
    ExpensiveOverheadWarning,
    FuncCallContext,
    FuncCallIdentifierBase,
    GlobalStatementError,
    HashFailedWarning,
    InMemoryLRUCache,
    NonlocalStatementError,
    checkpoint,
    defaults,
)

calls = []


def record(name: str) -> int:
    """Functions under test call this (a function, identified by name) rather than read `calls`
    (a list they mutate would, rightly, change their key). Returns how often ``name`` ran."""
    calls.append(name)
    return calls.count(name)


def test_checkpoint_forms_cache_and_keep_metadata(tmp_path) -> None:
    """@checkpoint, @checkpoint() and @checkpoint(directory=...) all cache and keep name, doc, signature."""

    @checkpoint
    def f1(a: int, b: int = 2) -> int:
        """Doc."""
        record("f1")
        return a + b

    @checkpoint()
    def f2(a):
        record("f2")
        return a

    @checkpoint(directory=tmp_path / "d")
    def f3(a):
        record("f3")
        return a

    calls.clear()
    for _ in range(2):
        assert (f1(1), f2(2), f3(3)) == (3, 2, 3)
    assert calls == ["f1", "f2", "f3"]
    assert f1.__name__ == "f1" and f1.__doc__ == "Doc."
    assert str(inspect.signature(f1)) == "(a: 'int', b: 'int' = 2) -> 'int'"  # future annotations
    assert any((tmp_path / "d").rglob("*.ckpt"))


def test_rerun_runs_and_overwrites() -> None:
    """.rerun runs unconditionally and the next call returns the new value."""
    calls.clear()

    @checkpoint()
    def f(a):
        return record("rerun")

    assert f(1) == 1 and f(1) == 1
    assert f.rerun(1) == 2
    assert f(1) == 2


def test_on_error_invalid_is_value_error_at_decoration() -> None:
    with pytest.raises(ValueError, match="Valid options for 'on_error'"):
        checkpoint(on_error="loud")


def test_unhashable_argument_warns_and_runs_uncached() -> None:
    """A generator argument cannot be hashed: HashFailedWarning, and the function still runs."""

    @checkpoint()
    def total(xs):
        return sum(xs)

    with pytest.warns(HashFailedWarning, match="generator"):
        assert total(x for x in range(4)) == 6


def test_unhashable_argument_raises_under_raise() -> None:
    @checkpoint(on_error="raise")
    def total(xs):
        return sum(xs)

    with pytest.raises(CheckpointFailedError) as info:
        total(x for x in range(4))
    assert isinstance(info.value.__cause__, TypeError)


def test_unhashable_argument_is_silent_under_ignore() -> None:
    @checkpoint(on_error="ignore")
    def total(xs):
        return sum(xs)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert total(x for x in range(4)) == 6


def test_unwritable_store_still_returns_result(tmp_path) -> None:
    """A read-only store directory: the value is returned, with CheckpointFailedWarning."""
    store = tmp_path / "ro"
    store.mkdir()
    os.chmod(store, 0o500)
    if os.access(store, os.W_OK):
        pytest.skip("running as a user that can write anywhere (root)")

    @checkpoint(directory=store)
    def f(a):
        return a * 2

    with pytest.warns(CheckpointFailedWarning, match="saving"):
        assert f(2) == 4


def test_unpicklable_result_is_returned_and_error_keeps_it() -> None:
    """A result that cannot be stored: returned under "warn"; under "raise" the error carries it."""
    import threading

    @checkpoint()
    def make_lock(a):
        return threading.Lock()

    with pytest.warns(CheckpointFailedWarning):
        assert make_lock(1) is not None

    @checkpoint(on_error="raise")
    def make_lock2(a):
        return threading.Lock()

    with pytest.raises(CheckpointFailedError) as info:
        make_lock2(1)
    assert info.value.has_result and info.value.result is not None


def test_global_and_nonlocal_statements_are_refused() -> None:
    counter = 0

    @checkpoint()
    def bump():
        global GLOBAL_COUNTER
        GLOBAL_COUNTER = 1

    with pytest.raises(GlobalStatementError, match="Return the value instead"):
        bump()

    @checkpoint()
    def bump2():
        nonlocal counter
        counter += 1

    with pytest.raises(NonlocalStatementError):
        bump2()


def test_function_exception_propagates_and_nothing_is_stored() -> None:
    calls.clear()

    @checkpoint()
    def flaky(a):
        if record("flaky") == 1:
            raise RuntimeError("boom")
        return a

    with pytest.raises(RuntimeError, match="boom"):
        flaky(1)
    assert flaky(1) == 1 and flaky(1) == 1
    assert calls == ["flaky", "flaky"]


def test_expensive_overhead_warning() -> None:
    """Saving that takes longer than computing (plus 0.1 s), twice after the first call, warns."""
    import time

    class SlowStore(InMemoryLRUCache):
        def save(self, context_id, result):
            time.sleep(0.15)
            super().save(context_id, result)

    deco = DecoratorCheckpoint(AutoFuncCallIdentifier(), SlowStore())

    @deco
    def fast(a):
        return a

    with warnings.catch_warnings():
        warnings.simplefilter("error", ExpensiveOverheadWarning)
        fast(1)  # the first call of a process: its one-time costs do not count
        fast(2)  # one slow save may be a hiccup
    with pytest.warns(ExpensiveOverheadWarning, match=r"fast\(\) took longer than running it"):
        fast(3)


def test_one_slow_save_among_fast_ones_does_not_warn() -> None:
    import time

    slow = {2}

    class HiccupStore(InMemoryLRUCache):
        def save(self, context_id, result):
            if result in slow:
                time.sleep(0.15)
            super().save(context_id, result)

    @DecoratorCheckpoint(AutoFuncCallIdentifier(), HiccupStore())
    def fast(a):
        return a

    with warnings.catch_warnings():
        warnings.simplefilter("error", ExpensiveOverheadWarning)
        for a in range(1, 6):
            fast(a)


def test_global_rebound_in_same_process_changes_key() -> None:
    """Globals are read at call time, not when the function was decorated."""
    ns: Dict[str, Any] = {}
    exec(compile("from checkpointing import checkpoint\nSCALE = 2\n"
                 "@checkpoint()\ndef f(a):\n    return a * SCALE\n", "<mod>", "exec"), ns)
    assert ns["f"](3) == 6
    ns["SCALE"] = 10
    assert ns["f"](3) == 30


def test_custom_identifier_keyed_on_name_and_dict_store() -> None:
    """The extension examples: an identifier keyed on the function name, a dict-backed store."""

    class NameOnly(FuncCallIdentifierBase):
        def identify(self, context: FuncCallContext) -> str:
            return context.full_name

    class DictCache(CacheBase):
        def __init__(self):
            self.d = {}

        def save(self, context_id, result):
            self.d[context_id] = result

        def retrieve(self, context_id):
            if context_id not in self.d:
                raise CheckpointNotExist
            return self.d[context_id]

    store = DictCache()
    deco = DecoratorCheckpoint(NameOnly(), store, on_error="raise")

    @deco
    def f(a):
        return a

    assert f(1) == 1
    assert f(2) == 1  # keyed on the name only, by design of this identifier
    assert list(store.d) == [f"{__name__}.test_custom_identifier_keyed_on_name_and_dict_store.<locals>.f"]


def test_func_call_context_attributes() -> None:
    k = 7

    def foo(a, b=1, *rest, c=3, **kw):
        return a + k

    ctx = FuncCallContext(foo, (1, 2, 9), {"c": 4, "z": 0})
    assert ctx.arguments == {"a": 1, "b": 2, "rest": (9,), "c": 4, "kw": {"z": 0}}
    assert ctx.name == "foo" and ctx.module == __name__
    assert ctx.qualified_name.endswith("<locals>.foo") and ctx.full_name == f"{__name__}.{ctx.qualified_name}"
    assert "return a + k" in ctx.code
    assert ctx.get_nonlocal_variable("k") == 7
    assert ctx.get_nonlocal_variable("len") is len
    assert ctx.get_nonlocal_variable("nope") is None


def test_synchronize_with_lock() -> None:
    import threading

    lock = threading.Lock()
    store = InMemoryLRUCache().synchronize_with(lock)
    store.save("k", 1)
    assert store.retrieve("k") == 1
    with pytest.raises(CheckpointNotExist):
        store.retrieve("missing")


def test_in_memory_lru_evicts_least_recently_used() -> None:
    store = InMemoryLRUCache(maxsize=2)
    store.save("a", 1)
    store.save("b", 2)
    store.retrieve("a")
    store.save("c", 3)
    assert store.retrieve("a") == 1 and store.retrieve("c") == 3
    with pytest.raises(CheckpointNotExist):
        store.retrieve("b")


def test_defaults_keys_and_directory_setting(tmp_path) -> None:
    assert {"cache.filesystem.directory", "cache.pickle_protocol", "hash.algorithm", "hash.pickle_protocol",
            "checkpoint.on_error"} <= set(defaults)
    defaults_dir = defaults["cache.filesystem.directory"]
    try:
        defaults["cache.filesystem.directory"] = str(tmp_path / "elsewhere")

        @checkpoint()
        def f(a):
            return a

        f(1)
        assert any((tmp_path / "elsewhere").rglob("*.ckpt"))
    finally:
        defaults["cache.filesystem.directory"] = defaults_dir


def test_hash_algorithm_choice_and_bad_name() -> None:
    assert AutoFuncCallIdentifier(algorithm="md5").algorithm == "md5"
    with pytest.raises(ValueError, match="hash.algorithm"):
        AutoFuncCallIdentifier(algorithm="nope")


def test_methods_can_be_checkpointed() -> None:
    class Model:
        def __init__(self, w):
            self.w = w

        @checkpoint()
        def predict(self, x):
            record("predict")
            return self.w * x

    calls.clear()
    assert Model(2).predict(3) == 6 and Model(2).predict(3) == 6 and Model(3).predict(3) == 9
    assert calls == ["predict", "predict"]


def test_store_path_that_cannot_be_created_still_returns_result(tmp_path) -> None:
    """The store directory cannot be created (a file is in the way; fails even as root)."""
    blocker = tmp_path / "blocker"
    blocker.write_text("not a directory")

    @checkpoint(directory=blocker / "store")
    def f(a):
        return a * 2

    with pytest.warns(CheckpointFailedWarning, match="saving the result"):
        assert f(2) == 4


def test_function_without_source_uses_bytecode_identity_and_still_refuses_global() -> None:
    """Code built with exec has no readable source: it is keyed by bytecode, soundly."""
    ns: Dict[str, Any] = {}
    exec("from checkpointing import checkpoint\n@checkpoint()\ndef f(a):\n    return a * 3\n"
         "@checkpoint()\ndef g():\n    global X\n    X = 1\n", ns)
    assert ns["f"](2) == 6 and ns["f"](2) == 6
    with pytest.raises(GlobalStatementError):
        ns["g"]()


@checkpoint(store="memory://test-decorated-is-a-function")
def module_level_square(x: int) -> int:
    """Squares."""
    return x * x


def test_the_decorated_object_is_a_function_like_the_one_it_wraps() -> None:
    """What @checkpoint returns is a plain function: pickle and copy refer to it by name (as
    multiprocessing needs), inspect sees the wrapped signature, and a class binds it as a method."""
    import copy
    import pickle
    import types

    assert isinstance(module_level_square, types.FunctionType)
    assert pickle.loads(pickle.dumps(module_level_square)) is module_level_square
    assert copy.deepcopy(module_level_square) is module_level_square
    assert list(inspect.signature(module_level_square).parameters) == ["x"]
    assert (module_level_square.__name__, module_level_square.__doc__) == ("module_level_square", "Squares.")
    assert module_level_square(3) == 9 and module_level_square.cache_info().hits == 0
    assert module_level_square(3) == 9 and module_level_square.cache_info().hits == 1
    assert module_level_square.rerun(3) == 9 and module_level_square.explain(3).cached
    assert module_level_square.clear() == 1 and not module_level_square.explain(3).cached
