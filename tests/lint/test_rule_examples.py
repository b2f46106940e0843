"""Every rule's documented examples, linted: exactly the documented lines are reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from checkpointing.analysis.lint import RULES, LintConfig, lint_paths

EXAMPLES = [pytest.param(rule, example, id=f"{rule.code}-{i}") for rule in RULES
            for i, example in enumerate(rule.examples)]


@pytest.mark.parametrize("rule, example", EXAMPLES)
def test_example_reports_exactly_the_documented_lines(rule, example, tmp_path: Path, monkeypatch) -> None:
    for name, text in example.files.items():
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    result = lint_paths(["."], LintConfig(select=[rule.code]))
    assert {(f.path, f.line) for f in result.findings} == set(example.expected)
    assert all(f.code == rule.code and f.name == rule.name for f in result.findings)


def test_every_rule_documents_a_finding_and_a_near_miss() -> None:
    for rule in RULES:
        assert rule.code and rule.name and rule.summary and rule.rationale and rule.fix, rule
        assert any(e.expected for e in rule.examples), f"{rule.code} has no example that fires"
        if rule.code != "CKP900":
            assert any(not e.expected for e in rule.examples), f"{rule.code} has no near miss"


def test_rule_modules_are_named_after_code_and_name() -> None:
    for rule in RULES:
        module = type(rule).__module__.rsplit(".", 1)[1]
        assert module == f"{rule.code.lower()}_{rule.name.replace('-', '_')}"


def test_rules_doc_is_generated_from_the_rule_modules() -> None:
    from checkpointing.analysis.lint.docgen import render

    doc = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
    assert doc.read_text() == render(), "docs/rules.md is stale: run python scripts/generate_rule_docs.py"
