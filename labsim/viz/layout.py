"""Where everything sits in a picture: network regions, their hubs, gateways and hosts.

Coordinates are inches on a canvas whose origin is the bottom-left corner; the topology is
drawn on exactly that canvas, so a point here is a point in every picture (matplotlib
data units, and 72 SVG units per inch in the player).

Each scenario of the paper has a hand-tuned layout (:data:`HAND`), so its picture never
moves between runs or toggles. A host may sit at different places depending on the
network a toggle puts it in (fig1's attacker on the Internet, or inside the intranet at
1.2.6.6), so hand positions are keyed ``host`` or ``host@network``. Any world a hand
layout does not cover (new scenarios, an audit's counterexample) gets the automatic
layout: networks become columns in a fixed order (home intranets, the Internet, visited
networks), each with a hub in its middle, and hosts take slots above and below the hub
in the order of their role, then name. Nothing here depends on the order of a dict or a
set, so the same world always gets the same picture.

>>> from labsim import run
>>> lay = layout_for(run("fig1").world, "fig1")
>>> lay.source, lay.host_point("host-a")
('hand', (1.2, 3.0))
>>> auto = layout_for(run("fig1").world, "an-audit-counterexample")
>>> auto.source, sorted(auto.regions)
('auto', ['internet', 'intranet'])
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .style import ROLE_ORDER

HOST_W, HOST_H = 1.7, 0.86      # a host's box, in inches (its text is 9.2 pt or more)
STRIP_H = 0.95                  # the legend strip along the bottom
TOP_PAD = 0.12
REGION_GAP = 0.55
KIND_ORDER = {"intranet": 0, "internet": 1, "visited": 2}


@dataclass(frozen=True)
class Region:
    name: str
    label: str
    kind: str
    box: tuple[float, float, float, float]   # x0, y0, x1, y1
    hub: tuple[float, float]


@dataclass
class Layout:
    width: float
    height: float
    regions: dict[str, Region]
    hosts: dict[str, tuple[float, float]]              # where each host is drawn (its current network)
    gateways: dict[tuple[str, str], tuple[float, float]]
    source: str = "auto"                               # "hand" or "auto"
    spare: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    elsewhere: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)

    def host_point(self, name: str, network: str | None = None) -> tuple[float, float]:
        """Where ``name`` is drawn; with ``network``, where it stood while attached there."""
        if network is not None and (name, network) in self.elsewhere:
            return self.elsewhere[(name, network)]
        return self.hosts[name]

    def gateway(self, a: str, b: str) -> tuple[float, float]:
        return self.gateways[tuple(sorted((a, b)))]

    def place_elsewhere(self, name: str, network: str) -> tuple[float, float]:
        """A slot for a host seen in ``network`` though it is drawn in another (it moved)."""
        key = (name, network)
        if key not in self.elsewhere:
            slots = self.spare.get(network) or [self.regions[network].hub]
            self.elsewhere[key] = slots.pop(0) if len(slots) > 1 else slots[0]
        return self.elsewhere[key]


# Hand-tuned layouts. Canvas size, region boxes and hubs; hosts keyed "name" or "name@network".
HAND: dict[str, dict] = {
    "basics": {
        "size": (7.2, 4.6),
        "regions": {"intranet": (0.15, 1.1, 7.05, 4.45)},
        "hubs": {"intranet": (3.6, 2.7)},
        "hosts": {"host-a": (1.25, 2.7), "server-b": (5.95, 2.7), "ns": (3.6, 3.75), "printer-b": (3.6, 1.65)},
    },
    "fig1": {
        "size": (9.0, 5.0),
        "regions": {"intranet": (0.15, 1.1, 5.75, 4.85), "internet": (6.25, 1.1, 8.85, 4.85)},
        "hubs": {"intranet": (3.35, 3.0), "internet": (7.55, 3.0)},
        "hosts": {"host-a": (1.2, 3.0), "ns": (3.35, 3.95), "server-b": (2.6, 1.72),
                  "attacker@internet": (7.55, 1.72), "attacker@intranet": (4.7, 1.72)},
        "gateways": {("internet", "intranet"): (6.0, 3.0)},
    },
    "fig2": {
        "size": (9.0, 5.0),
        "regions": {"intranet": (0.15, 1.1, 5.75, 4.85), "internet": (6.25, 1.1, 8.85, 4.85)},
        "hubs": {"intranet": (3.35, 3.0), "internet": (7.55, 3.0)},
        "hosts": {"host-a": (1.2, 3.0), "ns": (3.35, 3.95), "server-b": (2.6, 1.72), "pc-c": (4.7, 1.72)},
        "gateways": {("internet", "intranet"): (6.0, 3.0)},
    },
    # figures 3 and 4: home on the left, the Internet a narrow strip between, the visited network on
    # the right and as wide as home (the action happens there), hosts on two rows in both.
    # The laptop at home sits a little low: in fig4 it sends two flows into the intranet that stop
    # there (a broadcast, and the SYN to the hotel printer's private address, which home does not
    # have); their short stubs up to the hub need room for two glyphs, two numbers and a drop mark.
    "fig3": {
        "size": (10.4, 5.0),
        "regions": {"intranet": (0.15, 1.1, 4.0, 4.85), "internet": (4.5, 1.1, 5.6, 4.85),
                    "visited": (6.1, 1.1, 10.25, 4.85)},
        "hubs": {"intranet": (2.05, 2.85), "internet": (5.05, 2.85), "visited": (8.15, 2.85)},
        "hosts": {"ns": (1.1, 3.9), "vpn": (3.0, 3.9), "server-b": (1.1, 1.75), "printer-b": (1.1, 1.75),
                  "laptop@visited": (7.1, 3.9), "laptop@intranet": (3.0, 1.65),
                  "attacker": (9.25, 3.9), "hotspot": (9.25, 1.75), "hotel-printer": (7.1, 1.75),
                  "printer-c": (7.1, 1.75)},
        "gateways": {("internet", "intranet"): (4.25, 2.85), ("internet", "visited"): (5.85, 2.85)},
    },
    # figure 5: one office LAN; the honest host and the attacker face each other along it
    "fig5": {
        "size": (9.0, 5.0),
        "regions": {"intranet": (0.15, 1.1, 8.85, 4.85)},
        "hubs": {"intranet": (4.5, 2.9)},
        "hosts": {"host-a": (1.2, 2.9), "attacker": (7.8, 2.9), "printer": (3.4, 3.9), "ns": (5.6, 1.75)},
    },
}
HAND["fig4"] = HAND["fig3"]


def layout_for(world, scenario: str | None = None) -> Layout:
    """The hand layout of ``scenario`` when it covers ``world``'s networks, else the automatic one."""
    spec = HAND.get(scenario or "")
    if spec and set(world.networks) <= set(spec["regions"]):
        return _hand(world, spec)
    return auto_layout(world)


def _network_links(world) -> list[tuple[str, str]]:
    nets = set(world.networks)
    return sorted({tuple(sorted((a, b))) for a, b in world.graph.edges if a in nets and b in nets})


def _host_order(world, names) -> list[str]:
    def key(name):
        host = world.hosts[name]
        rank = ROLE_ORDER.index(host.role) if host.role in ROLE_ORDER else len(ROLE_ORDER)
        return (host.malicious, rank, name)
    return sorted(names, key=key)


def _members(world) -> dict[str, list[str]]:
    members = {name: [] for name in world.networks}
    for name, host in world.hosts.items():
        if host.network in members:
            members[host.network].append(name)
    return {net: _host_order(world, names) for net, names in members.items()}


def _slots(box, hub, taken) -> list[tuple[float, float]]:
    """Free host positions in a region, in two rows above and below the hub, nearest the hub first."""
    x0, y0, x1, y1 = box
    above = round(min(hub[1] + 1.05, y1 - 0.62 - HOST_H / 2), 3)
    below = round(max(hub[1] - 1.15, y0 + 0.12 + HOST_H / 2), 3)
    step = HOST_W + 0.22
    n = max(1, int((x1 - x0 - 0.3) // step))
    left = x0 + 0.15 + ((x1 - x0 - 0.3) - n * step) / 2 + step / 2
    xs = [round(left + i * step, 3) for i in range(n)]
    candidates = [(x, y) for y in (above, below) for x in xs]
    candidates.sort(key=lambda p: (round(abs(p[0] - hub[0]), 3), -p[1], p[0]))
    return [p for p in candidates
            if all(abs(p[0] - q[0]) > HOST_W * 0.9 or abs(p[1] - q[1]) > HOST_H * 1.2 for q in taken)]


def _hand(world, spec: dict) -> Layout:
    width, height = spec["size"]
    regions = {}
    for name, net in world.networks.items():
        regions[name] = Region(name, net.label, net.kind, spec["regions"][name], spec["hubs"][name])
    hosts: dict[str, tuple[float, float]] = {}
    members = _members(world)
    for net, names in members.items():
        for name in names:
            pos = spec["hosts"].get(f"{name}@{net}") or spec["hosts"].get(name)
            if pos:
                hosts[name] = pos
    spare = {}
    for net, names in members.items():
        region = regions[net]
        free = _slots(region.box, region.hub, list(hosts.values()))
        for name in names:
            if name not in hosts:
                hosts[name] = free.pop(0) if free else region.hub
        spare[net] = free or [region.hub]
    gateways = {}
    for a, b in _network_links(world):
        gateways[(a, b)] = spec.get("gateways", {}).get((a, b)) or _midpoint(regions[a], regions[b])
    return Layout(width, height, regions, hosts, gateways, "hand", spare)


def _midpoint(ra: Region, rb: Region) -> tuple[float, float]:
    (ax0, _, ax1, _), (bx0, _, bx1, _) = ra.box, rb.box
    if ax1 <= bx0:
        x = (ax1 + bx0) / 2
    elif bx1 <= ax0:
        x = (bx1 + ax0) / 2
    else:
        x = (ra.hub[0] + rb.hub[0]) / 2
    return (round(x, 3), round((ra.hub[1] + rb.hub[1]) / 2, 3))


def _column_order(world) -> list[str]:
    """Networks left to right: home intranets first, then along the links, then the rest by kind."""
    def rank(name):
        return (KIND_ORDER.get(world.networks[name].kind, 3), name)
    order: list[str] = []
    links = _network_links(world)
    for start in sorted(world.networks, key=rank):
        if start in order:
            continue
        queue = [start]
        while queue:
            net = queue.pop(0)
            if net in order:
                continue
            order.append(net)
            nxt = sorted({b if a == net else a for a, b in links if net in (a, b)} - set(order), key=rank)
            queue.extend(nxt)
    return order


def auto_layout(world) -> Layout:
    """Columns of networks, hosts above and below each network's hub; deterministic for any world."""
    members = _members(world)
    order = _column_order(world)
    step = HOST_W + 0.22
    widths = {net: max(2.7, math.ceil(max(len(members[net]), 1) / 2) * step + 0.5) for net in order}
    height = STRIP_H + 0.15 + 3.75 + TOP_PAD
    y0, y1 = STRIP_H + 0.15, height - TOP_PAD
    hub_y = round(y0 + (y1 - y0) * 0.5, 3)
    x = 0.15
    regions = {}
    for net in order:
        box = (round(x, 3), y0, round(x + widths[net], 3), y1)
        regions[net] = Region(net, world.networks[net].label, world.networks[net].kind, box,
                              (round(x + widths[net] / 2, 3), hub_y))
        x += widths[net] + REGION_GAP
    width = round(max(x - REGION_GAP + 0.15, 4.0), 3)
    hosts, spare = {}, {}
    for net in order:
        region = regions[net]
        names = members[net]
        free = _slots(region.box, region.hub, [])
        # alternate above and below the hub, left to right
        above = sorted([p for p in free if p[1] > region.hub[1]], key=lambda p: p[0])
        below = sorted([p for p in free if p[1] < region.hub[1]], key=lambda p: p[0])
        ordered = [p for pair in zip(above, below) for p in pair] + above[len(below):] + below[len(above):]
        ordered = sorted(ordered[:len(names)], key=lambda p: (p[0], -p[1])) if len(names) > 2 else ordered
        for name, pos in zip(names, ordered):
            hosts[name] = pos
        spare[net] = ordered[len(names):] + [p for p in free if p not in ordered] or [region.hub]
    gateways = {(a, b): _midpoint(regions[a], regions[b]) for a, b in _network_links(world)}
    for name, host in sorted(world.hosts.items()):
        if name not in hosts:      # not attached anywhere: park it in the top-right corner
            hosts[name] = (width - HOST_W / 2 - 0.2, height - HOST_H / 2 - 0.2)
    return Layout(width, height, regions, hosts, gateways, "auto", spare)


MAX_RULES = 5     # SPD rules a picture lists (the rest are counted)


def spd_lines(world, client: str | None) -> list[str]:
    if not client or client not in world.hosts:
        return []
    rules = list(world.hosts[client].spd)
    lines = [f"{i + 1}  {rule}" for i, rule in enumerate(rules[:MAX_RULES])]
    if len(rules) > MAX_RULES:
        lines.append(f"   ... {len(rules) - MAX_RULES} more")
    return lines


def client_of(world, scenario: str | None = None) -> str | None:
    """The host whose view the picture takes: the scenario's client, else the first client-like host."""
    from .describe import scenario_spec
    spec = scenario_spec(scenario)      # None for a label that is not a scenario (a hand-built world)
    if spec is not None and spec.client in world.hosts:
        return spec.client
    for role in ("client", "laptop", "mobile"):
        for name in sorted(world.hosts):
            if world.hosts[name].role == role:
                return name
    return None


__all__ = ["client_of", "spd_lines", "MAX_RULES", "Layout", "Region", "HAND", "layout_for", "auto_layout", "HOST_W", "HOST_H", "STRIP_H"]
