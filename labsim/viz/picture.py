"""The final-state picture of a run: the topology with every packet's trail drawn over it.

The topology comes from matplotlib once per world (cached); the trails are plain SVG
written here, one group per trace event (``<g class="lsp-trail" data-step="i">``), so
drawing a new run costs string formatting, not a matplotlib render. The result is one
SVG document. The player shows it as an ``<img>`` (which survives every notebook
sanitizer and is the static fallback) and, where scripts run, turns it into inline SVG
and reveals the trails step by step.

>>> from labsim import run
>>> pic = final_picture(run("fig1"))
>>> marks = pic.svg[pic.svg.index('class="lsp-marks"'):]
>>> marks.count('class="lsp-trail"') == sum(1 for s in pic.steps if s.points or s.state == "drop")
True
>>> pic.data_uri().startswith("data:image/svg+xml,")
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import quote

from .describe import alt_text
from .layout import HOST_H, HOST_W, Layout
from .steps import Flow, Step, build_steps
from .style import FONT_STACK, INK, STATES, occasional_in
from .topology import topology_svg_and_layout

PT = 72.0                 # SVG units per inch (matplotlib's SVG backend)
TRAIL_W = 2.2
GLYPH = 6.8               # glyph half-size, in SVG units
BADGE_R = 7.2             # a marker's number: a circle this big (a bit more for two digits), text 9.2 units


@dataclass
class Picture:
    svg: str
    layout: Layout
    steps: list[Step]
    flows: list[Flow]
    alt: str

    def data_uri(self) -> str:
        return svg_data_uri(self.svg)

    def xy(self, point) -> list[float]:
        return to_svg(point, self.layout)


def to_svg(point, layout: Layout) -> list[float]:
    x, y = point
    return [round(x * PT, 1), round((layout.height - y) * PT, 1)]


def svg_data_uri(svg: str) -> str:
    """A ``data:`` URI that keeps the SVG readable and small (no base64)."""
    return "data:image/svg+xml," + quote(svg, safe=" !$'()*+,-./:;=?@_~[]{}|^`")


def _pts(points, layout) -> str:
    return " ".join(f"{x:g},{y:g}" for x, y in (to_svg(p, layout) for p in points))


def _arrowhead(points, layout, colour: str) -> str:
    (x1, y1), (x0, y0) = to_svg(points[-1], layout), to_svg(points[-2], layout)
    angle = math.atan2(y1 - y0, x1 - x0)
    size, half = 8.0, 4.2
    bx, by = x1 - size * math.cos(angle), y1 - size * math.sin(angle)
    lx, ly = bx + half * math.sin(angle), by - half * math.cos(angle)
    rx, ry = bx - half * math.sin(angle), by + half * math.cos(angle)
    return f'<path d="M{x1:.1f} {y1:.1f}L{lx:.1f} {ly:.1f}L{rx:.1f} {ry:.1f}Z" fill="{colour}"/>'


def glyph_svg(state_key: str, x: float, y: float, size: float = GLYPH) -> str:
    state = STATES[state_key]
    return (f'<path d="{state.svg_path(x, y, size)}" fill="{state.fill}" stroke="{state.edge}" '
            f'stroke-width="1.1" stroke-linejoin="round"/>')


def _badge(number: int, x: float, y: float) -> str:
    r = BADGE_R + (1.6 if number >= 10 else 0)
    return (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:g}" fill="#fff" stroke="{INK}" stroke-width=".8"/>'
            f'<text x="{x:.1f}" y="{y + 3.3:.1f}" text-anchor="middle" font-size="9.2" font-weight="bold" '
            f'fill="{INK}">{number}</text>')


def _trail(step: Step, flow: Flow, layout: Layout, number: int | None = None) -> tuple[str, str]:
    """A packet's line (with its arrowhead or broadcast fan) and its mark (glyph and flow number)."""
    state = STATES[step.state]
    dash = ""
    if state.dash:
        dash = f' stroke-dasharray="{" ".join(f"{d * TRAIL_W:g}" for d in state.dash)}"'
    pts = _pts(step.points, layout)
    parts = [f'<polyline points="{pts}" fill="none" stroke="#fff" stroke-width="{TRAIL_W + 2.6:g}" '
             f'stroke-linejoin="round" opacity=".85"/>',
             f'<polyline points="{pts}" fill="none" stroke="{state.colour}" stroke-width="{TRAIL_W:g}" '
             f'stroke-linejoin="round"{dash}/>']
    if len(step.points) >= 2 and not step.fanout:
        parts.append(_arrowhead(step.points, layout, state.colour))
    for line in step.fanout:
        parts.append(f'<polyline points="{_pts(line, layout)}" fill="none" stroke="{state.colour}" '
                     f'stroke-width="1.4" stroke-dasharray="2 3"/>')
    x, y = to_svg(flow.glyph, layout)
    angle = flow.glyph_angle
    # the number sits beside the glyph, on the right of the direction of travel (SVG y points down)
    if flow.badge is not None:
        bx, by = to_svg(flow.badge, layout)
    else:
        bx, by = x + 12 * math.sin(angle), y + 12 * math.cos(angle)
    mark = glyph_svg(step.state, x, y) + _badge(flow.number if number is None else number, bx, by)
    return "".join(parts), mark


def first_events(steps: list[Step]) -> dict[int, int]:
    """For each flow, the number of its first packet in the event list (events count from 1).

    The picture's markers carry this number, so table, now-line, step label and picture
    share one numbering: marker 3 is the flow whose first packet is event 3."""
    first: dict[int, int] = {}
    for step in steps:
        if step.points and step.flow not in first:
            first[step.flow] = step.index + 1
    return first


def trails_svg(steps: list[Step], flows: list[Flow], layout: Layout) -> str:
    """Per packet or drop, in trace order, a group in the lines layer and one in the marks layer
    above it (so no line hides a glyph); the player reveals both by their ``data-step``."""
    by_number = {f.number: f for f in flows}
    first = first_events(steps)
    lines, marks = [], []
    for step in steps:
        if step.points:
            line, mark = _trail(step, by_number[step.flow], layout, first[step.flow])
        elif step.state == "drop" and step.at is not None:
            x, y = to_svg(step.at, layout)
            line, mark = "", glyph_svg("drop", x, y, GLYPH + 1.2)
        else:
            continue
        head = f'<g class="lsp-trail" data-step="{step.index}" data-kind="{step.kind}">'
        if line:
            lines.append(head + line + "</g>")
        marks.append(head + mark + "</g>")
    return (f'<g class="lsp-trails" font-family="{FONT_STACK.replace(chr(39), "")}">'
            f'<g class="lsp-lines">{"".join(lines)}</g><g class="lsp-marks">{"".join(marks)}</g></g>')


def final_picture(result, scenario: str | None = None) -> Picture:
    """The topology of ``result.world`` with all of ``result``'s packets drawn on it."""
    label = scenario or result.scenario
    topo, layout = topology_svg_and_layout(result.world, label)
    steps, flows = build_steps(result.events, layout, result.world)
    shown = {s.state for s in steps}
    if occasional_in(shown):      # the legend lists the occasional states drawn (readable ESP)
        topo = topology_svg_and_layout(result.world, label, shown=shown)[0]
    svg = topo[:topo.rindex("</svg>")] + trails_svg(steps, flows, layout) + "</svg>"
    return Picture(svg, layout, steps, flows, alt_text(result, flows))


def host_box_svg() -> tuple[float, float]:
    """Half the width and height of a host card, in SVG units (for the player's focus ring)."""
    return round(HOST_W * PT / 2 + 4, 1), round(HOST_H * PT / 2 + 4, 1)


__all__ = ["Picture", "final_picture", "trails_svg", "first_events", "glyph_svg", "svg_data_uri", "to_svg", "host_box_svg", "PT"]
