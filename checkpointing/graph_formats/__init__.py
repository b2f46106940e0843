"""How ``checkpointing graph`` draws a pipeline graph (``analysis/pipeline_graph.py``): one
module per format (``mermaid``, ``dot``, ``svg``), and here what they share: labels and colours."""

from __future__ import annotations

from typing import Dict, List, Tuple

from .._impact_cli import duration
from ..analysis.pipeline_graph import GraphNode

#: (fill, stroke) by what a node is
COLOURS: Dict[str, Tuple[str, str]] = {
    "checkpointed": ("#dbeafe", "#1d4ed8"),
    "function": ("#f8fafc", "#64748b"),
    "class": ("#f1f5f9", "#64748b"),
    "changed": ("#fee2e2", "#b91c1c"),
    "stale": ("#ffedd5", "#c2410c"),
    "edited": ("#fef9c3", "#a16207"),
    "data": ("#dcfce7", "#15803d"),
}

#: what each style means, for legends
MEANING = {
    "checkpointed": "checkpointed function",
    "function": "your code it reaches",
    "class": "class",
    "changed": "new key (since the base revision)",
    "stale": "stale: reached code changed, key did not",
    "edited": "code changed since the base revision",
    "data": "a file or folder its stored entries read",
}


def style(node: GraphNode) -> str:
    """The key of :data:`COLOURS` a node is drawn with."""
    return node.status or node.kind


def lines(node: GraphNode) -> List[str]:
    """A node's label: its name, then what is known about it."""
    details = []
    if node.mode is not None:
        details.append(node.mode)
    if node.entries is not None:
        details.append(f"{node.entries} entr{'ies' if node.entries != 1 else 'y'}")
    if node.compute_seconds:
        details.append(duration(node.compute_seconds))
    if node.status == "changed":
        details.append("new key")
    elif node.status == "stale":
        details.append("STALE")
    elif node.status == "edited":
        details.append("changed")
    return [node.name, " · ".join(details)] if details else [node.name]
