"""How fast `checkpointing lint` is where users meet it: a cold run over a large project (on every
core and in one process), a rerun with nothing changed, a rerun after one file was edited, and a
tree without a checkpointed function. Each figure is a ratio to
baselines measured in the same run (reading the files; parsing them with ``ast``), on a generated
project of at least 200k lines and on the standard library.

    python scripts/benchmark_lint.py [--lines 200000] [--repeat 3]

Every measurement runs in a fresh interpreter (nothing learnt by a previous one is reused,
except the on-disk lint cache for the last two figures); the best of ``--repeat`` runs is shown.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import sysconfig
import tempfile
import textwrap

MODULE = '''\
import os
import json

import numpy as np
import pandas as pd

from . import {sibling} as sibling
{decorator_import}

SCALE = {n}


class Model{n}:
    def __init__(self, weight):
        self.weight = weight

    def fit(self, frame):
        total = 0
        for column in frame.columns:
            total += frame[column].sum() * self.weight
        return total

    def predict(self, values):
        return [value * self.weight + SCALE for value in values]

'''

FUNCTION = '''
{decorator}def step_{n}_{i}(frame, options):
    """Step {i} of module {n}."""
    limit = options.get("limit", {i})
    values = [row for row in frame.itertuples() if row[0] < limit]
    model = Model{n}(len(values) or 1)
    if options.get("verbose"):
        print("step", {i}, len(values))
    result = sibling.step_{m}_{j}(frame, options) if {i} % 7 == 0 else model.fit(frame)
    return result, model.predict(np.arange(limit))
'''


def generate(folder: str, lines: int, checkpointed: bool) -> int:
    """A package of modules that call each other; with ``checkpointed``, some functions are."""
    package = os.path.join(folder, "bigproject")
    os.makedirs(package, exist_ok=True)
    with open(os.path.join(package, "__init__.py"), "w") as f:
        f.write("")
    functions, written, n = 40, 0, 0
    while written < lines:
        sibling = (n + 1) % max(1, lines // 450)
        text = MODULE.format(n=n, sibling=f"m{sibling}",
                             decorator_import="from checkpointing import checkpoint\n" if checkpointed else "")
        for i in range(functions):
            decorator = "@checkpoint(deep=True)\n" if checkpointed and i == 0 else ""
            text += FUNCTION.format(n=n, i=i, m=sibling, j=(i + 7) % functions, decorator=decorator)
        with open(os.path.join(package, f"m{n}.py"), "w") as f:
            f.write(text)
        written += text.count("\n")
        n += 1
    return written


PROBE = textwrap.dedent('''\
    import json, os, sys, time, ast
    paths, what = sys.argv[1], sys.argv[2]
    files = []
    for root, dirs, names in os.walk(paths):
        dirs[:] = [d for d in dirs if d not in ("site-packages", "test", "tests", "idlelib", "lib2to3")]
        files.extend(os.path.join(root, n) for n in names if n.endswith(".py"))
    start = time.perf_counter()
    if what == "read":
        for p in files:
            with open(p, "rb") as f:
                f.read()
    elif what == "ast":
        for p in files:
            with open(p, "rb") as f:
                try:
                    ast.parse(f.read())
                except (SyntaxError, ValueError):
                    pass
    else:
        from checkpointing.analysis.lint import LintConfig, lint_paths
        config = LintConfig(exclude=["site-packages", "test", "tests", "idlelib", "lib2to3"], cache=what != "nocache",
                            jobs=1 if what == "one-process" else 0)
        if what in ("cold", "one-process"):  # an empty cache, as on the first run
            import shutil
            shutil.rmtree(os.environ["CHECKPOINTING_LINT_CACHE"], ignore_errors=True)
        if what == "edited":  # one file changed since the last run
            edited = sorted(files)[len(files) // 2]
            with open(edited, "a") as f:
                f.write(f"# edited at {time.time()}\\n")
            start = time.perf_counter()
        result = lint_paths([paths], config)
    print(json.dumps(time.perf_counter() - start))
''')


def measure(path: str, what: str, repeat: int, env: dict) -> float:
    best = float("inf")
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", PROBE, path, what], capture_output=True, text=True, env=env,
                             check=True)
        best = min(best, json.loads(out.stdout.strip().splitlines()[-1]))
    return best


def count_lines(path: str) -> int:
    total = 0
    for root, dirs, names in os.walk(path):
        dirs[:] = [d for d in dirs if d not in ("site-packages", "test", "tests", "idlelib", "lib2to3")]
        for name in names:
            if name.endswith(".py"):
                with open(os.path.join(root, name), "rb") as f:
                    total += f.read().count(b"\n")
    return total


def report(title: str, path: str, lines: int, repeat: int, env: dict, warm: bool) -> None:
    read = measure(path, "read", repeat, env)
    parse = measure(path, "ast", repeat, env)
    print(f"{title}: {lines:,} lines")
    print(f"  reading the files          {read:7.2f} s  {lines / read:>10,.0f} lines/s")
    print(f"  ast.parse of each          {parse:7.2f} s  {lines / parse:>10,.0f} lines/s")

    def line(label: str, seconds: float) -> None:
        print(f"  {label:<26} {seconds:7.2f} s  {lines / seconds:>10,.0f} lines/s   "
              f"{seconds / parse:5.2f}x ast.parse  {seconds / read:7.1f}x reading")

    line("lint, cold", measure(path, "cold", repeat, env))
    if warm:
        line("lint, cold, one process", measure(path, "one-process", repeat, env))
        line("lint, cold, no cache kept", measure(path, "nocache", repeat, env))
        measure(path, "warm", 1, env)  # fills the cache
        line("lint, nothing changed", measure(path, "warm", repeat, env))
        line("lint, one file edited", measure(path, "edited", repeat, env))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ, CHECKPOINTING_LINT_CACHE=os.path.join(folder, "lint-cache"))
        with_checkpoints = os.path.join(folder, "with")
        without = os.path.join(folder, "without")
        lines = generate(with_checkpoints, args.lines, checkpointed=True)
        generate(without, args.lines, checkpointed=False)
        print(f"2 cores here: {os.cpu_count()} CPUs; best of {args.repeat}, each in a fresh interpreter\n")
        report("generated project, a checkpointed function per module", os.path.join(with_checkpoints, "bigproject"),
               lines, args.repeat, env, warm=True)
        report("the same project without a checkpointed function", os.path.join(without, "bigproject"),
               lines, args.repeat, env, warm=False)
        stdlib = sysconfig.get_paths()["stdlib"]
        report("the standard library (no checkpointed function)", stdlib, count_lines(stdlib), args.repeat, env,
               warm=False)


if __name__ == "__main__":
    main()
