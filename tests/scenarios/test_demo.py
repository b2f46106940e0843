"""The README's main job: `python scripts/demo.py` runs a real pipeline, edits it, and shows what
was served from the cache, what reran and why; then `checkpointing verify` finds it honest."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "scripts" / "demo.py"


@pytest.mark.slow
def test_the_demo_shows_skips_reruns_their_reasons_and_a_clean_verification(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(DEMO), "--keep", str(tmp_path / "demo")], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    runs = done.stdout.split("== ")[1:]
    assert len(runs) == 6
    first, second, reformatted, threshold, fit, verified = runs
    assert first.count("recomputed") == 4 and second.count("from cache") == 4
    assert reformatted.count("from cache") == 4
    assert "clean      recomputed  (global `THRESHOLD` (pipeline.py) changed from 0.5 to 0.4)" in threshold
    assert "load_data  from cache" in threshold and "fit        recomputed  (the code of `fit`" in fit
    assert "exit status 0" in verified and "4 hits verified, each gave back its stored result" in verified
