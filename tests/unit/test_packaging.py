"""The wheel installs analysis/ as checkpointing.analysis, never as a top-level `analysis`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_wheel_installs_analysis_under_checkpointing_only(tmp_path) -> None:
    # --no-isolation: the test extra installs the build backend, so no download is needed here
    built = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir",
                            str(tmp_path / "dist"), str(ROOT)], capture_output=True, text=True)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    wheel = next((tmp_path / "dist").glob("checkpointing-*.whl"))
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                    str(wheel)], check=True, capture_output=True)
    assert sorted(p.name for p in target.iterdir() if not p.name.endswith(".dist-info") and p.name != "bin") == ["checkpointing"]
    check = ("import checkpointing, checkpointing.analysis as a, importlib.util, pathlib;"
             "root = pathlib.Path(checkpointing.__file__).parent;"
             "print(str(root).startswith(%r), pathlib.Path(a.__file__).parent.parent == root,"
             " importlib.util.find_spec('analysis') is None, (root / 'py.typed').exists(),"
             " a.normalize_function('def f(x):\\n    return x\\n').strict.code.startswith('def _f'))" % str(target))
    out = subprocess.run([sys.executable, "-c", check], cwd=tmp_path, env={"PYTHONPATH": str(target), "PATH": ""},
                         check=True, capture_output=True, text=True).stdout
    assert out.split() == ["True"] * 5
