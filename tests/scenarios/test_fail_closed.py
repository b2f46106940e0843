"""Never stale, by construction (issue 9): each kind of input the key must cover, edited
between two runs of a script in fresh interpreters, both ways: an edit that changes the
result recomputes, an edit that cannot change it is served from the store.

Every run is also compared with an uncached run of the same version (a stale value fails
the test whatever the expectation says).
"""

from __future__ import annotations

from typing import Dict, List, Tuple

import pytest

from tests.helpers import Edit, Project, checkpointed_script, run_edits

CASES: List[Tuple[str, Dict[str, str], List[Edit]]] = [
    # 1. signatures of functions other than the checkpointed one
    ("helper-default", {"main.py": checkpointed_script('''
        def foo(x):
            print("RUN")
            return scale(x) + shift(x)
        ''', "foo(2)", '''
        def scale(v, factor=3):
            y = v * factor
            return y

        def shift(v, /, *, by=1):
            return v + by
        ''')}, [("main.py", "y = v * factor\n    return y", "return v * factor", "skip"),
                ("main.py", "factor=3", "factor=4", "rerun"), ("main.py", "by=1", "by=2", "rerun"),
                # a positional-only parameter's name is not observable
                ("main.py", "def shift(v, /, *, by=2):\n    return v + by", "def shift(w, /, *, by=2):\n    return w + by",
                 "skip")]),
    ("helper-parameter-order", {"main.py": checkpointed_script('''
        def foo(x):
            print("RUN")
            return diff(x, 1)
        ''', "foo(5)", "def diff(a, b):\n    return a - b\n")},
     [("main.py", "def diff(a, b)", "def diff(b, a)", "rerun")]),
    # 2. attributes read from functions, classes and instances, in both modes
    ("function-attributes", {"main.py": checkpointed_script('''
        def foo(x):
            print("RUN")
            return x * helper.factor, helper.__doc__
        ''', "foo(2)", 'def helper(v):\n    """Doubles."""\n    return v * 2\n\nhelper.factor = 3\n', deep=False)},
     [("main.py", "helper.factor = 3", "helper.factor = 4", "rerun"), ("main.py", "Doubles.", "Twice.", "rerun")]),
    ("unread-docstring", {"main.py": checkpointed_script('''
        def foo(x):
            print("RUN")
            return helper(x)
        ''', "foo(2)", 'def helper(v):\n    """Doubles."""\n    return v * 2\n')},
     [("main.py", "Doubles.", "Twice.", "skip")]),
    ("class-attribute-chain", {"main.py": checkpointed_script('''
        def foo(x):
            print("RUN")
            return x * Settings.RATE + Settings.Inner.DEPTH
        ''', "foo(2)", "class Settings:\n    RATE = 3\n    UNUSED = 1\n\n    class Inner:\n        DEPTH = 1\n",
        deep=False)}, [("main.py", "RATE = 3", "RATE = 4", "rerun"), ("main.py", "DEPTH = 1", "DEPTH = 2", "rerun")]),
    # 3. callables that are not plain functions
    ("lru-cache-and-singledispatch", {"main.py": checkpointed_script('''
        def foo(x):
            print("RUN")
            return fib(x), show(x), show("a")
        ''', "foo(6)", '''
        import functools

        @functools.lru_cache(maxsize=None)
        def fib(n):
            return n if n < 2 else fib(n - 1) + fib(n - 2)

        @functools.singledispatch
        def show(v):
            return "other"

        @show.register(int)
        def _(v):
            return v * 2
        ''')}, [("main.py", "fib(n - 2)", "fib(n - 2) + 1", "rerun"), ("main.py", "v * 2", "v * 3", "rerun")]),
    ("bound-method-and-partial", {"main.py": checkpointed_script('''
        def foo(x):
            print("RUN")
            return double(x), add5(x)
        ''', "foo(2)", '''
        import functools

        class Scaler:
            def __init__(self, k):
                self.k = k

            def apply(self, v):
                return v * self.k

        def add(a, b):
            return a + b

        double = Scaler(2).apply
        add5 = functools.partial(add, 5)
        ''', deep=False)}, [("main.py", "Scaler(2)", "Scaler(3)", "rerun"), ("main.py", "partial(add, 5)", "partial(add, 6)",
                                                                          "rerun")]),
    # an argument whose class chooses what pickling keeps: its whole state counts
    ("lossy-getstate-argument", {"main.py": checkpointed_script('''
        def foo(model, x):
            print("RUN")
            return model.predict(x)
        ''', "foo(Model(2, 3), 5)", '''
        import threading

        class Model:
            def __init__(self, weight, scale):
                self.weight, self.scale, self.lock = weight, scale, threading.Lock()

            def __getstate__(self):
                return {"weight": self.weight}

            def predict(self, x):
                return x * self.weight * self.scale
        ''', deep=False)}, [("main.py", "Model(2, 3)", "Model(2, 4)", "rerun"),
                              ("main.py", "Model(2, 4)", "Model(2, 3)", "skip")]),
    # 4. the class of a class
    ("metaclass", {"main.py": checkpointed_script('''
        def foo(x):
            print("RUN")
            return Widget(x).bonus
        ''', "foo(2)", '''
        class Meta(type):
            def __call__(cls, *args):
                instance = super().__call__(*args)
                instance.bonus = instance.size + 10
                return instance

            def describe(cls):
                return "meta"

        class Widget(metaclass=Meta):
            def __init__(self, size):
                self.size = size
        ''')}, [("main.py", '"meta"', '"a meta"', "skip"), ("main.py", "size + 10", "size + 11", "rerun")]),
    # 5. names bound inside the function, in both modes
    ("import-inside", {"main.py": checkpointed_script('''
        def foo(x):
            print("RUN")
            import settings
            from config import FACTOR
            return x * settings.THRESHOLD * FACTOR
        ''', "foo(2)", "", deep=False), "settings.py": "THRESHOLD = 2\nUNUSED = 1\n", "config.py": "FACTOR = 3\n"},
     [("settings.py", "UNUSED = 1", "UNUSED = 2", "skip"), ("settings.py", "THRESHOLD = 2", "THRESHOLD = 5", "rerun"),
      ("config.py", "FACTOR = 3", "FACTOR = 4", "rerun")]),
    # 6. dynamic access with constant names
    ("constant-getattr-and-vars", {"main.py": checkpointed_script('''
        def foo(x):
            print("RUN")
            return getattr(config, "X", 0) + vars(config)["Y"] + x
        ''', "foo(2)", "import config", deep=False), "config.py": "X = 1\nY = 2\nZ = 3\n"},
     [("config.py", "Z = 3", "Z = 4", "skip"), ("config.py", "X = 1", "X = 5", "rerun"), ("config.py", "Y = 2", "Y = 6",
                                                                                          "rerun")]),
    # 7. scopes as Python defines them
    ("walrus-in-comprehension", {"main.py": checkpointed_script('''
        def foo(xs):
            print("RUN")
            t = [last := v * 2 for v in xs]
            return t, last
        ''', "foo((1, 2))", "last = 100", deep=False)},
     [("main.py", "[last := v * 2", "[other := v * 2", "rerun")]),
    # renaming a parameter of a lambda or nested function: observable only if bound by keyword
    ("nested-parameter-rename", {"main.py": checkpointed_script('''
        def foo(x):
            print("RUN")
            double = lambda v: v * 2
            def shift(a, by=1):
                return a + by
            return double(x) + shift(x, by=3)
        ''', "foo(2)", deep=False)}, [("main.py", "lambda v: v * 2", "lambda n: n * 2", "skip"),
                                     ("main.py", "shift(a, by=1):\n        return a + by",
                                      "shift(b, by=1):\n        return b + by", "skip"),
                                     ("main.py", "by=1):\n        return b + by\n    return double(x) + shift(x, by=3)",
                                      "step=1):\n        return b + step\n    return double(x) + shift(x, step=3)",
                                      "rerun")]),
    # 8. no temporary is moved past a call that may rebind what is read before it
    ("inline-past-rebinding-call", {"main.py": checkpointed_script('''
        def foo(x):
            print("RUN")
            y = bump()
            return config.VALUE * x + y
        ''', "foo(2)", '''
        import config

        def bump():
            config.VALUE = config.VALUE + 5
            return 1
        ''', deep=False), "config.py": "VALUE = 1\n"},
     [("main.py", "y = bump()\n    return config.VALUE * x + y", "return config.VALUE * x + bump()", "rerun")]),
    # 9. the process environment and the command line
    ("environment-variable", {"main.py": checkpointed_script('''
        def foo(x):
            print("RUN")
            return x, os.environ["MODEL_SIZE"], os.getenv("SEED", "0")
        ''', "foo(2)", "import os", deep=False), "env": "MODEL_SIZE=small\nSEED=1\nOTHER=a\n"},
     [("env", "OTHER=a", "OTHER=b", "skip"), ("env", "MODEL_SIZE=small", "MODEL_SIZE=large", "rerun"),
      ("env", "SEED=1", "SEED=2", "rerun")]),
    ("command-line", {"main.py": checkpointed_script('''
        def foo(x):
            print("RUN")
            return x * int(sys.argv[1])
        ''', "foo(2)", "import sys", deep=False), "argv": "3"},
     [("argv", "3", "4", "rerun")]),
    # 10. a helper's own `global` statement is legal
    ("helper-global-statement", {"main.py": checkpointed_script('''
        def foo(i):
            print("RUN")
            return table()[i]
        ''', "foo(2)", '''
        _TABLE = None
        SIZE = 5

        def table():
            global _TABLE
            if _TABLE is None:
                _TABLE = [i * i for i in range(SIZE)]
            return _TABLE
        ''')}, [("main.py", "[i * i for", "[i * i + 1 for", "rerun")]),
]


@pytest.mark.parametrize("case_id, files, edits", CASES, ids=[c[0] for c in CASES])
def test_fail_closed(project: Project, case_id: str, files: Dict[str, str], edits: List[Edit]) -> None:
    run_edits(project, case_id, files, edits)


def test_an_environment_change_is_explained(project: Project) -> None:
    project.write({"main.py": "import logging\nlogging.basicConfig(level=logging.INFO, format='WHY %(message)s')\n"
                              + checkpointed_script('''
        def foo(x):
            print("RUN")
            return x, os.environ["MODEL_SIZE"]
        ''', "foo(2)", "import os")})
    project.run(extra_env={"MODEL_SIZE": "small"})
    run = project.run(extra_env={"MODEL_SIZE": "large"})
    assert run.ran and [line[4:] for line in run.stderr.splitlines() if line.startswith("WHY ")] == [
        "__main__.foo: recomputed because environment variable `MODEL_SIZE` changed from small to large"]
