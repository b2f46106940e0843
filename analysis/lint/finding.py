"""One reported problem."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Tuple


@dataclass(frozen=True, order=True)
class Finding:
    """A rule's finding: the position is 1-based for lines and columns, as editors show them."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    name: str
    message: str  # what, and why it matters, in one line
    function: str = ""  # the (first) checkpointed function concerned
    #: every checkpointed function that reaches the line, as (qualified name, module)
    functions: Tuple[Tuple[str, str], ...] = ()
    #: the shortest call chain from ``function`` to the function holding the line (qualified
    #: names; empty when the line is in the checkpointed function itself)
    chain: Tuple[str, ...] = ()
    hint: str = ""  # how to fix it (the rule's advice)
    chain_at: Tuple[Tuple[str, int], ...] = ()  # (path, line) of each function of ``chain``

    def described(self) -> str:
        """The message, with where the line is reached from."""
        text = self.message
        if self.chain:
            text += f" (in `{self.chain[-1]}`, reached by {' -> '.join(self.chain)})"
        others = [name for name, _ in self.functions if name != self.function]
        if others:
            shown = ", ".join(f"`{o}`" for o in others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3
                                                              else "")
            text += f"; also reached from {shown}"
        return text

    def to_json(self) -> Dict[str, Any]:
        return {"path": self.path, "line": self.line, "column": self.column, "end_line": self.end_line,
                "end_column": self.end_column, "code": self.code, "name": self.name, "message": self.message,
                "function": self.function, "chain": list(self.chain),
                "functions": [{"function": name, "module": module} for name, module in self.functions],
                "hint": self.hint}
