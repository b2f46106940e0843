"""The public API is exactly __all__ (httpx's test_exported_members)."""

import checkpointing

EXPECTED = [
    "AutoFuncCallIdentifier", "CacheBase", "CheckpointError", "CheckpointFailedError", "CheckpointFailedWarning",
    "CheckpointNotExist", "CheckpointWarning", "Checkpointed", "ContextId", "CorruptEntryWarning", "DecoratorCheckpoint",
    "DynamicAccessWarning", "ExpensiveOverheadWarning", "FsspecCache", "FuncCallContext", "FuncCallIdentifierBase",
    "GlobalStatementError", "HashFailedWarning", "InMemoryLRUCache", "NonlocalStatementError", "PickleFileCache",
    "RedisCache", "ReturnValue", "UnhashableValueError", "UnstableKeyWarning", "UntrustedStoreWarning", "VerificationWarning", "checkpoint", "defaults", "hash_anything", "open_store",
    "register_hasher",
]


def test_all_is_pinned_and_sorted() -> None:
    assert checkpointing.__all__ == EXPECTED == sorted(EXPECTED)


def test_every_name_in_all_is_importable_and_public_names_are_listed() -> None:
    for name in checkpointing.__all__:
        assert getattr(checkpointing, name) is not None
    public = {n for n in dir(checkpointing) if not n.startswith("_")}
    modules = {"exceptions", "stores", "hashers", "analysis", "cli",
               # checkpointing 1.0.1's module paths, kept as aliases (tests/unit/test_compat_101.py)
               "cache", "config", "decorator", "hash", "identifier"}
    assert public - modules - set(EXPECTED) == set()


def test_errors_inherit_matching_builtins() -> None:
    assert issubclass(checkpointing.CheckpointNotExist, LookupError)
    assert issubclass(checkpointing.CheckpointFailedError, RuntimeError)
    assert issubclass(checkpointing.UnhashableValueError, TypeError)
    assert issubclass(checkpointing.GlobalStatementError, ValueError)
    assert checkpointing.HashFailedWarning.__module__ == "checkpointing"


def test_every_error_the_package_raises_is_a_checkpoint_error() -> None:
    import inspect

    import checkpointing.exceptions
    import checkpointing.stores
    from checkpointing.stores import entry_format

    modules = [checkpointing, checkpointing.exceptions, checkpointing.stores, entry_format]
    errors = {obj for module in modules for _, obj in inspect.getmembers(module, inspect.isclass)
              if issubclass(obj, Exception) and not issubclass(obj, Warning)
              and obj.__module__.startswith("checkpointing")}
    assert checkpointing.stores.LockTimeout in errors
    assert {e.__name__ for e in errors if not issubclass(e, checkpointing.CheckpointError)} == set()
    assert issubclass(checkpointing.stores.LockTimeout, TimeoutError)
