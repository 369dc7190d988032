"""From a trace to things to draw: one step per event, packets grouped into flows.

A *step* is one trace event placed on the canvas: a packet on the wire becomes a polyline
from its sender, through the hubs of the networks it crosses and the gateways between
them, to its receiver, in the state :func:`~labsim.viz.style.state_of_event` gives it; a
decision inside a host becomes a point at that host; a drop becomes a cross where the
packet stopped. A *flow* is every packet of one state from one sender to one destination
(fig1's three clear TCP packets to the attacker are one flow), numbered in order of first
appearance, which is how the static figures number their arrows.

Flows keep to the right of the line between their ends, like traffic, so a request and
its answer never hide each other; a flow takes the lowest lane that no earlier flow uses
on any hop it shares in the same direction, so the picture reads like a metro map.

>>> from labsim import run
>>> from labsim.viz.layout import layout_for
>>> result = run("fig1")
>>> steps, flows = build_steps(result.events, layout_for(result.world, "fig1"), result.world)
>>> len(steps) == len(result.events)
True
>>> [(f.number, f.state, f.sender, f.target) for f in flows][:2]
[(1, 'dns', 'host-a', 'ns'), (2, 'dns', 'attacker', 'host-a')]
>>> flows[1].spoofed_source
'1.2.0.53'
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass

from .layout import HOST_H, HOST_W, Layout
from .style import state_of_event

LANE = 0.13         # inches between parallel flows
FIRST_LANE = 0.07   # how far right of the centre line the first lane runs
DROP_BACK = 0.2     # a drop mark sits this far back along the packet's line from the card it did not enter
BADGE_GAP = 0.23    # inches from a flow's glyph to its number, on one side of the line

Point = tuple[float, float]


@dataclass(frozen=True)
class Step:
    index: int
    kind: str
    state: str | None            # the glyph: a packet state, "drop", or None for a decision
    host: str
    points: tuple[Point, ...]    # a packet's polyline (empty for decisions)
    at: Point | None             # where a decision or drop happens
    flow: int | None = None      # the flow a packet (or a dropped packet) belongs to
    fanout: tuple[tuple[Point, ...], ...] = ()   # a broadcast: the lines its copies take
    dropped: bool = False        # a packet that was discarded somewhere after this


@dataclass(frozen=True)
class Flow:
    number: int
    state: str
    sender: str
    target: str                  # the last node of the path: a host, or a network for a broadcast or a drop
    points: tuple[Point, ...]
    steps: tuple[int, ...]
    dropped: int                 # how many of its packets were dropped
    broadcast: bool
    spoofed_source: str | None   # the source address the sender forged, if any
    summary: str                 # the first packet's summary
    glyph: Point = (0.0, 0.0)    # where the flow's glyph and number sit
    glyph_angle: float = 0.0     # the direction of travel there (radians)
    badge: Point | None = None   # where its number sits (beside the glyph, clear of cards and other marks)


def packet_source(packet: bytes | None) -> str | None:
    """The IP source address written in raw packet bytes (IPv4 or IPv6)."""
    if not packet:
        return None
    if packet[0] >> 4 == 4 and len(packet) >= 20:
        return str(ipaddress.IPv4Address(packet[12:16]))
    if packet[0] >> 4 == 6 and len(packet) >= 40:
        return str(ipaddress.IPv6Address(packet[8:24]))
    return None


def _clip_to_box(inside: Point, outside: Point, margin: float = 0.03) -> Point:
    """Where the segment from a host's centre towards ``outside`` leaves the host's card."""
    (x0, y0), (x1, y1) = inside, outside
    dx, dy = x1 - x0, y1 - y0
    if dx == 0 and dy == 0:
        return inside
    hw, hh = HOST_W / 2 + margin, HOST_H / 2 + margin
    t = min(hw / abs(dx) if dx else math.inf, hh / abs(dy) if dy else math.inf)
    t = min(t, 1.0)
    return (x0 + dx * t, y0 + dy * t)


def _offset(points: list[Point], d: float) -> list[Point]:
    """The polyline moved ``d`` to the right of its direction of travel (mitred joints)."""
    if len(points) < 2 or d == 0:
        return points
    normals = []
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        length = math.hypot(x1 - x0, y1 - y0) or 1.0
        normals.append(((y1 - y0) / length, -(x1 - x0) / length))
    out = []
    for i, (x, y) in enumerate(points):
        if i == 0:
            nx, ny = normals[0]
        elif i == len(points) - 1:
            nx, ny = normals[-1]
        else:
            ax, ay = normals[i - 1]
            bx, by = normals[i]
            nx, ny = ax + bx, ay + by
            norm = math.hypot(nx, ny)
            if norm < 1e-6:
                nx, ny = ax, ay
            else:
                cos_half = norm / 2
                scale = 1 / max(cos_half, 0.35)
                nx, ny = nx / norm * scale, ny / norm * scale
        out.append((x + nx * d, y + ny * d))
    return out


def _dedupe(points: list[Point]) -> list[Point]:
    out: list[Point] = []
    for p in points:
        if not out or math.hypot(p[0] - out[-1][0], p[1] - out[-1][1]) > 1e-6:
            out.append(p)
    return out


def attach_point(pos: Point, network: str, layout: Layout) -> Point | None:
    """Where a host's drop cable meets its network's bus (None: the host sits on the bus line)."""
    bus_y = layout.regions[network].hub[1]
    if abs(pos[1] - bus_y) < HOST_H / 2:
        return None
    return (pos[0], bus_y)


def _host_pos(node: str, neighbour: str | None, layout: Layout, world) -> Point:
    host = world.hosts.get(node)
    if host is not None and neighbour in world.networks and host.network != neighbour:
        return layout.place_elsewhere(node, neighbour)
    if node in layout.hosts:
        return layout.hosts[node]
    return layout.regions[next(iter(layout.regions))].hub


def centre_line(path: tuple[str, ...], layout: Layout, world) -> list[Point]:
    """A packet's path as points: host centre, down its cable to the bus, along the bus, through
    gateways, along the next bus, up a cable to the receiver's centre. A path that ends in a
    network (a broadcast, or a packet no one there answers for) ends on that network's bus."""
    pts: list[Point] = []
    last = len(path) - 1
    for i, node in enumerate(path):
        if node in world.networks:
            previous = path[i - 1] if i > 0 else None
            if previous in world.networks and tuple(sorted((previous, node))) in layout.gateways:
                pts.append(layout.gateway(previous, node))
            if i == last and (previous in world.networks or sum(p is not None for p in pts) < 2):
                pts.append(layout.regions[node].hub)
            continue
        neighbour = path[i + 1] if i == 0 and len(path) > 1 else (path[i - 1] if i > 0 else None)
        pos = _host_pos(node, neighbour, layout, world)
        cable = attach_point(pos, neighbour, layout) if neighbour in world.networks else None
        pts += [pos, cable] if i == 0 else [cable, pos]
    return _dedupe([p for p in pts if p is not None])


def _clip_ends(points: list[Point], path: tuple[str, ...], world) -> list[Point]:
    if len(points) >= 2:
        if path[0] not in world.networks:
            points[0] = _clip_to_box(points[0], points[1])
        if path[-1] not in world.networks:
            points[-1] = _clip_to_box(points[-1], points[-2])
    return points


def path_points(path: tuple[str, ...], layout: Layout, world, offset: float = 0.0) -> list[Point]:
    """The drawn line of a packet's path, ``offset`` inches right of the centre, ending on the cards' edges."""
    return _clip_ends(_offset(centre_line(path, layout, world), offset), path, world)


def _fanout(path, start: Point, layout: Layout, world) -> tuple[tuple[Point, ...], ...]:
    """A broadcast's copies: from where it reached the bus, along it and up every other host's cable."""
    net = path[-1]
    bus_y = layout.regions[net].hub[1]
    lines = []
    for name, pos in sorted(layout.hosts.items()):
        if world.hosts[name].network != net or name == path[0]:
            continue
        cable = attach_point(pos, net, layout)
        line = [start, (pos[0], bus_y)] + ([cable] if cable else []) + [pos]
        line = _dedupe(line)
        line[-1] = _clip_to_box(line[-1], line[-2]) if len(line) > 1 else line[-1]
        lines.append(tuple((round(x, 3), round(y, 3)) for x, y in line))
    return tuple(lines)


def _corner(node: str, layout: Layout, world) -> Point | None:
    """A host card's top-right corner (a cross there hides none of the card's text)."""
    if node in layout.hosts:
        x, y = layout.hosts[node]
        return (round(x + HOST_W / 2 - 0.06, 3), round(y + HOST_H / 2 - 0.02, 3))
    return _where(node, layout, world)


def _where(node: str, layout: Layout, world) -> Point | None:
    if node in world.networks:
        return layout.regions[node].hub
    if node in layout.hosts:
        return layout.hosts[node]
    return None


def build_steps(events, layout: Layout, world) -> tuple[list[Step], list[Flow]]:
    """One :class:`Step` per event (same order), and the packets' flows in order of first appearance."""
    dropped_ids = {e.packet_id: e.host for e in events if e.kind == "drop" and e.packet_id is not None}
    wire = {e.packet_id: e for e in events if e.path and e.packet_id is not None}
    flow_keys: dict[tuple, dict] = {}
    edge_lanes: dict[tuple[str, str], set[int]] = {}
    for e in events:
        if not e.path:
            continue
        state = state_of_event(e) or "clear"
        target = e.path[-1]
        broadcast = target in world.networks and dropped_ids.get(e.packet_id) != target
        if broadcast:
            state = "bcast"
        key = (state, e.path)
        if key not in flow_keys:
            # the lowest lane that no earlier flow uses on any hop this one takes (in the same direction)
            edges = list(zip(e.path, e.path[1:]))
            used = set().union(*(edge_lanes.get(edge, set()) for edge in edges))
            lane = next(i for i in range(len(used) + 1) if i not in used)
            for edge in edges:
                edge_lanes.setdefault(edge, set()).add(lane)
            # a hostile sender writing someone else's source address (not an unconfigured 0.0.0.0)
            src = packet_source(e.packet)
            sender = world.hosts.get(e.host)
            spoofed = src if (sender is not None and sender.malicious and src and not ipaddress.ip_address(src).is_unspecified
                              and src not in {str(a) for a in sender.addresses}) else None
            flow_keys[key] = {"number": len(flow_keys) + 1, "state": state, "sender": e.path[0], "target": target,
                              "points": tuple((round(x, 3), round(y, 3)) for x, y in
                                              path_points(e.path, layout, world, FIRST_LANE + LANE * lane)),
                              "steps": [], "dropped": 0, "broadcast": broadcast, "spoofed": spoofed,
                              "summary": e.summary, "lane": lane}
        info = flow_keys[key]
        info["steps"].append(e.seq)
        if e.packet_id in dropped_ids and not info["broadcast"]:
            info["dropped"] += 1
    by_id = {}
    for key, info in flow_keys.items():
        for seq in info["steps"]:
            by_id[seq] = info
    steps = []
    drops: list[Point] = []
    placed: dict[tuple, Point] = {}
    for i, e in enumerate(events):
        if e.path:
            info = by_id[e.seq]
            fanout = ()
            if info["broadcast"]:
                fanout = _fanout(e.path, info["points"][-1], layout, world)
            steps.append(Step(i, e.kind, info["state"], e.host, info["points"], None, info["number"], fanout,
                              e.packet_id in dropped_ids))
        elif e.kind == "drop":
            packet = wire.get(e.packet_id)
            at, flow = None, None
            if packet is not None:
                info = by_id[packet.seq]
                flow = info["number"]
                if e.host == packet.path[-1]:
                    at = back_along(info["points"], DROP_BACK)
                elif info["broadcast"] and e.host in layout.hosts:
                    fan = _fanout(packet.path, info["points"][-1], layout, world)
                    names = [n for n, _ in sorted(layout.hosts.items())
                             if world.hosts[n].network == packet.path[-1] and n != packet.path[0]]
                    at = back_along(fan[names.index(e.host)], DROP_BACK) if e.host in names else None
            spot = (at or _corner(e.host, layout, world), e.host, flow)
            if spot not in placed:         # the same host dropping more of the same flow there: one mark
                placed[spot] = _apart(spot[0], drops)
                drops.append(placed[spot])
            at = placed[spot]
            steps.append(Step(i, e.kind, "drop", e.host, (), at, flow))
        else:
            steps.append(Step(i, e.kind, None, e.host, (), _where(e.host, layout, world)))
    obstacles = [r.hub for r in layout.regions.values()] + list(layout.gateways.values()) + \
        [(gx, gy - 0.55) for gx, gy in layout.gateways.values()] + drops
    flows = []
    for info in flow_keys.values():
        glyph, angle, badge = _glyph_place(info["points"], obstacles, layout)
        obstacles += [glyph, badge]
        flows.append(Flow(info["number"], info["state"], info["sender"], info["target"], info["points"],
                          tuple(info["steps"]), info["dropped"], info["broadcast"], info["spoofed"],
                          info["summary"], glyph, angle, badge))
    return steps, flows


GLYPH_FRACTIONS = (0.6, 0.45, 0.72, 0.35, 0.82, 0.52, 0.28, 0.66, 0.4, 0.76, 0.2, 0.9, 0.15, 0.1, 0.05)
GLYPH_CLEARANCE = 0.3   # inches between a glyph and a hub, a gateway or another flow's glyph or number
BADGE_CLEARANCE = 0.3   # inches between a number and any other mark


def _in_card(x: float, y: float, layout: Layout, margin: float) -> bool:
    return any(abs(x - hx) < HOST_W / 2 + margin and abs(y - hy) < HOST_H / 2 + margin
               for hx, hy in layout.hosts.values())


def _gap(x: float, y: float, obstacles) -> float:
    return min((math.hypot(x - ox, y - oy) for ox, oy in obstacles), default=math.inf)


def _glyph_place(points, obstacles, layout: Layout) -> tuple[Point, float, Point]:
    """The first spot along the trail where the glyph and its number (on either side of the line)
    stay clear of host cards, hubs, gateways, drop marks and earlier glyphs and numbers."""
    best, best_gap = None, -1.0
    for fraction in GLYPH_FRACTIONS:
        (x, y), angle = point_along(points, fraction)
        if _in_card(x, y, layout, 0.03):
            continue
        for side in (1, -1):      # right of the direction of travel first
            bx = x + side * BADGE_GAP * math.sin(angle)
            by = y - side * BADGE_GAP * math.cos(angle)
            if _in_card(bx, by, layout, 0.12):
                continue
            gap = min(_gap(x, y, obstacles) / GLYPH_CLEARANCE, _gap(bx, by, obstacles) / BADGE_CLEARANCE)
            spot = ((round(x, 3), round(y, 3)), angle, (round(bx, 3), round(by, 3)))
            if gap >= 1:
                return spot
            if gap > best_gap:
                best, best_gap = spot, gap
    if best is None:
        (x, y), angle = point_along(points, 0.5)
        best = ((x, y), angle, (x + BADGE_GAP * math.sin(angle), y - BADGE_GAP * math.cos(angle)))
    return best


def back_along(points, distance: float) -> Point:
    """The point ``distance`` inches back from a polyline's end (or its start, if it is shorter)."""
    pts = list(points)
    for (x1, y1), (x0, y0) in zip(pts[::-1], pts[-2::-1]):
        length = math.hypot(x1 - x0, y1 - y0)
        if length >= distance and length > 0:
            t = distance / length
            return (round(x1 + (x0 - x1) * t, 3), round(y1 + (y0 - y1) * t, 3))
        distance -= length
    return pts[0]


def _apart(at: Point, taken: list[Point], gap: float = 0.24) -> Point:
    """``at``, moved sideways until it is ``gap`` inches from every earlier drop mark (none hides another)."""
    x, y = at
    while any(math.hypot(x - ox, y - oy) < gap for ox, oy in taken):
        x += gap
    return (round(x, 3), round(y, 3))


def point_along(points, fraction: float) -> tuple[Point, float]:
    """The point ``fraction`` of the way along a polyline, and the direction there (radians)."""
    if len(points) == 1:
        return points[0], 0.0
    lengths = [math.hypot(x1 - x0, y1 - y0) for (x0, y0), (x1, y1) in zip(points, points[1:])]
    goal = sum(lengths) * fraction
    last = len(lengths) - 1
    for i, ((p0, p1), length) in enumerate(zip(zip(points, points[1:]), lengths)):
        if goal <= length or i == last:
            t = min(goal / length, 1.0) if length else 0.0
            return ((p0[0] + (p1[0] - p0[0]) * t, p0[1] + (p1[1] - p0[1]) * t),
                    math.atan2(p1[1] - p0[1], p1[0] - p0[0]))
        goal -= length
    return points[-1], 0.0


__all__ = ["Step", "Flow", "build_steps", "back_along", "path_points", "centre_line", "attach_point", "point_along",
           "packet_source"]
