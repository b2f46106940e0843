"""checkpointing/_registered.py: where user code stored in a library's state is found, how a
later registration is seen, and what a deep key makes of it (in one process, as a notebook)."""

from __future__ import annotations

import codecs
import functools
import itertools
import sys
import types
from pathlib import Path
from typing import Any, Iterator

import pytest

from checkpointing import _registered
from checkpointing._fingerprint import fingerprint
from checkpointing._key.walk import KeyBuilder
from tests.helpers import load_function

_names = itertools.count()


@pytest.fixture()
def library() -> Iterator[types.ModuleType]:
    """A library package (a module with no file under the user's folders), searched afresh."""
    name = f"fakelib{next(_names)}"
    module = types.ModuleType(name)
    exec(
        "import functools\n"
        "class Encoder:\n"
        "    def default(self, o):\n"
        "        raise TypeError(o)\n"
        "class Registry:\n"
        "    def __init__(self):\n"
        "        self.entries = {}\n"
        "REGISTRY = Registry()\n"
        "FORMATS = {'csv': len}\n"
        "@functools.singledispatch\n"
        "def show(x):\n"
        "    return repr(x)\n",
        module.__dict__)
    sys.modules[name] = module
    try:
        yield module
    finally:
        del sys.modules[name]
        _registered._searched.pop(name, None)


def _user(tmp_path: Path, source: str, name: str) -> Any:
    return load_function(tmp_path, source, name)


def _labels(package: str) -> list:
    return sorted(label for label, _ in _registered.locations(package))


def test_a_library_without_user_code_has_no_location(library: types.ModuleType) -> None:
    assert _labels(library.__name__) == []


def test_user_code_is_found_where_it_is_stored(tmp_path: Path, library: types.ModuleType) -> None:
    default = _user(tmp_path, "def default(self, o):\n    return o.x\n", "default")
    loader = _user(tmp_path, "class Loader:\n    def load(self):\n        return 1\n", "Loader")
    show_point = _user(tmp_path, "def show_point(p):\n    return 'point'\n", "show_point")
    library.Encoder.default = default  # onto a class
    library.REGISTRY.entries["loader"] = loader  # into a registry object's table
    library.FORMATS["mine"] = functools.partial(default, None)  # into a module's table
    library.show.register(loader, show_point)  # onto a singledispatch function
    name = library.__name__
    assert _labels(name) == [f"{name}.Encoder.default", f"{name}.FORMATS", f"{name}.REGISTRY", f"{name}.show"]
    found = {label: read() for label, read in _registered.locations(name)}
    assert found[f"{name}.Encoder.default"] == (default,)
    assert found[f"{name}.REGISTRY"] == (loader,)
    assert found[f"{name}.FORMATS"] == (default,)
    assert set(found[f"{name}.show"]) == {loader, show_point}


def test_a_user_class_stored_in_a_library_namespace_is_found(tmp_path: Path, library: types.ModuleType) -> None:
    model = _user(tmp_path, "class Model:\n    def fit(self):\n        return 1\n", "Model")
    library.DEFAULT_MODEL = model  # (a library's plugin slot)
    assert dict(_registered.locations(library.__name__))[f"{library.__name__}.DEFAULT_MODEL"]() == (model,)


def test_an_instance_of_a_user_class_counts_as_its_class(tmp_path: Path, library: types.ModuleType) -> None:
    plugin = _user(tmp_path, "class Plugin:\n    def run(self):\n        return 1\n", "Plugin")
    library.FORMATS["plugin"] = plugin()
    assert dict(_registered.locations(library.__name__))[f"{library.__name__}.FORMATS"]() == (plugin,)


def test_a_location_is_read_again_on_each_key(tmp_path: Path, library: types.ModuleType) -> None:
    first = _user(tmp_path, "def default(self, o):\n    return 1\n", "default")
    second = _user(tmp_path, "def default(self, o):\n    return 2\n", "default")
    library.Encoder.default = first
    (read,) = [read for _, read in _registered.locations(library.__name__)]
    library.Encoder.default = second  # the cell registering it, run again
    assert read() == (second,)


def test_a_module_of_the_package_imported_after_the_search_is_searched(tmp_path: Path,
                                                                        library: types.ModuleType) -> None:
    assert _labels(library.__name__) == []
    sub = types.ModuleType(f"{library.__name__}.plugins")
    sub.TABLE = {"x": _user(tmp_path, "def plugin():\n    return 1\n", "plugin")}
    before = _registered.generation()
    sys.modules[sub.__name__] = sub
    try:
        assert _registered.generation() > before
        assert _labels(library.__name__) == [f"{sub.__name__}.TABLE"]
    finally:
        del sys.modules[sub.__name__]


def test_codec_search_functions_are_found_by_a_lookup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    search = _user(tmp_path, "def search(name):\n    return None\n", "search")
    monkeypatch.setattr(_registered, "_codecs", [])  # (probed once per process: probe again)
    codecs.register(search)
    try:
        assert search in _registered.codec_search_functions()
    finally:
        if hasattr(codecs, "unregister"):
            codecs.unregister(search)


_SOURCE = """
import json

def encode(self, o):
    return {"x": o.x}

class Point:
    def __init__(self, x):
        self.x = x

def f(n):
    return json.dumps([Point(n)])
"""


def test_a_deep_key_reads_the_registered_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    f = load_function(tmp_path, _SOURCE)
    edited = load_function(tmp_path, _SOURCE.replace('{"x": o.x}', '{"x": o.x + 1}'), "encode")

    def key() -> str:
        fp = fingerprint(f)
        return KeyBuilder(deep=True).key(fp, {"n": 1})

    monkeypatch.setattr(json.JSONEncoder, "default", f.__globals__["encode"])
    first = key()
    assert key() == first  # the plan, replayed
    monkeypatch.setattr(json.JSONEncoder, "default", edited)  # a notebook cell run again, edited
    assert key() != first
    monkeypatch.setattr(json.JSONEncoder, "default", f.__globals__["encode"])
    assert key() == first


def test_the_explanation_names_the_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    f = load_function(tmp_path, _SOURCE)
    monkeypatch.setattr(json.JSONEncoder, "default", f.__globals__["encode"])
    builder = KeyBuilder(deep=True, record=True)
    builder.key(fingerprint(f), {"n": 1})
    assert [c.name for c in builder.components or () if c.kind == "registered"] == ["json.encoder.JSONEncoder.default"]


def test_classes_registered_with_a_library_abstract_base_class_are_found(tmp_path: Path,
                                                                          library: types.ModuleType) -> None:
    exec("import abc\nclass Shape(abc.ABC):\n    pass\n", library.__dict__)
    square = _user(tmp_path, "class Square:\n    def area(self):\n        return 1\n", "Square")
    library.Shape.register(square)
    found = dict(_registered.locations(library.__name__))
    assert found[f"{library.__name__}.Shape.register()"]() == (square,)
