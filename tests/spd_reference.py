"""Independent oracles for the property tests: RFC 4301's first match, and what crossed the wire.

Nothing here calls labsim's SPD lookup, its rule matching or its trace decisions. The first
match is a plain scan written from RFC 4301 section 4.4.1 (ordered entries, the first whose
selectors all match decides, ANY matches everything, no match means DISCARD); the wire is
read from the raw IP bytes the world recorded for each packet it transmitted, dissected with
scapy, so a packet counts as protected only if it really was ESP.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.ipsec import ESP, SecurityAssociation

LIMITED_BROADCAST = ipaddress.ip_address("255.255.255.255")
PORT_PROTOCOLS = (6, 17, 132)   # protocols that have ports (RFC 4301 4.4.1.1: otherwise OPAQUE)
IKE_PORTS = (500, 4500)


def address_class(address, directed_broadcasts=()) -> str:
    """unicast, broadcast (limited, or the attached network's directed broadcast) or multicast."""
    address = ipaddress.ip_address(str(address))
    if address == LIMITED_BROADCAST or address in {ipaddress.ip_address(str(a)) for a in directed_broadcasts}:
        return "broadcast"
    return "multicast" if address.is_multicast else "unicast"


def _term_matches(term, address, cls: str) -> bool:
    if term is None:                  # ANY
        return True
    if term.keyword:
        return term.keyword == cls
    net = ipaddress.ip_network(str(term.prefix))
    return address.version == net.version and address in net


def _ports_match(span, port: int) -> bool:
    return span is None or span[0] <= port <= span[1]


def first_match(rules, direction: str, local, remote, proto: int, lport: int = 0, rport: int = 0,
                directed_broadcasts=()) -> tuple[int | None, str]:
    """(index, action) of the first entry of ``rules`` whose selectors match; (None, 'discard') if none.

    ``local`` and ``remote`` are from the host's side: outbound, local is the source;
    inbound, local is the destination (which may be a broadcast or multicast group).
    """
    local, remote = ipaddress.ip_address(str(local)), ipaddress.ip_address(str(remote))
    local_cls = address_class(local, directed_broadcasts) if direction == "in" else "unicast"
    remote_cls = address_class(remote, directed_broadcasts) if direction == "out" else "unicast"
    for index, rule in enumerate(rules):
        if rule.direction not in ("both", direction):
            continue
        if not _term_matches(rule.remote, remote, remote_cls) or not _term_matches(rule.local, local, local_cls):
            continue
        if rule.proto is not None and rule.proto != proto:
            continue
        if (rule.lport is not None or rule.rport is not None) and proto not in PORT_PROTOCOLS:
            continue
        if not (_ports_match(rule.lport, lport) and _ports_match(rule.rport, rport)):
            continue
        return index, rule.action
    return None, "discard"


# ---------------------------------------------------------------- the wire

@dataclass(frozen=True)
class WirePacket:
    """One packet as the world transmitted it, dissected from its bytes."""

    sender: str
    time_us: int
    src: str
    dst: str
    esp: bool
    spi: int | None
    proto: int
    sport: int
    dport: int
    payload: bytes
    raw: bytes
    path: tuple[str, ...] = ()

    def reaches(self, host: str, network: str) -> bool:
        """Did the world carry it to ``host`` (unicast: the path ends there; a group: on its network)?"""
        return self.path[-1] in (host, network)

    @property
    def is_ike(self) -> bool:
        return self.proto == 17 and self.sport in IKE_PORTS and self.dport in IKE_PORTS

    def flow(self) -> tuple:
        """What identifies an application packet: addresses, protocol, ports and payload."""
        return (self.src, self.dst, self.proto, self.sport, self.dport, self.payload)


def parse_ip(raw: bytes):
    return IPv6(raw) if raw[0] >> 4 == 6 else IP(raw)


def _flow_of(pkt) -> tuple[int, int, int, bytes]:
    proto = pkt.nh if pkt.version == 6 else pkt.proto
    for layer in (UDP, TCP):
        if pkt.haslayer(layer):
            seg = pkt[layer]
            return proto, seg.sport, seg.dport, bytes(seg.payload)
    return proto, 0, 0, b""


def wire(trace) -> list[WirePacket]:
    """Every packet the world put on a network, from the raw bytes it recorded (never the host's log)."""
    found = []
    for event in trace:
        if event.packet is None or not event.path:
            continue
        pkt = parse_ip(event.packet)
        if pkt.haslayer(ESP):
            found.append(WirePacket(event.path[0], event.time_us, str(pkt.src), str(pkt.dst), True, pkt[ESP].spi,
                                    50, 0, 0, b"", event.packet, event.path))
        else:
            proto, sport, dport, payload = _flow_of(pkt)
            found.append(WirePacket(event.path[0], event.time_us, str(pkt.src), str(pkt.dst), False, None,
                                    proto, sport, dport, payload, event.packet, event.path))
    return found


def open_esp(packet: WirePacket, key: bytes) -> tuple:
    """Decrypt an ESP packet with scapy alone (AES-GCM, RFC 4106) and return the inner packet's flow."""
    sa = SecurityAssociation(ESP, spi=packet.spi, crypt_algo="AES-GCM", crypt_key=key)
    inner = sa.decrypt(parse_ip(packet.raw))
    proto, sport, dport, payload = _flow_of(inner)
    return (str(inner.src), str(inner.dst), proto, sport, dport, payload)
