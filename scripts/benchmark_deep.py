"""Deep mode on a generated project: first-call cost (cold / warm analysis cache) and per-hit cost,
next to shallow mode, in one run.

Usage: python scripts/benchmark_deep.py [--modules 20] [--functions 12]

The project has --modules modules of --functions functions each (at least 200 in all by
default: 20 x 12 = 240) plus a class per module; every function calls the next one, across
modules, and the entry point reaches all of them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path


def generate(root: Path, modules: int, functions: int) -> None:
    for m in range(modules):
        lines = ["import config", ""]
        if m + 1 < modules:
            lines.insert(0, f"import mod{m + 1}")
        lines += [textwrap.dedent(f"""
            class Model{m}:
                RATE = {m + 1}

                def __init__(self, w):
                    self.w = w

                def fit(self, xs):
                    return [x * self.w + self.RATE for x in xs]

                def unused(self):
                    return "model {m}"
            """)]
        for f in range(functions):
            if f + 1 < functions:
                nxt = f"f{f + 1}(v)"
            elif m + 1 < modules:
                nxt = f"mod{m + 1}.f0(v)"
            else:
                nxt = "v"
            lines.append(textwrap.dedent(f"""
                def f{f}(v):
                    total = {nxt} + config.SCALE
                    return sum(Model{m}(total).fit([1, 2])) % 1000
                """))
        (root / f"mod{m}.py").write_text("\n".join(lines))
    (root / "config.py").write_text("SCALE = 3\n")
    (root / "run.py").write_text(textwrap.dedent("""
        import sys, time
        import mod0
        from checkpointing import checkpoint

        deep = sys.argv[1] == "deep"

        @checkpoint(deep=deep)
        def entry(x):
            return mod0.f0(x)

        t = time.perf_counter()
        entry(1)
        first = time.perf_counter() - t
        n = 200
        t = time.perf_counter()
        for _ in range(n):
            entry(1)
        per_hit = (time.perf_counter() - t) / n
        print(first, per_hit)
        """))


def run(root: Path, mode: str, env: dict) -> "tuple[float, float]":
    out = subprocess.run([sys.executable, "run.py", mode], cwd=root, env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    return float(out[0]), float(out[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=20)
    parser.add_argument("--functions", type=int, default=12)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root, args.modules, args.functions)
        print(f"project: {args.modules} modules x {args.functions} functions = {args.modules * args.functions} "
              f"functions, {args.modules} classes")
        for mode in ("shallow", "deep"):
            # as a user's interpreter: bytecode caches written and reused
            env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
            env["XDG_CACHE_HOME"] = str(root / f"xdg-{mode}")
            cold_first, _ = run(root, mode, env)  # empty analysis cache, empty store
            subprocess.run(["rm", "-rf", str(root / ".checkpointing")], check=True)
            warm = [run(root, mode, env) for _ in range(3)]  # analysis cache warm; the store is warm after the 1st
            warm_first = statistics.median(w[0] for w in warm[:1])
            per_hit = statistics.median(w[1] for w in warm)
            print(f"  {mode:<8} first call cold {cold_first * 1e3:8.1f} ms   first call, warm analysis cache "
                  f"{warm_first * 1e3:7.1f} ms   per hit {per_hit * 1e6:8.1f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
