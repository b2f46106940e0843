"""``checkpointing verify -- COMMAND...``: run a command with every hit recomputed and compared
(see :mod:`._verify`), then summarise what every process it started found."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from typing import Any, Dict, List

from . import _verify

DESCRIPTION = """\
Run COMMAND (your pipeline: `checkpointing verify -- python pipeline.py --day 3`) with
CHECKPOINTING_VERIFY set: each hit (or --fraction of them) is recomputed and compared with the
stored result by value. A difference is told apart by recomputing twice: two recomputations
that agree mean the stored entry is stale (the key missed an input); two that differ mean the
function is nondeterministic. The program gets the recomputed result; the store is not changed.

Exit status: 0 every verified hit gave back its stored result, 1 a stale or nondeterministic
function was found (or one whose stored result could not be recomputed: it raised), 2 a usage
error or the command failed (its own status is printed).
"""


def add_command(sub: Any) -> None:
    p = sub.add_parser("verify", help="rerun a command recomputing its hits, to prove the cache honest",
                       description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--fraction", default="1", metavar="F",
                   help="verify this fraction of hits, drawn at random (default 1: every hit)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="the summary's format")
    p.add_argument("command", nargs=argparse.REMAINDER, help="the command to run, after --")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    command: List[str] = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        print("checkpointing verify: give the command to run after --, such as: "
              "checkpointing verify -- python pipeline.py", file=sys.stderr)
        return 2
    try:
        fraction = _verify.parse_fraction(args.fraction, "--fraction")
    except ValueError as exc:
        print(f"checkpointing verify: {exc}", file=sys.stderr)
        return 2
    if fraction == 0:
        print("checkpointing verify: --fraction 0 verifies nothing; give a fraction above 0", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="checkpointing-verify-") as folder:
        report = os.path.join(folder, "report.jsonl")
        env = dict(os.environ, **{_verify.ENV: repr(fraction), _verify.REPORT_ENV: report})
        try:
            returncode = subprocess.call(command, env=env)
        except OSError as exc:
            print(f"checkpointing verify: cannot run {command[0]}: {exc.strerror or exc}", file=sys.stderr)
            return 2
        tallies, mismatches = _verify.read_report(report)
    failed = returncode != 0
    found = any(t.stale or t.nondeterministic or t.failed for t in tallies.values())
    if args.format == "json":
        print(json.dumps({"command": command, "returncode": returncode,
                          "functions": {name: vars(t) for name, t in sorted(tallies.items())},
                          "mismatches": mismatches}, indent=2, default=str))
    else:
        _print_text(tallies, mismatches, command, returncode)
    if found:
        return 1
    return 2 if failed else 0


def _print_text(tallies: Dict[str, _verify.Tally], mismatches: List[Dict[str, Any]], command: List[str],
                returncode: int) -> None:
    out = sys.stdout
    print("", file=out)
    for entry in mismatches:
        print(_verify.describe(entry), file=out)
        print("", file=out)
    hits = sum(t.verified for t in tallies.values())
    if tallies:
        print("\n".join(_verify.table(tallies)), file=out)
        print("", file=out)
    stale = sum(1 for t in tallies.values() if t.stale)
    nondeterministic = sum(1 for t in tallies.values() if t.nondeterministic)
    failed = sum(1 for t in tallies.values() if t.failed)
    if returncode != 0:
        print(f"checkpointing verify: the command exited with status {returncode}; the summary covers what "
              f"ran before", file=out)
    opaque = sorted(name for name, t in tallies.items() if t.unverifiable)
    if opaque:
        print(f"checkpointing verify: the results of {', '.join(opaque)} can be neither pickled nor compared "
              f"(their type has no ==): those hits were not checked", file=out)
    if not hits:
        print("checkpointing verify: no hit was verified: the store had no entry this run could use. Run the "
              "command once without verify to fill the cache, then verify.", file=out)
    elif stale or nondeterministic or failed:
        print(f"checkpointing verify: {hits} hit{'s' if hits != 1 else ''} verified: {stale} function"
              f"{'s' if stale != 1 else ''} with stale entries, {nondeterministic} nondeterministic"
              + (f", {failed} that could not be recomputed" if failed else ""), file=out)
    else:
        checked = hits - sum(t.unverifiable for t in tallies.values())
        print(f"checkpointing verify: {checked} hit{'s' if checked != 1 else ''} verified, each gave back its "
              f"stored result", file=out)
