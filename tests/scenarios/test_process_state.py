"""State that differs between runs by itself (docs/deep-mode.md, "Random generators and other
state that differs between runs"): each scenario writes a script, runs it in a fresh
interpreter, (edits it,) runs it again, and checks what ran, what it printed and what it said.

The stability of every program of the mutation harness and of a corpus of idioms is checked in
``tests/stability``; these are the behaviours one by one, with their messages.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import Project

pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)


def uncached(project: Project, source: str) -> list:
    """What the program prints without any caching (the decorator replaced by the identity)."""
    plain = Project(project.root / "uncached")
    plain.write(source.replace("@checkpoint(deep=True)", "").replace("@checkpoint()", ""))
    return plain.run().out


SEEDED = """\
    import random
    import numpy as np
    from checkpointing import checkpoint

    random.seed(SEED)
    np.random.seed(SEED)


    @checkpoint(deep=True)
    def sample(n):
        print("RUN")
        return [round(random.random(), 10) for _ in range(n)], np.random.rand(n).round(10).tolist()


    print("OUT", sample(2))
    print("OUT", round(random.random(), 10), round(float(np.random.rand()), 10))
    print("OUT", sample(2))
"""


@pytest.mark.parametrize("mode", ["deep=True", ""])
def test_a_seeded_program_is_served_and_draws_after_the_call_what_it_draws_uncached(project: Project,
                                                                                     mode: str) -> None:
    source = SEEDED.replace("SEED", "7").replace("@checkpoint(deep=True)", f"@checkpoint({mode})")
    first = project.write(source).run()
    assert first.ran == 2
    second = project.run()
    assert second.ran == 0
    assert second.out == first.out == uncached(project, source)


def test_another_seed_recomputes(project: Project) -> None:
    project.write(SEEDED.replace("SEED", "7")).run()
    project.write(SEEDED.replace("SEED", "8"))
    run = project.run()
    assert run.ran == 2 and run.out == uncached(project, SEEDED.replace("SEED", "8"))
    back = project.write(SEEDED.replace("SEED", "7")).run()  # both seeds' results are kept
    assert back.ran == 0


UNSEEDED = """\
    import numpy as np
    from checkpointing import checkpoint


    @checkpoint()
    def draw(n):
        print("RUN")
        return np.random.rand(n).round(10).tolist()


    print("OUT", draw(3))
    print("OUT", draw.cache_info().unstable)
"""


def test_unseeded_draws_recompute_on_every_run_and_say_why_once(project: Project) -> None:
    first = project.write(UNSEEDED).run()
    assert first.ran == 1 and "UnstableKeyWarning" not in first.stderr
    second = project.run(check=False)
    assert second.ran == 1 and second.out[0] != first.out[0]
    assert second.stderr.count("UnstableKeyWarning") == 1
    assert "the global `numpy.random` generator is in another state" in second.stderr
    assert "np.random.seed(0)" in second.stderr
    assert second.out[1] == "1"
    stats = subprocess.run([sys.executable, "-m", "checkpointing", "stats", "--format", "json"], cwd=project.root,
                           env=project.env, capture_output=True, text=True, check=True)
    assert json.loads(stats.stdout)["__main__.draw"]["unstable"] == 1


def test_a_function_that_seeds_itself_hits_in_an_unseeded_program(project: Project) -> None:
    source = """\
        import random
        import numpy as np
        from checkpointing import checkpoint


        def set_seed(seed):
            random.seed(seed)
            np.random.seed(seed)


        @checkpoint(deep=True)
        def experiment(seed):
            print("RUN")
            set_seed(seed)
            return round(float(np.random.normal()), 10), random.randint(0, 1000)


        print("OUT", experiment(3))
        print("OUT", np.random.randint(0, 10**6))  # the generator where experiment left it
    """
    first = project.write(source).run()
    second = project.run()
    assert (first.ran, second.ran) == (1, 0)
    assert second.out == first.out == uncached(project, source)


def test_a_draw_before_the_function_seeds_itself_makes_it_depend_on_the_state_it_found(project: Project) -> None:
    source = """\
        import numpy as np
        from checkpointing import checkpoint


        @checkpoint()
        def experiment(seed):
            print("RUN")
            before = np.random.rand()
            np.random.seed(seed)
            return round(float(before + np.random.rand()), 10)


        print("OUT", experiment(3))
    """
    first = project.write(source).run()
    second = project.run(check=False)
    assert (first.ran, second.ran) == (1, 1) and first.out != second.out  # never served: it is random


def test_a_reseed_from_the_os_is_not_stored(project: Project) -> None:
    source = """\
        import numpy as np
        from checkpointing import checkpoint


        @checkpoint()
        def fresh(n):
            print("RUN")
            np.random.seed()
            return np.random.rand(n).round(10).tolist()


        print("OUT", fresh(2))
        print("OUT", fresh.cache_info().entries)
    """
    run = project.write(source).run(check=False)
    assert run.out[1] == "0"
    assert "seeds the `numpy.random` generator from the operating system" in run.stderr
    assert project.run(check=False).ran == 1


def test_generators_of_the_program_move_on_as_they_would_uncached(project: Project) -> None:
    source = """\
        import random
        import numpy as np
        from checkpointing import checkpoint

        RNG = np.random.default_rng(2024)


        @checkpoint(deep=True)
        def sample(n):
            print("RUN")
            return RNG.normal(size=n).round(10).tolist()


        @checkpoint(deep=True)
        def split(rng, n):
            print("RUN")
            return rng.permutation(n).tolist()


        print("OUT", sample(2))
        print("OUT", sample(2))
        rng = np.random.default_rng(11)
        print("OUT", split(rng, 4), split(rng, 4))
        print("OUT", RNG.integers(0, 1000), rng.integers(0, 1000))
    """
    first = project.write(source).run()
    second = project.run()
    assert (first.ran, second.ran) == (4, 0)
    assert second.out == first.out == uncached(project, source)
    project.write(source.replace("default_rng(2024)", "default_rng(2025)"))
    assert project.run().ran == 2  # sample reruns: the generator it draws from starts elsewhere


def test_a_generator_the_function_only_reaches_is_not_part_of_its_key(project: Project) -> None:
    """The scikit-learn check_random_state idiom: the global generator is reachable, never drawn."""
    source = """\
        import numpy as np
        from checkpointing import checkpoint


        def check_random_state(seed):
            if seed is None:
                return np.random.mtrand._rand
            return np.random.RandomState(seed)


        @checkpoint(deep=True)
        def f(n, seed=0):
            print("RUN")
            return round(float(check_random_state(seed).rand(n).sum()), 10)


        print("OUT", f(5))
    """
    first = project.write(source).run()
    second = project.run()
    assert (first.ran, second.ran) == (1, 0) and first.out == second.out


def test_reading_a_generator_state_without_drawing_is_keyed_on_it(project: Project) -> None:
    source = """\
        import numpy as np
        from checkpointing import checkpoint

        np.random.seed(SEED)


        @checkpoint()
        def peek():
            print("RUN")
            return int(np.random.get_state()[1][0])


        print("OUT", peek())
    """
    project.write(source.replace("SEED", "1")).run()
    assert project.run().ran == 0
    project.write(source.replace("SEED", "2"))
    assert project.run().ran == 1


@pytest.mark.parametrize("mode", ["deep=True", ""])
def test_a_numba_helper_is_identified_by_the_function_it_compiles(project: Project, mode: str) -> None:
    pytest.importorskip("numba")
    source = f"""\
        import numba
        import numpy as np
        from checkpointing import checkpoint


        @numba.njit
        def scale(x, factor):
            return x * factor + 1.0


        @checkpoint({mode})
        def features(n):
            print("RUN")
            return float(scale(np.arange(n, dtype=np.float64), 2.0).sum())


        print("OUT", features(4))
        print("OUT", scale(np.arange(2, dtype=np.int64), 3)[0])  # compiles another signature
        print("OUT", features(4))
    """
    first = project.write(source).run()
    assert first.ran == 1
    assert project.run().ran == 0
    project.write(source.replace("x * factor + 1.0", "x * factor + 2.0"))
    edited = project.run()
    assert edited.ran == 1 and edited.out != first.out


def test_a_value_made_at_import_from_the_clock_is_named_in_a_warning(project: Project) -> None:
    source = """\
        import time
        from checkpointing import checkpoint

        STARTED = time.time()


        @checkpoint()
        def f(x):
            print("RUN")
            return x if STARTED else 0


        print("OUT", f(3))
    """
    project.write(source).run()
    project.run(check=False)
    third = project.run(check=False)
    assert third.ran == 1
    assert third.stderr.count("UnstableKeyWarning") == 1
    assert "its arguments and every source file of the program are unchanged: global `STARTED`" in third.stderr


def test_a_miss_is_explained_against_the_entry_of_the_same_arguments(project: Project) -> None:
    source = """\
        import logging
        from checkpointing import checkpoint
        logging.basicConfig(level=logging.INFO, format="%(message)s")

        FACTOR = 2


        @checkpoint()
        def f(x):
            print("RUN")
            return x * FACTOR


        print("OUT", f(1), f(2), f(1))
    """
    project.write(source).run()
    run = project.write(source.replace("FACTOR = 2", "FACTOR = 3")).run()
    lines = [line for line in run.stderr.splitlines() if "recomputed because" in line]
    assert lines and all("global `FACTOR`" in line and "argument" not in line for line in lines), run.stderr
    assert "UnstableKeyWarning" not in run.stderr  # a source file changed: not "by itself"


def test_explain_says_when_the_generators_are_in_another_state(project: Project) -> None:
    source = """\
        import numpy as np
        from checkpointing import checkpoint


        @checkpoint()
        def draw(n):
            return np.random.rand(n).sum()


        if __name__ == "__main__":
            draw(2)
            explanation = draw.explain(2)
            print("OUT", explanation.cached, [c.kind for c in explanation.changes])
            print("OUT", explanation)
    """
    run = project.write(source).run()
    assert run.out[0] == "False ['generator']"
    assert "the global `numpy.random` generator is in another state" in run.out[1]


def test_verify_recomputes_from_the_generators_state_and_finds_the_entries_honest(project: Project) -> None:
    project.write(SEEDED.replace("SEED", "5")).run()
    done = subprocess.run([sys.executable, "-m", "checkpointing", "verify", "--format", "json", "--", sys.executable,
                           "main.py"], cwd=project.root, env=project.env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout[done.stdout.index("{"):])
    tally = report["functions"]["__main__.sample"]
    assert tally["verified"] == 2 and tally["stale"] == tally["nondeterministic"] == 0


def test_a_nested_checkpointed_function_that_draws_makes_its_caller_depend_on_the_state(project: Project) -> None:
    source = """\
        import numpy as np
        from checkpointing import checkpoint

        np.random.seed(SEED)


        @checkpoint()
        def inner(n):
            print("RUN")
            return np.random.rand(n).round(10).tolist()


        @checkpoint()
        def outer(n):
            print("RUN")
            return inner(n) + inner(n)


        print("OUT", outer(2))
        print("OUT", inner(2))
    """
    first = project.write(source.replace("SEED", "3")).run()
    second = project.run()
    assert (first.ran, second.ran) == (4, 0) and first.out == second.out
    project.write(source.replace("SEED", "4"))
    third = project.run()
    assert third.ran == 4 and third.out == uncached(project, source.replace("SEED", "4"))
