"""A pipeline graph drawn as SVG, without Graphviz: a layered layout of its own.

Each node sits in the row of its distance from the nearest checkpointed function; the order
within a row is improved by a few sweeps of the barycenter heuristic (each node moves towards
the mean position of its neighbours in the row above, then below), which keeps most edges short
and uncrossed. Edges are cubic curves with an arrow; a node's file and line are its tooltip.
With Graphviz's ``dot`` installed, ``checkpointing graph --format svg`` uses it instead (unless
``--renderer builtin``).
"""

from __future__ import annotations

import subprocess
from typing import Dict, List, Tuple
from xml.sax.saxutils import escape

from ..analysis.pipeline_graph import GraphNode, PipelineGraph
from . import COLOURS, MEANING, lines, style

FONT = "Helvetica, Arial, sans-serif"
CHAR_WIDTH = 7.0  # at 12 px, a generous average
LINE_HEIGHT = 16
GAP_X, GAP_Y, MARGIN = 28, 64, 24


def _size(node: GraphNode) -> Tuple[float, float]:
    text = lines(node)
    return max(len(line) for line in text) * CHAR_WIDTH + 24, 14 + LINE_HEIGHT * len(text)


def _centre(node: GraphNode, here: int, neighbours: Dict[str, List[str]], position: Dict[str, int]) -> float:
    """The mean position of a node's neighbours in the row next to it (its own if none)."""
    found = [position[m] for m in neighbours.get(node.id, []) if m in position]
    return sum(found) / len(found) if found else float(here)


def _order(graph: PipelineGraph) -> List[List[GraphNode]]:
    """Rows, each ordered to keep edges short (barycenter sweeps)."""
    rows = graph.layers()
    up: Dict[str, List[str]] = {}
    down: Dict[str, List[str]] = {}
    for source, target, _ in graph.edges:
        down.setdefault(source, []).append(target)
        up.setdefault(target, []).append(source)
    for sweep in range(4):
        neighbours = up if sweep % 2 == 0 else down
        sequence = range(1, len(rows)) if sweep % 2 == 0 else range(len(rows) - 2, -1, -1)
        for r in sequence:
            previous = rows[r - 1] if sweep % 2 == 0 else rows[r + 1]
            position = {n.id: i for i, n in enumerate(previous)}
            rows[r] = [n for _, _, n in sorted((_centre(n, i, neighbours, position), i, n)
                                                for i, n in enumerate(rows[r]))]
    return rows


def layout(graph: PipelineGraph) -> Tuple[Dict[str, Tuple[float, float, float, float]], float, float]:
    """Each node's box (x, y, width, height), and the drawing's width and height."""
    rows = _order(graph)
    sizes = {n.id: _size(n) for n in graph.nodes.values()}
    widths = [sum(sizes[n.id][0] for n in row) + GAP_X * (len(row) - 1) for row in rows]
    width = max(widths, default=0) + 2 * MARGIN
    legend = 22 * len({style(n) for n in graph.nodes.values()}) + 16
    boxes: Dict[str, Tuple[float, float, float, float]] = {}
    y = float(MARGIN + legend)
    for row, row_width in zip(rows, widths):
        x = (width - row_width) / 2
        height = max(sizes[n.id][1] for n in row)
        for node in row:
            w, h = sizes[node.id]
            boxes[node.id] = (x, y + (height - h) / 2, w, h)
            x += w + GAP_X
        y += height + GAP_Y
    return boxes, width, y - GAP_Y + MARGIN + 24  # (room for a loop below the last row)


def render(graph: PipelineGraph) -> str:
    if not graph.nodes:
        return ('<svg xmlns="http://www.w3.org/2000/svg" width="360" height="48"><text x="12" y="28" '
                f'font-family="{FONT}" font-size="13">No checkpointed function found.</text></svg>\n')
    boxes, width, height = layout(graph)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{FONT}" font-size="12">',
           "<title>checkpointed functions and the code they reach</title>",
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#64748b"/></marker></defs>',
           f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>']
    y = MARGIN
    for name in sorted({style(n) for n in graph.nodes.values()}):  # the legend
        fill, stroke = COLOURS[name]
        out.append(f'<rect x="{MARGIN}" y="{y}" width="14" height="14" rx="3" fill="{fill}" stroke="{stroke}"/>'
                   f'<text x="{MARGIN + 22}" y="{y + 11}" fill="#334155">{escape(MEANING[name])}</text>')
        y += 22
    for source, target, how in graph.edges:
        x1, y1, w1, h1 = boxes[source]
        x2, y2, w2, h2 = boxes[target]
        start = (x1 + w1 / 2, y1 + h1)
        end = (x2 + w2 / 2, y2)
        if abs(y2 - y1) < 1:  # within a row: a loop below it
            start, end = (x1 + w1 / 2, y1 + h1), (x2 + w2 / 2, y2 + h2)
            path = f"M {start[0]:.1f} {start[1]:.1f} C {start[0]:.1f} {start[1] + 34:.1f} " \
                   f"{end[0]:.1f} {end[1] + 34:.1f} {end[0]:.1f} {end[1]:.1f}"
        elif y2 < y1:  # upwards (a cycle): leave and enter by the sides
            start, end = (x1 + w1, y1 + h1 / 2), (x2 + w2, y2 + h2 / 2)
            bend = max(40.0, abs(y2 - y1) / 2)
            path = f"M {start[0]:.1f} {start[1]:.1f} C {start[0] + bend:.1f} {start[1]:.1f} " \
                   f"{end[0] + bend:.1f} {end[1]:.1f} {end[0]:.1f} {end[1]:.1f}"
        else:
            middle = (start[1] + end[1]) / 2
            path = f"M {start[0]:.1f} {start[1]:.1f} C {start[0]:.1f} {middle:.1f} {end[0]:.1f} {middle:.1f} " \
                   f"{end[0]:.1f} {end[1]:.1f}"
        dash = ' stroke-dasharray="5 4"' if how in ("by name", "reads") else ""
        out.append(f'<path d="{path}" fill="none" stroke="#64748b" stroke-width="1.2"{dash} '
                   f'marker-end="url(#arrow)"><title>{escape(how)}</title></path>')
    for node_id in sorted(graph.nodes):
        node = graph.nodes[node_id]
        x, y0, w, h = boxes[node_id]
        fill, stroke = COLOURS[style(node)]
        dash = ' stroke-dasharray="4 3"' if node.kind == "class" else ""
        weight = "2" if node.kind == "checkpointed" else "1.2"
        out.append(f'<g><title>{escape(f"{node.name} ({node.where})")}</title>'
                   f'<rect x="{x:.1f}" y="{y0:.1f}" width="{w:.1f}" height="{h:.1f}" rx="6" fill="{fill}" '
                   f'stroke="{stroke}" stroke-width="{weight}"{dash}/>')
        for i, line in enumerate(lines(node)):
            bold = ' font-weight="bold"' if i == 0 else ' font-size="10" fill="#475569"'
            out.append(f'<text x="{x + w / 2:.1f}" y="{y0 + 19 + i * LINE_HEIGHT:.1f}" text-anchor="middle"'
                       f'{bold}>{escape(line)}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def render_with_graphviz(dot_source: str, executable: str) -> str:
    """SVG drawn by Graphviz's ``dot`` from the DOT text."""
    done = subprocess.run([executable, "-Tsvg"], input=dot_source, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"Graphviz's dot failed: {done.stderr.strip()}")
    return done.stdout
