"""``_fingerprint._read_source`` reads a function's text as ``inspect.getsource`` does (without
``inspect.getmodule``'s walk over every loaded module): the same text for every function and
lambda of a few standard-library modules and of this package, decorated ones included."""

from __future__ import annotations

import importlib
import inspect
import types
from typing import Iterator

import pytest

from checkpointing._fingerprint import _read_source

MODULES = ["argparse", "dataclasses", "functools", "json.decoder", "textwrap", "email._header_value_parser",
           "checkpointing._key.walk", "checkpointing._key.reads", "checkpointing._decorator", "tests.values"]


def _functions(code: types.CodeType) -> Iterator[types.CodeType]:
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            if const.co_flags & inspect.CO_OPTIMIZED and not const.co_name.startswith(("<genexpr", "<listcomp",
                                                                                         "<dictcomp", "<setcomp")):
                yield const  # a function or lambda (not a class body, not a comprehension)
            yield from _functions(const)


@pytest.mark.parametrize("name", MODULES)
def test_the_text_of_each_function_is_inspects(name: str) -> None:
    module = importlib.import_module(name)
    with open(module.__file__, encoding="utf-8") as f:
        code = compile(f.read(), module.__file__, "exec")
    functions = list(_functions(code))
    assert len(functions) > 5
    for function in functions:
        assert _read_source(function) == inspect.getsource(function), (name, function.co_name, function.co_firstlineno)
