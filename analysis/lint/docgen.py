"""Writes ``docs/rules.md`` from the rule modules: ``python scripts/generate_rule_docs.py``."""

from __future__ import annotations

from typing import List

from .rules import RULES, Rule

HEADER = """\
# Lint rules

<!-- Generated from analysis/lint/rules/ by scripts/generate_rule_docs.py: do not edit by hand.
     A test fails when this file and the rule modules disagree. -->

`checkpointing lint` reports what can make a checkpointed function's cache stale or useless
(see [the command line](cli.md) and [using it in CI](ci.md)). Rules marked *own body* look at
the checkpointed function itself; rules marked *reachable code* also look at every function
of yours it can reach (through the same call graph as deep mode), and each finding names the
checkpointed function concerned. Every example below is linted by the test suite.

| code | name | modes | looks at | what it reports |
| --- | --- | --- | --- | --- |
"""


def _anchor(rule: Rule) -> str:
    return f"{rule.code.lower()}-{rule.name}"


def _scope(rule: Rule) -> str:
    if rule.code == "CKP900":
        return "the files parsed"
    return "reachable code" if rule.scope == "reachable" else "own body"


def render() -> str:
    out: List[str] = [HEADER]
    for rule in RULES:
        out.append(f"| [{rule.code}](#{_anchor(rule)}) | `{rule.name}` | {', '.join(rule.modes)} | {_scope(rule)} "
                   f"| {rule.summary} |\n")
    for rule in RULES:
        out.append(f"\n## {rule.code} {rule.name}\n\n")
        out.append(f"{rule.summary[0].upper()}{rule.summary[1:]}. Modes: {', '.join(rule.modes)}; "
                   f"looks at: {_scope(rule)}.\n\n")
        out.append(f"**Why.** {rule.rationale}\n\n**Fix.** {rule.fix}\n")
        for example in rule.examples:
            reported = ", ".join(f"`{f}` line {line}" for f, line in example.expected)
            out.append(f"\n### {example.title}\n\n")
            out.append(f"Reported: {reported}.\n" if reported else "Nothing is reported.\n")
            for name, text in example.files.items():
                language = "toml" if name.endswith(".toml") else "py"
                out.append(f"\n`{name}`:\n\n```{language}\n{text.rstrip()}\n```\n")
    return "".join(out)
