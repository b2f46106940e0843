"""A pipeline graph in Graphviz's DOT language."""

from __future__ import annotations

from ..analysis.pipeline_graph import PipelineGraph
from . import COLOURS, lines, style


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def render(graph: PipelineGraph) -> str:
    out = ["digraph checkpointing {", "    rankdir=TB;",
           '    node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];',
           '    edge [color="#64748b", arrowsize=0.7];']
    for node_id in sorted(graph.nodes):
        node = graph.nodes[node_id]
        fill, stroke = COLOURS[style(node)]
        extra = ', style="rounded,filled,dashed"' if node.kind == "class" else (
            ", shape=cylinder" if node.kind == "data" else "")
        out.append(f"    {_quoted(node_id)} [label={_quoted(chr(10).join(lines(node)))}, fillcolor={_quoted(fill)}, "
                   f"color={_quoted(stroke)}, tooltip={_quoted(node.where)}{extra}];")
    for source, target, how in graph.edges:
        attributes = {"by name": ' [style=dashed, label="by name", fontsize=9]',
                      "uses": ' [label="via a global", fontsize=9]',
                      "reads": ' [style=dashed, label="read by", fontsize=9]'}.get(how, "")
        out.append(f"    {_quoted(source)} -> {_quoted(target)}{attributes};")
    out.append("}")
    return "\n".join(out) + "\n"
