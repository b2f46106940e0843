"""A pipeline graph as a Mermaid flowchart (GitHub and GitLab render it in Markdown)."""

from __future__ import annotations

from typing import Dict

from ..analysis.pipeline_graph import PipelineGraph
from . import COLOURS, lines, style


def _text(value: str) -> str:
    return value.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def render(graph: PipelineGraph) -> str:
    ids: Dict[str, str] = {node: f"n{i}" for i, node in enumerate(sorted(graph.nodes))}
    out = ["flowchart TD"]
    for node_id in sorted(graph.nodes):
        node = graph.nodes[node_id]
        label = "<br/>".join(_text(line) for line in lines(node))
        open_, close = {"class": ("[[", "]]"), "data": ("[(", ")]")}.get(node.kind, ("[", "]"))
        out.append(f'    {ids[node_id]}{open_}"{label}"{close}')
    for source, target, how in graph.edges:
        arrow = {"by name": "-.->|by name|", "uses": "-->|via a global|", "reads": "-.->|read by|"}.get(how, "-->")
        out.append(f"    {ids[source]} {arrow} {ids[target]}")
    used = sorted({style(n) for n in graph.nodes.values()})
    for name in used:
        fill, stroke = COLOURS[name]
        dashed = ",stroke-dasharray:4 3" if name == "class" else ""
        out.append(f"    classDef {name} fill:{fill},stroke:{stroke},color:#0f172a{dashed}")
    for name in used:
        members = ",".join(ids[n.id] for n in sorted(graph.nodes.values(), key=lambda n: n.id) if style(n) == name)
        out.append(f"    class {members} {name}")
    return "\n".join(out) + "\n"
