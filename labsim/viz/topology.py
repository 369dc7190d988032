"""The static topology picture of a world, drawn with matplotlib.

Networks are shaded regions labelled with their name and prefixes; each has a hub that
its hosts hang from, and gateways join the hubs of linked networks. A host is a card with
a role icon, its name, its address and its role in words; hostile hosts get a thick
dashed vermillion border, so the picture does not rely on colour to say who the attacker
is. Along the bottom runs the legend of packet states and the client's SPD (the rules the
paper's figures print beside the honest host).

The drawing uses the canvas of :mod:`labsim.viz.layout`: one data unit is one inch, so
the SVG the player animates over has 72 units per inch and no scaling to undo.

>>> from labsim import run
>>> svg = topology_svg(run("fig1").world, "fig1")
>>> svg.startswith("<svg") and "host-a" in svg
True
"""

from __future__ import annotations

import functools
import io
import re

from .layout import MAX_RULES, HOST_H, HOST_W, STRIP_H, Layout, client_of, layout_for, spd_lines  # noqa: F401

# matplotlib is imported on the first drawing, not with this module: the live panel draws from
# shipped topologies (labsim/viz/shipped.py) and should not pay for it when a notebook opens.
matplotlib = patches = Figure = Path = None


def _mpl() -> None:
    global matplotlib, patches, Figure, Path
    if matplotlib is None:
        import matplotlib as _matplotlib
        from matplotlib import patches as _patches
        from matplotlib.figure import Figure as _Figure   # no pyplot: the notebook's backend is left alone
        from matplotlib.path import Path as _Path
        matplotlib, patches, Figure, Path = _matplotlib, _patches, _Figure, _Path
from .style import FONT, INK, MONO, MUTED, NETWORK_STYLE, OKABE_ITO, STATES, legend_states, occasional_in, role_words

#: rcParams that make every drawing byte-identical from run to run.
LABEL_PT = 9.2          # the smallest text of a picture: 11 CSS px when the panel shows it 1.2 times larger
GATEWAY_LABEL_DY = 0.5  # inches from a gateway's centre down to its label

RC = {
    "svg.hashsalt": "labsim",
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": [FONT],
    "font.monospace": [MONO],
    "path.simplify": False,
    "savefig.facecolor": "white",
}
SVG_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
PNG_METADATA = {"Software": None}

Z_REGION, Z_LINK, Z_TRAIL, Z_HOST, Z_TEXT = 1, 2, 3, 5, 6


def marker_path(state_key: str):
    """The state's glyph as a matplotlib marker (a compound path of its polygons)."""
    _mpl()
    verts, codes = [], []
    for poly in STATES[state_key].polygons:
        verts += list(poly) + [poly[0]]
        codes += [Path.MOVETO] + [Path.LINETO] * (len(poly) - 1) + [Path.CLOSEPOLY]
    return Path(verts, codes)


def legend_entries(shown=()) -> list[tuple[str, str, str]]:
    """(state, label, shape) for every entry of the legend of a picture drawing the states ``shown``,
    in drawing order (an occasional state, such as readable ESP, only when it is shown)."""
    return [(key, STATES[key].label, STATES[key].shape) for key in legend_states(shown)]


def new_canvas(width: float, height: float, extra_bottom: float = 0.0, extra_top: float = 0.0):
    """A Figure whose axes map data units to inches one to one (the layout's canvas)."""
    _mpl()
    fig = Figure(figsize=(width, height + extra_bottom + extra_top), dpi=72)
    total = height + extra_bottom + extra_top
    ax = fig.add_axes((0, extra_bottom / total, 1, height / total))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    return fig, ax


def draw_glyph(ax, state_key: str, x: float, y: float, size: float = 0.09, zorder: float = Z_TEXT, **kw):
    """One packet glyph centred on (x, y), ``size`` inches from centre to edge."""
    _mpl()
    state = STATES[state_key]
    verts, codes = [], []
    for poly in state.polygons:
        pts = [(x + px * size, y + py * size) for px, py in poly]
        verts += pts + [pts[0]]
        codes += [Path.MOVETO] + [Path.LINETO] * (len(pts) - 1) + [Path.CLOSEPOLY]
    ax.add_patch(patches.PathPatch(Path(verts, codes), facecolor=state.fill, edgecolor=state.edge,
                                   linewidth=kw.get("linewidth", 1.1), zorder=zorder, joinstyle="round"))


# ---------------------------------------------------------------- role icons

def _icon(ax, role: str, malicious: bool, x: float, y: float, s: float = 0.13) -> None:
    """A small pictogram of the host's role, centred on (x, y), ``s`` inches half-size."""
    ink = OKABE_ITO["vermillion"] if malicious else INK
    kw = {"facecolor": "white", "edgecolor": ink, "linewidth": 1.0, "zorder": Z_TEXT}
    add = ax.add_patch
    if role in ("attacker", "insider") or (malicious and role == "host"):
        add(patches.Polygon([(x - s, y - s * 0.85), (x + s, y - s * 0.85), (x, y + s)], closed=True, **kw))
        add(patches.Rectangle((x - s * 0.09, y - s * 0.2), s * 0.18, s * 0.65, facecolor=ink, edgecolor="none",
                              zorder=Z_TEXT))
        add(patches.Circle((x, y - s * 0.5), s * 0.1, facecolor=ink, edgecolor="none", zorder=Z_TEXT))
    elif role == "server" or role == "dhcp":
        for i in range(3):
            add(patches.Rectangle((x - s * 0.75, y - s + i * s * 0.68), s * 1.5, s * 0.55, **kw))
            add(patches.Circle((x + s * 0.45, y - s * 0.72 + i * s * 0.68), s * 0.08, facecolor=ink,
                               edgecolor="none", zorder=Z_TEXT))
    elif role == "dns":
        add(patches.Rectangle((x - s * 0.07, y - s), s * 0.14, s * 1.8, facecolor=ink, edgecolor="none",
                              zorder=Z_TEXT))
        add(patches.Polygon([(x - s * 0.8, y + s * 0.75), (x + s * 0.55, y + s * 0.75), (x + s, y + s * 0.45),
                             (x + s * 0.55, y + s * 0.15), (x - s * 0.8, y + s * 0.15)], closed=True, **kw))
        add(patches.Polygon([(x + s * 0.8, y - s * 0.05), (x - s * 0.55, y - s * 0.05), (x - s, y - s * 0.35),
                             (x - s * 0.55, y - s * 0.65), (x + s * 0.8, y - s * 0.65)], closed=True, **kw))
    elif role == "printer":
        add(patches.Rectangle((x - s * 0.55, y + s * 0.2), s * 1.1, s * 0.8, **kw))
        add(patches.FancyBboxPatch((x - s, y - s * 0.55), s * 2, s * 0.9, boxstyle="round,pad=0,rounding_size=0.02",
                                   **kw))
        add(patches.Rectangle((x - s * 0.55, y - s), s * 1.1, s * 0.6, **kw))
    elif role in ("gateway", "vpn", "router"):
        add(patches.Circle((x, y), s * 0.95, **kw))
        for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            add(patches.FancyArrow(x + dx * s * 0.15, y + dy * s * 0.15, dx * s * 0.5, dy * s * 0.5,
                                   width=s * 0.08, head_width=s * 0.3, head_length=s * 0.2, color=ink,
                                   zorder=Z_TEXT + 0.1, length_includes_head=True))
    else:   # client, laptop, generic host: a monitor on a stand
        add(patches.Rectangle((x - s, y - s * 0.3), s * 2, s * 1.25, **kw))
        add(patches.Rectangle((x - s * 0.12, y - s * 0.7), s * 0.24, s * 0.4, facecolor=ink, edgecolor="none",
                              zorder=Z_TEXT))
        add(patches.Rectangle((x - s * 0.6, y - s * 0.85), s * 1.2, s * 0.18, facecolor=ink, edgecolor="none",
                              zorder=Z_TEXT))


# ---------------------------------------------------------------- the drawing

def _region(ax, region) -> None:
    fill, edge, style = NETWORK_STYLE.get(region.kind, NETWORK_STYLE["intranet"])
    x0, y0, x1, y1 = region.box
    ax.add_patch(patches.FancyBboxPatch((x0, y0), x1 - x0, y1 - y0, boxstyle="round,pad=0,rounding_size=0.18",
                                        facecolor=fill, edgecolor=edge, linewidth=1.6, linestyle=style,
                                        zorder=Z_REGION))
    ax.text(x0 + 0.14, y1 - 0.13, region.label, fontsize=11, fontweight="bold", color=INK, ha="left", va="top",
            zorder=Z_TEXT)
    words = _kind_words(region.kind)
    if len(words) * 0.55 * LABEL_PT / 72 > x1 - x0 - 0.25:     # a narrow region: the words on two lines
        words = words.replace(" (", "\n(")
    ax.text(x0 + 0.14, y1 - 0.36, words, fontsize=LABEL_PT, color=MUTED, ha="left", va="top",
            style="italic", zorder=Z_TEXT)


def _kind_words(kind: str) -> str:
    return {"intranet": "home network (trusted)", "internet": "public Internet (untrusted)",
            "visited": "visited network (untrusted)"}.get(kind, kind)


def _host(ax, world, name: str, x: float, y: float) -> None:
    host = world.hosts[name]
    hostile = host.malicious
    edge = OKABE_ITO["vermillion"] if hostile else INK
    ax.add_patch(patches.FancyBboxPatch((x - HOST_W / 2, y - HOST_H / 2), HOST_W, HOST_H,
                                        boxstyle="round,pad=0,rounding_size=0.07",
                                        facecolor="#fff7f2" if hostile else "white", edgecolor=edge,
                                        linewidth=2.0 if hostile else 1.1, linestyle=(0, (4, 1.5)) if hostile else "solid",
                                        zorder=Z_HOST))
    _icon(ax, host.role, hostile, x - HOST_W / 2 + 0.2, y + 0.02)
    tx = x - HOST_W / 2 + 0.4
    addresses = [str(a) for a in host.addresses[:2]] or ["no address"]
    one_line = ", ".join(addresses)
    # DejaVu Sans Mono advances 0.6 em a character: a line of n characters is n * 0.6 * size / 72 inches
    room = int((x + HOST_W / 2 - 0.06 - tx) * 72 / (0.6 * LABEL_PT))
    if len(one_line) <= room:
        lines, ys = [one_line], [y - 0.01]
        name_y = y + 0.2
    else:                        # two addresses (a VPN's inner address, an IPv6 one): one a line
        lines, ys = addresses, [y + 0.05, y - 0.11]
        name_y = y + 0.25
    size = LABEL_PT if max(map(len, lines)) <= room else round(LABEL_PT * room / max(map(len, lines)), 1)
    ax.text(tx, name_y, name, fontsize=10.5, fontweight="bold", color=INK, ha="left", va="center", zorder=Z_TEXT)
    for line, ly in zip(lines, ys):
        ax.text(tx, ly, line, fontsize=size, family="monospace", color=INK, ha="left", va="center", zorder=Z_TEXT)
    ax.text(tx, y - 0.27 if len(lines) > 1 else y - 0.22, role_words(host.role, hostile), fontsize=LABEL_PT,
            style="italic", color=OKABE_ITO["vermillion"] if hostile else MUTED, ha="left", va="center",
            zorder=Z_TEXT)


def _links(ax, world, layout: Layout) -> None:
    """Each network is a bus (a thick line through its hub) with a cable down to every host."""
    from .steps import attach_point
    bus_ends: dict[str, list[float]] = {name: [r.hub[0]] for name, r in layout.regions.items()}
    for name, pos in sorted(layout.hosts.items()):
        net = world.hosts[name].network
        if net not in layout.regions:
            continue
        cable = attach_point(pos, net, layout)
        if cable is None:   # on the bus line: the bus runs to the card's edge
            edge = pos[0] + (HOST_W / 2 if pos[0] < layout.regions[net].hub[0] else -HOST_W / 2)
            bus_ends[net].append(edge)
            continue
        bus_ends[net].append(cable[0])
        ax.plot([pos[0], cable[0]], [pos[1], cable[1]], color="#9aa3ab", linewidth=1.3, zorder=Z_LINK,
                solid_capstyle="butt")
        ax.add_patch(patches.Circle(cable, 0.045, facecolor="#59626a", edgecolor="none", zorder=Z_LINK + 0.5))
    for (a, b), (gx, gy) in sorted(layout.gateways.items()):
        for net in (a, b):
            hub_x, hub_y = layout.regions[net].hub
            if abs(gy - hub_y) < 1e-6:
                bus_ends[net].append(gx)
            else:
                ax.plot([hub_x, gx], [hub_y, gy], color="#7c868f", linewidth=2.6, zorder=Z_LINK)
        ax.add_patch(patches.FancyBboxPatch((gx - 0.15, gy - 0.15), 0.3, 0.3, boxstyle="round,pad=0,rounding_size=0.06",
                                            facecolor="#dfe4e8", edgecolor="#59626a", linewidth=1.1, zorder=Z_HOST))
        # below the lanes packets take along the bus (up to four a side), so no line crosses the word
        ax.text(gx, gy - GATEWAY_LABEL_DY, "gateway", fontsize=LABEL_PT, color=MUTED, ha="center", va="top",
                zorder=Z_TEXT)
        for dx in (-1, 1):
            ax.add_patch(patches.FancyArrow(gx - dx * 0.02, gy, dx * 0.1, 0, width=0.02, head_width=0.08,
                                            head_length=0.05, color="#59626a", zorder=Z_TEXT,
                                            length_includes_head=True))
    for net, xs in bus_ends.items():
        hub_y = layout.regions[net].hub[1]
        ax.plot([min(xs), max(xs)], [hub_y, hub_y], color="#7c868f", linewidth=2.6, zorder=Z_LINK,
                solid_capstyle="round")


LEGEND_COLUMNS = (1.72, 2.3, 1.45)    # inches; the labels of each column fit their width
LEGEND_W = 0.1 + sum(LEGEND_COLUMNS)


LEGEND_SPAN = 0.44    # inches from the first row of the legend to the last, when it has more than two


def legend_rows(shown=()) -> int:
    """How many rows the legend of a picture drawing the states ``shown`` takes (two, or three with readable ESP)."""
    return -(-len(legend_states(shown)) // len(LEGEND_COLUMNS))


def draw_legend(ax, x: float, y: float, row_h: float = 0.27, shown=()) -> None:
    """The packet-state legend: glyph and words for each state, three to a row, from (x, y) down.
    A third row (an occasional state the picture shows, such as readable ESP) draws the rows
    closer, so the legend stays inside the strip."""
    _mpl()
    ax.text(x, y + 0.05, "Packets", fontsize=7.5, fontweight="bold", color=INK, ha="left", va="bottom",
            zorder=Z_TEXT)
    columns = len(LEGEND_COLUMNS)
    entries = legend_entries(shown)
    rows = legend_rows(shown)
    if rows > 2:
        row_h = min(row_h, LEGEND_SPAN / (rows - 1))
    for i, (key, label, _) in enumerate(entries):
        cx = x + 0.1 + sum(LEGEND_COLUMNS[:i % columns])
        cy = y - 0.14 - (i // columns) * row_h
        draw_glyph(ax, key, cx, cy, size=0.085)
        ax.text(cx + 0.16, cy, label, fontsize=7, color=INK, ha="left", va="center", zorder=Z_TEXT)


SPD_FONT = 6.8


def spd_width(world, client: str | None) -> float:
    """Inches the SPD box needs (DejaVu Sans Mono advances 0.6 em a character)."""
    lines = spd_lines(world, client) + [f"{client}'s SPD (first match wins)   "]
    return 0.3 + max(len(line) for line in lines) * SPD_FONT * 0.602 / 72


def draw_spd(ax, world, client: str | None, x: float, y_top: float) -> None:
    """The client's SPD, first match wins, as the paper's figures print it beside the honest host."""
    lines = spd_lines(world, client)
    if not lines:
        return
    ax.text(x, y_top + 0.05, f"{client}'s SPD (first match wins)", fontsize=7.5, fontweight="bold", color=INK,
            ha="left", va="bottom", zorder=Z_TEXT)
    size = min(SPD_FONT, 0.66 * 72 / (1.35 * len(lines)))   # the strip holds five lines at full size
    ax.text(x, y_top - 0.04, "\n".join(lines), fontsize=size, family="monospace", color=INK, ha="left", va="top",
            linespacing=1.35, zorder=Z_TEXT)


def unclip(ax) -> None:
    """Nothing is drawn outside the canvas anyway; unclipped artists keep clip paths out of the SVG."""
    for artist in [*ax.patches, *ax.lines, *ax.texts]:
        artist.set_clip_on(False)


def draw_world(ax, world, layout: Layout, scenario: str | None = None, legend: bool = True, shown=()) -> None:
    """The world on ``ax``; ``shown`` are the packet states drawn over it (the legend lists the
    occasional ones among them)."""
    _mpl()
    for region in layout.regions.values():
        _region(ax, region)
    _links(ax, world, layout)
    for name, (x, y) in sorted(layout.hosts.items()):
        _host(ax, world, name, x, y)
    if legend:
        client = client_of(world, scenario)
        draw_legend(ax, 0.25, STRIP_H - 0.22, shown=shown)
        draw_spd(ax, world, client, layout.width - spd_width(world, client), STRIP_H - 0.22)


def fit_strip(layout: Layout, world, scenario: str | None) -> Layout:
    """Widen the canvas when the legend and the client's SPD need more room than the regions."""
    need = 0.25 + LEGEND_W + 0.2 + spd_width(world, client_of(world, scenario))
    if need > layout.width:
        layout.width = round(need, 3)
    return layout


def topology_figure(world, scenario: str | None = None, layout: Layout | None = None, legend: bool = True,
                    shown=()):
    """The topology on its canvas; ``legend=False`` leaves the bottom strip empty (the live panel
    shows the legend and the SPD as HTML text beside the picture, and crops the strip); ``shown``:
    the packet states the picture will draw (for the legend's occasional entries)."""
    _mpl()
    layout = layout or layout_for(world, scenario)
    if legend:
        layout = fit_strip(layout, world, scenario)
    with matplotlib.rc_context(RC):
        fig, ax = new_canvas(layout.width, layout.height)
        draw_world(ax, world, layout, scenario, legend=legend, shown=shown)
        unclip(ax)
    return fig, layout


def svg_bytes(fig) -> bytes:
    _mpl()
    buf = io.BytesIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buf, format="svg", metadata=SVG_METADATA)
    return buf.getvalue()


def png_bytes(fig, dpi: int = 110) -> bytes:
    _mpl()
    buf = io.BytesIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buf, format="png", dpi=dpi, metadata=PNG_METADATA)
    return buf.getvalue()


def _short_path(match: re.Match) -> str:
    data = re.sub(r"(\d+\.\d\d)\d+", r"\1", match.group(1))
    return 'd="' + " ".join(data.split()) + '"'


def _inline(svg: str) -> str:
    """matplotlib's SVG made fit to sit inside HTML: no prolog, no global stylesheet, no comments,
    path data on one line with two decimals (a hundredth of a point)."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    svg = re.sub(r"<defs>\s*<style[^>]*>.*?</style>\s*</defs>\s*", "", svg, flags=re.S)
    svg = re.sub(r'd="([^"]*)"', _short_path, svg)
    svg = re.sub(r">\s+<", "><", svg)
    return svg.strip()


def world_signature(world, scenario: str | None) -> tuple:
    """Everything the topology picture depends on (not the trace), to cache it."""
    client = client_of(world, scenario)
    return (
        scenario,
        tuple(sorted((n.name, n.label, n.kind) for n in world.networks.values())),
        tuple(sorted((h.name, h.role, h.network or "", h.malicious, tuple(map(str, h.addresses[:2])))
                     for h in world.hosts.values())),
        tuple(sorted(tuple(sorted(e)) for e in world.graph.edges)),
        client, world.hosts[client].spd.text() if client else "",
    )


@functools.lru_cache(maxsize=64)
def _cached_svg(signature: tuple, world_ref: _WorldRef, legend: bool = True, extra: tuple = ()) -> tuple[str, Layout]:
    fig, layout = topology_figure(world_ref.world, signature[0], legend=legend, shown=extra)
    return _inline(svg_bytes(fig).decode()), layout


class _WorldRef:
    """Hashes as its signature, so the cache keys on what the picture shows, not on object identity."""

    def __init__(self, world, signature):
        self.world, self.signature = world, signature

    def __hash__(self):
        return hash(self.signature)

    def __eq__(self, other):
        return isinstance(other, _WorldRef) and other.signature == self.signature


def topology_svg_and_layout(world, scenario: str | None = None, legend: bool = True,
                            shown=()) -> tuple[str, Layout]:
    """The topology as inline SVG text, and its layout; cached on what the picture shows.
    ``shown``: the packet states drawn over it (the legend lists the occasional ones among them)."""
    sig = world_signature(world, scenario)
    extra = occasional_in(shown) if legend else ()
    svg, layout = _cached_svg(sig, _WorldRef(world, sig), legend, extra)
    # a fresh Layout each time: callers may place moved hosts in it
    return svg, Layout(layout.width, layout.height, layout.regions, dict(layout.hosts), layout.gateways,
                       layout.source, {k: list(v) for k, v in layout.spare.items()}, {})


def topology_key(world, scenario: str | None = None) -> str:
    """A short name for what the topology picture shows (the browser caches the drawing under it)."""
    import hashlib
    return hashlib.sha1(repr(world_signature(world, scenario)).encode()).hexdigest()[:16]


def topology_svg(world, scenario: str | None = None) -> str:
    return topology_svg_and_layout(world, scenario)[0]


__all__ = ["unclip", "topology_figure", "topology_svg", "topology_svg_and_layout", "draw_world", "draw_legend",
           "draw_glyph", "legend_entries", "legend_rows", "topology_key", "marker_path", "svg_bytes", "png_bytes", "new_canvas", "client_of",
           "RC"]
