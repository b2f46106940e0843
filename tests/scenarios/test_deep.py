"""Deep mode: every form of reaching the user's own code (issue #3 sections 2 and 3), both ways.

Each case is a small project and a sequence of edits; after each edit the script runs again in
a fresh interpreter and the test checks whether the function recomputed and that its value
equals an uncached run of the same version.
"""

from __future__ import annotations

import sys
from typing import Dict, List, Tuple

import pytest

from tests.helpers import Edit, Project, run_edits
from tests.helpers import checkpointed_script as main

FOO_CALLS_HELPER = '''
def foo(x):
    print("RUN")
    return helper(x)
'''

CASES: List[Tuple[str, Dict[str, str], List[Edit]]] = [
    ("chain-of-helpers", {"main.py": main(FOO_CALLS_HELPER, "foo(3)", '''
        def level3(v):
            return v + 1

        def level2(v):
            return level3(v) * 2

        def helper(v):
            return level2(v) + 1
        ''')}, [("main.py", "return level3(v) * 2", "return level3(v) * 2  # doubled", "skip"),
                ("main.py", "return v + 1", "return v + 2", "rerun")]),
    # setattr, vars(self) and locals() select no code: no DynamicAccessWarning (run_edits fails on
    # one), a method nothing calls is not part of the key, the method that is called is
    ("writes-and-own-names", {"main.py": main('''
        def foo(x):
            print("RUN")
            model = Model(weight=x)
            here = locals()
            return model.describe(), here["x"]
        ''', "foo(3)", '''
        class Model:
            def __init__(self, **options):
                for key, value in options.items():
                    setattr(self, key, value)

            def describe(self):
                return sorted(vars(self).items())

            def unused(self):
                return 1
        ''')}, [("main.py", "return 1", "return 2", "skip"),
                ("main.py", "return sorted(vars(self).items())", "return sorted(vars(self))", "rerun")]),
    ("from-import", {"main.py": main(FOO_CALLS_HELPER, "foo(5)", "from helpers import helper"),
                     "helpers.py": "def helper(v):\n    return v * 2\n\ndef other(v):\n    return v - 1\n"},
     [("helpers.py", "return v - 1", "return v - 2", "skip"), ("helpers.py", "v * 2", "v * 3", "rerun")]),
    ("module-attribute-call", {"main.py": main('''
        def foo(x):
            print("RUN")
            return helpers.helper(x)
        ''', "foo(5)", "import helpers"), "helpers.py": "def helper(v):\n    return v * 2\n"},
     [("helpers.py", "return v * 2", "return (v\n            * 2)", "skip"), ("helpers.py", "v\n            * 2", "v * 4", "rerun")]),
    ("package-relative-import", {"main.py": main('''
        def foo(x):
            print("RUN")
            return core.run(x)
        ''', "foo(2)", "from pkg import core"), "pkg/__init__.py": "",
        "pkg/core.py": "from .util import twice\n\ndef run(v):\n    return twice(v) + 1\n",
        "pkg/util.py": "def twice(v):\n    return v * 2\n"},
     [("pkg/util.py", "v * 2", "v * 5", "rerun")]),
    ("alias-and-star-import", {"main.py": main('''
        def foo(x):
            print("RUN")
            return t(x) + other(x)
        ''', "foo(2)", "from helpers import transform as t\nfrom helpers2 import *"),
        "helpers.py": "def transform(v):\n    return v * 2\n", "helpers2.py": "def other(v):\n    return v + 10\n"},
     [("helpers.py", "v * 2", "v * 3", "rerun"), ("helpers2.py", "v + 10", "v + 11", "rerun")]),
    ("module-lambda", {"main.py": main(FOO_CALLS_HELPER, "foo(2)", "helper = lambda v: v * 2")},
     [("main.py", "v * 2", "v * 3", "rerun")]),
    ("functools-partial", {"main.py": main(FOO_CALLS_HELPER, "foo(2)", '''
        from functools import partial

        def add(a, b):
            return a + b

        helper = partial(add, 5)
        ''')}, [("main.py", "return a + b", "return a - b", "rerun"), ("main.py", "partial(add, 5)", "partial(add, 6)", "rerun")]),
    ("functools-partial-keywords", {"main.py": main(FOO_CALLS_HELPER, "foo(2)", '''
        from functools import partial

        def clip(v, lo, hi):
            return min(max(v, lo), hi)

        def named(v, **bounds):
            return v + len("".join(bounds))

        def both(v):
            return (CLIP(v), NAMED(v))

        CLIP = partial(clip, lo=0, hi=1)
        NAMED = partial(named, lo=0, hi=1)
        helper = both
        ''')}, [("main.py", "CLIP = partial(clip, lo=0, hi=1)", "CLIP = partial(clip, hi=1, lo=0)", "skip"),
                  ("main.py", "partial(clip, hi=1, lo=0)", "partial(clip, hi=3, lo=0)", "rerun"),
                  # (a function that takes **bounds sees their order)
                  ("main.py", "NAMED = partial(named, lo=0, hi=1)", "NAMED = partial(named, hi=1, lo=0)", "rerun")]),
    ("functools-partial-keywords-read", {"main.py": main(FOO_CALLS_HELPER, "foo(2)", '''
        from functools import partial

        def clip(v, lo, hi):
            return min(max(v, lo), hi)

        def order(v):
            return v, list(ORDER.keywords)  # code that reads them sees their order

        ORDER = partial(clip, lo=0, hi=1)
        helper = order
        ''')}, [("main.py", "ORDER = partial(clip, lo=0, hi=1)", "ORDER = partial(clip, hi=1, lo=0)", "rerun")]),
    # functools.wraps gives the wrapper the wrapped function's names: the nested def's own name
    # cannot be seen, so renaming it is served; a decorator that does not copy them shows it
    ("renamed-wraps-wrapper", {"main.py": main(FOO_CALLS_HELPER, "foo(2)", '''
        import functools

        def logged(func):
            @functools.wraps(func)
            def wrapper(*args, **kwargs):
                return func(*args, **kwargs) + 1
            return wrapper

        def triple(v):
            return v * 3

        def helper(v):
            return logged(triple)(v), logged(triple).__name__
        ''')}, [("main.py", "def wrapper(*args, **kwargs):\n        return func(*args, **kwargs) + 1\n    return wrapper",
                   "def inner(*args, **kwargs):\n        return func(*args, **kwargs) + 1\n    return inner", "skip"),
                  ("main.py", "return func(*args, **kwargs) + 1", "return func(*args, **kwargs) + 2", "rerun")]),
    ("renamed-wrapper-of-an-own-wraps", {"main.py": main(FOO_CALLS_HELPER, "foo(2)", '''
        def wraps(func):  # the project's own: it keeps the wrapper's name
            return lambda wrapper: wrapper

        def logged(func):
            @wraps(func)
            def wrapper(*args, **kwargs):
                return func(*args, **kwargs)
            return wrapper

        def helper(v):
            return logged(abs)(v), logged(abs).__name__
        ''')}, [("main.py", "def wrapper(*args, **kwargs):\n        return func(*args, **kwargs)\n    return wrapper",
                   "def inner(*args, **kwargs):\n        return func(*args, **kwargs)\n    return inner", "rerun")]),
    # a method that every class reached overrides cannot run: editing it is served; one that a
    # subclass reaches through super(), or a class used directly, runs
    ("method-shadowed-by-every-subclass", {"main.py": main(FOO_CALLS_HELPER, "foo(2)", '''
        class Base:
            rate = 1

            def score(self, v):
                return v + self.rate

            def name(self):
                return "base"

        class Model(Base):
            rate = 3

            def score(self, v):
                return v * self.rate

        class Tuned(Model):
            def name(self):
                return "tuned"

        def helper(v):
            return Model().score(v), Tuned().score(v), Tuned().name()
        ''')}, [("main.py", "return v + self.rate", "return v - self.rate", "skip"),
                  ("main.py", "    rate = 1\n", "    rate = 2\n", "skip"),
                  ("main.py", "return v * self.rate", "return v * self.rate + 1", "rerun")]),
    ("method-reached-through-super", {"main.py": main(FOO_CALLS_HELPER, "foo(2)", '''
        class Base:
            def score(self, v):
                return v + 1

        class Model(Base):
            def score(self, v):
                return super().score(v) * 2

        def helper(v):
            return Model().score(v)
        ''')}, [("main.py", "return v + 1", "return v + 2", "rerun")]),
    ("method-of-a-base-used-directly", {"main.py": main(FOO_CALLS_HELPER, "foo(2)", '''
        class Base:
            def score(self, v):
                return v + 1

        class Model(Base):
            def score(self, v):
                return v * 2

        def pick(v):
            return Base if v > 5 else Model

        def helper(v):
            return pick(v)().score(v)
        ''')}, [("main.py", "return v + 1", "return v + 2", "rerun")]),
    ("computed-import-of-a-plugin", {"main.py": main(FOO_CALLS_HELPER, "foo(2)", '''
        import importlib

        def helper(v, kind="scale"):
            return importlib.import_module(f"plugins.{kind}").run(v)
        '''), "plugins/__init__.py": "", "plugins/scale.py": "def run(v):\n    return v * 2\n",
        "plugins/shift.py": "def run(v):\n    return v + 100\n"},
     [("plugins/scale.py", "v * 2", "v * 3", "rerun"),
      ("main.py", 'kind="scale"', 'kind="shift"', "rerun"),
      ("plugins/shift.py", "v + 100", "v + 101", "rerun"),
      ("plugins/__init__.py", "", "from .scale import run as default_run\n", "rerun")]),
    ("annotations-read-by-library-code", {"main.py": main(FOO_CALLS_HELPER, "foo(7.5)", '''
        import typing

        class Config:
            retries: int = 3

        def scale(v: float) -> float:
            return v * 2

        def helper(v):
            return typing.get_type_hints(Config)["retries"](scale(v))
        ''')}, [("main.py", "retries: int = 3", "retries: float = 3", "rerun"),
                  # (where code reads type hints, every reached function's count too)
                  ("main.py", "def scale(v: float) -> float:", "def scale(v: int) -> int:", "rerun")]),
    ("annotations-nobody-reads", {"main.py": main(FOO_CALLS_HELPER, "foo(7.5)", '''
        def helper(v: float) -> float:
            return v * 2
        ''')}, [("main.py", "def helper(v: float) -> float:", "def helper(v: int) -> int:", "skip")]),
    *([] if sys.version_info < (3, 10) else [  # (the match statement is new in 3.10)
    ("match-class-patterns", {"main.py": main(FOO_CALLS_HELPER, "foo(Point(1, 2))", '''
        class Point:
            __match_args__ = ("x", "y")

            def __init__(self, x, y):
                self.x, self.y = x, y

            @property
            def norm(self):
                return abs(self.x) + abs(self.y)

        def helper(p):
            match p:
                case Point(a, norm=3):
                    return a
            return None
        ''')}, [("main.py", '__match_args__ = ("x", "y")', '__match_args__ = ("y", "x")', "rerun"),
                  ("main.py", "abs(self.x) + abs(self.y)", "abs(self.x) * abs(self.y)", "rerun")])]),
    ("runtime-checkable-protocol", {"main.py": main(FOO_CALLS_HELPER, "foo(1)", '''
        from typing import Protocol, runtime_checkable

        @runtime_checkable
        class HasArea(Protocol):
            def area(self): ...

        class Box:
            def area(self):
                return 4

        def helper(v):
            return v, isinstance(Box(), HasArea)
        ''')}, [("main.py", "    def area(self): ...", "    def area(self): ...\n\n    def volume(self): ...", "rerun"),
                  ("main.py", "class Box:\n    def area(self):", "class Box:\n    def surface(self):", "rerun")]),
    ("dispatch-dict", {"main.py": main('''
        def foo(x):
            print("RUN")
            return OPS["double"](x)
        ''', "foo(2)", '''
        def double(v):
            return v * 2

        OPS = {"double": double}
        ''')}, [("main.py", "return v * 2", "return v * 20", "rerun")]),
    ("function-as-default", {"main.py": main('''
        def foo(x, fn=helper):
            print("RUN")
            return fn(x)
        ''', "foo(2)", "def helper(v):\n    return v + 1\n")}, [("main.py", "v + 1", "v + 2", "rerun")]),
    ("closure-from-factory", {"main.py": main(FOO_CALLS_HELPER, "foo(2)", '''
        def make(k):
            def scale(v):
                return v * k
            return scale

        helper = make(3)
        ''')}, [("main.py", "helper = make(3)", "helper = make(3)  # three", "skip"),
                ("main.py", "make(3)", "make(4)", "rerun"), ("main.py", "v * k", "v * k + 1", "rerun")]),
    ("user-decorator", {"main.py": main(FOO_CALLS_HELPER, "foo(2)", '''
        import functools

        def logged(fn):
            @functools.wraps(fn)
            def wrapper(*args):
                return fn(*args)
            return wrapper

        @logged
        def helper(v):
            return v * 2
        ''')}, [("main.py", "return v * 2", "return v * 7", "rerun"),
                ("main.py", "return fn(*args)", "return fn(*args) + 1", "rerun")]),
    ("class-members", {"main.py": main('''
        def foo(x):
            print("RUN")
            m = Model.create(x)
            return (m.fit(x), m.scaled, Model.twice(x), (m + m).w, Model.RATE)
        ''', "foo(2)", '''
        class Model:
            RATE = 3

            def __init__(self, w):
                self.w = w

            @classmethod
            def create(cls, w):
                return cls(w)

            @staticmethod
            def twice(v):
                return v * 2

            @property
            def scaled(self):
                return self.w * 10

            def __add__(self, other):
                return Model(self.w + other.w)

            def fit(self, xs):
                return xs * self.w

            def describe(self):
                return "model"
        ''')}, [("main.py", 'return "model"', 'return "a model"', "skip"),
                ("main.py", "self.w = w", "self.w = w + 1", "rerun"),
                ("main.py", "return cls(w)", "return cls(w * 2)", "rerun"),
                ("main.py", "return v * 2", "return v * 3", "rerun"),
                ("main.py", "return self.w * 10", "return self.w * 11", "rerun"),
                ("main.py", "Model(self.w + other.w)", "Model(self.w - other.w)", "rerun"),
                ("main.py", "RATE = 3", "RATE = 4", "rerun")]),
    ("inherited-and-self-methods", {"main.py": main('''
        def foo(x):
            print("RUN")
            return Child().fit(x)
        ''', "foo(2)", '''
        class Base:
            def fit(self, v):
                return self._step(v) + 1

            def _step(self, v):
                return v * 2

            def unused(self):
                return 0

        class Child(Base):
            pass
        ''')}, [("main.py", "return 0", "return 1", "skip"), ("main.py", "return v * 2", "return v * 3", "rerun"),
                ("main.py", "return self._step(v) + 1", "return self._step(v) + 2", "rerun")]),
    ("dataclass-default", {"main.py": main('''
        def foo(x):
            print("RUN")
            return Config().k * x
        ''', "foo(2)", "from dataclasses import dataclass\n\n@dataclass\nclass Config:\n    k: int = 2\n")},
     [("main.py", "k: int = 2", "k: int = 3", "rerun")]),
    ("method-on-argument", {"main.py": main('''
        def foo(bar):
            print("RUN")
            bar.baz()
            return bar.x
        ''', "foo(Bar())", '''
        class Bar:
            def __init__(self):
                self.x = 0

            def baz(self):
                self.x += 1

            def other(self):
                return 1
        ''')}, [("main.py", "return 1", "return 2", "skip"), ("main.py", "self.x += 1", "pass", "rerun")]),
    ("generator-recursion-mutual-recursion", {"main.py": main('''
        def foo(n):
            print("RUN")
            return (sum(gen(n)), fact(n), is_even(n))
        ''', "foo(4)", '''
        def gen(n):
            for i in range(n):
                yield i * 2

        def fact(n):
            return 1 if n <= 1 else n * fact(n - 1)

        def is_even(n):
            return True if n == 0 else is_odd(n - 1)

        def is_odd(n):
            return False if n == 0 else is_even(n - 1)
        ''')}, [("main.py", "yield i * 2", "yield i * 3", "rerun"), ("main.py", "return 1 if", "return 2 if", "rerun"),
                ("main.py", "return False if n == 0", "return True if n == 0", "rerun")]),
    ("global-in-other-module-read-by-helper", {"main.py": main(FOO_CALLS_HELPER, "foo(0.6)", "from helpers import helper"),
        "helpers.py": "import config\n\ndef helper(v):\n    return v > config.THRESHOLD\n", "config.py": "THRESHOLD = 0.5\n"},
     [("config.py", "THRESHOLD = 0.5", "THRESHOLD = 0.5\nOTHER = 1", "skip"), ("config.py", "THRESHOLD = 0.5", "THRESHOLD = 0.7", "rerun")]),
    ("helper-renamed-consistently", {"main.py": main(FOO_CALLS_HELPER, "foo(2)", "def helper(v):\n    return v * 2\n")},
     [("main.py", "helper", "transform", "skip")]),
    ("unreachable-helper-edited", {"main.py": main(FOO_CALLS_HELPER, "foo(2)",
                                                   "def helper(v):\n    return v * 2\n\ndef unused(v):\n    return v\n")},
     [("main.py", "return v\n", "return v + 1\n", "skip")]),
    ("framework-subclass-method-called-by-library", {"main.py": main('''
        def foo(n):
            print("RUN")
            X = [[float(i)] for i in range(n)]
            y = [i % 2 for i in range(n)]
            return make_pipeline(Shift(), LogisticRegression()).fit(X, y).predict(X).tolist()
        ''', "foo(6)", '''
        from sklearn.base import BaseEstimator, TransformerMixin
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        class Shift(BaseEstimator, TransformerMixin):
            def fit(self, X, y=None):
                return self

            def transform(self, X):
                return [[row[0] % 2] for row in X]
        ''')}, [("main.py", "[[row[0] % 2] for row in X]", "[[0.0] for row in X]", "rerun")]),
]


@pytest.mark.parametrize("case_id, files, edits", CASES, ids=[c[0] for c in CASES])
def test_deep_mode(project: Project, case_id: str, files: Dict[str, str], edits: List[Edit]) -> None:
    run_edits(project, case_id, files, edits)


IN_PROCESS = '''
import config
from checkpointing import checkpoint

WEIGHTS = [1, 2]


class Scaler:
    def __init__(self, k):
        self.k = k

    def apply(self, v):
        return v * self.k


def helper(v):
    return v + config.OFFSET + sum(WEIGHTS)


@checkpoint(deep=True)
def run(x, scaler):
    print("RUN")
    return scaler.apply(helper(x))


s = Scaler(2)
print("OUT", run(1, s))
print("OUT", run(1, s))                      # served
config.OFFSET = 10                           # a module attribute changes
print("OUT", run(1, s))
WEIGHTS.append(5)                            # a global list changes in place
print("OUT", run(1, s))
Scaler.apply = lambda self, v: v - self.k    # a method is monkeypatched
print("OUT", run(1, s))
helper = lambda v: 0                         # a helper is rebound
print("OUT", run(1, s))
print("OUT", run(1, s))                      # served again
'''


def test_changes_made_while_the_program_runs_are_seen_on_the_next_call(tmp_path) -> None:
    """Within one process, deep mode re-reads every value the reachable code reads on each call."""
    project = Project(tmp_path).write({"main.py": IN_PROCESS, "config.py": "OFFSET = 0\n"})
    first = project.run()
    assert first.out == ["8", "8", "28", "38", "17", "-2", "-2"]
    assert first.ran == 5
    second = project.run()  # a new process: the same sequence, every value now from the store
    assert second.out == first.out and second.ran == 0


@pytest.mark.parametrize("decorator", ["@checkpoint(deep=True)", "@checkpoint()"], ids=["deep", "default"])
def test_reordered_keyword_arguments(project: Project, decorator: str) -> None:
    """A callee that binds keywords by name: their order is served; ``dict`` keeps it: recomputed."""
    source = f'''
import numpy as np
from checkpointing import checkpoint


{decorator}
def grid(n):
    print("RUN")
    return np.linspace(0, 1, num=n, endpoint=False).tolist(), list(dict(b=1, a=n))


if __name__ == "__main__":
    print("OUT", grid(4))
'''
    run_edits(project, "keyword order", {"main.py": source}, [
        ("main.py", "num=n, endpoint=False", "endpoint=False, num=n", "skip"),
        ("main.py", "dict(b=1, a=n)", "dict(a=n, b=1)", "rerun"),
    ])
