"""`checkpointing lint` over tests/lint_fixtures reports exactly the lines marked ``# expect: CODE``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from checkpointing.analysis.lint import lint_paths
from checkpointing.analysis.lint.config import load_config

TESTS = Path(__file__).resolve().parents[1]
FIXTURES = TESTS / "lint_fixtures"
_EXPECT = re.compile(r"expect: (CKP\d+(?:, *CKP\d+)*)")


def expected() -> set:
    found = set()
    for path in sorted(FIXTURES.rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            match = _EXPECT.search(line)
            if match:
                for code in match.group(1).split(","):
                    found.add((path.relative_to(TESTS).as_posix(), number, code.strip()))
    return found


def test_every_rule_has_a_fixture_that_fires() -> None:
    codes = {code for _, _, code in expected()}
    from checkpointing.analysis.lint import RULES

    assert codes == {rule.code for rule in RULES}


def test_lint_reports_exactly_the_marked_lines(monkeypatch) -> None:
    monkeypatch.chdir(TESTS)
    config = load_config("lint_fixtures")  # lint_fixtures/pyproject.toml: the other decorators
    assert config.decorators
    result = lint_paths(["lint_fixtures"], config)
    assert {(f.path, f.line, f.code) for f in result.findings} == expected()
    # lint_fixtures/unresolved: what could not be seen is listed
    assert "labtools_not_installed.DicomReader" in result.unresolved


def test_command_line_over_the_fixtures(monkeypatch) -> None:
    out = subprocess.run([sys.executable, "-m", "checkpointing", "lint", "lint_fixtures", "--format", "json"],
                         cwd=TESTS, capture_output=True, text=True)
    assert out.returncode == 1, out.stderr
    found = {(f["path"], f["line"], f["code"]) for f in json.loads(out.stdout)}
    assert found == expected()
