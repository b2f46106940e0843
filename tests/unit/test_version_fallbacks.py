"""What Python 3.9 lacks, computed another way: checked against the real thing on newer Pythons."""

import importlib.util
import sys

import pytest

from checkpointing import _distributions
from checkpointing.analysis import stdlib

newer = pytest.mark.skipif(sys.version_info < (3, 10), reason="compares with what Python 3.10+ provides")


@newer
def test_stdlib_names_read_from_the_folders_cover_every_importable_stdlib_module(monkeypatch):
    real = set(sys.stdlib_module_names)
    monkeypatch.delattr(sys, "stdlib_module_names")
    stdlib.stdlib_module_names.cache_clear()
    try:
        computed = stdlib.stdlib_module_names()
    finally:
        stdlib.stdlib_module_names.cache_clear()
    importable = {name for name in real if name in sys.builtin_module_names or importlib.util.find_spec(name)}
    assert importable <= computed
    assert not {"numpy", "pandas", "pytest", "checkpointing", "libcst"} & computed


def test_stdlib_names_exclude_installed_packages():
    assert stdlib.is_stdlib_module("os.path") and stdlib.is_stdlib_module("json")
    assert not stdlib.is_stdlib_module("numpy") and not stdlib.is_stdlib_module("pandas.core.frame")


@newer
def test_distributions_of_top_level_names_match_importlib_metadata():
    from importlib.metadata import packages_distributions

    real = packages_distributions()
    computed = _distributions._packages_distributions()
    for top in ("numpy", "pandas", "sklearn", "yaml", "_pytest", "xxhash", "libcst"):
        if top in real:
            assert set(computed[top]) == set(real[top]), top


def test_a_library_callable_without_a_module_is_found_in_its_types_package():
    np = pytest.importorskip("numpy")
    from checkpointing._key import library_token
    from checkpointing._objects import library_home

    # numpy < 2.1: a ufunc has no __module__; it is found in the package of its type
    assert library_home(np.add) == "numpy"
    assert library_token(np.add).startswith(b"lib:numpy:add@numpy==")
    made_here = np.frompyfunc(lambda x: x + 1, 1, 1)  # a ufunc of the user's: not library code
    assert getattr(made_here, "__module__", None) is None and library_home(made_here) is None
