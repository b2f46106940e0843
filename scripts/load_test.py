"""Many processes, random kills, a Redis restart: every value served is right, no saved entry is lost.

Usage: python scripts/load_test.py [--store directory|redis|both] [--processes 16] [--calls 200] [--keys 400]

Each worker process calls a checkpointed function ``calls`` times on arguments drawn from
``keys`` values (so processes hit each other's entries and save new ones all along), and logs
each call: the argument, the value returned, whether it computed it, whether its save completed
(no caching warning), and how long it took. While they run, random workers are killed with
SIGKILL (mid-save, mid-read, anywhere) and started again for the calls they still owe; with
Redis, the server is also killed and restarted once half the calls are done (it keeps its data
in an append-only file, as a production server would).

Checks: every value returned equals a fresh computation; every entry a completed call reported
saved is still served afterwards; after ``checkpointing gc``, no temporary file of a killed writer
is left, and no Redis chunk without a pointer or an expiry. Prints calls per second and the p50/p99 latency of a hit.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

WORKER = '''
import json, sys, time, warnings
from checkpointing import checkpoint

store = sys.argv[3]
computed = []  # emptied before every call: the arguments a call computed


def note_computed(x):
    # a helper: the default mode keys it by name, and what it changes is not part of the key (a
    # global the function itself changed would be: a hit sets it as the computation left it)
    computed.append(x)


@checkpoint(store=store) if "://" in store else checkpoint(directory=store)
def value(x):
    note_computed(x)
    time.sleep(0.002)
    return {"x": x, "square": x * x, "text": "v" * (x % 7)}


import random
if sys.argv[1] == "check":
    # the same function (same module, same source, so the same key), asked for every entry
    # a completed call reported saved: none may be computed again
    for x in json.loads(sys.argv[4]):
        value(x)
        if computed:
            raise SystemExit(f"argument {x} was reported saved and is not served")
    sys.exit(0)
rng = random.Random(int(sys.argv[4]))
log = open(sys.argv[2], "a", buffering=1)
for call in range(int(sys.argv[1])):
    x = rng.randrange(int(sys.argv[5]))
    computed.clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        started = time.perf_counter()
        got = value(x)
        took = time.perf_counter() - started
    # a computed value is reported saved when caching raised no warning (a save that failed,
    # e.g. while Redis restarts, warns and the call still returns the right value)
    failed = [str(w.message) for w in caught]
    log.write(json.dumps({"x": x, "got": got, "computed": bool(computed), "saved": bool(computed) and not failed,
                          "failed": failed, "took": took, "first": call == 0}) + "\\n")
'''


class LoadTestFailure(AssertionError):
    """A wrong value was served, an entry reported saved was lost, or a worker crashed."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_redis(port: int, folder: Path) -> subprocess.Popen:
    server = shutil.which("redis-server")
    if server is None:
        raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
                                "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("redis-server did not start")


def _leaks(store: str, env: Dict[str, str]) -> List[str]:
    """After ``checkpointing gc`` (no writer running: every temporary file is a leftover): the
    temporary files still in a directory store, or the Redis chunks that no pointer refers to and
    that have no expiry. Either is a leak."""
    gc = subprocess.run([sys.executable, "-m", "checkpointing", "gc", "--store", store, "--max-size", "100GB",
                         "--leftovers-older-than", "0"], env=env, capture_output=True, text=True)
    if gc.returncode != 0:
        raise LoadTestFailure(f"checkpointing gc failed: {gc.stderr[-2000:]}")
    if "://" not in store:
        return [str(p) for p in Path(store).rglob("*.tmp")]
    import redis

    client = redis.Redis.from_url(store.split("?")[0])
    prefix = "load:"
    leaked = []
    for name in client.scan_iter(match=f"{prefix}c:*", count=1000):
        key, version = name.decode()[len(prefix) + 2:].split(":")[:2]
        pointer = client.get(f"{prefix}e:{key}")
        current = pointer is not None and pointer[:1] == b"{" and json.loads(pointer).get("v") == version
        if not current and client.pttl(name) < 0:
            leaked.append(name.decode())
    return leaked


def _empty_store(store: str) -> None:
    if "://" in store:
        import redis

        redis.Redis.from_url(store.split("?")[0]).flushdb()
    else:
        shutil.rmtree(store)


def run(kind: str, processes: int, calls: int, root: Path, keys: int = 400, seed: int = 0,
        lose_entries: bool = False) -> Dict[str, float]:
    """Run the load test against one kind of store (``directory`` or ``redis``) and return its figures.

    Raises :class:`LoadTestFailure` when a wrong value was served or an entry reported saved is lost.
    """
    rng = random.Random(seed)
    work = root / kind
    work.mkdir()
    (work / "worker.py").write_text(WORKER)
    env = dict(os.environ, CHECKPOINTING_SECRET="load test secret", XDG_CACHE_HOME=str(root / "xdg"))
    env.pop("PYTHONPATH", None)
    redis: Optional[subprocess.Popen] = None
    if kind == "redis":
        port = _free_port()
        redis_dir = work / "redis"
        redis_dir.mkdir()
        redis = _start_redis(port, redis_dir)
        store = f"redis://127.0.0.1:{port}/0?prefix=load:"
    else:
        store = str(work / "store")
    owed = {i: calls for i in range(processes)}
    logs = {i: work / f"log{i}.jsonl" for i in range(processes)}

    def lines(i: int) -> List[str]:
        # a worker killed while writing leaves a partial last line: not a completed call
        if not logs[i].exists():
            return []
        return [line for line in logs[i].read_text().splitlines(keepends=True) if line.endswith("\n")]

    def done(i: int) -> int:
        return len(lines(i))

    def launch(i: int) -> subprocess.Popen:
        if logs[i].exists():
            logs[i].write_text("".join(lines(i)))
        with open(work / f"stderr{i}.txt", "ab") as stderr:
            return subprocess.Popen([sys.executable, "worker.py", str(calls - done(i)), str(logs[i]), store,
                                     str(rng.randrange(1 << 30)), str(keys)], cwd=work, env=env,
                                    stdout=subprocess.DEVNULL, stderr=stderr)

    running: Dict[int, subprocess.Popen] = {}
    try:
        started = time.perf_counter()
        running.update((i, launch(i)) for i in owed)
        kills = 0
        restarted = redis is None
        while running:
            time.sleep(rng.uniform(0.02, 0.15))
            for i, p in list(running.items()):
                if p.poll() is not None:
                    if p.returncode != 0 and p.returncode != -signal.SIGKILL:
                        raise LoadTestFailure(f"worker {i} failed: {(work / f'stderr{i}.txt').read_text()[-2000:]}")
                    if done(i) >= calls:
                        del running[i]
                    else:
                        running[i] = launch(i)
            if running and rng.random() < 0.3:
                i = rng.choice(list(running))
                running[i].send_signal(signal.SIGKILL)
                kills += 1
            if not restarted and sum(done(i) for i in owed) >= processes * calls // 2:
                assert redis is not None
                redis.send_signal(signal.SIGKILL)
                redis.wait()
                redis = _start_redis(port, redis_dir)
                restarted = True
        elapsed = time.perf_counter() - started
        records = [json.loads(line) for i in owed for line in lines(i)]
        wrong = [r for r in records if r["got"] != {"x": r["x"], "square": r["x"] ** 2, "text": "v" * (r["x"] % 7)}]
        if wrong:
            raise LoadTestFailure(f"{len(wrong)} wrong values served, e.g. {wrong[0]}")
        # a call that reported its save complete wrote its log line after the save: the entry must be served
        saved = sorted({r["x"] for r in records if r["saved"]})
        if lose_entries:  # fault injection, to show the check below catches a store that loses entries
            _empty_store(store)
        check = subprocess.run([sys.executable, "worker.py", "check", "-", store, json.dumps(saved)], cwd=work, env=env,
                               capture_output=True, text=True)
        if check.returncode != 0:
            raise LoadTestFailure(f"a saved entry was lost: {check.stderr[-2000:]}")
        leaked = _leaks(store, env)
        if leaked:
            raise LoadTestFailure(f"{len(leaked)} temporary files or chunks leaked by killed writers, e.g. {leaked[0]}")
    finally:
        for process in running.values():
            process.kill()
            process.wait()
        if redis is not None:
            redis.terminate()
            redis.wait()
    # a process's first call also imports and analyses (a cold start): reported apart
    hits = sorted(r["took"] for r in records if not r["computed"] and not r["first"])
    firsts = sorted(r["took"] for r in records if r["first"])
    return {"calls": len(records), "per_second": len(records) / elapsed, "kills": kills,
            "p50_hit_ms": hits[len(hits) // 2] * 1e3 if hits else float("nan"),
            "p99_hit_ms": hits[int(len(hits) * 0.99)] * 1e3 if hits else float("nan"), "saved": len(saved),
            "first_p50_ms": firsts[len(firsts) // 2] * 1e3, "starts": len(firsts),
            "warned": sum(1 for r in records if r["failed"])}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", choices=("directory", "redis", "both"), default="both")
    parser.add_argument("--processes", type=int, default=16)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--keys", type=int, default=400, help="distinct arguments the calls draw from")
    args = parser.parse_args(argv)
    kinds: Tuple[str, ...] = ("directory", "redis") if args.store == "both" else (args.store,)
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            try:
                figures = run(kind, args.processes, args.calls, Path(tmp), args.keys)
            except LoadTestFailure as failure:
                print(f"{kind}: FAILED: {failure}", file=sys.stderr)
                return 1
            print(f"{kind:<9} {figures['calls']} calls by {args.processes} processes, {figures['kills']} SIGKILLs"
                  f"{', a Redis restart' if kind == 'redis' else ''}: {figures['per_second']:.0f} calls/s, hit "
                  f"p50 {figures['p50_hit_ms']:.2f} ms, p99 {figures['p99_hit_ms']:.2f} ms, first call of a process "
                  f"p50 {figures['first_p50_ms']:.0f} ms ({figures['starts']} starts); every value right, "
                  f"all {figures['saved']} saved entries still served; {figures['warned']} calls warned")
    return 0


if __name__ == "__main__":
    sys.exit(main())
