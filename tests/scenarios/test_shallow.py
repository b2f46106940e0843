"""Every skip/rerun row of SPEC.md that applies to shallow (default) mode, as an edit between two runs.

Each case writes a project, runs ``main.py`` in a fresh interpreter, applies the edit, runs it
again, and checks both *whether* the checkpointed function ran and *what it returned*.
"""

from __future__ import annotations

import json
import textwrap

import pytest

from tests.helpers import Project


def script(func: str, call: str = "foo(1)", prelude: str = "", decorator: str = "@checkpoint()") -> str:
    return (
        "from checkpointing import checkpoint\n"
        + textwrap.dedent(prelude)
        + f"\n\n{decorator}\n"
        + textwrap.dedent(func)
        + f'\n\nif __name__ == "__main__":\n    print("OUT", repr({call}))\n'
    )


def factory(captured: str) -> str:
    """A module whose checkpointed function is a closure over ``captured``, made by ``make``."""
    return f"""
def make({captured}):
    @checkpoint()
    def inner(a):
        print("RUN")
        return a * {captured}
    return inner
"""


COUNTER = """
class Counter:
    def __init__(self):
        self.n = 0

    @property
    def value(self):  # reading it has a side effect
        self.n += 1
        return self.n

C = Counter()
"""


NOISY = '''
SEEN = []

def noisy(v):
    SEEN.append(v)
    return len(SEEN)
'''

ODD = '''
class Odd:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return True
'''

FOO = '''
def foo(a):
    print("RUN")
    return a + 1
'''

# (id, first version, edited version, extra files of the first / edited version)
REUSES = [
    ("unchanged-script", script(FOO), script(FOO)),
    ("rename-parameter", script(FOO), script(FOO.replace("a", "x"))),
    ("rename-local", script('''
        def foo(a):
            print("RUN")
            b = a * 2
            return b + b
        '''), script('''
        def foo(a):
            print("RUN")
            doubled = a * 2
            return doubled + doubled
        ''')),
    ("rename-global-same-value", script('''
        def foo(a):
            print("RUN")
            return a + N
        ''', prelude="N = 5"), script('''
        def foo(a):
            print("RUN")
            return a + OFFSET
        ''', prelude="OFFSET = 5")),
    ("rename-function", script(FOO), script(FOO.replace("foo", "bar"), call="bar(1)")),
    ("comment", script(FOO), script(FOO.replace("return a + 1", "return a + 1  # add one\n    # done"))),
    ("docstring", script(FOO), script(FOO.replace('print("RUN")', '"""Add one."""\n    print("RUN")'))),
    ("annotations", script(FOO), script(FOO.replace("def foo(a):", "def foo(a: int) -> int:"))),
    ("formatting-parentheses-trailing-comma", script('''
        def foo(a):
            print("RUN")
            return [a, a * 2]
        '''), script('''
        def foo(a):
            print( "RUN" )
            return [
                (a),
                ((a) * 2),
            ]
        ''')),
    ("default-changed-but-passed", script('''
        def foo(a=1):
            print("RUN")
            return a
        ''', call="foo()"), script('''
        def foo(a=2):
            print("RUN")
            return a
        ''', call="foo(1)")),
    ("unread-global-changed", script(FOO, prelude="X = 0"), script(FOO, prelude="X = 1")),
    ("inlined-temporary", script('''
        def foo(a):
            print("RUN")
            y = a + 1
            return y
        '''), script(FOO)),
    ("inlined-temporary-into-call", script('''
        def foo(a):
            print("RUN")
            y = a * 3
            return abs(y)
        '''), script('''
        def foo(a):
            print("RUN")
            return abs(a * 3)
        ''')),
    ("aug-assign-on-ints", script('''
        def foo(xs):
            print("RUN")
            total = 0
            for v in xs:
                total = total + v
            return total
        ''', call="foo((1, 2, 3))"), script('''
        def foo(xs):
            print("RUN")
            total = 0
            for v in xs:
                total += v
            return total
        ''', call="foo((1, 2, 3))")),
    ("inlined-temporary-into-augmented-assignment", script('''
        def foo(a):
            print("RUN")
            n = 10
            t = a + 1
            n += t
            return n
        '''), script('''
        def foo(a):
            print("RUN")
            n = 10
            n += a + 1
            return n
        ''')),
    ("inlined-temporary-into-module-function", script('''
        def foo(a):
            print("RUN")
            y = a * 3
            return m.fabs(y)
        ''', prelude="import math as m"), script('''
        def foo(a):
            print("RUN")
            return m.fabs(a * 3)
        ''', prelude="import math as m")),
    ("reorder-parameters", script('''
        def foo(a, b):
            print("RUN")
            return a - b
        ''', call="foo(a=5, b=2)"), script('''
        def foo(b, a):
            print("RUN")
            return a - b
        ''', call="foo(a=5, b=2)")),
    ("else-after-return", script('''
        def foo(a):
            print("RUN")
            if a > 0:
                return a
            else:
                return -a
        '''), script('''
        def foo(a):
            print("RUN")
            if a > 0:
                return a
            return -a
        ''')),
    ("if-else-assignment-to-conditional-expression", script('''
        def foo(a):
            print("RUN")
            if a > 0:
                y = a
            else:
                y = -a
            return y * 2
        ''', call="foo(-3)"), script('''
        def foo(a):
            print("RUN")
            y = a if a > 0 else -a
            return y * 2
        ''', call="foo(-3)")),
    ("if-return-to-conditional-expression", script('''
        def foo(a):
            print("RUN")
            if a > 0:
                return a
            return -a
        ''', call="foo(-3)"), script('''
        def foo(a):
            print("RUN")
            return a if a > 0 else -a
        ''', call="foo(-3)")),
    ("not-in-spelling", script('''
        def foo(a):
            print("RUN")
            return 1 if not a in (1, 2) else 2
        '''), script('''
        def foo(a):
            print("RUN")
            return 1 if a not in (1, 2) else 2
        ''')),
    ("import-alias-renamed", script('''
        def foo(a):
            print("RUN")
            return m.sqrt(a)
        ''', prelude="import math as m"), script('''
        def foo(a):
            print("RUN")
            return maths.sqrt(a)
        ''', prelude="import math as maths")),
    ("closure-unchanged-value", script('''
        def foo(a):
            print("RUN")
            return a
        ''', call="make(3)(1)", prelude=factory("k")), script('''
        def foo(a):
            print("RUN")
            return a
        ''', call="make(3)(1)", prelude=factory("factor"))),
]

RECOMPUTES = [
    # moving a call into one branch of a conditional changes whether it runs
    ("temporary-moved-into-a-branch", script('''
        def foo(a):
            print("RUN")
            t = noisy(a)
            if a > 5:
                return t
            return 0
        ''', prelude=NOISY), script('''
        def foo(a):
            print("RUN")
            return noisy(a) if a > 5 else 0
        ''', prelude=NOISY)),
    # `not a == b` is not `a != b` when __ne__ is not the negation of __eq__
    ("not-equal-spelling", script('''
        def foo(a):
            print("RUN")
            return not Odd() == a
        ''', prelude=ODD), script('''
        def foo(a):
            print("RUN")
            return Odd() != a
        ''', prelude=ODD)),
    ("different-argument", script(FOO), script(FOO, call="foo(2)")),
    ("default-changed-and-used", script(FOO.replace("(a)", "(a=1)"), call="foo()"),
     script(FOO.replace("(a)", "(a=2)"), call="foo()")),
    ("logic-change", script(FOO), script(FOO.replace("a + 1", "a + 2"))),
    ("global-value-changed", script('''
        def foo(a):
            print("RUN")
            return a + N
        ''', prelude="N = 5"), script('''
        def foo(a):
            print("RUN")
            return a + N
        ''', prelude="N = 6")),
    ("closure-value-changed", script(FOO, call="make(3)(1)", prelude=factory("k")), script(FOO, call="make(4)(1)", prelude=factory("k"))),
    ("swap-operands", script('''
        def foo(a, b):
            print("RUN")
            return a - b
        ''', call="foo(5, 2)"), script('''
        def foo(a, b):
            print("RUN")
            return b - a
        ''', call="foo(5, 2)")),
    ("local-shadows-global", script('''
        def foo(x):
            print("RUN")
            k = x + 1
            return k + K
        ''', prelude="K = 10"), script('''
        def foo(x):
            print("RUN")
            K = x + 1
            return K + K
        ''', prelude="K = 10")),
    ("inline-across-property-with-side-effect", script('''
        def foo(a):
            print("RUN")
            y = C.value * 10
            return C.value + y
        ''', prelude=COUNTER), script('''
        def foo(a):
            print("RUN")
            return C.value + C.value * 10
        ''', prelude=COUNTER)),
    ("int-vs-float-constant", script(FOO), script(FOO.replace("a + 1", "a + 1.0"))),
    ("is-none-vs-eq-none", script('''
        def foo(a):
            print("RUN")
            return a is None
        ''', call="foo(Weird())", prelude="""
        class Weird:
            def __eq__(self, other):
                return True
        """), script('''
        def foo(a):
            print("RUN")
            return a == None
        ''', call="foo(Weird())", prelude="""
        class Weird:
            def __eq__(self, other):
                return True
        """)),
    ("aug-assign-on-aliased-list", script('''
        def foo(xs):
            print("RUN")
            ys = xs
            ys = ys + [9]
            return xs
        ''', call="foo([1])"), script('''
        def foo(xs):
            print("RUN")
            ys = xs
            ys += [9]
            return xs
        ''', call="foo([1])")),
    ("aug-assign-on-numpy-array", script('''
        def foo(a):
            print("RUN")
            t = a
            t = t + 0.5
            return t.tolist()
        ''', call="foo(np.arange(3))", prelude="import numpy as np"), script('''
        def foo(a):
            print("RUN")
            t = a.copy()
            t = t + 0.5
            return t.tolist()
        ''', call="foo(np.arange(3))", prelude="import numpy as np")),
    ("inline-would-reorder-calls", script('''
        def foo(xs):
            print("RUN")
            a = xs.pop()
            return xs.pop() - a
        ''', call="foo([1, 2, 3])"), script('''
        def foo(xs):
            print("RUN")
            return xs.pop() - xs.pop()
        ''', call="foo([1, 2, 3])")),
    ("list-argument-changed", script(FOO.replace("a + 1", "sum(a)"), call="foo([1, 2])"),
     script(FOO.replace("a + 1", "sum(a)"), call="foo([1, 3])")),
    ("dict-argument-order-changed", script(FOO.replace("a + 1", "list(a)"), call="foo({'x': 1, 'y': 2})"),
     script(FOO.replace("a + 1", "list(a)"), call="foo({'y': 2, 'x': 1})")),
    ("numpy-argument-changed", script(FOO.replace("a + 1", "float(a.sum())"), call="foo(np.arange(5.0))",
                                      prelude="import numpy as np"),
     script(FOO.replace("a + 1", "float(a.sum())"), call="foo(np.arange(5.0) * [1, 1, 1, 1, 2])",
            prelude="import numpy as np")),
    ("dataframe-argument-changed", script(FOO.replace("a + 1", "float(a['x'].sum())"),
                                          call="foo(pd.DataFrame({'x': [1.0, 2.0]}))", prelude="import pandas as pd"),
     script(FOO.replace("a + 1", "float(a['x'].sum())"), call="foo(pd.DataFrame({'x': [1.0, 3.0]}))",
            prelude="import pandas as pd")),
]


@pytest.mark.parametrize("case_id, first, edited", REUSES, ids=[c[0] for c in REUSES])
def test_edit_reuses_cached_result(project: Project, case_id: str, first: str, edited: str) -> None:
    """An edit that cannot change the result is served from the cache."""
    run1 = project.write(first).run()
    assert run1.ran, "the first run must compute"
    run2 = project.write(edited).run()
    assert run2.skipped, f"{case_id}: the edited script recomputed\n{run2.stdout}{run2.stderr}"
    assert run2.out == run1.out


@pytest.mark.parametrize("case_id, first, edited", RECOMPUTES, ids=[c[0] for c in RECOMPUTES])
def test_edit_recomputes(project: Project, case_id: str, first: str, edited: str) -> None:
    """An edit that can change the result recomputes, and returns what an uncached run returns."""
    project.write(first).run()
    run2 = project.write(edited).run()
    assert run2.ran, f"{case_id}: a stale result was served\n{run2.stdout}"
    fresh = Project(project.root / "fresh").write(edited).run()
    assert run2.out == fresh.out


def test_helper_module_global_changed_recomputes(project: Project) -> None:
    """A value read as `config.THRESHOLD` from the user's own module is part of the key."""
    main = script('''
        def foo(a):
            print("RUN")
            return a > config.THRESHOLD
        ''', call="foo(0.6)", prelude="import config")
    project.write({"main.py": main, "config.py": "THRESHOLD = 0.5\n"})
    assert project.run().out == ["True"]
    project.write({"config.py": "THRESHOLD = 0.7\n"})
    run = project.run()
    assert run.ran and run.out == ["False"]
    project.write({"config.py": "THRESHOLD = 0.7\nOTHER = 1\n"})
    assert project.run().skipped


def test_second_run_of_unchanged_script_uses_analysis_cache(project: Project) -> None:
    """A warm rerun reads the normalized form from the analysis cache and never imports libcst."""
    project.write(script(FOO, call="(foo(1), __import__('sys').modules.get('libcst') is None)"))
    first = project.run()
    assert first.out == ["(2, False)"]
    second = project.run()
    assert second.skipped and second.out == ["(2, True)"]


def test_the_analysis_cache_is_found_from_the_running_code(project: Project) -> None:
    """Warm reruns find a function's analysis from its code object, never from its text: an
    edit that changes the code (a renamed local) gets an analysis of its own, an edit outside
    the function's code (its default, its comments) reuses the entry, and neither serves a
    stale value."""
    base = '''
        def foo(x, k=2):
            print("RUN")
            y = x * k  # scaled
            return y
        '''
    project.write(script(base, call="foo(3, 2)"))
    assert project.run().out == ["6"]
    bundles = lambda: sorted((project.root / ".xdg").rglob("*.json"))  # noqa: E731
    entries = lambda: sum(len(json.loads(p.read_text())) for p in bundles())  # noqa: E731
    before = entries()
    project.write(script(base.replace("y", "scaled"), call="foo(3, 2)"))  # another local name: other bytecode names
    run = project.run()
    assert run.skipped and run.out == ["6"] and entries() == before + 1
    project.write(script(base.replace("k=2", "k=5").replace("# scaled", "# the product"), call="foo(3, 2)"))
    run = project.run()  # the default and a comment are not in foo's code: the same entry serves
    assert run.skipped and run.out == ["6"] and entries() == before + 1
    project.write(script(base.replace("x * k", "x + k"), call="foo(3, 2)"))
    run = project.run()
    assert run.ran and run.out == ["5"]
