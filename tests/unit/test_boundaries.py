"""Architecture rules that keep the layers apart."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_analysis_never_imports_the_runtime() -> None:
    """analysis/ uses relative imports only and never imports checkpointing's runtime."""
    offenders = []
    for path in (ROOT / "analysis").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            elif isinstance(node, ast.ImportFrom):
                names = ["." * node.level + (node.module or "")]
                depth = len(path.parent.relative_to(ROOT / "analysis").parts)  # packages below analysis/
                if node.level - 1 > depth:
                    offenders.append(f"{path}: {names[0]} leaves analysis/")
                continue
            else:
                continue
            offenders += [f"{path}: {n}" for n in names if n.split(".")[0] in ("checkpointing", "analysis")]
    assert offenders == []


def test_import_checkpointing_does_not_import_heavy_modules() -> None:
    code = ("import sys, checkpointing; print(sorted(m for m in ('libcst', 'networkx', 'numpy', 'pandas', "
            "'cloudpickle') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
