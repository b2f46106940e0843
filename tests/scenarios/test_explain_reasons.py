"""Every different key is explained by what differs, in words a person can act on.

Each scenario runs a program, changes one thing the key depends on, runs it again in a fresh
process, and checks that the call recomputed and that the logged reason names the component that
changed (with its old and new value where it has one); a program run again unchanged must be
served, and its explanation must say so. Both modes where the situation exists in both.
"""

from __future__ import annotations

import pytest

from tests.helpers import Project

PRELUDE = "import logging\nlogging.basicConfig(level=logging.INFO, format='WHY %(message)s')\n"


def reasons(project: Project, **kwargs: object) -> list:
    run = project.run(**kwargs)  # type: ignore[arg-type]
    return [line[4:] for line in run.stderr.splitlines() if line.startswith("WHY ")], run


def ran_because(project: Project, *words: str, **kwargs: object) -> str:
    """Run once more: the call must recompute, and one logged reason must hold every word."""
    found, run = reasons(project, **kwargs)
    assert run.ran == 1, run.stdout + run.stderr
    assert any(all(w in line for w in words) for line in found), (words, found)
    return next(line for line in found if all(w in line for w in words))


def served(project: Project, **kwargs: object) -> None:
    found, run = reasons(project, **kwargs)
    assert run.ran == 0 and found == [], run.stdout + run.stderr


MODES = pytest.mark.parametrize("deep", [True, False], ids=["deep", "default"])


@MODES
def test_an_attribute_of_a_module_imported_inside_the_function(project: Project, deep: bool) -> None:
    project.write({"main.py": PRELUDE + f'''
import builtins
import sys
from checkpointing import checkpoint

builtins.SCALE = int(sys.argv[1])  # set by the program, read by name through an import in the body


@checkpoint(deep={deep})
def f(x):
    import builtins
    print("RUN")
    return x * builtins.SCALE


if __name__ == "__main__":
    print("OUT", repr(f(2)))
'''})
    assert project.run(args=["3"]).out == ["6"]
    served(project, args=["3"])
    line = ran_because(project, "builtins.SCALE", "3", "4", args=["4"])
    assert "changed from 3 to 4" in line, line


@MODES
def test_a_settings_module_imported_inside_the_function(project: Project, deep: bool) -> None:
    project.write({"main.py": PRELUDE + f'''
from checkpointing import checkpoint


@checkpoint(deep={deep})
def f(x):
    import settings
    print("RUN")
    return x * settings.RATE


if __name__ == "__main__":
    print("OUT", repr(f(2)))
''', "settings.py": "RATE = 5\n"})
    assert project.run().out == ["10"]
    served(project)
    project.write({"settings.py": "RATE = 7\n"})
    line = ran_because(project, "RATE", "settings.py")
    assert "from 5 to 7" in line, line


@MODES
def test_the_keywords_bound_by_a_partial(project: Project, deep: bool) -> None:
    main = PRELUDE + f'''
import functools
from checkpointing import checkpoint


def scale(v, factor):
    return v * factor


TRANSFORM = functools.partial(scale, factor=2)


@checkpoint(deep={deep})
def f(x):
    print("RUN")
    return TRANSFORM(x)


if __name__ == "__main__":
    print("OUT", repr(f(5)))
'''
    project.write({"main.py": main})
    assert project.run().out == ["10"]
    served(project)
    project.write({"main.py": main.replace("factor=2", "factor=3")})
    line = ran_because(project, "TRANSFORM", "factor=2", "factor=3")
    assert " at 0x" not in line, line


def test_a_member_read_by_a_computed_name(project: Project) -> None:
    """(Deep mode: the default mode identifies a class by its name, as checkpointing 1.0.1.)"""
    main = PRELUDE + '''
import sys
from checkpointing import checkpoint


class Config:
    alpha = 1
    beta = 10


@checkpoint(deep=True)
def f(name):
    print("RUN")
    return getattr(Config, name) * 2


if __name__ == "__main__":
    print("OUT", repr(f(sys.argv[1])))
'''
    project.write({"main.py": main})  # (a DynamicAccessWarning says what the key then covers)
    assert project.run(args=["beta"], check=False).out == ["20"]
    served(project, args=["beta"], check=False)
    project.write({"main.py": main.replace("alpha = 1", "alpha = 2")})
    ran_because(project, "Config", args=["beta"], check=False)  # any member may be read: an edit of one counts


DRAWS = PRELUDE + '''
import random
from checkpointing import checkpoint


@checkpoint(deep=True)
def f(n):
    print("RUN")
    return sum(random.random() for _ in range(n))


if __name__ == "__main__":
'''


def test_a_draw_from_the_global_random_generator(project: Project) -> None:
    project.write({"main.py": DRAWS + '''
    print("OUT", repr(str(f.explain(3))))
    print("OUT", repr(f(3) > 0))
'''})
    project.run(check=False)
    found, run = reasons(project, check=False)
    assert run.ran == 1
    assert any("`random` generator" in line for line in found), found
    assert "`random` generator" in run.out[0], run.out  # explain() says the same, before the call
    assert not any("removed or is unreadable" in line for line in found + run.out), found


def test_a_seeded_draw_is_served(project: Project) -> None:
    """The control: the same program, seeded, is served on its next run, and says so."""
    project.write({"main.py": DRAWS + '''
    random.seed(0)
    print("OUT", repr(f.explain(3).cached))  # (after the call the generator has moved on)
    print("OUT", repr(round(f(3), 9)))
'''})
    first = project.run()
    assert first.ran == 1
    assert first.out[0] == "False"
    second = project.run()
    assert second.ran == 0 and second.out == ["True", first.out[1]]


def test_reasons_name_files_by_their_path_in_the_project(project: Project) -> None:
    project.write({"main.py": PRELUDE + '''
from checkpointing import checkpoint
from lib.steps import clean


@checkpoint(deep=True)
def f(x):
    print("RUN")
    return clean(x)


if __name__ == "__main__":
    print("OUT", repr(f(3)))
''', "lib/__init__.py": "", "lib/steps.py": "def clean(v):\n    return v + 1\n"})
    project.run()
    project.write({"lib/steps.py": "def clean(v):\n    return v + 2\n"})
    line = ran_because(project, "helper `clean`")
    assert "(lib/steps.py:1)" in line, line
