"""Demo: run a real multi-step analysis script, edit it, run it again; show what was skipped and why.

Usage: python scripts/demo.py [--keep DIR]

The script (written to a scratch folder) loads data, cleans it, fits a model and scores it; each
step is a @checkpoint function that prints "computed <step>" when it really runs.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PIPELINE = '''\
import logging

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from checkpointing import checkpoint

logging.basicConfig(level=logging.INFO, format="why: %(message)s")  # explains each recomputation
THRESHOLD = 0.5


@checkpoint(deep=True)
def load_data(n_rows, seed):
    print("computed load_data")
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"x1": rng.normal(size=n_rows), "x2": rng.normal(size=n_rows)})
    frame["label"] = (frame["x1"] + 0.5 * frame["x2"] + rng.normal(scale=0.3, size=n_rows) > 0).astype(int)
    return frame


@checkpoint(deep=True)
def clean(frame):
    print("computed clean")
    kept = frame[frame["x1"].abs() < 3 * THRESHOLD * 2]
    return kept.reset_index(drop=True)


@checkpoint(deep=True)
def fit(frame):
    print("computed fit")
    model = LogisticRegression(random_state=0)
    return model.fit(frame[["x1", "x2"]], frame["label"])


@checkpoint(deep=True)
def evaluate(model, frame):
    print("computed evaluate")
    return float(model.score(frame[["x1", "x2"]], frame["label"]))


if __name__ == "__main__":
    data = clean(load_data(200_000, seed=7))
    model = fit(data)
    print(f"accuracy {evaluate(model, data):.4f} on {len(data)} rows")
'''

STEPS = ["load_data", "clean", "fit", "evaluate"]

EDITS = [
    ("first run: empty cache", None),
    ("second run, nothing changed", None),
    ("reformatted clean(), renamed its local, added comments and a docstring",
     lambda s: s.replace('''    kept = frame[frame["x1"].abs() < 3 * THRESHOLD * 2]
    return kept.reset_index(drop=True)''', '''    """Drop outliers."""
    # rows more than three thresholds out are noise
    filtered = frame[
        frame["x1"].abs() < (3 * THRESHOLD * 2)
    ]
    return filtered.reset_index(drop=True)''')),
    ("changed the global THRESHOLD that clean() reads (0.5 -> 0.4)",
     lambda s: s.replace("THRESHOLD = 0.5", "THRESHOLD = 0.4")),
    ("changed fit(): C=0.1 instead of the default",
     lambda s: s.replace("LogisticRegression(random_state=0)", "LogisticRegression(C=0.1, random_state=0)")),
]


def run(folder: Path) -> "tuple[list[str], str, float]":
    start = time.perf_counter()
    p = subprocess.run([sys.executable, "pipeline.py"], cwd=folder, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit(f"the pipeline failed:\n{p.stdout}\n{p.stderr}")
    ran = [line.split()[1] for line in p.stdout.splitlines() if line.startswith("computed ")]
    result = [line for line in p.stdout.splitlines() if line.startswith("accuracy")][0]
    why = {line.split(":")[1].split(".")[-1]: line.split("because ", 1)[1]
           for line in p.stderr.splitlines() if line.startswith("why: ") and "because " in line}
    return ran, result, elapsed, why


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", help="write the demo project here and keep it (default: a temporary folder)")
    args = parser.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="checkpointing-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    source = PIPELINE
    print(f"demo project: {folder / 'pipeline.py'}\n")
    try:
        for description, edit in EDITS:
            if edit is not None:
                new = edit(source)
                assert new != source, f"edit did not apply: {description}"
                source = new
            (folder / "pipeline.py").write_text(source)
            ran, result, elapsed, why = run(folder)
            print(f"== {description}  ({elapsed:.2f}s)")
            for step in STEPS:
                reason = f"  ({why[step]})" if step in why else ""
                print(f"   {step:<10} {'recomputed' if step in ran else 'from cache'}{reason}")
            print(f"   {result}\n")
        start = time.perf_counter()
        checked = subprocess.run([sys.executable, "-m", "checkpointing", "verify", "--", sys.executable, "pipeline.py"],
                                 cwd=folder, capture_output=True, text=True)
        print(f"== checkpointing verify: the last run again, each cached result recomputed and compared  "
              f"({time.perf_counter() - start:.2f}s, exit status {checked.returncode})")
        summary = checked.stdout[checked.stdout.find("\nfunction ") + 1:].strip().splitlines()
        print("\n".join(f"   {line}" for line in summary if line) + "\n")
        print("What happened: an edit that cannot change a result (formatting, names, comments) is served from\n"
              "the cache; a change to code or to a value a step reads recomputes that step, and every step\n"
              "whose arguments changed as a consequence recomputes too. Each recomputation says why, and\n"
              "`checkpointing verify` proves the cached results are the ones a fresh computation gives.")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
