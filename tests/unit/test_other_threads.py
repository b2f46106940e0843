"""checkpointing._other_threads: draws from ``random`` by threads that were running before a
computation began are not the computation's; anything that cannot be proven so is."""

from __future__ import annotations

import random
import threading
import time
from typing import Callable, List

import pytest

from checkpointing import _other_threads
from checkpointing._run_record import RunRecord


def _record(work: Callable[[], None]) -> List[str]:
    """The labels of the generators a computation running ``work`` depends on (random only)."""
    record = RunRecord([("random", random.getstate, random.setstate, "global")])
    with record:
        work()
    return [use.label for use in record.outcome.dependencies]


class Background:
    """A thread started before the computation, drawing through the module's functions, as
    tornado's periodic callbacks do (``random.random()`` jitter)."""

    def __init__(self, draw: Callable[[], object]) -> None:
        self.draw = draw
        self.stop = threading.Event()
        self.drawn = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.is_set():
            self.draw()
            self.drawn += 1
            time.sleep(0.001)

    def __enter__(self) -> "Background":
        self.thread.start()
        while not self.drawn:
            time.sleep(0.001)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def _busy(seconds: float = 0.05) -> None:
    time.sleep(seconds)


@pytest.mark.parametrize("draw", [lambda: random.random(), lambda: random.choice("abcdef"),
                                  lambda: random.shuffle(list(range(7))), lambda: random.sample(range(100), 3),
                                  lambda: random.choices("abc", weights=[1, 2, 3], k=4),
                                  lambda: random.sample("ab", 2, counts=[2, 3]), lambda: random.gauss(0, 1),
                                  lambda: random.randint(0, 10**30), lambda: random.getrandbits(70)],
                         ids=["random", "choice", "shuffle", "sample", "choices", "counts", "gauss", "randint",
                              "getrandbits"])
def test_draws_of_a_thread_running_before_are_not_the_computations(draw: Callable[[], object]) -> None:
    with Background(draw) as background:
        before = background.drawn
        assert _record(_busy) == []
        assert background.drawn > before  # (it did draw meanwhile)


def test_the_computation_drawing_too_depends_on_the_generator() -> None:
    with Background(lambda: random.random()):  # looked up at each call, as tornado does
        assert _record(lambda: (random.random(), _busy())) == ["random"]


def test_a_draw_through_a_name_bound_before_is_not_explained_away() -> None:
    bound = random.random  # as `from random import random` at import: not through the wrappers
    with Background(lambda: random.random()):  # looked up at each call, as tornado does
        assert _record(lambda: (bound(), _busy())) == ["random"]


def test_a_thread_the_computation_starts_is_the_computations() -> None:
    def work() -> None:
        worker = threading.Thread(target=lambda: random.random())
        worker.start()
        worker.join()

    with Background(lambda: random.random()):  # looked up at each call, as tornado does
        assert _record(work) == ["random"]


def test_a_single_threaded_process_is_not_watched() -> None:
    mark = _other_threads.begin()
    try:
        assert mark.watching is bool(mark.others)
    finally:
        _other_threads.end()
    assert random.random.__class__.__name__ == "builtin_function_or_method"  # put back
