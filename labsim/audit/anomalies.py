"""The classic anomalies of an ordered rule list: rules that never decide, and rules that change nothing.

An SPD is read top down and the first matching rule decides (the paper's section 3). So
a rule can be *dead*: every packet it matches is already matched by rules above it. If
one of those decides differently the dead rule is **shadowed**: what it says is never
done, and its author probably meant something else. If they all decide the same, it is
**redundant**. A live rule is also redundant when removing it would change no decision,
because the rules below it decide its packets the same way. (These are the anomaly
classes of firewall policy analysis, e.g. Al-Shaer and Hamed's "Firewall Policy Advisor".)

The analysis is exact over the header selectors: each rule is a box in the space
(direction, remote address, local address, protocol, remote port, local port), and box
subtraction finds what each rule really decides. Name selectors are left out (they are
checked in IKE, not on headers); the keywords ``broadcast`` and ``multicast`` are treated
as their own points, apart from address prefixes that contain those addresses.

>>> from labsim.ipsec.spd import parse_spd
>>> spd = parse_spd("protect remote 10.1.0.0/16\\nbypass remote 10.1.0.53 proto udp port 53\\nbypass any")
>>> [(a.kind, a.index, a.by) for a in find_anomalies(spd)]
[('shadowed', 1, (0,))]
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ipsec.spd import PORT_PROTOCOLS, Rule, Spd

V6_BASE = 2 ** 32
BROADCAST = V6_BASE + 2 ** 128
MULTICAST = BROADCAST + 1
FULL = {"dir": (0, 1), "addr": (0, MULTICAST), "proto": (0, 255), "port": (0, 65535)}
MAX_BOXES = 50_000

Box = tuple[tuple[int, int], ...]   # (direction, remote, local, proto, remote port, local port)


@dataclass(frozen=True)
class Anomaly:
    """``kind`` is ``shadowed`` or ``redundant``; ``index`` the rule (0-based); ``by`` the rules responsible."""

    kind: str
    index: int
    by: tuple[int, ...]
    explanation: str


def find_anomalies(spd: Spd) -> list[Anomaly]:
    """Every shadowed or redundant rule of ``spd``, in rule order."""
    rules = spd.rules
    boxes = [rule_boxes(rule) for rule in rules]
    found: list[Anomaly] = []
    earlier: list[Box] = []
    effective: list[list[Box]] = []
    for i, rule in enumerate(rules):
        region = list(boxes[i])
        for box in earlier:
            region = _minus(region, box)
            if not region or len(region) > MAX_BOXES:
                break
        if len(region) > MAX_BOXES:
            return found   # too many rules to analyse exactly; say nothing rather than guess
        effective.append(region)
        earlier.extend(boxes[i])
        if not region:
            cover = tuple(j for j in range(i) if _overlaps(boxes[j], boxes[i]))
            differ = tuple(j for j in cover if not _same(rules[j], rule))
            if differ:
                found.append(Anomaly("shadowed", i, differ, _shadow_text(rules, i, differ)))
            else:
                found.append(Anomaly("redundant", i, cover, f"rule {i + 1} is never reached: rule(s) "
                                                            f"{_list(cover)} above it already decide all its "
                                                            f"packets the same way ({rule.action})"))
    for i, rule in enumerate(rules):
        if not effective[i]:
            continue
        deciders = _deciders_without(rules, boxes, i, effective[i])
        if deciders is not None:
            found.append(Anomaly("redundant", i, deciders, f"removing rule {i + 1} changes no decision: rule(s) "
                                                           f"{_list(deciders)} below it decide its packets the same "
                                                           f"way ({rule.action})"))
    found.sort(key=lambda a: a.index)
    return found


def rule_boxes(rule: Rule) -> list[Box]:
    """The header space a rule matches, as boxes (a rule with ports but no protocol is three boxes)."""
    direction = {"both": (0, 1), "out": (0, 0), "in": (1, 1)}[rule.direction]
    remote, local = _address(rule.remote), _address(rule.local)
    rport = rule.rport or FULL["port"]
    lport = rule.lport or FULL["port"]
    if rule.rport is not None or rule.lport is not None:
        protos = [rule.proto] if rule.proto is not None else list(PORT_PROTOCOLS)
        return [(direction, remote, local, (p, p), rport, lport) for p in protos if p in PORT_PROTOCOLS]
    proto = (rule.proto, rule.proto) if rule.proto is not None else FULL["proto"]
    return [(direction, remote, local, proto, FULL["port"], FULL["port"])]


def _address(term) -> tuple[int, int]:
    if term is None:
        return FULL["addr"]
    if term.keyword:
        return (BROADCAST, BROADCAST) if term.keyword == "broadcast" else (MULTICAST, MULTICAST)
    base = 0 if term.prefix.version == 4 else V6_BASE
    return base + int(term.prefix.network_address), base + int(term.prefix.broadcast_address)


def _subtract(a: Box, b: Box) -> list[Box]:
    if any(x[1] < y[0] or y[1] < x[0] for x, y in zip(a, b)):
        return [a]
    out, cur = [], list(a)
    for d, (lo, hi) in enumerate(a):
        blo, bhi = b[d]
        lo, hi = cur[d]
        if lo < blo:
            out.append(tuple(cur[:d] + [(lo, blo - 1)] + cur[d + 1:]))
        if bhi < hi:
            out.append(tuple(cur[:d] + [(bhi + 1, hi)] + cur[d + 1:]))
        cur[d] = (max(lo, blo), min(hi, bhi))
    return out


def _minus(region: list[Box], box: Box) -> list[Box]:
    return [part for piece in region for part in _subtract(piece, box)]


def _intersects(a: Box, b: Box) -> bool:
    return all(x[0] <= y[1] and y[0] <= x[1] for x, y in zip(a, b))


def _overlaps(a: list[Box], b: list[Box]) -> bool:
    return any(_intersects(x, y) for x in a for y in b)


def _same(a: Rule, b: Rule) -> bool:
    return (a.action, a.fallback, a.tunnel, a.name) == (b.action, b.fallback, b.tunnel, b.name)


def _deciders_without(rules, boxes, i: int, region: list[Box]) -> tuple[int, ...] | None:
    """The rules that would decide rule i's packets if it were gone, or None if one decides differently."""
    deciders = []
    for k in range(i + 1, len(rules)):
        if not any(_intersects(piece, box) for piece in region for box in boxes[k]):
            continue
        if not _same(rules[k], rules[i]):
            return None
        deciders.append(k)
        for box in boxes[k]:
            region = _minus(region, box)
        if not region:
            return tuple(deciders)
        if len(region) > MAX_BOXES:
            return None
    return None   # some packets would fall off the end; an explicit final rule is never called redundant


def _shadow_text(rules, i: int, differ: tuple[int, ...]) -> str:
    actions = sorted({rules[j].action for j in differ})
    return (f"rule {i + 1} ({rules[i].action}) is never reached: rule(s) {_list(differ)} above it match all its "
            f"packets first and decide {' or '.join(actions)}, so what it says is never done")


def _list(indexes) -> str:
    return ", ".join(str(j + 1) for j in indexes)


__all__ = ["Anomaly", "find_anomalies", "rule_boxes"]
