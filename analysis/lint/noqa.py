"""Suppression comments.

``# noqa: CKP001`` (or several codes, or a bare ``# noqa`` for every code) on a reported line
suppresses findings on that line; ``# checkpointing: noqa`` on a line of its own suppresses a
whole file, and ``# checkpointing: noqa: CKP103`` those codes in the whole file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Optional, Set

_CODES = r"[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*"
_LINE = re.compile(r"#\s*noqa(?::\s*(?P<codes>" + _CODES + r"))?", re.IGNORECASE)
_FILE = re.compile(r"^\s*#\s*checkpointing:\s*noqa(?::\s*(?P<codes>" + _CODES + r"))?\s*$", re.IGNORECASE)

ALL: FrozenSet[str] = frozenset({"*"})


def _parse(codes: Optional[str]) -> FrozenSet[str]:
    return frozenset(c.strip().upper() for c in codes.split(",")) if codes else ALL


@dataclass
class Suppressions:
    lines: Dict[int, FrozenSet[str]] = field(default_factory=dict)
    file: FrozenSet[str] = frozenset()

    def suppressed(self, line: int, code: str) -> bool:
        if self.file is ALL or code in self.file:
            return True
        codes = self.lines.get(line)
        return codes is not None and (codes is ALL or code in codes)


def suppressions(lines: List[str]) -> Suppressions:
    found = Suppressions()
    file_codes: Set[str] = set()
    for number, text in enumerate(lines, 1):
        if "noqa" not in text and "NOQA" not in text:
            continue
        whole = _FILE.match(text)
        if whole:
            codes = _parse(whole.group("codes"))
            if codes is ALL:
                found.file = ALL
                return found
            file_codes |= codes
            continue
        match = _LINE.search(text)
        if match:
            found.lines[number] = _parse(match.group("codes"))
    found.file = frozenset(file_codes)
    return found
