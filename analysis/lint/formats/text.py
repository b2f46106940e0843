"""``path:line:col: CODE message``, then a summary line (and per-code counts with --statistics)."""

from __future__ import annotations

from collections import Counter
from typing import List

from ..engine import LintResult
from ..finding import Finding
from ..rules import BY_CODE


def statistics(findings: List[Finding]) -> List[str]:
    counts = Counter(f.code for f in findings)
    return [f"{counts[code]:<6} {code} {BY_CODE[code].name}" for code in sorted(counts)]


def render(findings: List[Finding], result: LintResult, show_statistics: bool = False) -> str:
    out = [f"{f.path}:{f.line}:{f.column}: {f.code} {f.described()}" for f in findings]
    for code in sorted({f.code for f in findings}):  # the fix, once per rule rather than on every line
        out.append(f"hint {code}: {BY_CODE[code].fix}")
    for function, count in sorted(result.omitted.items()):
        out.append(f"note: {count} more finding{'s' if count != 1 else ''} for `{function}` not shown "
                   f"(--max-findings-per-function 0 and --max-depth 0 show all).")
    if show_statistics and findings:
        out.extend(statistics(findings))
    notices = result.notices()
    out.extend(f"note: {notice}." for notice in notices)
    files = f"{result.files} file{'s' if result.files != 1 else ''}"
    functions = f"{result.checkpointed} checkpointed function{'s' if result.checkpointed != 1 else ''}"
    if findings:
        out.append(f"Found {len(findings)} problem{'s' if len(findings) != 1 else ''} "
                   f"({files}, {functions} checked).")
    elif not result.checkpointed:  # never an all-clear for what was not looked at
        out.append(f"No checkpointed function found ({files}): nothing was checked.")
    elif notices:
        out.append(f"No problems found in what could be read and resolved ({files}, {functions} checked).")
    else:
        out.append(f"All checks passed ({files}, {functions} checked).")
    return "\n".join(out) + "\n"
