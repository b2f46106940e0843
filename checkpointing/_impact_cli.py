"""``checkpointing impact --base REV``: which checkpointed functions get new keys from a change,
why, and how much stored computation that invalidates (see :mod:`checkpointing.analysis.impact`)."""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .stores.usage import StoredFunction, by_function, of_node

DESCRIPTION = """\
For a git revision range, say which checkpointed functions' keys change, and why ("helper
`clean` changed", "global `THRESHOLD` changed from 0.5 to 0.7", "only formatting: keys
unchanged"), reading both versions of the code without running either. A shallow function
whose reachable code changed in a way its key does not see is flagged: its cached results are
now stale. With --store, the entries and compute time the change invalidates are counted.

Compares --base REV with --head REV, or with the working tree when --head is not given.
Exit status: 0, or 2 on a usage error (not a git repository, an unknown revision or path).
"""


def add_command(sub: Any) -> None:
    p = sub.add_parser("impact", help="which checkpointed functions a change gives new keys, and why",
                       description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or directories to read (default: .)")
    p.add_argument("--base", required=True, metavar="REV", help="the revision before the change (main, HEAD~1, ...)")
    p.add_argument("--head", metavar="REV", help="the revision after it (default: the working tree)")
    p.add_argument("--store", metavar="URL", help="count the entries and compute time invalidated, from this store "
                                                  "(a directory, redis://, s3://, ...)")
    p.add_argument("--format", choices=("text", "json", "markdown", "github"), default="text",
                   help="text, json, markdown (a pull-request comment), github (annotations on the changed lines)")
    p.add_argument("--decorator", action="append", metavar="QUALNAME", default=[],
                   help="also consider functions cached by this decorator (as `checkpointing lint` does)")
    p.set_defaults(run=run)


class UsageError(Exception):
    pass


def _git(args: Sequence[str], cwd: str) -> bytes:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True)
    if done.returncode != 0:
        raise UsageError(done.stderr.decode("utf-8", "replace").strip() or f"git {' '.join(args)} failed")
    return done.stdout


def _revision(name: str, root: str) -> str:
    try:
        return _git(["rev-parse", "--verify", "--quiet", f"{name}^{{commit}}"], root).decode().strip()
    except UsageError:
        raise UsageError(f"unknown revision {name!r}: give a commit, branch or tag (main, HEAD~1, v1.2)") from None


def _extract(root: str, revision: str, relative: List[str], into: str) -> None:
    """The files of ``revision`` under the given repository-relative paths, written below ``into``."""
    try:
        data = _git(["archive", "--format=tar", revision, "--", *relative], root)
    except UsageError:  # a path that did not exist then: the whole tree
        data = _git(["archive", "--format=tar", revision], root)
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        if hasattr(tarfile, "data_filter"):
            archive.extractall(into, filter="data")
        else:  # pragma: no cover - Python versions before the extraction filters
            archive.extractall(into)  # (git's own archive of the repository)


def _files(top: str, relative: List[str], exclude: List[str]) -> List[Any]:
    from .analysis.callgraph import SourceFile
    from .analysis.lint.discover import discover

    present = [os.path.join(top, r) for r in relative if os.path.exists(os.path.join(top, r))]
    return [SourceFile(p, os.path.relpath(p, top)) for p in discover(present, exclude, top)] if present else []


def stored_totals(url: str) -> Dict[str, StoredFunction]:
    """What the store at ``url`` holds per function id."""
    from .stores.from_url import open_store

    return by_function(open_store(url).entries())


def duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 60:
        return f"{seconds / 60:.1f} min"
    return f"{seconds:.1f} s"


def compute(base_name: str, head_name: Optional[str], paths: List[str], decorators: Sequence[str] = ()) -> List[Any]:
    """What the change from ``base_name`` to ``head_name`` (None: the working tree) does to the
    keys of the checkpointed functions under ``paths``; raises UsageError with what to do."""
    from .analysis.impact import compare, versions
    from .analysis.lint.config import ConfigError, load_config

    try:
        root = _git(["rev-parse", "--show-toplevel"], os.getcwd()).decode().strip()
    except (UsageError, OSError) as exc:
        raise UsageError(f"run it inside a git repository ({exc})") from exc
    base = _revision(base_name, root)
    head = _revision(head_name, root) if head_name else None
    for path in paths:
        if head is None and not os.path.exists(path):
            raise UsageError(f"{path}: no such file or directory")
    relative = [os.path.relpath(os.path.abspath(p), root) for p in paths]
    if any(r == ".." or r.startswith(".." + os.sep) for r in relative):
        raise UsageError(f"the paths must be inside the repository {root}")
    try:
        config = load_config(paths[0] if os.path.exists(paths[0]) else root)
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc
    decorators = [*config.decorators, *decorators]
    with tempfile.TemporaryDirectory(prefix="checkpointing-impact-") as folder:
        _extract(root, base, relative, os.path.join(folder, "base"))
        old_files = _files(os.path.join(folder, "base"), relative, config.exclude)
        if head is not None:
            _extract(root, head, relative, os.path.join(folder, "head"))
            new_files = _files(os.path.join(folder, "head"), relative, config.exclude)
        else:
            new_files = _files(root, relative, config.exclude)
        before, after = versions(old_files, new_files, decorators)
        return compare(before, after)


def run(args: argparse.Namespace) -> int:
    paths = args.paths or ["."]
    try:
        impacts = compute(args.base, args.head, paths, args.decorator)
    except UsageError as exc:
        print(f"checkpointing impact: {exc}", file=sys.stderr)
        return 2
    stored = stored_totals(args.store) if args.store else None
    rows = []
    for impact in impacts:
        found = of_node(impact.node, stored) if stored is not None else StoredFunction()
        rows.append((impact, found.entries, found.compute_seconds))
    head_name = args.head or "the working tree"
    print(FORMATS[args.format](rows, f"{args.base}..{head_name}", stored is not None), end="")
    return 0


Row = Tuple[Any, int, float]


def _counted(rows: List[Row]) -> Tuple[List[Row], List[Row], int, float]:
    changed = [r for r in rows if r[0].status in ("changed", "removed")]
    stale = [r for r in rows if r[0].unseen]
    return changed, stale, sum(r[1] for r in changed), sum(r[2] for r in changed)


def _text(rows: List[Row], span: str, with_store: bool) -> str:
    out = io.StringIO()
    changed, stale, entries, seconds = _counted(rows)
    print(f"checkpointing impact of {span}: {len(rows)} checkpointed function{'s' if len(rows) != 1 else ''}",
          file=out)
    for impact, n, spent in rows:
        if impact.status == "unchanged" and not impact.unseen:
            continue
        verdict = {"changed": "new key", "added": "new", "removed": "removed", "formatting": "key unchanged",
                   "unchanged": "key unchanged"}[impact.status]
        print(f"\n{impact.path}:{impact.line}: {impact.function} ({impact.mode}): {verdict}", file=out)
        for reason in impact.reasons:
            print(f"    {reason}", file=out)
        if impact.unseen:
            print("    STALE: it reaches code that changed and its shallow key does not see it: "
                  + "; ".join(impact.unseen) + ". Its cached results are now wrong: use deep=True, or clear them "
                  f"(checkpointing clear --function {impact.function.rsplit('.', 1)[-1]})", file=out)
        if with_store and impact.status in ("changed", "removed"):
            print(f"    {n} entr{'ies' if n != 1 else 'y'}, {duration(spent)} of compute", file=out)
    summary = f"\n{len(changed)} function{'s' if len(changed) != 1 else ''} get{'s' if len(changed) == 1 else ''} " \
              f"new keys"
    if with_store:
        summary += f": {entries} entr{'ies' if entries != 1 else 'y'}, {duration(seconds)} of compute to redo"
    if stale:
        summary += f"; {len(stale)} shallow function{'s' if len(stale) != 1 else ''} will serve stale results"
    print(summary, file=out)
    return out.getvalue()


def _json(rows: List[Row], span: str, with_store: bool) -> str:
    changed, stale, entries, seconds = _counted(rows)
    functions = []
    for impact, n, spent in rows:
        item = dataclasses.asdict(impact)
        if with_store:
            item.update(entries=n, compute_seconds=spent)
        functions.append(item)
    totals: Dict[str, Any] = {"functions": len(rows), "changed": len(changed), "stale": len(stale)}
    if with_store:
        totals.update(entries=entries, compute_seconds=seconds)
    return json.dumps({"range": span, "functions": functions, "totals": totals}, indent=2) + "\n"


def _markdown(rows: List[Row], span: str, with_store: bool) -> str:
    changed, stale, entries, seconds = _counted(rows)
    out = io.StringIO()
    cost = f" ({entries} entries, {duration(seconds)} of compute)" if with_store else ""
    print(f"### checkpointing impact: {len(changed)} of {len(rows)} checkpointed functions get new keys{cost}\n",
          file=out)
    shown = [r for r in rows if r[0].status != "unchanged" or r[0].unseen]
    if shown:
        header = "| function | mode | key | why |" + (" entries | compute |" if with_store else "")
        print(header, file=out)
        print("|" + " --- |" * (header.count("|") - 1), file=out)
        for impact, n, spent in shown:
            key = {"changed": "**new**", "added": "new", "removed": "removed", "formatting": "unchanged",
                   "unchanged": "unchanged"}[impact.status]
            why = "; ".join(impact.reasons).replace("|", "\\|")
            if impact.unseen:
                why += (" — " if why else "") + "⚠️ **stale**: " + "; ".join(impact.unseen).replace("|", "\\|")
            line = f"| `{impact.function}` | {impact.mode} | {key} | {why} |"
            if with_store:
                line += f" {n} | {duration(spent)} |"
            print(line, file=out)
    if stale:
        one = len(stale) == 1
        print(f"\n⚠️ {len(stale)} shallow function{'' if one else 's'} reach{'es' if one else ''} code that changed "
              f"without a new key: {'its' if one else 'their'} cached results are stale. Use `deep=True`, or clear "
              f"them.", file=out)
    return out.getvalue()


def _github(rows: List[Row], span: str, with_store: bool) -> str:
    out = io.StringIO()
    for impact, n, spent in rows:
        cost = f" ({n} entries, {duration(spent)} of compute)" if with_store else ""
        for path, line, reason in impact.locations:
            if reason in impact.unseen:
                print(f"::warning file={path},line={line},title=checkpointing: stale cache::{impact.function} "
                      f"(shallow) will serve stale results: {reason}, which its key does not see", file=out)
            else:
                print(f"::notice file={path},line={line},title=checkpointing impact::{impact.function} "
                      f"({impact.mode}) gets a new key: {reason}{cost}", file=out)
    out.write(_text(rows, span, with_store))
    return out.getvalue()


FORMATS = {"text": _text, "json": _json, "markdown": _markdown, "github": _github}
