"""The global random generators: one table, read by the runtime (which records the state a
computation drew from, see ``checkpointing/_run_record.py``) and by the lint (CKP103: draws
from an unseeded global generator).

A *global* generator is one a library keeps for the whole process and seeds from the operating
system when it is first imported: its state differs between two runs of the same program
unless the program seeds it. Code can reach it by name (``np.random.mtrand._rand``), through
a library function (``np.random.rand``, scikit-learn's ``check_random_state(None)``), or held
inside an object (a frozen scipy distribution). None of that makes it part of a key; a
computation that *draws* from it depends on its state, and only then.

Each entry names the module that must be loaded for the generator to exist, where the
generator object lives (empty when it is not a Python object: numba keeps its states in C),
the prefix of the calls that draw from it, and the calls that set its state (a seed, a saved
state): a computation whose first use of the generator is one of those does not depend on the
state it found. ``seeds_from_os`` lists the resets that, called without a seed, seed it from
the operating system (the result then differs on every run).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple


@dataclass(frozen=True)
class GlobalGenerator:
    name: str  # how the user knows it, in messages: "numpy.random"
    module: str  # loaded when the generator exists
    instance: str  # qualified name of the generator object ("" for a generator kept in C)
    draws: str  # qualified-name prefix of the calls that draw from it
    resets: Tuple[str, ...]  # qualified names of the calls that set its state
    seeds_from_os: Tuple[str, ...] = ()  # resets that, given no seed (or None), use OS entropy
    always_from_os: Tuple[str, ...] = ()  # resets that always use OS entropy


GLOBAL_GENERATORS: Tuple[GlobalGenerator, ...] = (
    GlobalGenerator(
        "random", "random", "random._inst", "random.",
        ("random.seed", "random.setstate"),
        seeds_from_os=("random.seed",)),
    GlobalGenerator(
        "numpy.random", "numpy.random.mtrand", "numpy.random.mtrand._rand", "numpy.random.",
        ("numpy.random.seed", "numpy.random.set_state", "numpy.random.mtrand.seed", "numpy.random.mtrand.set_state"),
        seeds_from_os=("numpy.random.seed", "numpy.random.mtrand.seed")),
    GlobalGenerator(
        "torch", "torch", "torch.default_generator", "torch.rand",
        ("torch.manual_seed", "torch.random.manual_seed", "torch.set_rng_state", "torch.random.set_rng_state",
         "torch.seed", "torch.random.seed"),
        always_from_os=("torch.seed", "torch.random.seed")),
    # numba's nopython code draws from states of its own, one per thread, seeded from the OS. Its
    # states are set from Python through numba._helperlib (the first argument says which); a seed
    # inside compiled code cannot be watched (it is machine code)
    GlobalGenerator("numba (numpy)", "numba", "", "", ("numba._helperlib.rnd_set_state", "numba._helperlib.rnd_seed"),
                    seeds_from_os=("numba._helperlib.rnd_seed",)),
    GlobalGenerator("numba (random)", "numba", "", "", ("numba._helperlib.rnd_set_state", "numba._helperlib.rnd_seed"),
                    seeds_from_os=("numba._helperlib.rnd_seed",)),
)

#: calls and attributes that read a generator's state without drawing from it: code that names
#: one depends on the state itself, which is then part of the key
STATE_READERS = frozenset({"get_state", "getstate", "get_rng_state", "bit_generator", "_bit_generator"})
