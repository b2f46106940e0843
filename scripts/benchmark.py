"""Speed of checkpointing next to baselines measured in the same run (machines are noisy: read ratios).

Usage: python scripts/benchmark.py [--quick]

Prints, for each target of the core issue, our figure, the baseline(s) and the ratio:
hit latency with small arguments (vs functools.lru_cache, joblib.Memory and the floor of
opening, reading and unpickling a small file); hashing a 100 MB numpy array (vs xxh3 over its
buffer); hashing a 100 MB DataFrame, and one with a column of unique strings (vs pandas' own
hashing and pickle); loading a 100 MB array result (vs reading the file into a preallocated
buffer, and pickle.load); `import checkpointing`; the first call in a fresh process that hits,
or misses, a store written before (vs a bare open+read+unpickle in a fresh process); a hit of
an entry computed from 1 or 100 files (vs a hit of one that read none, and one os.stat); the
Redis store's hit latency and 100 MB save/load (vs raw redis-py GET/SET on the same server).
"""

from __future__ import annotations

import argparse
import functools
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import xxhash

# the interpreters started here behave as a user's do: they write and reuse bytecode caches
# (a shell with PYTHONDONTWRITEBYTECODE=1 would make every fresh process compile our modules)
USER_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def best(fn, repeat=7, number=1):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return min(times)


def row(label, ours, baseline_label, baseline, unit="µs", scale=1e6):
    ratio = ours / baseline if baseline else float("nan")
    print(f"  {label:<44} {ours * scale:10.1f} {unit}   {baseline_label:<34} {baseline * scale:10.1f} {unit}   ratio {ratio:5.2f}x")


def hit_latency(workdir: Path, n: int) -> None:
    from checkpointing import checkpoint

    print("hit latency, small arguments (per call)")

    @checkpoint(directory=workdir / "store")
    def ours(a, b):
        return a + b

    ours(1, 2)
    t_ours = best(lambda: ours(1, 2), number=n)

    @checkpoint(directory=workdir / "store", deep=True)
    def ours_deep(a, b):
        return a + b

    ours_deep(1, 2)
    misses = ours.cache_info().misses, ours_deep.cache_info().misses
    t_deep = best(lambda: ours_deep(1, 2), number=n)
    if (ours.cache_info().misses, ours_deep.cache_info().misses) != misses:
        raise SystemExit("a hit benchmark computed instead of hitting: it would measure nothing")

    @functools.lru_cache(maxsize=None)
    def lru(a, b):
        return a + b

    lru(1, 2)
    t_lru = best(lambda: lru(1, 2), number=n)

    small = workdir / "small.pkl"
    small.write_bytes(pickle.dumps(3))

    def floor():
        with open(small, "rb") as f:
            pickle.loads(f.read())

    t_floor = best(floor, number=n)
    row("checkpointing hit", t_ours, "open+read+unpickle floor", t_floor)
    row("checkpointing hit, deep mode", t_deep, "open+read+unpickle floor", t_floor)
    row("checkpointing hit", t_ours, "functools.lru_cache", t_lru)
    try:
        import joblib

        memory = joblib.Memory(workdir / "joblib", verbose=0)

        @memory.cache
        def jl(a, b):
            return a + b

        jl(1, 2)
        t_jl = best(lambda: jl(1, 2), number=max(1, n // 10))
        row("checkpointing hit", t_ours, "joblib.Memory hit", t_jl)
    except ImportError:
        print("  (joblib not installed)")

    # a call that reaches numpy and pandas reads their settings on every call (see
    # analysis/settings.py): what that costs, as a share of a hit with a small DataFrame argument
    from checkpointing import _settings

    frame = pd.DataFrame({"v": np.arange(10.0)})

    @checkpoint(directory=workdir / "store")
    def total(df):
        return float(df["v"].sum())

    total(frame)
    t_frame = best(lambda: total(frame), number=n)
    reached = _settings.reached({"numpy", "pandas"})
    t_settings = best(lambda: [_settings.changed(s) for s in reached], number=n)
    row("library settings read (numpy, pandas)", t_settings, "checkpointing hit, DataFrame arg", t_frame)


def input_checks(workdir: Path, n: int) -> None:
    """A hit of an entry computed from 0, 1, 100 or 10,000 files: each recorded input costs one
    stat (and its share of unpickling the entry's list of inputs)."""
    from checkpointing import checkpoint

    print("hit latency with recorded input files (per call)")
    data = workdir / "inputs"
    data.mkdir()
    for i in range(10_000):
        (data / f"{i}.txt").write_text(f"{i}\n")
    folder = str(data)  # (the function reads names it makes: a list of paths would be a part of its key)

    @checkpoint(directory=workdir / "store")
    def read_files(count):
        total = 0
        for i in range(count):
            with open(f"{folder}/{i}.txt") as f:  # (os.path.join would add its own cost to every hit)
                total += int(f.read())
        return total

    timings = {}
    for count in (0, 1, 100, 10_000):
        read_files(count)
        misses = read_files.cache_info().misses
        timings[count] = best(lambda count=count: read_files(count), number=n if count <= 100 else max(5, n // 200))
        if read_files.cache_info().misses != misses:
            raise SystemExit("an input benchmark computed instead of hitting: it would measure nothing")
    first = os.path.join(folder, "0.txt")
    t_stat = best(lambda: os.stat(first), number=n)
    row("hit, 1 input file", timings[1], "hit, no input", timings[0])
    row("hit, 100 input files", timings[100], "hit, no input", timings[0])
    row("hit, 10,000 input files", timings[10_000], "hit, no input", timings[0], "ms", 1e3)
    row("cost per input ((100 inputs - none) / 100)", (timings[100] - timings[0]) / 100, "one os.stat", t_stat)
    row("cost per input ((10,000 inputs - none) / 10,000)", (timings[10_000] - timings[0]) / 10_000,
        "one os.stat", t_stat)


def array_hashing() -> None:
    from checkpointing import hash_anything

    print("hashing a 100 MB argument")
    a = np.random.default_rng(0).random(100 * 2**20 // 8)
    t_ours = best(lambda: hash_anything(a), repeat=5)
    t_raw = best(lambda: xxhash.xxh3_128_digest(a), repeat=5)
    print(f"  numpy array: {a.nbytes / t_ours / 1e9:6.1f} GB/s (raw xxh3 {a.nbytes / t_raw / 1e9:6.1f} GB/s)")
    row("hash_anything(100 MB array)", t_ours, "xxh3_128 over the buffer", t_raw, "ms", 1e3)
    df = pd.DataFrame(a.reshape(-1, 10), columns=[f"c{i}" for i in range(10)])
    t_df = best(lambda: hash_anything(df), repeat=5)
    row("hash_anything(100 MB DataFrame, 10 cols)", t_df, "xxh3_128 over the same bytes", t_raw, "ms", 1e3)
    try:
        import pyarrow as pa

        table = pa.Table.from_pandas(df, preserve_index=False)
        rebatched = pa.Table.from_batches(table.to_batches(max_chunksize=100_000))
        columns = [c.combine_chunks() for c in table.columns]
        t_table = best(lambda: hash_anything(rebatched), repeat=5)
        t_columns = best(lambda: [xxhash.xxh3_128_digest(c.buffers()[1]) for c in columns], repeat=5)
        row(f"hash_anything(pyarrow Table, {rebatched.column(0).num_chunks} chunks)", t_table,
            "xxh3_128 over its column buffers", t_columns, "ms", 1e3)
    except ImportError:
        pass
    try:
        import polars as pl

        step = -(-len(df) // 14)
        frame = pl.concat([pl.from_pandas(df.iloc[i:i + step]) for i in range(0, len(df), step)], rechunk=False)
        t_pl = best(lambda: hash_anything(frame), repeat=5)
        row(f"hash_anything(polars DataFrame, {frame.n_chunks()} chunks)", t_pl, "xxh3_128 over the same bytes",
            t_raw, "ms", 1e3)
    except ImportError:
        pass
    try:
        import xarray as xr

        dataset = xr.Dataset({f"v{i}": (("t", "s"), a.reshape(-1, 10)[:, i].reshape(-1, 64)) for i in range(10)},
                             coords={"t": np.arange(a.size // 10 // 64)}, attrs={"source": "benchmark"})
        t_xr = best(lambda: hash_anything(dataset), repeat=5)
        t_vars = best(lambda: [xxhash.xxh3_128_digest(np.ascontiguousarray(v.values)) for v in
                               dataset.variables.values()], repeat=5)
        row("hash_anything(xarray Dataset, 10 variables)", t_xr, "xxh3_128 over its variables", t_vars, "ms", 1e3)
    except ImportError:
        pass
    try:
        import scipy.sparse
    except ImportError:
        return
    nnz = 100 * 2**20 // 12  # 8-byte values and 4-byte indices: 100 MB of buffers
    rng = np.random.default_rng(2)
    side = 1 << 16
    csr = scipy.sparse.csr_matrix((rng.random(nnz), (np.sort(rng.integers(0, side, nnz)), rng.integers(0, side, nnz))),
                                  shape=(side, side))
    csr.sum_duplicates()
    buffers = [csr.data, csr.indices, csr.indptr]  # as the matrix holds them
    t_csr = best(lambda: hash_anything(csr), repeat=5)
    t_buffers = best(lambda: [xxhash.xxh3_128_digest(b) for b in buffers], repeat=5)
    row(f"hash_anything(csr_matrix, {sum(b.nbytes for b in buffers) >> 20} MB)", t_csr,
        "xxh3_128 over its buffers", t_buffers, "ms", 1e3)


def array_loading(workdir: Path) -> None:
    from checkpointing import PickleFileCache

    print("loading a 100 MB array result")
    store = PickleFileCache(workdir / "big")
    a = np.random.default_rng(1).random(100 * 2**20 // 8)
    store.save("big", a)
    path = store.path_for("big")
    size = path.stat().st_size
    t_ours = best(lambda: store.retrieve("big"), repeat=5)
    buf = bytearray(size)

    def read_into():
        with open(path, "rb", buffering=0) as f:
            f.readinto(buf)

    t_read = best(read_into, repeat=5)
    plain = workdir / "plain.pkl"
    plain.write_bytes(pickle.dumps(a, protocol=5))

    def pickle_load():
        with open(plain, "rb") as f:
            pickle.load(f)

    t_pickle = best(pickle_load, repeat=5)
    row("PickleFileCache.retrieve", t_ours, "read file into preallocated buffer", t_read, "ms", 1e3)
    row("PickleFileCache.retrieve", t_ours, "pickle.load of the same array", t_pickle, "ms", 1e3)


def import_time() -> None:
    print("import time (best of 7 fresh interpreters)")

    def run(code):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=USER_ENV)
        return time.perf_counter() - start

    t_base = min(run("pass") for _ in range(7))
    t_ours = min(run("import checkpointing") for _ in range(7))
    row("import checkpointing (minus bare start-up)", t_ours - t_base, "python -c pass", t_base, "ms", 1e3)


def fresh_process(workdir: Path) -> None:
    """What a user meets first: the first call in a new interpreter, the store written by an
    earlier one (as when a script is run again), next to the same first read without us."""
    print("first call in a fresh process (median of 7 new interpreters, store and analysis cache written before)")
    script = workdir / "first.py"
    script.write_text(
        "import sys, time\n"
        "t0 = time.perf_counter()\n"
        "from checkpointing import checkpoint\n"
        "imported = time.perf_counter() - t0\n"
        "@checkpoint(directory='fresh-store')\n"
        "def f(a, b):\n    c = a + b\n    return c * 2\n"
        "arg = int(sys.argv[1])\n"
        "t = time.perf_counter(); f(arg, 2); print(time.perf_counter() - t, imported)\n")
    floor_script = workdir / "floor.py"
    floor_script.write_text("import pickle, time\nt = time.perf_counter()\n"
                            "with open('floor.pkl', 'rb') as f:\n    pickle.loads(f.read())\n"
                            "print(time.perf_counter() - t)\n")
    (workdir / "floor.pkl").write_bytes(pickle.dumps(6))
    env = dict(USER_ENV, XDG_CACHE_HOME=str(workdir / "xdg-fresh"))

    def run(path: Path, *args: str) -> "list[float]":
        out = subprocess.run([sys.executable, str(path), *args], cwd=workdir, env=env, capture_output=True,
                             text=True, check=True).stdout
        return [float(v) for v in out.split()]

    cold = run(script, "1")[0]  # empty analysis cache: libcst is imported, the function parsed
    hits = [run(script, "1") for _ in range(7)]
    misses = [run(script, str(1000 + i)) for i in range(7)]  # a new argument each time: a miss and a write
    floor = statistics.median(run(floor_script)[0] for _ in range(7))
    row("first call that hits the store", statistics.median(h[0] for h in hits), "open+read+unpickle, fresh process",
        floor, "ms", 1e3)
    row("first call that misses (computes, writes)", statistics.median(m[0] for m in misses),
        "open+read+unpickle, fresh process", floor, "ms", 1e3)
    row("first call, empty analysis cache (a miss)", cold, "the same call, analysis cache warm",
        statistics.median(m[0] for m in misses), "ms", 1e3)
    print(f"  (import checkpointing inside those processes: {statistics.median(h[1] for h in hits) * 1e3:.1f} ms)")


def text_frame_hashing() -> None:
    """A ~100 MB DataFrame with a column of unique strings, as an argument (its key), next to
    pandas' own row hashing and to pickling it."""
    from checkpointing import hash_anything

    print("hashing a ~100 MB DataFrame with a column of 1M unique strings")
    n = 1_000_000
    rng = np.random.default_rng(2)
    columns = {f"x{i}": rng.random(n) for i in range(9)}
    columns["id"] = [f"user-{i:012d}-{i * 7919 % 100003:06d}" for i in range(n)]
    frames = [("object column", pd.DataFrame(columns).astype({"id": object})),
              ("string[python] column", pd.DataFrame(columns).astype({"id": "string[python]"}))]
    try:
        import pyarrow  # noqa: F401

        frames.append(("string[pyarrow] column", pd.DataFrame(columns).astype({"id": "string[pyarrow]"})))
    except ImportError:
        print("  (no pyarrow: the Arrow-backed row is skipped)")
    for label, frame in frames:
        t_ours = best(lambda frame=frame: hash_anything(frame), repeat=3)
        t_pd = best(lambda frame=frame: pd.util.hash_pandas_object(frame), repeat=3)
        t_pickle = best(lambda frame=frame: pickle.dumps(frame, protocol=5), repeat=3)
        row(f"hash_anything, {label}", t_ours, "pd.util.hash_pandas_object", t_pd, "ms", 1e3)
        row(f"hash_anything, {label}", t_ours, "pickle.dumps", t_pickle, "ms", 1e3)


def redis_store(workdir: Path, n: int) -> None:
    """The Redis store next to raw redis-py on the same server (started here on a free port)."""
    import shutil
    import socket

    server = shutil.which("redis-server")
    if server is None:
        print("Redis store: skipped (no redis-server; apt-get install redis-server)")
        return
    import redis

    from checkpointing import RedisCache, checkpoint

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([server, "--port", str(port), "--save", "", "--appendonly", "no", "--dir",
                                str(workdir)], stdout=subprocess.DEVNULL)
    try:
        client = redis.Redis(port=port)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        store = RedisCache(f"redis://127.0.0.1:{port}/0")
        print("Redis store (server on this machine)")

        @checkpoint(store=store, trust_unsigned=True)  # this benchmark's private server
        def small(a, b):
            return a + b

        small(1, 2)
        misses = small.cache_info().misses
        t_hit = best(lambda: small(1, 2), number=n)
        if small.cache_info().misses != misses:
            raise SystemExit("the Redis hit benchmark computed instead of hitting: it would measure nothing")
        client.set("raw-small", pickle.dumps(3))
        t_raw_get = best(lambda: pickle.loads(client.get("raw-small")), number=n)
        row("hit, small result", t_hit, "redis GET + unpickle", t_raw_get)
        a = np.random.default_rng(0).random(100_000_000 // 8)
        raw = a.tobytes()
        t_save = best(lambda: store.save("b" * 32, a), repeat=3)
        t_raw_set = best(lambda: client.set("raw-big", raw), repeat=3)
        row("save 100 MB array", t_save, "redis SET of its 100 MB", t_raw_set, "ms", 1e3)
        print(f"    save throughput {a.nbytes / t_save / 1e9:5.2f} GB/s")
        t_load = best(lambda: store.retrieve("b" * 32), repeat=3)
        t_raw_load = best(lambda: np.frombuffer(client.get("raw-big")), repeat=3)
        row("load 100 MB array", t_load, "redis GET of its 100 MB", t_raw_load, "ms", 1e3)
        print(f"    load throughput {a.nbytes / t_load / 1e9:5.2f} GB/s")
    finally:
        process.terminate()
        process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        os.environ["XDG_CACHE_HOME"] = str(workdir / "xdg")
        hit_latency(workdir, 200 if args.quick else 2000)
        input_checks(workdir, 200 if args.quick else 2000)
        array_hashing()
        array_loading(workdir)
        text_frame_hashing()
        import_time()
        fresh_process(workdir)
        redis_store(workdir, 200 if args.quick else 2000)
    return 0


if __name__ == "__main__":
    sys.exit(main())
