"""Regenerate docs/rules.md from the lint rule modules.

Usage: python scripts/generate_rule_docs.py [--check]
"""

from __future__ import annotations

import sys
from pathlib import Path

from checkpointing.analysis.lint.docgen import render

TARGET = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


def main() -> int:
    text = render()
    if "--check" in sys.argv[1:]:
        if TARGET.read_text() != text:
            print(f"{TARGET} is out of date: run python scripts/generate_rule_docs.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text)
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
