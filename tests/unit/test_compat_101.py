"""Drop-in for checkpointing 1.0.1 (issue 13): its documented import paths and names, its
generic classes, its lookup order, and its exception bases."""

from __future__ import annotations

import importlib
import inspect

import pytest

import checkpointing
from checkpointing import (
    AutoFuncCallIdentifier,
    CacheBase,
    CheckpointNotExist,
    DecoratorCheckpoint,
    FuncCallContext,
    FuncCallIdentifierBase,
    InMemoryLRUCache,
    PickleFileCache,
)

PATHS = {
    "checkpointing": ["CheckpointNotExist", "defaults", "DecoratorCheckpoint", "checkpoint", "FuncCallIdentifierBase",
                      "AutoFuncCallIdentifier", "CacheBase", "PickleFileCache", "ContextId", "ReturnValue",
                      "hash_anything", "FuncCallContext", "InMemoryLRUCache"],
    "checkpointing.decorator": ["DecoratorCheckpoint", "checkpoint"],
    "checkpointing.decorator.base": ["DecoratorCheckpoint"],
    "checkpointing.decorator.default": ["checkpoint"],
    "checkpointing.identifier": ["FuncCallIdentifierBase", "AutoFuncCallIdentifier", "FuncCallContext"],
    "checkpointing.identifier.func_call": ["FuncCallIdentifierBase", "AutoFuncCallIdentifier", "FuncCallContext"],
    "checkpointing.identifier.func_call.base": ["FuncCallIdentifierBase"],
    "checkpointing.identifier.func_call.auto": ["AutoFuncCallIdentifier"],
    "checkpointing.identifier.func_call.context": ["FuncCallContext"],
    "checkpointing.cache": ["CacheBase", "PickleFileCache", "InMemoryLRUCache"],
    "checkpointing.cache.base": ["CacheBase"],
    "checkpointing.cache.pickle_file": ["PickleFileCache"],
    "checkpointing.cache.in_mem_lru": ["InMemoryLRUCache"],
    "checkpointing.config": ["defaults"],
    "checkpointing.hash": ["hash_anything"],
    "checkpointing.exceptions": ["CheckpointNotExist", "CheckpointFailedError", "ExpensiveOverheadWarning",
                                 "CheckpointFailedWarning", "RefactorFailedError", "GlobalStatementError",
                                 "NonlocalStatementError", "HashFailedError", "HashFailedWarning"],
}


@pytest.mark.parametrize("module", sorted(PATHS))
def test_every_documented_path_and_name_imports(module):
    imported = importlib.import_module(module)
    for name in PATHS[module]:
        value = getattr(imported, name)
        top = getattr(checkpointing, name, None)
        assert top is None or value is top, f"{module}.{name} is not checkpointing.{name}"


def test_the_generic_classes_subscript_as_in_101(tmp_path):
    class ListCache(CacheBase[str, object]):
        def __init__(self):
            self.items = {}

        def save(self, context_id, result):
            self.items[context_id] = result

        def retrieve(self, context_id):
            if context_id not in self.items:
                raise CheckpointNotExist(context_id)
            return self.items[context_id]

    class FirstArgument(FuncCallIdentifierBase[str]):
        def identify(self, context):
            return str(next(iter(context.arguments.values())))

    cache = ListCache()
    decorator = DecoratorCheckpoint[str, object](FirstArgument(), cache)

    @decorator
    def square(x):
        return x * x

    assert square(3) == 9 and square(3) == 9 and cache.items == {"3": 9}
    assert issubclass(AutoFuncCallIdentifier, FuncCallIdentifierBase)
    assert PickleFileCache(tmp_path) is not None and InMemoryLRUCache() is not None


def test_get_nonlocal_variable_looks_in_cells_then_the_frame_then_globals_then_builtins():
    shadowed = "global"  # noqa: F841 (a local of this frame, the defining frame below)
    globals()["shadowed"] = "module"
    globals()["only_global"] = "module"
    cell = "closure"

    def func():
        return cell

    context = FuncCallContext(func, (), {}, inspect.currentframe())
    try:
        assert context.get_nonlocal_variable("cell") == "closure"
        assert context.get_nonlocal_variable("shadowed") == "global"  # the frame's local, as 1.0.1 did
        assert context.get_nonlocal_variable("only_global") == "module"
        assert context.get_nonlocal_variable("len") is len
        assert context.get_nonlocal_variable("nowhere") is None
        assert FuncCallContext(func, (), {}).get_nonlocal_variable("shadowed") == "module"  # no frame given
    finally:
        del globals()["shadowed"], globals()["only_global"]


def test_exceptions_keep_their_101_bases():
    from checkpointing import exceptions

    assert issubclass(exceptions.GlobalStatementError, RuntimeError)
    assert issubclass(exceptions.NonlocalStatementError, RuntimeError)
    assert issubclass(exceptions.CheckpointFailedWarning, RuntimeWarning)
    assert issubclass(exceptions.CheckpointFailedError, RuntimeError)
    assert issubclass(exceptions.HashFailedError, exceptions.CheckpointError)
    for bad in [dict(identifier=object(), cache=InMemoryLRUCache()),
                dict(identifier=AutoFuncCallIdentifier(), cache=object())]:
        with pytest.raises(ValueError):
            DecoratorCheckpoint(**bad)
        with pytest.raises(TypeError):
            DecoratorCheckpoint(**bad)
    with pytest.raises(ValueError, match="on_error"):
        checkpointing.checkpoint(on_error="loud")
