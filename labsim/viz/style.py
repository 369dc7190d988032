"""The course's visual language: one shape, and one look (colour and fill), for every packet state.

Every picture labsim draws (the topology, the static figures, the HTML player) takes its
colours, glyphs and fonts from here, so a student learns the vocabulary once. Colours are
the Okabe-Ito palette, which stays distinct for the common kinds of colour blindness; the
shape alone still tells every state apart in greyscale, and the fill adds a second cue
(open shapes travel readable, filled ones are protected or control traffic).

ESP whose payload the net found readable on the wire (NULL encryption, RFC 2410) is ESP's
padlock opened, its shackle raised, and drawn hollow: the colour says ESP (the packet *is*
ESP, and the ESP filter lists it), the hollow fill says what the hollow circle of clear
text says, readable. It keeps ESP's bluish green because the two Okabe-Ito colours left
do not work here: yellow is too light to see as an outline on white, black is the ink of
every outline and word. Which state a trace event is drawn in is decided in one place,
:func:`state_of_event`, from what the net recorded.

A state in :data:`OCCASIONAL` is listed in a legend only when the picture shows it, so the
pictures of runs without it keep their six-entry legend.

Shapes are polygons in a unit box (x and y in [-1, 1], y pointing up), so the same
outline becomes a matplotlib marker and an SVG path.

>>> sorted(STATES) == sorted(STATE_ORDER)
True
>>> len({s.shape for s in STATES.values()}) == len(STATES)
True
>>> len({(s.colour, s.hollow) for s in STATES.values()}) == len(STATES)
True
>>> STATES["esp"].label
'ESP: encrypted and authenticated'
>>> legend_states() == tuple(k for k in STATE_ORDER if k != "esp_null")
True
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

# Okabe & Ito (2008), "Color universal design".
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

INK = "#1a1a1a"          # outlines and text
MUTED = "#6b6b6b"        # secondary text, links
FONT = "DejaVu Sans"     # ships with matplotlib, so every machine renders the same glyphs
MONO = "DejaVu Sans Mono"
FONT_STACK = "'DejaVu Sans', 'Bitstream Vera Sans', Verdana, Arial, sans-serif"


def _circle(r: float = 0.85, n: int = 20) -> tuple[tuple[float, float], ...]:
    return tuple((round(r * math.cos(2 * math.pi * i / n), 3), round(r * math.sin(2 * math.pi * i / n), 3))
                 for i in range(n))


def _arc(cx: float, cy: float, r: float, a0: float, a1: float, n: int) -> list[tuple[float, float]]:
    return [(round(cx + r * math.cos(math.radians(a0 + (a1 - a0) * i / n)), 3),
             round(cy + r * math.sin(math.radians(a0 + (a1 - a0) * i / n)), 3)) for i in range(n + 1)]


def _padlock() -> tuple[tuple[tuple[float, float], ...], ...]:
    body = ((-0.8, -0.95), (0.8, -0.95), (0.8, 0.12), (-0.8, 0.12))
    # the shackle: an arch band, outer arc left to right, inner arc back
    outer = [(-0.58, 0.12)] + _arc(0, 0.42, 0.58, 180, 0, 8) + [(0.58, 0.12)]
    inner = [(0.3, 0.12)] + _arc(0, 0.42, 0.3, 0, 180, 8) + [(-0.3, 0.12)]
    return body, tuple(outer + inner)


def _open_padlock() -> tuple[tuple[tuple[float, float], ...], ...]:
    """The padlock opened: a shorter body, the shackle raised, its right leg out of the body."""
    body = ((-0.8, -0.95), (0.8, -0.95), (0.8, -0.05), (-0.8, -0.05))
    # the shackle: the left leg runs down into the body, the right one ends in the air
    outer = [(-0.46, -0.05)] + _arc(0, 0.54, 0.46, 180, 0, 8) + [(0.46, 0.36)]
    inner = [(0.2, 0.36)] + _arc(0, 0.54, 0.2, 0, 180, 8) + [(-0.2, -0.05)]
    return body, tuple(outer + inner)


def _star(points: int = 6, outer: float = 1.0, inner: float = 0.5) -> tuple[tuple[float, float], ...]:
    out = []
    for i in range(points * 2):
        r = outer if i % 2 == 0 else inner
        a = math.pi / 2 + math.pi * i / points
        out.append((round(r * math.cos(a), 3), round(r * math.sin(a), 3)))
    return tuple(out)


def _cross(w: float = 0.3) -> tuple[tuple[float, float], ...]:
    """A thick X (a saltire) as one polygon."""
    a, b = 0.95, w
    return ((-a, -a + b), (-a + b, -a), (0, -b), (a - b, -a), (a, -a + b), (b, 0),
            (a, a - b), (a - b, a), (0, b), (-a + b, a), (-a, a - b), (-b, 0))


@dataclass(frozen=True)
class PacketState:
    """How one state of a packet looks: its legend text, colour, fill and outline."""

    key: str
    label: str
    colour: str
    shape: str
    polygons: tuple[tuple[tuple[float, float], ...], ...]
    dash: tuple[float, ...] = ()      # the trail's dash pattern (in line widths); () is solid
    hollow: bool = False              # drawn white inside its coloured outline

    @property
    def fill(self) -> str:
        return "#ffffff" if self.hollow else self.colour

    @property
    def edge(self) -> str:
        return self.colour if self.hollow else INK

    def svg_path(self, x: float, y: float, size: float) -> str:
        """The glyph as SVG path data centred on (x, y), ``size`` being the half-width (SVG y points down)."""
        parts = []
        for poly in self.polygons:
            pts = [f"{x + px * size:.1f} {y - py * size:.1f}" for px, py in poly]
            parts.append("M" + "L".join(pts) + "Z")
        return "".join(parts)

    def unit_svg_path(self) -> str:
        """The glyph in its unit box, for the player to place anywhere with a transform."""
        return "".join("M" + "L".join(f"{px:g} {-py:g}" for px, py in poly) + "Z" for poly in self.polygons)


STATES: dict[str, PacketState] = {s.key: s for s in (
    PacketState("clear", "clear text: no IPsec", OKABE_ITO["orange"], "circle", (_circle(),),
                dash=(3.0, 1.6), hollow=True),
    PacketState("esp", "ESP: encrypted and authenticated", OKABE_ITO["bluish_green"], "padlock", _padlock()),
    PacketState("ike", "IKE: key exchange", OKABE_ITO["blue"], "diamond",
                (((0.0, 1.0), (0.8, 0.0), (0.0, -1.0), (-0.8, 0.0)),), dash=(1.0, 1.2)),
    PacketState("dns", "DNS query or answer", OKABE_ITO["sky_blue"], "triangle",
                (((0.0, 0.95), (0.95, -0.75), (-0.95, -0.75)),), dash=(5.0, 1.5, 1.0, 1.5)),
    PacketState("bcast", "DHCP or broadcast", OKABE_ITO["reddish_purple"], "star", (_star(),),
                dash=(1.0, 2.0)),
    PacketState("drop", "dropped", OKABE_ITO["vermillion"], "cross", (_cross(),)),
    PacketState("esp_null", "ESP, NULL encryption: authenticated, readable", OKABE_ITO["bluish_green"],
                "open padlock", _open_padlock(), dash=(6.0, 2.0), hollow=True),
)}
STATE_ORDER = ("clear", "esp", "ike", "dns", "bcast", "drop", "esp_null")

#: States a legend lists only when its picture shows them (the rest it always lists).
OCCASIONAL = ("esp_null",)

#: Trace kinds of packets on the wire, and the state each is drawn in (but see :func:`state_of_event`).
KIND_STATE = {"clear": "clear", "esp": "esp", "ike": "ike", "dns": "dns", "dhcp": "bcast"}

#: How labsim.net describes an ESP packet it sends: what it carries, and whether the carried data
#: is encrypted or readable in the wire bytes (ESP with NULL encryption).
ESP_REASON = re.compile(r"carries (?P<inner>.*?)(?:(?P<encrypted> \(encrypted\))"
                        r"| in ESP with NULL encryption: (?P<readable>readable))$")

#: The event-list filters, in the order a packet simulator shows them.
FILTERS = (
    ("dns", "DNS", ("dns",)),
    ("ike", "IKE", ("ike",)),
    ("esp", "ESP", ("esp",)),
    ("clear", "clear", ("clear",)),
    ("dhcp", "DHCP", ("dhcp",)),
    ("drop", "drops", ("drop",)),
    ("decisions", "decisions", ("spd", "app", "route", "note")),
)

#: What a verdict looks like: the outcome's banner colours and a word-sized symbol.
OUTCOME_STYLE = {
    "protected": ("#e3f4ee", OKABE_ITO["bluish_green"], "\u2714"),   # heavy check mark
    "clear": ("#fdf3dd", "#9a6a00", "\u25cb"),                         # white circle
    "exposed": ("#fbe7dc", "#a34400", "\u26a0"),                       # warning sign
    "impersonated": ("#f6e6ef", "#8f3f6e", "\u26a0"),
    "blocked": ("#e6eef6", OKABE_ITO["blue"], "\u2298"),               # circled slash
}

#: Network regions: fill, border colour and border style by kind.
NETWORK_STYLE = {
    "intranet": ("#eaf2f9", "#4f7ea8", "solid"),
    "internet": ("#f1f1f1", "#8a8a8a", (0, (1.5, 2.5))),
    "visited": ("#fcf5e3", "#a88a3a", (0, (6, 2.5))),
}

#: The role a host plays, as the words under its name.
ROLE_WORDS = {
    "client": "client",
    "server": "server",
    "dns": "DNS server",
    "insider": "insider, same CA",
    "attacker": "attacker",
    "printer": "printer",
    "gateway": "VPN gateway",
    "router": "router",
    "vpn": "VPN gateway",
    "dhcp": "DHCP server",
    "laptop": "mobile host",
    "mobile": "mobile host",
    "host": "host",
}

#: Drawing order of roles inside a network region (the automatic layout uses it).
ROLE_ORDER = ("client", "laptop", "mobile", "dns", "dhcp", "server", "printer", "gateway", "vpn", "router", "host",
              "insider", "attacker")


def role_words(role: str, malicious: bool = False) -> str:
    words = ROLE_WORDS.get(role, role.replace("_", " "))
    if malicious and role not in ("attacker", "insider"):
        words += ", hostile"
    return words


def state_of_kind(kind: str) -> str | None:
    return KIND_STATE.get(kind)


def state_of_event(event) -> str | None:
    """The state a trace event's packet is drawn in: its kind's, except that an ESP packet whose data
    the net found readable in the wire bytes (NULL encryption) is ``esp_null``.

    >>> from types import SimpleNamespace as E
    >>> state_of_event(E(kind="esp", reason="carries TCP a > b [SYN] in ESP with NULL encryption: readable"))
    'esp_null'
    >>> state_of_event(E(kind="esp", reason="carries TCP a > b [SYN] (encrypted)")), state_of_event(E(kind="dhcp", reason=""))
    ('esp', 'bcast')
    """
    state = KIND_STATE.get(event.kind)
    if state == "esp":
        match = ESP_REASON.match(event.reason or "")
        if match and match.group("readable"):
            return "esp_null"
    return state


def occasional_in(shown) -> tuple[str, ...]:
    """The occasional states (readable ESP) among ``shown`` (the states a picture draws), in legend order."""
    shown = set(shown)
    return tuple(k for k in OCCASIONAL if k in shown)


def legend_states(shown=()) -> tuple[str, ...]:
    """The states a legend lists, in order: every state but the occasional ones, and those of
    the occasional ones in ``shown`` (the states a picture draws)."""
    extra = occasional_in(shown)
    return tuple(k for k in STATE_ORDER if k not in OCCASIONAL or k in extra)


__all__ = ["OKABE_ITO", "STATES", "STATE_ORDER", "OCCASIONAL", "KIND_STATE", "ESP_REASON", "FILTERS", "OUTCOME_STYLE",
           "NETWORK_STYLE", "ROLE_WORDS", "ROLE_ORDER", "PacketState", "role_words", "state_of_kind", "state_of_event",
           "legend_states", "occasional_in", "FONT", "MONO", "INK", "MUTED", "FONT_STACK"]
