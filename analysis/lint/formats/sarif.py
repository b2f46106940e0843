"""SARIF 2.1.0, the format code-scanning services read: one rule descriptor per code."""

from __future__ import annotations

import json
from typing import Any, Dict, List

from ..engine import LintResult
from ..finding import Finding
from ..rules import RULES

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
HELP_URI = "https://github.com/checkpointing/checkpointing/blob/main/docs/rules.md"


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("checkpointing")
    except Exception:
        return "0"


def _location(path: str, line: int, **region: int) -> Dict[str, Any]:
    return {"physicalLocation": {"artifactLocation": {"uri": path.replace("\\", "/"), "uriBaseId": "%SRCROOT%"},
                                 "region": {"startLine": line, **region}}}


def _result(f: Finding, rule_index: int) -> Dict[str, Any]:
    result: Dict[str, Any] = {
        "ruleId": f.code,
        "ruleIndex": rule_index,
        "level": "error",
        "message": {"text": f.described()},
        "locations": [_location(f.path, f.line, startColumn=f.column, endLine=f.end_line, endColumn=f.end_column)],
        "properties": {"function": f.function, "functions": [name for name, _ in f.functions]},
    }
    if f.chain:  # how the line is reached: each function of the call chain, then the line
        steps = [{"location": {**_location(path, line), "message": {"text": name}}}
                 for name, (path, line) in zip(f.chain, f.chain_at)]
        result["codeFlows"] = [{"threadFlows": [{"locations": steps}]}]
        result["relatedLocations"] = [{"id": i, **_location(path, line), "message": {"text": name}}
                                      for i, (name, (path, line)) in enumerate(zip(f.chain, f.chain_at))]
    return result


def render(findings: List[Finding], result: LintResult, show_statistics: bool = False) -> str:
    index = {rule.code: i for i, rule in enumerate(RULES)}
    rules = [{
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": rule.fix, "markdown": f"**Why:** {rule.rationale}\n\n**Fix:** {rule.fix}"},
        "helpUri": f"{HELP_URI}#{rule.code.lower()}-{rule.name}",
        "defaultConfiguration": {"level": "error"},
    } for rule in RULES]
    results = [_result(f, index[f.code]) for f in findings]
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "checkpointing", "version": _version(), "informationUri": HELP_URI,
                                "rules": rules}},
            "results": results,
            "invocations": [{
                "executionSuccessful": True,
                "toolExecutionNotifications": [{"level": "warning", "message": {"text": notice}}
                                               for notice in result.notices()],
            }],
        }],
    }
    return json.dumps(log, indent=2) + "\n"
