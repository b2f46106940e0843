"""Draws that other threads make from the ``random`` module's generator while a computation runs.

The global generators are shared by every thread of the process. In a single-threaded program a
change of their state during a computation is the computation's doing; in a Dask worker, a
Jupyter kernel or a web server, threads that were there before the computation began draw too
(tornado's periodic callbacks add ``random.random()`` jitter every second), and without more
care every long computation there would depend on a generator it never touched, and never hit.

So while a computation runs in a process with other threads, the ``random`` module's drawing
functions (``random.random``, ``choice``, ``shuffle``...) are replaced by wrappers that log each
call made through them, with the thread and what the call consumes. At the end, if the
computation's own thread (and any thread it started) logged nothing, the logged calls are
replayed on a copy of the generator from its state before the run: only when they reproduce its
state after exactly was every change made by those other threads, and the computation is
independent of the generator. Anything else (a draw through a name bound before the run, one
from C code, a call whose replay differs) leaves the generator a dependency: never a stale
result, at worst a miss.
"""

from __future__ import annotations

import random
import threading
from typing import Any, Callable, Dict, FrozenSet, List, Tuple

_DRAWING = ("random", "uniform", "triangular", "randint", "choice", "randrange", "sample", "shuffle", "choices",
            "normalvariate", "lognormvariate", "expovariate", "vonmisesvariate", "gammavariate", "gauss",
            "betavariate", "paretovariate", "weibullvariate", "getrandbits", "randbytes", "binomialvariate")

#: (thread, function name, arguments for the replay): the calls made through the wrappers, in order
_log: List[Tuple[threading.Thread, str, Tuple[Any, ...], Dict[str, Any]]] = []
_lock = threading.RLock()  # one call at a time: the log's order is the order the words were drawn in
_placed: List[Tuple[str, Any, Any]] = []
_users = 0


class Mark:
    """Where a computation began: the log's length and the threads alive then (its own excepted)."""

    __slots__ = ("start", "others", "watching")

    def __init__(self, start: int, others: FrozenSet[threading.Thread], watching: bool) -> None:
        self.start = start
        self.others = others
        self.watching = watching


def begin() -> Mark:
    """A computation begins on this thread: watch the drawing functions if other threads exist."""
    global _users
    with _lock:
        _users += 1
        others = frozenset(t for t in threading.enumerate() if t is not threading.current_thread())
        if others and not _placed:
            _place()
        return Mark(len(_log), others, bool(_placed))


def end() -> None:
    global _users
    with _lock:
        _users -= 1
        if _users == 0:
            _remove()


def explained(mark: Mark, before: Any, after: Any) -> bool:
    """Did threads that were running before the computation began make the whole change of the
    ``random`` generator's state from ``before`` to ``after``, through the drawing functions?"""
    if not mark.watching:
        return False
    with _lock:
        calls = _log[mark.start:]
    if not calls or any(thread not in mark.others for thread, _, _, _ in calls):
        return False
    replay = random.Random()
    try:
        replay.setstate(before)
        for _, name, args, kwargs in calls:
            getattr(replay, name)(*args, **kwargs)
    except Exception:
        return False
    return bool(replay.getstate() == after)


def _place() -> None:
    instance = getattr(random, "_inst", None)
    for name in _DRAWING:
        original = getattr(random, name, None)
        if original is None or getattr(original, "__self__", None) is not instance:
            continue  # not bound to the global generator (or already replaced by the program)
        wrapper = _wrap(name, original)
        setattr(random, name, wrapper)
        _placed.append((name, original, wrapper))


def _remove() -> None:
    for name, original, wrapper in reversed(_placed):
        if getattr(random, name, None) is wrapper:  # unless the program replaced it meanwhile
            setattr(random, name, original)
    _placed.clear()
    _log.clear()


def _wrap(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    def draw(*args: Any, **kwargs: Any) -> Any:
        with _lock:
            result = original(*args, **kwargs)
            _log.append((threading.current_thread(), name, *_for_replay(name, args, kwargs)))
            return result
    draw.__name__ = draw.__qualname__ = name
    draw.__doc__ = original.__doc__
    draw.__module__ = "random"
    draw.__wrapped__ = original  # type: ignore[attr-defined]
    return draw


def _for_replay(name: str, args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Tuple[Tuple[Any, ...],
                                                                                 Dict[str, Any]]:
    """The arguments that draw as many words again, without keeping the caller's data: a
    sequence stands for its length (``shuffle`` gets a list of that length), weights go (one
    ``random()`` per pick either way), ``counts`` become the population they describe."""
    if name == "sample" and kwargs.get("counts") is not None:
        return (range(sum(kwargs["counts"])),) + tuple(args[1:]), {k: v for k, v in kwargs.items() if k != "counts"}
    shaped = tuple(_shape(name, i, value) for i, value in enumerate(args))
    rest = {k: (None if k in ("weights", "cum_weights") else _shape(name, -1, v)) for k, v in kwargs.items()}
    if name == "choices" and len(shaped) > 1:
        shaped = (shaped[0], None)  # (population, weights)
    return shaped, rest


def _shape(name: str, position: int, value: Any) -> Any:
    if isinstance(value, (bool, int, float, type(None))):
        return value
    try:
        size = len(value)
    except TypeError:
        return value
    return list(range(size)) if name == "shuffle" and position == 0 else range(size)
