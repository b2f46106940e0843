"""A JSON array of findings (keys: path, line, column, end_line, end_column, code, name, message, function,
functions, chain, hint: see ``Finding.to_json``)."""

from __future__ import annotations

import json
from typing import List

from ..engine import LintResult
from ..finding import Finding


def render(findings: List[Finding], result: LintResult, show_statistics: bool = False) -> str:
    return json.dumps([f.to_json() for f in findings], indent=2) + "\n"
