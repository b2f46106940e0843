"""Explaining a miss: the INFO log after each edit, asserted verbatim, and foo.explain()."""

from __future__ import annotations

from tests.helpers import Project

PRELUDE = "import logging\nlogging.basicConfig(level=logging.INFO, format='WHY %(message)s')\n"

MAIN = PRELUDE + '''
import config
from helpers import clean
from checkpointing import checkpoint


@checkpoint(deep=True)
def foo(x):
    print("RUN")
    return clean(x) and x > config.THRESHOLD


if __name__ == "__main__":
    print("OUT", repr(foo(0.6)))
'''

HELPERS = '''

def clean(v):
    return v is not None
'''


def why(project: Project) -> list:
    return [line[4:] for line in project.run().stderr.splitlines() if line.startswith("WHY ")]


def test_miss_explanations_name_what_changed(project: Project) -> None:
    project.write({"main.py": MAIN, "helpers.py": HELPERS, "config.py": "THRESHOLD = 0.5\n"})
    assert why(project) == []  # the first run has nothing to compare with
    project.write({"config.py": "THRESHOLD = 0.7\n"})
    assert why(project) == ["__main__.foo: recomputed because global `THRESHOLD` (config.py) changed from 0.5 to 0.7"]
    project.write({"helpers.py": HELPERS.replace("is not None", "is not None and v == v")})
    assert why(project) == ["__main__.foo: recomputed because helper `clean` (helpers.py:3) changed"]
    project.write({"main.py": MAIN.replace("foo(0.6)", "foo(0.9)")})
    assert why(project) == ["__main__.foo: recomputed because argument `x` changed while the code did not"]
    project.write({"main.py": MAIN.replace("foo(0.6)", "foo(0.9)").replace("print(\"RUN\")", "print(\"RUN\")\n    x = x + 0")})
    assert why(project) == ["__main__.foo: recomputed because the code of `foo` (main.py:9) changed"]


def test_unseeded_estimator_hint(project: Project) -> None:
    project.write(PRELUDE + '''
from sklearn.linear_model import LogisticRegression
from checkpointing import checkpoint


@checkpoint(deep=True)
def predict(model):
    print("RUN")
    return model.predict([[0], [99]]).tolist()


if __name__ == "__main__":
    model = LogisticRegression(solver="saga").fit([[i] for i in range(100)], [i // 50 for i in range(100)])
    print("OUT", repr(predict(model)))
''')
    project.run()
    (line,) = why(project)
    assert line == ("__main__.predict: recomputed because argument `model` changed while the code did not; it is a "
                    "LogisticRegression whose random_state is None, so fitting it gives a different model on every "
                    "run: pass random_state=<an int> where it is built")


def test_explain_returns_a_structured_result_without_running(project: Project) -> None:
    project.write({"main.py": MAIN + '''
    e = foo.explain(0.6)
    print("OUT", repr((e.cached, sorted({c.kind for c in e.components}))))
    e = foo.explain(0.8)
    print("OUT", repr((e.cached, e.previous_key is not None, [(c.kind, c.name) for c in e.changes])))
''', "helpers.py": HELPERS, "config.py": "THRESHOLD = 0.5\n"})
    run = project.run()
    assert run.ran == 1
    # every part of the key: the code, the argument, what it reads (the function `clean`, the
    # builtin `print`, the module `config` and its global THRESHOLD), the items reached, and the
    # digest of all it reaches
    assert run.out[1] == "(True, ['argument', 'code', 'function', 'global', 'helper', 'module', 'reads'])"
    assert run.out[2] == "(False, True, [('argument', 'x')])"
