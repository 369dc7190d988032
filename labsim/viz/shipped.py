"""Topology drawings shipped with the package, so a notebook's first panel needs no matplotlib.

Drawing a world's topology with matplotlib (importing it included) costs one to three
seconds on a small machine, paid by the first panel a student opens. The panels' drawings of
every world the scenarios build (every toggle setting) are generated once into
``assets/topologies.json`` (``python -m labsim.viz.shipped`` rewrites it) and looked up by
:func:`panel_key`, which names what the drawing shows (networks, hosts with their roles and
addresses, links). A world not in the file (a student's own, or a scenario changed since the
file was written) is drawn with matplotlib as before and kept in memory, so a stale file only
costs time, never shows a wrong picture.

>>> import labsim
>>> key, svg, layout = panel_topology(labsim.run("fig1").world, "fig1")
>>> svg.startswith('<g class="lsp-topology">'), layout.source
(True, 'hand')
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
from pathlib import Path

from .layout import Layout, layout_for

FILE = Path(__file__).with_name("assets") / "topologies.json"


def panel_key(world, scenario: str | None) -> str:
    """A short name for what the panel's topology drawing of ``world`` shows."""
    what = (scenario,
            tuple(sorted((n.name, n.label, n.kind) for n in world.networks.values())),
            tuple(sorted((h.name, h.role, h.network or "", h.malicious, tuple(map(str, h.addresses[:2])))
                         for h in world.hosts.values())),
            tuple(sorted(tuple(sorted(e)) for e in world.graph.edges)))
    return hashlib.sha1(repr(what).encode()).hexdigest()[:16]


@functools.lru_cache(maxsize=1)
def shipped() -> dict[str, str]:
    try:
        return json.loads(FILE.read_text(encoding="utf-8"))["topologies"]
    except (OSError, ValueError, KeyError):
        return {}


def inner(svg: str) -> str:
    """The drawing inside matplotlib's ``<svg>`` element, as one group."""
    start = svg.index(">", svg.index("<svg")) + 1
    return '<g class="lsp-topology">' + svg[start:svg.rindex("</svg>")] + "</g>"


def draw(world, scenario: str | None) -> str:
    from .topology import topology_svg_and_layout
    return inner(topology_svg_and_layout(world, scenario, legend=False)[0])


def panel_topology(world, scenario: str | None) -> tuple[str, str, Layout]:
    """The key, the drawing (shipped, or drawn now) and the layout of ``world``'s topology in the panel."""
    key = panel_key(world, scenario)
    svg = shipped().get(key)
    if svg is None:
        svg = draw(world, scenario)
    return key, svg, layout_for(world, scenario)


def worlds():
    """Every (scenario, world) the registered scenarios build, over all their toggle settings."""
    import labsim
    for sid in labsim.scenario_ids():
        spec = labsim.scenario(sid)
        for values in itertools.product(*(t.values for t in spec.toggles)):
            yield sid, labsim.run(sid, dict(zip((t.name for t in spec.toggles), values))).world


def write(path: Path = FILE) -> int:
    drawings = {}
    for sid, world in worlds():
        key = panel_key(world, sid)
        if key not in drawings:
            drawings[key] = draw(world, sid)
    path.write_text(json.dumps({"about": "labsim panel topologies; python -m labsim.viz.shipped rewrites this file",
                                "topologies": dict(sorted(drawings.items()))}, indent=0, sort_keys=False) + "\n",
                    encoding="utf-8")
    shipped.cache_clear()
    return len(drawings)


if __name__ == "__main__":
    print(f"wrote {write()} topologies to {FILE}")
