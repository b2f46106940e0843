"""`checkpointing lint` on a generated 50,000-line project: lines per second, against a baseline
measured in the same run (reading and ``ast.parse``-ing every file, the floor of any linter
that parses).

Usage: python scripts/benchmark_lint.py [--lines 50000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import ast
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

MODULE = '''\
import random
import time

import numpy as np
from checkpointing import checkpoint

from . import {next_module} as nxt

RATE = {m}


class Model{m}:
    def __init__(self, w):
        self.w = w

    def fit(self, xs):
        return [self.step(x) for x in xs]

    def step(self, x):
        return x * self.w + RATE

'''

FUNCTION = '''
def helper_{m}_{f}(xs):
    total = 0
    for x in xs:
        if x % 3 == 0:
            total += x * RATE
        elif x % 3 == 1:
            total -= x
        else:
            total += len(str(x))
    return nxt.helper_{n}_{f}(xs) + total if {recurse} else total


@checkpoint
def step_{m}_{f}(xs, model):
    xs.append(random.random())
    values = [helper_{m}_{f}(xs), model.fit(xs), np.random.rand(3).sum()]
    stamp = time.time()
    return Model{m}(2).fit(values), stamp

'''


def generate(root: Path, lines: int) -> int:
    package = root / "proj"
    package.mkdir()
    (package / "__init__.py").write_text("")
    per_module = 24
    modules = max(2, lines // (len(MODULE.splitlines()) + per_module * len(FUNCTION.splitlines())))
    for m in range(modules):
        n = (m + 1) % modules
        text = MODULE.format(m=m, next_module=f"mod{n}")
        text += "".join(FUNCTION.format(m=m, f=f, n=n, recurse="False" if n == 0 else "True")
                        for f in range(per_module))
        (package / f"mod{m}.py").write_text(text)
    return sum(len(p.read_text().splitlines()) for p in package.glob("*.py"))


def floor(root: Path) -> float:
    t = time.perf_counter()
    for path in sorted(root.rglob("*.py")):
        ast.parse(path.read_bytes(), filename=str(path))
    return time.perf_counter() - t


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from checkpointing.analysis.lint import LintConfig, lint_paths

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        total = generate(root, args.lines)
        os.chdir(root)
        lint_times, floor_times, findings = [], [], 0
        for _ in range(args.repeat):
            floor_times.append(floor(root))
            t = time.perf_counter()
            result = lint_paths(["."], LintConfig())
            lint_times.append(time.perf_counter() - t)
            findings = len(result.findings)
        lint_time, floor_time = statistics.median(lint_times), statistics.median(floor_times)
        print(f"project: {total} lines in {result.files} files, {result.checkpointed} checkpointed functions, "
              f"{findings} findings")
        print(f"  checkpointing lint  {lint_time:6.2f} s   {total / lint_time:9,.0f} lines/s")
        print(f"  read + ast.parse    {floor_time:6.2f} s   {total / floor_time:9,.0f} lines/s")
        print(f"  ratio to the parse floor: {lint_time / floor_time:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
