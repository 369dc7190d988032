"""The security policy database (RFC 4301 section 4.4.1): ordered rules, first match decides.

A student writes an SPD as text, one rule a line::

    bypass remote 1.2.0.53 proto udp port 53   # the DNS server
    protect remote 1.2.0.0/16                  # the intranet
    bypass any                                 # everything else in clear

Selectors: ``local`` and ``remote`` (an address, a prefix, ``broadcast``, ``multicast`` or
``any``), ``proto`` (tcp, udp, icmp, esp, ipv6-icmp or a number), ``port`` (the peer's
port) and ``lport`` (our own port), a single number or a range ``1024-65535``, ``dir``
(``in``, ``out`` or ``both``), and ``name`` (the name the peer must authenticate as; PROTECT
only, see the paper's section 6.4). Options on PROTECT: ``fallback`` (when the peer does
not answer IKE, fall back to clear and open a soft SA: the non-standard stateful extension
of section 7) and ``tunnel ADDRESS`` (tunnel mode to a security gateway).

>>> spd = parse_spd("protect remote 1.2.0.0/16\\nbypass any")
>>> spd.lookup(PacketView.outbound("1.2.0.5", "3.4.5.6", "tcp", 40000, 80)).rule.action
'bypass'
>>> spd.lookup(PacketView.outbound("1.2.0.5", "1.2.3.4", "tcp", 40000, 80)).label()
'SPD rule 1: protect remote 1.2.0.0/16'
"""

from __future__ import annotations

import bisect
import difflib
import ipaddress
from dataclasses import dataclass, field

from ..addresses import Address, Prefix, destination_class, ip
from ..errors import NameSelectorOnBypass, SpdSyntaxError

ACTIONS = ("protect", "bypass", "discard")
SELECTOR_WORDS = ("local", "remote", "proto", "port", "lport", "dir", "name")
OPTION_WORDS = ("fallback", "tunnel")
ADDRESS_WORDS = ("any", "broadcast", "multicast")
PROTOCOLS = {"tcp": 6, "udp": 17, "icmp": 1, "esp": 50, "ah": 51, "gre": 47, "ipv6-icmp": 58}
PROTOCOL_NAMES = {number: name for name, number in PROTOCOLS.items()}
PORT_PROTOCOLS = (6, 17, 132)
EXAMPLE = "protect remote 1.2.0.0/16 proto tcp port 80"

SECTION_6_4 = (
    "a name selector cannot select BYPASS or DISCARD traffic: the peer's name is known only "
    "after the peer has authenticated in IKE, and traffic that bypasses IPsec never "
    "authenticates (paper, section 6.4). Select bypassed traffic by address and port instead, "
    "as narrowly as you can."
)


@dataclass(frozen=True, slots=True)
class AddressTerm:
    """One address selector: a prefix, or the keyword ``broadcast`` / ``multicast``."""

    prefix: Prefix | None = None
    keyword: str = ""

    def matches(self, address: Address, cls: str) -> bool:
        if self.keyword:
            return cls == self.keyword
        return address.version == self.prefix.version and address in self.prefix

    def __str__(self) -> str:
        if self.keyword:
            return self.keyword
        p = self.prefix
        return str(p.network_address) if p.prefixlen == p.max_prefixlen else str(p)


@dataclass(frozen=True, slots=True)
class Rule:
    """One SPD entry: selectors (``None`` means ANY) and an action."""

    action: str
    local: AddressTerm | None = None
    remote: AddressTerm | None = None
    proto: int | None = None
    lport: tuple[int, int] | None = None
    rport: tuple[int, int] | None = None
    direction: str = "both"
    name: str | None = None
    fallback: bool = False
    tunnel: Address | None = None
    line_no: int = 0

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"action must be one of {ACTIONS}, not {self.action!r}")
        if self.name and self.action != "protect":
            raise ValueError(SECTION_6_4)

    def header_matches(self, view: PacketView) -> bool:
        """Compare every selector read from packet headers (the name is checked at IKE)."""
        if self.direction != "both" and self.direction != view.direction:
            return False
        if self.remote is not None and not self.remote.matches(view.remote, view.remote_class):
            return False
        if self.local is not None and not self.local.matches(view.local, view.local_class):
            return False
        if self.proto is not None and self.proto != view.proto:
            return False
        if self.rport is not None or self.lport is not None:
            if view.proto not in PORT_PROTOCOLS:
                return False
            if self.rport is not None and not self.rport[0] <= view.rport <= self.rport[1]:
                return False
            if self.lport is not None and not self.lport[0] <= view.lport <= self.lport[1]:
                return False
        return True

    def __str__(self) -> str:
        words = [self.action]
        if self.local is not None:
            words += ["local", str(self.local)]
        if self.remote is not None:
            words += ["remote", str(self.remote)]
        if self.proto is not None:
            words += ["proto", PROTOCOL_NAMES.get(self.proto, str(self.proto))]
        for word, ports in (("port", self.rport), ("lport", self.lport)):
            if ports is not None:
                words += [word, str(ports[0]) if ports[0] == ports[1] else f"{ports[0]}-{ports[1]}"]
        if self.direction != "both":
            words += ["dir", self.direction]
        if self.name:
            words += ["name", self.name]
        if len(words) == 1:
            words.append("any")
        if self.fallback:
            words.append("fallback")
        if self.tunnel is not None:
            words += ["tunnel", str(self.tunnel)]
        return " ".join(words)


@dataclass(frozen=True, slots=True)
class PacketView:
    """What the SPD sees of a packet, from the host's point of view."""

    direction: str
    local: Address
    remote: Address
    proto: int
    lport: int = 0
    rport: int = 0
    local_class: str = "unicast"
    remote_class: str = "unicast"

    @classmethod
    def outbound(cls, src, dst, proto, sport=0, dport=0, directed_broadcasts=()) -> PacketView:
        dst = ip(dst)
        return cls("out", ip(src), dst, _proto(proto), sport, dport, "unicast",
                   destination_class(dst, tuple(ip(a) for a in directed_broadcasts)))

    @classmethod
    def inbound(cls, src, dst, proto, sport=0, dport=0, directed_broadcasts=()) -> PacketView:
        dst = ip(dst)
        return cls("in", dst, ip(src), _proto(proto), dport, sport,
                   destination_class(dst, tuple(ip(a) for a in directed_broadcasts)), "unicast")


@dataclass(frozen=True, slots=True)
class Match:
    """The result of a lookup: the rule's position (0-based) and the rule, or no match."""

    index: int | None
    rule: Rule | None

    @property
    def action(self) -> str:
        return self.rule.action if self.rule else "discard"

    def label(self) -> str:
        if self.rule is None:
            return "no SPD rule matched (RFC 4301 discards such packets)"
        return f"SPD rule {self.index + 1}: {self.rule}"


@dataclass(frozen=True)
class Spd:
    """An ordered list of rules with an index that finds the first match quickly.

    The index splits each address family into intervals of remote addresses; each interval
    keeps, in SPD order, the rules that can match there. A lookup bisects to the interval
    and tries only those rules, so its answer is always the linear first match.
    """

    rules: tuple[Rule, ...] = ()
    _index: dict = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", _build_index(self.rules))

    def __len__(self) -> int:
        return len(self.rules)

    def __iter__(self):
        return iter(self.rules)

    def lookup(self, view: PacketView, peer_name: str | None = None) -> Match:
        """First rule whose header selectors match ``view``.

        ``peer_name``, when the stack knows the name the application asked for (a name
        handle, paper section 5.4), skips PROTECT rules whose name selector names another peer.
        """
        bounds, lists = self._index[view.remote.version]
        rules = self.rules
        for i in lists[bisect.bisect_right(bounds, int(view.remote)) - 1]:
            rule = rules[i]
            if rule.header_matches(view):
                if peer_name is not None and rule.name and not name_matches(rule.name, peer_name):
                    continue
                return Match(i, rule)
        return Match(None, None)

    def lookup_linear(self, view: PacketView, peer_name: str | None = None) -> Match:
        """The same answer as :meth:`lookup`, by scanning every rule (the definition)."""
        for i, rule in enumerate(self.rules):
            if rule.header_matches(view):
                if peer_name is not None and rule.name and not name_matches(rule.name, peer_name):
                    continue
                return Match(i, rule)
        return Match(None, None)

    def text(self) -> str:
        return "\n".join(str(rule) for rule in self.rules)

    def protected_traffic_with(self, local, remote) -> Match | None:
        """A first match that says PROTECT for some packet between ``local`` and ``remote``, if any.

        The packets tried are one per protocol and port the rules name (plus plain TCP, UDP
        and ICMP), so a rule that protects only, say, UDP port 53 is found too. An IKE
        responder uses this to decide whether it may set up an SA with a peer at all.
        """
        probes = {("tcp", 0, 0), ("udp", 0, 0), ("icmp", 0, 0)}
        for rule in self.rules:
            protos = [rule.proto] if rule.proto is not None else [6, 17]
            for proto in protos:
                probes.add((proto, rule.lport[0] if rule.lport else 0, rule.rport[0] if rule.rport else 0))
        for proto, lport, rport in sorted(probes, key=str):
            match = self.lookup(PacketView.outbound(local, remote, proto, lport, rport))
            if match.action == "protect":
                return match
        return None


def _build_index(rules: tuple[Rule, ...]) -> dict:
    index = {}
    for version, top in ((4, 2**32), (6, 2**128)):
        spans = []  # (start, end, rule index) for rules whose remote is a prefix of this family
        everywhere = []
        for i, rule in enumerate(rules):
            term = rule.remote
            if term is None or term.keyword:
                everywhere.append(i)
            elif term.prefix.version == version:
                start = int(term.prefix.network_address)
                spans.append((start, start + term.prefix.num_addresses, i))
        bounds = sorted({0, *(s for s, _, _ in spans), *(e for _, e, _ in spans if e < top)})
        per_interval: list[list[int]] = [[] for _ in bounds]
        for start, end, i in spans:
            lo = bisect.bisect_left(bounds, start)
            hi = bisect.bisect_left(bounds, end)
            for k in range(lo, hi):
                per_interval[k].append(i)
        lists = [tuple(sorted(set(found) | set(everywhere))) for found in per_interval]
        index[version] = (bounds, lists)
    return index


def name_matches(pattern: str, name: str) -> bool:
    """RFC 6125 style: case-insensitive; ``*.example.org`` matches exactly one left-most label."""
    pattern, name = pattern.lower().rstrip("."), name.lower().rstrip(".")
    if pattern.startswith("*."):
        head, _, rest = name.partition(".")
        return bool(head) and rest == pattern[2:]
    return pattern == name


def name_selector_admits(required: str, authenticated: str) -> bool:
    """A name selector (RFC 4301 section 4.4.1.1), enforced by IKE and again for every packet sent on
    the SA: the peer must have authenticated as the name the rule (or a name handle) requires."""
    return name_matches(required, authenticated)


def _proto(value) -> int:
    if isinstance(value, int):
        return value
    return PROTOCOLS[value]


# ---------------------------------------------------------------- the text syntax

def parse_spd(text: str, source: str = "") -> Spd:
    """Read SPD text (one rule a line, ``#`` comments). Errors name line and column."""
    rules = []
    for line_no, raw in enumerate(text.splitlines(), start=1):
        code = raw.split("#", 1)[0]
        if code.strip():
            rules.append(parse_rule(code, line_no, raw.rstrip(), source))
    return Spd(tuple(rules))


def parse_rule(code: str, line_no: int = 1, raw: str | None = None, source: str = "") -> Rule:
    raw = code.rstrip() if raw is None else raw
    tokens = _tokens(code)

    def fail(column: int, problem: str, example: str = EXAMPLE, error=SpdSyntaxError):
        raise error(line_no, column, raw, problem, example, source)

    action_col, action = tokens[0]
    if action.lower() not in ACTIONS:
        fail(action_col, f"a rule starts with an action ({', '.join(ACTIONS)}), not {action!r}"
             + _did_you_mean(action, ACTIONS))
    action = action.lower()
    values: dict = {}
    seen: dict[str, int] = {}
    pos = 1
    any_given = False
    if len(tokens) == 1:
        fail(len(raw) + 1, f"'{action}' needs selectors, or 'any' for every packet", f"{action} any")
    while pos < len(tokens):
        col, word = tokens[pos]
        key = word.lower()
        if key == "any":
            if pos != 1:
                fail(col, "'any' comes straight after the action; leave it out when you give selectors",
                     f"{action} any")
            any_given = True
            pos += 1
            continue
        if any_given and key in SELECTOR_WORDS:
            fail(col, f"'any' already selects every packet; drop 'any' to select by {key!r}",
                 f"{action} {_example_for(key).split(' ', 1)[1]}")
        if key not in SELECTOR_WORDS + OPTION_WORDS:
            fail(col, f"unknown word {word!r}; expected one of: {', '.join(SELECTOR_WORDS + OPTION_WORDS)}"
                 + _did_you_mean(key, SELECTOR_WORDS + OPTION_WORDS))
        if key in seen:
            fail(col, f"{key!r} is given twice (first at column {seen[key]}); write a second rule instead")
        seen[key] = col
        if key == "fallback":
            if action != "protect":
                fail(col, "'fallback' (fall back to clear and open a soft SA) only makes sense on a protect rule",
                     "protect remote 1.2.0.0/16 fallback")
            values["fallback"] = True
            pos += 1
            continue
        if pos + 1 >= len(tokens):
            fail(len(raw) + 1, f"{key!r} needs a value", _example_for(key))
        vcol, value = tokens[pos + 1]
        if key == "name" and action != "protect":
            fail(col, SECTION_6_4, "protect remote 1.2.3.4 name server-b.example.org", NameSelectorOnBypass)
        if key == "tunnel" and action != "protect":
            fail(col, "'tunnel' names the security gateway of a protect rule", "protect any tunnel 5.6.7.8")
        try:
            values[key] = _selector_value(key, value)
        except ValueError as exc:
            fail(vcol, str(exc), _example_for(key))
        pos += 2
    if ("port" in values or "lport" in values) and values.get("proto") not in (None, *PORT_PROTOCOLS):
        fail(seen.get("port", seen.get("lport")), "ports only exist for tcp and udp",
             "bypass remote 1.2.0.53 proto udp port 53")
    remote, local = values.get("remote"), values.get("local")
    if remote and local and remote.prefix and local.prefix and remote.prefix.version != local.prefix.version:
        fail(seen["local"], "local and remote must be the same address family (both IPv4 or both IPv6)")
    return Rule(action, local=local, remote=remote, proto=values.get("proto"), lport=values.get("lport"),
                rport=values.get("port"), direction=values.get("dir", "both"), name=values.get("name"),
                fallback=values.get("fallback", False), tunnel=values.get("tunnel"), line_no=line_no)


def _tokens(code: str) -> list[tuple[int, str]]:
    tokens, col, word = [], 0, ""
    for i, ch in enumerate(code + " ", start=1):
        if ch.isspace():
            if word:
                tokens.append((col, word))
                word = ""
        else:
            if not word:
                col = i
            word += ch
    return tokens


def _selector_value(key: str, value: str):
    low = value.lower()
    if key in ("local", "remote"):
        if low == "any":
            return None
        if low in ("broadcast", "multicast"):
            return AddressTerm(keyword=low)
        try:
            return AddressTerm(prefix=ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise ValueError(f"{key!r} needs an address or range such as 1.2.0.0/16, 1.2.3.4, "
                             f"2001:db8::/32, broadcast, multicast or any; got {value!r}") from None
    if key == "proto":
        if low == "any":
            return None
        if low in PROTOCOLS:
            return PROTOCOLS[low]
        if low.isdigit() and 0 <= int(low) <= 255:
            return int(low)
        raise ValueError(f"unknown protocol {value!r}; use one of {', '.join(PROTOCOLS)}, a number 0-255 or any"
                         + _did_you_mean(low, tuple(PROTOCOLS)))
    if key in ("port", "lport"):
        if low == "any":
            return None
        lo, sep, hi = low.partition("-")
        if lo.isdigit() and (not sep or hi.isdigit()):
            first, last = int(lo), int(hi) if sep else int(lo)
            if 0 <= first <= last <= 65535:
                return (first, last)
        raise ValueError(f"a port is a number 0-65535 or a range like 1024-65535; got {value!r}")
    if key == "dir":
        if low in ("in", "out", "both"):
            return low
        raise ValueError(f"'dir' is in, out or both; got {value!r}")
    if key == "name":
        label = low[2:] if low.startswith("*.") else low
        if label and all(part and all(c.isalnum() or c == "-" for c in part) for part in label.rstrip(".").split(".")):
            return low.rstrip(".")
        raise ValueError(f"'name' needs a host name such as server-b.example.org or *.example.org; got {value!r}")
    if key == "tunnel":
        try:
            return ip(value)
        except ValueError:
            raise ValueError(f"'tunnel' needs the gateway's address, such as 5.6.7.8; got {value!r}") from None
    raise AssertionError(key)


def _example_for(key: str) -> str:
    return {
        "local": "bypass local broadcast dir in",
        "remote": "protect remote 1.2.0.0/16",
        "proto": "bypass remote 1.2.0.53 proto udp port 53",
        "port": "bypass remote 1.2.0.53 proto udp port 53",
        "lport": "bypass proto udp lport 137 dir in",
        "dir": "discard remote multicast dir in",
        "name": "protect remote 1.2.3.4 name server-b.example.org",
        "tunnel": "protect any tunnel 5.6.7.8",
    }.get(key, EXAMPLE)


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word.lower(), choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
