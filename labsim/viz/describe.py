"""Words for pictures: alt text, captions and flow descriptions, written from the run itself.

Every image the course shows carries a text equivalent (Notebooks-for-All): what the
networks and hosts are, the client's SPD, each packet flow in order with its state, and
the verdict. It is generated from the same world and trace the picture is drawn from, so
the two never disagree.

>>> from labsim import run
>>> text = alt_text(run("fig1"))
>>> "paper figure 1" in text and "forged source address 1.2.0.53" in text
True
>>> text[text.index("2. attacker"):].split(";")[0]
'2. attacker to host-a: DNS (answer server-b.example.org A 3.4.5.6 (unsigned)), with the forged source address 1.2.0.53'

"""

from __future__ import annotations

import re

from .style import ESP_REASON, STATES, legend_states, role_words

STATE_WORDS = {"clear": "clear text", "esp": "ESP", "esp_null": "ESP with NULL encryption", "ike": "IKE", "dns": "DNS",
               "bcast": "broadcast or DHCP"}


def scenario_spec(label: str | None):
    """The registered scenario called ``label``, or None for a hand-built world."""
    from labsim.errors import UnknownScenario
    from labsim.scenarios import get
    if not label:
        return None
    try:
        return get(label)
    except UnknownScenario:
        return None


def where_in_paper(label: str | None) -> str:
    spec = scenario_spec(label)
    if spec is None:
        return ""
    if spec.figure:
        return f"paper figure {spec.figure}, section {spec.section}"
    return f"paper section {spec.section}"


def toggles_text(toggles: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in toggles.items()) or "no toggles"


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def world_text(world) -> str:
    parts = []
    for net in world.networks.values():
        members = [h for h in sorted(world.hosts) if world.hosts[h].network == net.name]
        if not members:
            parts.append(f"{net.label} has no hosts drawn")
            continue
        hosts = [f"{h} ({role_words(world.hosts[h].role, world.hosts[h].malicious)}, "
                 f"{', '.join(str(a) for a in world.hosts[h].addresses) or 'no address'})" for h in members]
        parts.append(f"{net.label} holds {_join(hosts)}")
    return "; ".join(parts) + "."


_HEADER = re.compile(r"^(\S+) \S+ > \S+ ?(.*)$")
_NOISE = re.compile(r"\s*\b(?:x?id|spi)=\S+|\s*\bseq=\d+|\s+KE N[ir]\b|\s+CERT AUTH\b")


def packet_gist(event) -> str:
    """What a packet says, without addresses and ids: ``query A server-b.example.org``, ``[SYN]``."""
    summary = event.summary
    if event.kind == "esp":
        inner = ESP_REASON.match(event.reason or "")
        if inner:
            match = _HEADER.match(inner.group("inner"))
            text = f"{match.group(1)} {match.group(2)}" if match else inner.group("inner")
            how = "readable" if inner.group("readable") else "encrypted"
            return f"{how} " + _NOISE.sub("", text).strip()
    match = _HEADER.match(summary)
    rest = match.group(2) if match else summary
    rest = _NOISE.sub("", rest).strip()
    if match and match.group(1) not in ("TCP", "DNS", "IKE", "DHCP", "ESP"):
        rest = f"{match.group(1)} {rest}"
    return rest


def flow_gist(flow, events, limit: int = 70) -> str:
    """The distinct gists of a flow's packets, in order, cut to ``limit`` characters."""
    by_seq = {e.seq: e for e in events}
    seen: list[str] = []
    for seq in flow.steps:
        gist = packet_gist(by_seq[seq])
        if gist and gist not in seen:
            seen.append(gist)
    text = "; ".join(seen)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def flow_text(flow, events=None) -> str:
    words = STATE_WORDS.get(flow.state, flow.state)
    count = len(flow.steps)
    target = f"everyone on {flow.target}" if flow.broadcast else flow.target
    text = f"{flow.number}. {flow.sender} to {target}: {words}"
    if events is not None:
        gist = flow_gist(flow, events)
        if gist:
            text += f" ({gist})"
    if count > 1:
        text += f", {count} packets"
    if flow.spoofed_source:
        text += f", with the forged source address {flow.spoofed_source}"
    if flow.dropped:
        text += ", dropped" if flow.dropped == count else f", {flow.dropped} dropped"
    return text


def verdict_text(result) -> str:
    return f"Verdict: {result.banner()}. {result.verdict.explanation}."


def spd_text(world, client: str | None) -> str:
    if not client or client not in world.hosts:
        return ""
    rules = [f"{i + 1} {rule}" for i, rule in enumerate(world.hosts[client].spd)]
    return f"{client}'s SPD, first match wins: " + "; ".join(rules) + "."


def alt_text(result, flows=None, client: str | None = None) -> str:
    """A full text equivalent of the picture of ``result`` (topology, SPD, flows, verdict)."""
    from .layout import layout_for
    from .steps import build_steps
    from .layout import client_of
    if flows is None:
        _, flows = build_steps(result.events, layout_for(result.world, result.scenario), result.world)
    client = client or client_of(result.world, result.scenario)
    where = where_in_paper(result.scenario)
    head = f"Network diagram of scenario {result.scenario}"
    if where:
        head += f" ({where})"
    head += f" with {toggles_text(result.toggles)}. "
    flows_part = ("Packet flows in order: " + "; ".join(flow_text(f, result.events) for f in flows) + ". ") \
        if flows else \
        "No packet crossed the network. "
    return head + world_text(result.world) + " " + spd_text(result.world, client) + " " + flows_part + \
        verdict_text(result)


def legend_text(shown=()) -> str:
    """The legend in words: every state it always lists, and those of the occasional ones in ``shown``."""
    return "Legend: " + "; ".join(f"{STATES[k].shape} = {STATES[k].label}" for k in legend_states(shown)) + "."


__all__ = ["alt_text", "flow_text", "flow_gist", "packet_gist", "verdict_text", "world_text", "where_in_paper", "toggles_text",
           "scenario_spec", "legend_text", "STATE_WORDS"]
