"""Deep mode's per-process plan: a replayed key is always the key a full walk would give.

Each test mutates, in the running process, something the reachable code reads (a global, a
class attribute, a method, a module attribute, a dict of functions) and checks that the key
changes, and that the key served from the plan equals the key of a fresh walk
(``components`` always walks).
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from checkpointing import FuncCallContext
from checkpointing._fingerprint import fingerprint
from checkpointing._identifier import AutoFuncCallIdentifier

_counter = itertools.count()

IDENT = AutoFuncCallIdentifier(deep=True)

PROJECT = """
import config

RATE = 2
WEIGHTS = [1, 2, 3]
STEPS = {"double": lambda v: v * 2}


def scale(v):
    return v * config.SCALE


class Model:
    BIAS = 1

    def __init__(self, w):
        self.w = w

    def fit(self, xs):
        return [self.step(x) for x in xs]

    def step(self, x):
        return x * self.w + self.BIAS


def helper(v):
    return scale(v) + RATE + sum(WEIGHTS) + STEPS["double"](v)


def f(x):
    return helper(x) + sum(Model(2).fit([x]))


def g(model, x):
    return model.fit([x])
"""


def load(tmp_path: Path) -> ModuleType:
    n = next(_counter)
    config = tmp_path / f"cfg_{n}"
    config.mkdir()
    (config / "config.py").write_text("SCALE = 3\n")
    sys.modules.pop("config", None)
    sys.path.insert(0, str(config))
    try:
        name = f"plan_mod_{n}"
        path = tmp_path / f"{name}.py"
        path.write_text(textwrap.dedent(PROJECT))
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # as an import would: classes are found as user code through it
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(config))
    return module


def keys(func, *args):
    """(key served by the plan, key of a full walk)."""
    context = FuncCallContext(func, args, {})
    replayed = IDENT.identify(context)
    walked, _ = IDENT.components(FuncCallContext(func, args, {}))
    return replayed, walked


def check_change(module: ModuleType, mutate, func_name: str = "f", *args) -> None:
    func = getattr(module, func_name)
    args = args or (1,)
    before, walked_before = keys(func, *args)
    assert before == walked_before
    assert keys(func, *args)[0] == before  # the plan is used and agrees
    assert fingerprint(func).plans, "no plan was made"
    mutate(module)
    after, walked_after = keys(func, *args)
    assert after == walked_after, "the plan served a key a fresh walk would not give"
    assert after != before, "the mutation did not change the key"


def test_rebinding_a_global_helper(tmp_path) -> None:
    check_change(load(tmp_path), lambda m: setattr(m, "scale", lambda v: v * 4))


def test_rebinding_a_global_constant(tmp_path) -> None:
    check_change(load(tmp_path), lambda m: setattr(m, "RATE", 5))


def test_mutating_a_global_list_in_place(tmp_path) -> None:
    check_change(load(tmp_path), lambda m: m.WEIGHTS.append(4))


def test_replacing_a_function_in_a_global_dict(tmp_path) -> None:
    check_change(load(tmp_path), lambda m: m.STEPS.__setitem__("double", lambda v: v * 3))


def test_an_attribute_of_a_user_module(tmp_path) -> None:
    check_change(load(tmp_path), lambda m: setattr(m.config, "SCALE", 4))


def test_a_class_attribute(tmp_path) -> None:
    check_change(load(tmp_path), lambda m: setattr(m.Model, "BIAS", 2))


def test_monkeypatching_a_method(tmp_path) -> None:
    check_change(load(tmp_path), lambda m: setattr(m.Model, "step", lambda self, x: x))


def test_a_method_on_an_argument_object(tmp_path) -> None:
    module = load(tmp_path)
    check_change(module, lambda m: setattr(m.Model, "step", lambda self, x: -x), "g", module.Model(3), 1)


def test_a_base_class_gaining_a_method_the_code_calls(tmp_path) -> None:
    module = load(tmp_path)

    class Sub(module.Model):
        pass

    module.Model.__module__ = module.__name__
    Sub.__module__ = module.__name__
    Sub.__qualname__ = "Sub"
    module.Sub = Sub
    module.Sub_instance = Sub(2)
    check_change(module, lambda m: setattr(m.Sub, "step", lambda self, x: 0), "g", module.Sub_instance, 1)


def test_an_unreached_change_keeps_the_plan_and_the_key(tmp_path) -> None:
    module = load(tmp_path)
    before, _ = keys(module.f, 1)
    plan = next(iter(fingerprint(module.f).plans.values()))
    module.UNUSED = 7
    after, walked = keys(module.f, 1)
    assert before == after == walked
    assert next(iter(fingerprint(module.f).plans.values())) is plan
    module.Model.unused = lambda self: 0  # a new member: the plan is made again, the key stays
    after, walked = keys(module.f, 1)
    assert before == after == walked


def test_arguments_of_another_class_make_another_plan(tmp_path) -> None:
    module = load(tmp_path)

    class Other:
        def fit(self, xs):
            return xs

    first = keys(module.g, module.Model(3), 1)
    second = keys(module.g, Other(), 1)
    assert first[0] == first[1] and second[0] == second[1]
    assert first[0] != second[0]


@pytest.mark.parametrize("value", [[1, 2], {"a": 1}, 5, "text"])
def test_a_global_alias_of_an_argument_keys_like_a_fresh_walk(tmp_path, value) -> None:
    module = load(tmp_path)
    module.WEIGHTS = [1] if not isinstance(value, list) else value
    replayed, walked = keys(module.f, value)
    assert replayed == walked
    replayed, walked = keys(module.f, [9])
    assert replayed == walked
