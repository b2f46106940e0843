"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request."""

from __future__ import annotations

from typing import List

from ..engine import LintResult
from ..finding import Finding


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(findings: List[Finding], result: LintResult, show_statistics: bool = False) -> str:
    lines = []
    for f in findings:
        props = (f"file={_escape_property(f.path)},line={f.line},col={f.column},endLine={f.end_line},"
                 f"endColumn={f.end_column},title={_escape_property(f'{f.code} {f.name}')}")
        lines.append(f"::error {props}::{_escape_data(f'{f.code} {f.described()}')}")
    for notice in result.notices():
        lines.append(f"::warning title=checkpointing lint::{_escape_data(notice)}")
    return "\n".join(lines) + ("\n" if lines else "")
