"""The picture's marks stay readable in every toggle setting of every scenario.

No two marks overlap (a flow's glyph, its number, a drop's cross); no mark covers the text of a
host card, a network's name or a gateway's label; no packet line crosses a gateway's label.
Geometry in the layout's inches, with each mark's drawn size (labsim/viz/picture.py).
"""

import itertools
import math

import pytest

import labsim
from labsim.viz.layout import HOST_H, HOST_W
from labsim.viz.picture import BADGE_R, GLYPH
from labsim.viz.render import picture_parts
from labsim.viz.topology import GATEWAY_LABEL_DY, LABEL_PT

PT = 72.0
GLYPH_R = GLYPH / PT
DROP_R = (GLYPH + 1.2) / PT


def _runs(scenario):
    spec = labsim.scenario(scenario)
    for values in itertools.product(*(t.values for t in spec.toggles)):
        yield labsim.run(scenario, dict(zip((t.name for t in spec.toggles), values)))


def _marks(parts):
    """(what, x, y, radius) of every mark: glyphs, numbers, drop crosses (one per place)."""
    marks = []
    for flow in parts["flows"]:
        first = min(s.index for s in parts["steps"] if s.flow == flow.number and s.points) + 1
        marks.append((f"glyph of {first}", *flow.glyph, GLYPH_R))
        marks.append((f"number {first}", *flow.badge, (BADGE_R + (1.6 if first >= 10 else 0)) / PT))
    drops = {s.at for s in parts["steps"] if s.state == "drop" and s.at is not None}
    marks += [("drop", x, y, DROP_R) for x, y in sorted(drops)]
    return marks


def _texts(result, layout):
    """Rectangles (x0, y0, x1, y1) of the texts a mark must not cover."""
    boxes = []
    for name, (x, y) in layout.hosts.items():
        tx = x - HOST_W / 2 + 0.4
        boxes.append((f"{name}'s name", tx, y + 0.12, tx + len(name) * 0.62 * 10.5 / PT, y + 0.3))
        boxes.append((f"{name}'s address and role", tx, y - 0.32, x + HOST_W / 2 - 0.1, y + 0.1))
    for (a, b), (gx, gy) in layout.gateways.items():
        half = 7 * 0.3 * LABEL_PT / PT
        boxes.append((f"gateway {a}-{b}", gx - half, gy - GATEWAY_LABEL_DY - 0.14, gx + half, gy - GATEWAY_LABEL_DY))
    for region in layout.regions.values():
        x0, _, _, y1 = region.box
        boxes.append((f"{region.name}'s name", x0 + 0.1, y1 - 0.3, x0 + 0.14 + len(region.label) * 0.62 * 11 / PT, y1 - 0.1))
    return boxes


def _circle_hits_box(x, y, r, box):
    _, x0, y0, x1, y1 = box
    dx = max(x0 - x, 0, x - x1)
    dy = max(y0 - y, 0, y - y1)
    return math.hypot(dx, dy) < r


def _segment_hits_box(p, q, box):
    _, x0, y0, x1, y1 = box
    for i in range(41):
        t = i / 40
        x, y = p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t
        if x0 <= x <= x1 and y0 <= y <= y1:
            return True
    return False


@pytest.mark.parametrize("scenario", labsim.scenario_ids())
def test_marks_do_not_overlap_or_cover_labels_and_lines_miss_gateway_labels(scenario):
    problems = set()
    for result in _runs(scenario):
        parts = picture_parts(result, scenario)
        marks = _marks(parts)
        for a, b in itertools.combinations(marks, 2):
            if math.hypot(a[1] - b[1], a[2] - b[2]) < a[3] + b[3] - 0.01:
                problems.add(f"{a[0]} overlaps {b[0]}")
        boxes = _texts(result, parts["layout"])
        for mark in marks:
            for box in boxes:
                if _circle_hits_box(mark[1], mark[2], mark[3], box):
                    problems.add(f"{mark[0]} covers {box[0]}")
        gateways = [b for b in boxes if b[0].startswith("gateway")]
        for flow in parts["flows"]:
            for p, q in zip(flow.points, flow.points[1:]):
                for box in gateways:
                    if _segment_hits_box(p, q, box):
                        problems.add(f"a packet line crosses the label of {box[0]}")
    assert sorted(problems) == []
