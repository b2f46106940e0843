"""Verification: a hit is also recomputed, and the two results compared (``checkpointing verify``).

With ``CHECKPOINTING_VERIFY=1`` in the environment, every hit, or with a fraction such as
``0.1`` that share of hits (drawn from a random generator of its own: the program's are not
touched), runs the function again on a deep copy of the arguments and compares the result with
the stored one by value digest. When they differ, the function runs a second time: two
recomputations that agree mean the stored result is **stale** (its key missed an input the
result depends on); two that differ mean the function is **nondeterministic**. Either way the
recomputed result is what the call returns, the store is left as it is, and the first mismatch
of each function is told once, as a :class:`~checkpointing.VerificationWarning` naming the key,
what the key covers, and the first part of the value that differs.

Each verified hit is also appended, as a line of JSON, to the file named by
``CHECKPOINTING_VERIFY_REPORT`` (``checkpointing verify`` sets it and summarises the lines of
every process the command started); without it, a summary table is printed on standard error
when the process exits. The variables are read when checkpointing is imported.
"""

from __future__ import annotations

import atexit
import copy
import json
import os
import random
import sys
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Set, Tuple

from . import _inputs
from ._identifier import AutoFuncCallIdentifier
from ._value_diff import compare, first_difference, same
from .exceptions import VerificationWarning

if TYPE_CHECKING:
    from ._checkpointed import CheckpointedFunction

ENV = "CHECKPOINTING_VERIFY"
REPORT_ENV = "CHECKPOINTING_VERIFY_REPORT"

STALE, NONDETERMINISTIC, SAME, UNVERIFIABLE = "stale", "nondeterministic", "same", "unverifiable"
#: the recomputation raised: the stored result cannot be reproduced any more (an input is gone)
FAILED = "failed"
MISMATCHES = (STALE, NONDETERMINISTIC, FAILED)


def parse_fraction(text: str, where: str = ENV) -> float:
    """``1``/``true``/``all`` -> 1.0, ``0``/``false``/empty -> 0.0, or a fraction in (0, 1]."""
    word = text.strip().lower()
    if word in ("", "0", "false", "no", "off", "none"):
        return 0.0
    if word in ("1", "true", "yes", "on", "all"):
        return 1.0
    try:
        fraction = float(word)
    except ValueError:
        fraction = -1.0
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"{where} must be 1 (verify every hit), 0 (none) or a fraction of hits such as 0.1, "
                         f"got {text!r}")
    return fraction


@dataclass
class Tally:
    """What was verified of one function."""

    verified: int = 0
    stale: int = 0
    nondeterministic: int = 0
    unverifiable: int = 0
    failed: int = 0
    seconds: float = 0.0

    def add(self, verdict: str, seconds: float) -> None:
        self.verified += 1
        self.seconds += seconds
        if verdict == STALE:
            self.stale += 1
        elif verdict == NONDETERMINISTIC:
            self.nondeterministic += 1
        elif verdict == UNVERIFIABLE:
            self.unverifiable += 1
        elif verdict == FAILED:
            self.failed += 1


class Verifier:
    def __init__(self, fraction: float, report: Optional[str]) -> None:
        self.fraction = fraction
        self.report = report
        self._random = random.Random()
        self._lock = threading.Lock()
        self.tallies: Dict[str, Tally] = {}
        self._told: Set[str] = set()
        if report is None:
            atexit.register(self._summary_at_exit)

    def check(self, function: "CheckpointedFunction", key: str, stored: Any, args: Tuple[Any, ...],
              kwargs: Dict[str, Any], rewind: Optional[Callable[[], None]] = None,
              inputs: Sequence[Sequence[Any]] = ()) -> Any:
        """What a hit returns under verification: the stored value when a recomputation gives it
        back (or the hit is not sampled), else the recomputed one. ``rewind`` puts the random
        generators the computation draws from back in the state they were in before it (for the
        second recomputation, which must draw what the first drew); ``inputs``: the files the
        entry's computation read (found unchanged before this hit), told with a mismatch."""
        if self.fraction < 1.0:
            with self._lock:
                drawn = self._random.random()
            if drawn >= self.fraction:
                return stored
        start = time.perf_counter()
        try:
            fresh = _run(function, args, kwargs)
        except Exception as exc:  # the program goes on with what was stored; the run is told
            self._record(function, key, FAILED, time.perf_counter() - start,
                         f"the recomputation raised {type(exc).__name__}: {exc}", args, kwargs, inputs)
            return stored
        verdict, difference, returned = SAME, None, stored
        equal = compare(stored, fresh)
        if equal is None:  # neither digested nor comparable: the result cannot be checked
            verdict = UNVERIFIABLE
        elif not equal:
            if rewind is not None:
                rewind()
            again = _run(function, args, kwargs)
            verdict = NONDETERMINISTIC if not same(fresh, again) else STALE
            difference = first_difference(stored, fresh)
            returned = fresh
        seconds = time.perf_counter() - start
        self._record(function, key, verdict, seconds, difference, args, kwargs, inputs)
        return returned

    def _record(self, function: "CheckpointedFunction", key: str, verdict: str, seconds: float,
                difference: Optional[str], args: Tuple[Any, ...], kwargs: Dict[str, Any],
                inputs: Sequence[Sequence[Any]] = ()) -> None:
        name = function.function_id
        with self._lock:
            self.tallies.setdefault(name, Tally()).add(verdict, seconds)
            first = verdict in MISMATCHES and name not in self._told
            if first:
                self._told.add(name)
        entry: Dict[str, Any] = {"function": name, "verdict": verdict, "seconds": seconds, "key": key}
        if first:
            entry["difference"] = difference
            entry["covers"] = _covers(function, args, kwargs)
            identifier = function.decorator.identifier
            entry["deep"] = isinstance(identifier, AutoFuncCallIdentifier) and identifier.deep
            entry["inputs_recorded"] = _inputs.enabled(function.decorator.inputs)
            # (checked before the hit was served only where recording is on: only then "unchanged")
            entry["inputs"] = [f"{i.path}/" if i.kind == "folder" else i.path for i in _inputs.as_inputs(inputs)] \
                if entry["inputs_recorded"] else []
            if self.report is None:  # (with a report, ``checkpointing verify`` tells it, once for all processes)
                from ._checkpointed import warn_at

                warn_at(function.func, describe(entry), VerificationWarning)
        if self.report is not None:
            line = json.dumps(entry, default=str) + "\n"
            try:
                with open(self.report, "a", encoding="utf-8") as f:  # one write per line: processes append
                    f.write(line)
            except OSError as exc:
                print(f"checkpointing: cannot write the verification report {self.report}: {exc}", file=sys.stderr)

    def _summary_at_exit(self) -> None:
        if self.tallies:
            print("\n".join(["checkpointing: verification of the hits of this run", *table(self.tallies)]),
                  file=sys.stderr)


def _run(function: "CheckpointedFunction", args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Any:
    """Call the function again, on copies of the arguments (it may mutate them)."""
    try:
        args, kwargs = copy.deepcopy((args, kwargs))
    except Exception:  # what cannot be copied is passed as it is
        pass
    return function.func(*args, **kwargs)


def _covers(function: "CheckpointedFunction", args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> List[str]:
    """What the key of this call is made of, one line per component."""
    try:
        explanation = function.explain(*args, **kwargs)
    except Exception:
        return []
    lines = []
    for c in explanation.components:
        where = f" ({c.location})" if c.location else ""
        value = f" = {c.value}" if c.value and c.kind in ("global", "environment") else ""
        lines.append(f"{c.kind} `{c.name}`{where}{value}")
    return lines


def describe(entry: Dict[str, Any]) -> str:
    """A mismatch, told in a few lines."""
    name = entry["function"]
    if entry["verdict"] == STALE:
        head = (f"{name}: the stored result differs from a recomputation, and two recomputations agree: the "
                f"entry is stale (its key {entry['key']} missed an input the result depends on)")
        hint = ("shallow mode's key covers only the function's own code and arguments: use deep=True to cover "
                "the code and globals it reaches" if not entry.get("deep") else
                "the key covers the code it reaches, its globals and the files it read: the missed input is one "
                "the run could not see (a read in a child process, a database, the network, the clock); pass it "
                "as an argument. `checkpointing lint` points at such reads" if entry.get("inputs_recorded") else
                "the key covers the code it reaches and its globals, and the files it reads are not recorded "
                "(inputs=False): the missed input is outside the program (a file, a database, the network, the "
                "clock); pass it as an argument. `checkpointing lint` points at such reads")
    elif entry["verdict"] == FAILED:
        head = (f"{name}: its stored result could not be recomputed (key {entry['key']}): the function fails "
                f"now with the same arguments")
        hint = ("an input it read is gone or changed (a file, a database, the environment): the stored result "
                "cannot be reproduced; pass that input as an argument, or clear the entry")
    else:
        head = (f"{name}: the stored result differs from a recomputation, and two recomputations differ too: "
                f"the function is nondeterministic (key {entry['key']})")
        hint = ("seed its random numbers (random_state=, np.random.default_rng(seed)), or do not cache it; "
                "`checkpointing lint` points at unseeded draws and clock reads")
    lines = [head]
    if entry.get("difference"):
        lines.append(f"  {'why' if entry['verdict'] == FAILED else 'first difference'}: {entry['difference']}")
    if entry.get("covers"):
        lines.append(f"  the key covers: {'; '.join(entry['covers'])}")
    if entry.get("inputs"):
        shown = entry["inputs"][:5]
        more = f" and {len(entry['inputs']) - 5} more" if len(entry["inputs"]) > 5 else ""
        lines.append(f"  files its computation read, unchanged since it was stored: {', '.join(shown)}{more}")
    lines.append(f"  hint: {hint}")
    return "\n".join(lines)


def table(tallies: Dict[str, Tally]) -> List[str]:
    """The summary: one row per function (a column of results that could not be compared, if any)."""
    failed = any(t.failed for t in tallies.values())
    unverifiable = any(t.unverifiable for t in tallies.values())
    rows: List[Tuple[str, ...]] = [("function", "hits verified", "stale", "nondeterministic")
                                   + (("failed",) if failed else ()) + (("not comparable",) if unverifiable else ())
                                   + ("time",)]
    for name in sorted(tallies):
        t = tallies[name]
        rows.append((name, str(t.verified), str(t.stale), str(t.nondeterministic))
                    + ((str(t.failed),) if failed else ()) + ((str(t.unverifiable),) if unverifiable else ())
                    + (f"{t.seconds:.2f} s",))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths)))
            for row in rows]


def read_report(path: str) -> Tuple[Dict[str, Tally], List[Dict[str, Any]]]:
    """The tallies and the first mismatch of each function, from a report file."""
    tallies: Dict[str, Tally] = {}
    mismatches: Dict[str, Dict[str, Any]] = {}
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.readlines()
    except OSError:
        return tallies, []
    for line in lines:
        try:
            entry = json.loads(line)
            name, verdict = str(entry["function"]), str(entry["verdict"])
            seconds = float(entry["seconds"])
        except (ValueError, KeyError, TypeError):
            continue  # a line cut by a killed process
        tallies.setdefault(name, Tally()).add(verdict, seconds)
        if verdict in MISMATCHES and "difference" in entry and name not in mismatches:
            mismatches[name] = entry
    return tallies, list(mismatches.values())


#: the verifier of this process, or None (the hot path of a hit reads only this)
VERIFIER: Optional[Verifier] = None


def configure() -> Optional[Verifier]:
    """Read ``CHECKPOINTING_VERIFY`` (done when checkpointing is imported; call again after
    changing it in a running process)."""
    global VERIFIER
    try:
        fraction = parse_fraction(os.environ.get(ENV, ""))
    except ValueError as exc:  # never a failure of `import checkpointing`: said, and verification is off
        import warnings

        from .exceptions import CheckpointWarning

        warnings.warn(f"{exc}; verification is off", CheckpointWarning, stacklevel=2)
        fraction = 0.0
    VERIFIER = Verifier(fraction, os.environ.get(REPORT_ENV) or None) if fraction > 0 else None
    return VERIFIER


configure()
