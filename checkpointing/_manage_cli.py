"""``checkpointing ls | info | clear | gc | stats``: looking after a store from the shell."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any, Callable, Dict, List, Optional

from ._config import parse_duration, parse_size
from .stores.base import CacheBase, EntryInfo
from .stores.from_url import configured_store, open_store
from .stores.management import delete_entries, list_entries, select_for_clear, select_for_gc


def _store(args: argparse.Namespace) -> CacheBase[str, Any]:
    """The store the command acts on; a store named with --store that does not exist or cannot be
    reached is a usage error (exit 2), never "0 entries"."""
    if not args.store:
        return configured_store() or open_store(".checkpointing")
    store = open_store(args.store)
    from .stores.pickle_file import PickleFileCache

    if isinstance(store, PickleFileCache) and not os.path.isdir(store.root):
        raise ValueError(f"no store at {args.store}: no such folder (a store is made by the first call that saves)")
    try:
        store.contains("0" * 32)
    except Exception as exc:
        raise ValueError(f"cannot reach the store {args.store}: {type(exc).__name__}: {exc}") from exc
    return store


def human_size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"


def _when(ts: Optional[float]) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts)) if ts else "-"


def _seconds(s: Optional[float]) -> str:
    if s is None:
        return "-"
    return f"{s:.2f}s" if s < 60 else f"{s / 60:.1f}min" if s < 3600 else f"{s / 3600:.1f}h"


def _progress(label: str) -> Optional[Callable[[int, int], None]]:
    """A progress bar on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        width = 30
        filled = int(width * done / max(total, 1))
        sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()
    return show


def _environment(e: EntryInfo) -> str:
    """The versions an entry was written with, short: ``py3.11 numpy2.4 pandas3.1``."""
    text = str(e.metadata.get("environment") or "")
    parts = [part.split("=", 1) for part in text.split(";") if "=" in part]
    return " ".join(f"{'py' if name.startswith('python') else name}{'.'.join(version.split('.')[:2])}"
                    for name, version in parts) or "-"


def _entry_json(e: EntryInfo) -> Dict[str, Any]:
    return {"key": e.key, "function": e.function, "size": e.size, "created": e.created, "last_used": e.last_used,
            "compute_time": e.compute_time, "environment": e.metadata.get("environment")}


def _table(entries: List[EntryInfo]) -> str:
    rows = [("FUNCTION", "SIZE", "CREATED", "LAST USED", "COMPUTE", "ENVIRONMENT", "KEY")]
    rows += [(e.function or "?", human_size(e.size), _when(e.created), _when(e.last_used), _seconds(e.compute_time),
              _environment(e), e.key[:12]) for e in entries]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) if i != 1 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip()
             for r in rows]
    total = sum(e.size for e in entries)
    saved = sum(e.compute_time or 0 for e in entries)
    lines.append(f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}, {human_size(total)}, "
                 f"{_seconds(saved)} of computation stored")
    return "\n".join(lines)


def cmd_ls(args: argparse.Namespace) -> int:
    store = _store(args)
    entries = list_entries(store, args.function)
    if args.format == "json":
        print(json.dumps([_entry_json(e) for e in entries], indent=2))
    else:
        print(_table(entries))
        legacy = _legacy(store)
        if legacy:
            print(f"and {len(legacy)} files left by checkpointing 1.0.1, never read by this version: "
                  f"`checkpointing clear --legacy` deletes them")
        left = _leftovers(store)
        if left:
            print(f"and {len(left)} temporary files ({human_size(sum(size for _, size in left))}) left by writers "
                  f"that were killed: `checkpointing gc` deletes them")
    return 0


def _leftovers(store: Any, older_than: Optional[float] = None) -> List[Any]:
    """(path, size) of the temporary files killed writers left in a directory store."""
    from .stores.pickle_file import LEFTOVER_SECONDS, PickleFileCache

    if not isinstance(store, PickleFileCache):
        return []
    return store.leftovers(LEFTOVER_SECONDS if older_than is None else older_than)


def _delete_leftovers(store: Any, older_than: Optional[float] = None) -> int:
    """Delete them; their total size."""
    freed = 0
    for path, size in _leftovers(store, older_than):
        try:
            os.unlink(path)
            freed += size
        except FileNotFoundError:
            pass
    return freed


def cmd_info(args: argparse.Namespace) -> int:
    store = _store(args)
    found = [e for e in store.entries() if e.key == args.key or e.key.startswith(args.key)]
    if len(found) != 1:
        print(f"checkpointing info: {'no entry' if not found else f'{len(found)} entries'} with key {args.key!r}"
              f"{'' if not found else ': give more of the key'}", file=sys.stderr)
        return 2
    entry = found[0]
    info = dict(_entry_json(entry), metadata=entry.metadata)
    if args.format == "json":
        print(json.dumps(info, indent=2, default=str))
    else:
        for name in ("key", "function", "size", "created", "last_used", "compute_time"):
            value = info[name]
            shown = human_size(value) if name == "size" else _when(value) if name in ("created", "last_used") else (
                _seconds(value) if name == "compute_time" else value)
            print(f"{name:<13}{shown}")
        for k, v in sorted(entry.metadata.items()):
            if k == "inputs" and isinstance(v, list):  # the files its computation read
                for i, one in enumerate(v):
                    print(f"{'inputs' if i == 0 else '':<13}{_input_line(one)}")
            elif k not in info:
                print(f"{k:<13}{v}")
    return 0


def _input_line(recorded: Any) -> str:
    """One input of an entry, as ``checkpointing info`` shows it."""
    if not isinstance(recorded, dict):
        return str(recorded)
    if recorded.get("kind") == "folder":
        return f"{recorded.get('path')}/ (a folder listed: {len(recorded.get('names') or ())} entries)"
    digest = recorded.get("digest")
    how = f"xxh3 {digest[:16]}" if digest else "by size and time only"
    return f"{recorded.get('path')} ({human_size(recorded.get('size', 0))}, {how})"


def _confirm(question: str, yes: bool) -> bool:
    if yes:
        return True
    if not sys.stdin.isatty():
        print(f"checkpointing: {question} Refusing without --yes (no terminal to ask).", file=sys.stderr)
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


def _legacy(store: Any) -> List[Any]:
    from .stores.pickle_file import PickleFileCache

    return list(store.legacy_files()) if isinstance(store, PickleFileCache) else []


def _clear_legacy(args: argparse.Namespace, store: Any) -> int:
    """--legacy: delete the files checkpointing 1.0.1 left in a directory store."""
    files = _legacy(store)
    if not files:
        print("no files of checkpointing 1.0.1 here")
        return 0
    size = sum(f.stat().st_size for f in files if f.exists())
    if not _confirm(f"Delete {len(files)} files of checkpointing 1.0.1 ({human_size(size)}) from {store!r}?",
                    args.yes):
        return 1
    deleted = 0
    for f in files:
        try:
            f.unlink()
            deleted += 1
        except FileNotFoundError:
            pass
    _report(args, {"deleted": deleted, "bytes": size}, f"deleted {deleted} files of checkpointing 1.0.1 "
                                                       f"({human_size(size)})")
    return 0


def cmd_clear(args: argparse.Namespace) -> int:
    store = _store(args)
    if args.legacy:
        return _clear_legacy(args, store)
    older = parse_duration(args.older_than) if args.older_than else None
    chosen = select_for_clear(store, args.function, older)
    size = sum(e.size for e in chosen)
    if not chosen:
        freed = _delete_leftovers(store) if args.function is None and args.yes else 0
        print("nothing to delete" + (f" but {human_size(freed)} of temporary files left by killed writers, deleted"
                                     if freed else ""))
        return 0
    if not _confirm(f"Delete {len(chosen)} entries ({human_size(size)}) from {store!r}?", args.yes):
        return 1
    deleted = delete_entries(store, chosen, _progress("deleting"))
    freed = _delete_leftovers(store) if args.function is None else 0
    _report(args, {"deleted": deleted, "bytes": size, "temporary_bytes": freed},
            f"deleted {deleted} entries ({human_size(size)})"
            + (f" and {human_size(freed)} of temporary files left by killed writers" if freed else ""))
    return 0


def cmd_gc(args: argparse.Namespace) -> int:
    store = _store(args)
    if args.legacy:
        args.yes = True
        _clear_legacy(args, store)
    chosen = select_for_gc(store, parse_size(args.max_size))
    size = sum(e.size for e in chosen)
    deleted = delete_entries(store, chosen, _progress("evicting")) if chosen else 0
    freed = _delete_leftovers(store, parse_duration(args.leftovers_older_than))
    _report(args, {"deleted": deleted, "bytes": size, "temporary_bytes": freed},
            (f"evicted {deleted} least recently used entries ({human_size(size)})" if deleted else
             "the store is within the limit: nothing evicted")
            + (f"; deleted {human_size(freed)} of temporary files left by killed writers" if freed else ""))
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    stats = _store(args).stats()
    if args.format == "json":
        print(json.dumps(stats, indent=2, sort_keys=True))
        return 0
    rows = [("FUNCTION", "HITS", "MISSES", "HIT RATE", "TIME SAVED", "UNSTABLE")]
    for function, s in sorted(stats.items()):
        calls = s["hits"] + s["misses"]
        rows.append((function, str(int(s["hits"])), str(int(s["misses"])),
                     f"{100 * s['hits'] / calls:.0f}%" if calls else "-", _seconds(s["saved"]),
                     str(int(s.get("unstable", 0)))))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip())
    if any(s.get("unstable") for s in stats.values()):
        print("UNSTABLE: misses of calls whose code and arguments were unchanged (what they depend on differs between "
              "runs by itself, such as an unseeded random generator: the program's warning says what)")
    return 0


def _report(args: argparse.Namespace, data: Any, text: str) -> None:
    print(json.dumps(data) if args.format == "json" else text)


def add_commands(sub: Any) -> None:
    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--store", metavar="URL", help="the store: a directory or a URL (redis://, s3://, memory://, "
                                                      "file://); default $CHECKPOINTING_STORE, else .checkpointing")
        p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")

    p = sub.add_parser("ls", help="list stored entries with their size, dates and compute time",
                       description="List stored entries (newest first) with totals.")
    common(p)
    p.add_argument("--function", metavar="NAME", help="only this function (its name or module.name)")
    p.set_defaults(run=cmd_ls)
    p = sub.add_parser("info", help="show one entry", description="Show one entry's metadata.")
    common(p)
    p.add_argument("key", help="the entry's key, or a unique prefix of it (as ls shows)")
    p.set_defaults(run=cmd_info)
    p = sub.add_parser("clear", help="delete entries", description="Delete entries: all of them, a function's, or "
                                                                     "those unused for a while.")
    common(p)
    p.add_argument("--function", metavar="NAME", help="only this function's entries")
    p.add_argument("--older-than", metavar="AGE", help="only entries not used for this long: 30m, 12h, 7d, 2w")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument("--legacy", action="store_true", help="delete the files checkpointing 1.0.1 left in the "
                                                          "directory (<dir>/*.pickle) instead")
    p.set_defaults(run=cmd_clear)
    p = sub.add_parser("gc", help="evict least recently used entries beyond a size",
                       description="Evict the least recently used entries until the store fits in --max-size.")
    common(p)
    p.add_argument("--max-size", required=True, metavar="SIZE", help="the size to fit in: 500MB, 10GB, ...")
    p.add_argument("--legacy", action="store_true", help="first delete the files checkpointing 1.0.1 left in the "
                                                          "directory (<dir>/*.pickle)")
    p.add_argument("--leftovers-older-than", default="1h", metavar="AGE",
                   help="delete temporary files of killed writers not written to for this long (default 1h; 0 "
                        "when no writer is running)")
    p.set_defaults(run=cmd_gc)
    p = sub.add_parser("stats", help="hits, misses and time saved per function",
                       description="Hits, misses and computation time saved per function, as recorded by every "
                                   "process that used the store.")
    common(p)
    p.set_defaults(run=cmd_stats)
