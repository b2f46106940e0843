"""Random generators: which objects are one, how to read, digest and set their state, and which
of them are the process's *global* generators (``analysis/generators.py``).

A generator's state changes every time it is drawn from. The key identifies a generator reached
through the code (a global, a closure, an object's attribute) by *where* it was found, never by
its state; whether a computation drew from it is recorded while it runs (``_run_record``), and
only then does its state count. A generator passed as an argument is keyed by its state.
"""

from __future__ import annotations

import importlib
import sys
from functools import partial
from typing import Any, Callable, Dict, List, Optional, Tuple

from .analysis.generators import GLOBAL_GENERATORS, STATE_READERS, GlobalGenerator

#: (get the state, set the state) of one kind of generator object
Access = Tuple[Callable[[Any], Any], Callable[[Any, Any], None]]


def _numpy_legacy() -> Access:
    return (lambda g: g.get_state(legacy=False)), (lambda g, s: g.set_state(s))


def _bit_generator_state(bit_generator: Any) -> Any:
    """A bit generator's state, with how many children its seed sequence has spawned
    (``rng.spawn(n)`` draws nothing, but the next spawn gives other generators)."""
    seed_seq = getattr(bit_generator, "seed_seq", None)
    return {"state": bit_generator.state, "spawned": getattr(seed_seq, "n_children_spawned", 0)}


def _set_bit_generator_state(bit_generator: Any, state: Any) -> None:
    bit_generator.state = state["state"]
    seed_seq = getattr(bit_generator, "seed_seq", None)
    behind = state["spawned"] - getattr(seed_seq, "n_children_spawned", 0)
    if behind < 0:  # a seed sequence cannot spawn backwards: the state cannot be reproduced
        raise ValueError("the generator's seed sequence has spawned more children than the state to restore")
    if behind and seed_seq is not None:
        seed_seq.spawn(behind)  # the count is read-only: spawn (and drop) the children it is missing


def _numpy_generator() -> Access:
    return (lambda g: _bit_generator_state(g.bit_generator)), (lambda g, s: _set_bit_generator_state(g.bit_generator, s))


def _numpy_bit_generator() -> Access:
    return _bit_generator_state, _set_bit_generator_state


def _python_random() -> Access:
    return (lambda g: g.getstate()), (lambda g, s: g.setstate(s))


def _torch_generator() -> Access:
    return (lambda g: bytes(g.get_state().numpy().tobytes())), _torch_set


def _torch_set(g: Any, state: bytes) -> None:
    torch = sys.modules["torch"]  # (a torch generator exists: torch is loaded)
    g.set_state(torch.frombuffer(bytearray(state), dtype=torch.uint8))


#: (module, class name) -> how to read and set the state of its instances (and its subclasses')
_KINDS: Dict[Tuple[str, str], Callable[[], Access]] = {
    ("numpy.random.mtrand", "RandomState"): _numpy_legacy,
    ("numpy.random._generator", "Generator"): _numpy_generator,
    ("numpy.random.bit_generator", "BitGenerator"): _numpy_bit_generator,
    ("random", "Random"): _python_random,
    ("torch._C", "Generator"): _torch_generator,
}
_UNKNOWN = object()
_by_type: Dict[type, Any] = {}


def access(t: type) -> Optional[Access]:
    """How to read and set the state of instances of ``t``, if it is a generator type (once per type)."""
    found = _by_type.get(t, _UNKNOWN)
    if found is _UNKNOWN:
        found = _by_type[t] = _find_access(t)
    return found  # type: ignore[no-any-return]


def _find_access(t: type) -> Optional[Access]:
    for klass in getattr(t, "__mro__", ()):
        module = getattr(klass, "__module__", None)
        make = _KINDS.get((module, klass.__qualname__)) if isinstance(module, str) else None
        if make is not None:
            if klass.__qualname__ == "Random" and module == "random" and _is_system_random(t):
                return None  # no state: os.urandom on every draw
            return make()
    return None


def _is_system_random(t: type) -> bool:
    system = getattr(sys.modules.get("random"), "SystemRandom", None)
    return isinstance(system, type) and issubclass(t, system)


def is_generator(obj: Any) -> bool:
    return access(type(obj)) is not None


def state_of(obj: Any) -> Any:
    found = access(type(obj))
    assert found is not None
    return found[0](obj)


def set_state(obj: Any, state: Any) -> None:
    found = access(type(obj))
    assert found is not None
    found[1](obj, state)


# -- the process's global generators ------------------------------------------------------------


class Global:
    """One global generator of ``analysis.generators``, as this process has it."""

    __slots__ = ("spec", "_get", "_set", "_object")

    def __init__(self, spec: GlobalGenerator, get: Callable[[], Any], put: Callable[[Any], None],
                 obj: Any = None) -> None:
        self.spec = spec
        self._get = get
        self._set = put
        self._object = obj

    @property
    def name(self) -> str:
        return self.spec.name

    def state(self) -> Any:
        return self._get()

    def set_state(self, state: Any) -> None:
        self._set(state)

    def __repr__(self) -> str:
        return f"<global generator {self.name}>"


def _resolve(qualified: str) -> Any:
    """The object at ``module.attr.attr`` among the loaded modules (None if not there)."""
    parts = qualified.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        module = sys.modules.get(".".join(parts[:cut]))
        if module is None:
            continue
        value: Any = module
        for attr in parts[cut:]:
            value = getattr(value, attr, None)
            if value is None:
                return None
        return value
    return None


def _numba_global(spec: GlobalGenerator) -> Optional[Global]:
    try:
        helperlib = importlib.import_module("numba._helperlib")
    except Exception:
        return None
    pointer = helperlib.rnd_get_np_state_ptr if "numpy" in spec.name else helperlib.rnd_get_py_state_ptr
    # the state of the calling thread (numba keeps one per thread)
    return Global(spec, lambda: helperlib.rnd_get_state(pointer()), lambda s: helperlib.rnd_set_state(pointer(), s))


def loaded_globals() -> List[Global]:
    """The global generators that exist in this process now (their library is imported)."""
    found = []
    for spec in GLOBAL_GENERATORS:
        if spec.module not in sys.modules:
            continue
        if not spec.instance:
            made = _numba_global(spec)
            if made is not None:
                found.append(made)
            continue
        obj = _resolve(spec.instance)
        kind = access(type(obj)) if obj is not None else None
        if kind is None:
            continue
        get, put = kind
        found.append(Global(spec, partial(get, obj), partial(put, obj), obj))
    return found


#: module -> the global generator whose state the module's functions read and set ("torch.random": "torch")
_STATE_MODULES = {part.rpartition(".")[0]: spec.name for spec in GLOBAL_GENERATORS for part in spec.resets}


def reads_state(obj: Any) -> Optional[str]:
    """The global generator whose state ``obj`` reads without drawing from it, if it is such a
    library function (``np.random.get_state``: "numpy.random"; ``random.getstate``: "random";
    ``torch.get_rng_state``: "torch"); "" for a generator that is not a global one."""
    name = getattr(obj, "__name__", None)
    if not isinstance(name, str) or name not in STATE_READERS:
        return None
    owner = getattr(obj, "__self__", None)
    if owner is not None and access(type(owner)) is not None:
        return global_name(owner) or ""
    module = getattr(obj, "__module__", None)
    return _STATE_MODULES.get(module) if isinstance(module, str) else None


def global_name(obj: Any) -> Optional[str]:
    """The name of the global generator ``obj`` is (None: it is not one)."""
    for spec in GLOBAL_GENERATORS:
        if spec.instance and spec.module in sys.modules and _resolve(spec.instance) is obj:
            return spec.name
    return None
