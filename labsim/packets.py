"""Packets: scapy objects for the bytes, plus the ground truth the simulator keeps beside them.

Hosts only ever read the scapy packet (headers and payload), exactly as a real stack
would. The :class:`Packet` wrapper also remembers who really built it (``origin``) and a
few facts for the verdict, which no host consults.

>>> p = Packet(tcp("1.2.0.5", "1.2.3.4", 40001, 80, "S"), origin="host-a")
>>> summary(p.ip)
'TCP 1.2.0.5:40001 > 1.2.3.4:80 [SYN]'
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scapy.layers.dns import DNS
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.ipsec import ESP
from scapy.packet import Packet as ScapyPacket
from scapy.packet import Raw

from .addresses import Address, ip

IKE_PORTS = (500, 4500)
DNS_PORT = 53
DHCP_PORTS = (67, 68)

TCP_FLAG_WORDS = {"S": "SYN", "SA": "SYN-ACK", "A": "ACK", "PA": "data", "FA": "FIN", "R": "RST"}

#: UDP services whose messages the trace describes in words: port -> (label, module, function).
#: The modules are imported only when such a packet is summarised (they sit above this layer).
UDP_DESCRIBERS = {
    67: ("DHCP", "labsim.dhcp", "describe_dhcp"),
    68: ("DHCP", "labsim.dhcp", "describe_dhcp"),
    137: ("NBNS", "labsim.broadcast", "describe_nbns"),
    5355: ("LLMNR", "labsim.broadcast", "describe_llmnr"),
}


@dataclass
class Packet:
    """A packet in flight: the scapy packet a host sees, and facts only the simulator sees."""

    ip: ScapyPacket
    origin: str
    facts: dict = field(default_factory=dict)
    sa: object = None      # set by the receiving host: the inbound SA it came through, if any

    @property
    def src(self) -> Address:
        return ip(self.ip.src)

    @property
    def dst(self) -> Address:
        return ip(self.ip.dst)

    def copy(self) -> Packet:
        twin = self.ip.copy()
        known = getattr(self.ip, "_labsim_summary", None)
        if known is not None:   # the same bytes: keep the words summary() already found for them
            object.__setattr__(twin, "_labsim_summary", known)
        return Packet(twin, self.origin, dict(self.facts))


def ip_header(src, dst, **kw) -> ScapyPacket:
    src, dst = str(src), str(dst)
    if ":" in src or ":" in dst:
        return IPv6(src=src, dst=dst, **({"hlim": kw["ttl"]} if "ttl" in kw else {}))
    return IP(src=src, dst=dst, **kw)


def stack(*layers) -> ScapyPacket:
    """``a / b / c`` without the copies: '/' clones the whole stack at every step."""
    for upper, lower in zip(layers[:0:-1], layers[-2::-1]):
        lower.add_payload(upper)
    return layers[0]


def tcp(src, dst, sport: int, dport: int, flags: str, payload: bytes = b"", seq: int = 0, ack: int = 0) -> ScapyPacket:
    segment = TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ack, window=65535)
    return stack(ip_header(src, dst), segment, *([Raw(payload)] if payload else []))


def udp(src, dst, sport: int, dport: int, payload: bytes | ScapyPacket = b"") -> ScapyPacket:
    if isinstance(payload, ScapyPacket):
        return ip_header(src, dst) / UDP(sport=sport, dport=dport) / payload
    return stack(ip_header(src, dst), UDP(sport=sport, dport=dport), *([Raw(payload)] if payload else []))


def transport(pkt: ScapyPacket):
    """(protocol number, source port, destination port) of an IP packet; ports are 0 when absent."""
    layer = pkt.payload
    proto = pkt.proto if pkt.version == 4 else pkt.nh
    if isinstance(layer, (TCP, UDP)):
        return proto, layer.sport, layer.dport
    return proto, 0, 0


def payload_bytes(pkt: ScapyPacket) -> bytes:
    layer = pkt.payload
    if isinstance(layer, (TCP, UDP)):
        return bytes(layer.payload)
    return bytes(layer)


def application_data(pkt: ScapyPacket) -> bytes:
    """The application's bytes in a packet: its TCP or UDP payload, unless the packet is IKE, DNS or DHCP
    (b"" then, and for a packet without a payload)."""
    return payload_bytes(pkt) if wire_class(pkt) == "clear" else b""


def wire_class(pkt: ScapyPacket) -> str:
    """The trace kind of a packet on the wire: esp, ike, dns, dhcp or clear."""
    if pkt.haslayer(ESP):
        return "esp"
    proto, sport, dport = transport(pkt)
    if proto == 17:
        if sport in IKE_PORTS or dport in IKE_PORTS:
            return "ike"
        if DNS_PORT in (sport, dport):
            return "dns"
        if sport in DHCP_PORTS or dport in DHCP_PORTS:
            return "dhcp"
    return "clear"


def summary(pkt: ScapyPacket) -> str:
    """A short, stable, one-line description (not scapy's, which changes between versions).

    A packet is described once: every host that records a decision about it reuses the words
    (kept on the packet object; labsim never changes a packet after building it).
    """
    known = getattr(pkt, "_labsim_summary", None)
    if known is None:
        known = _describe(pkt)
        object.__setattr__(pkt, "_labsim_summary", known)
    return known


def _describe(pkt: ScapyPacket) -> str:
    if pkt.haslayer(ESP):
        esp = pkt[ESP]
        return f"ESP {pkt.src} > {pkt.dst} spi=0x{esp.spi:08x} seq={esp.seq}"
    proto, sport, dport = transport(pkt)
    layer = pkt.payload
    if isinstance(layer, TCP):
        flags = str(layer.flags)
        word = TCP_FLAG_WORDS.get(flags, flags)
        data = bytes(layer.payload)
        text = f"TCP {_ep(pkt.src, sport)} > {_ep(pkt.dst, dport)} [{word}]"
        if data:
            text += f" {_preview(data)}"
        return text
    if isinstance(layer, UDP):
        if sport in IKE_PORTS or dport in IKE_PORTS:
            from .ipsec.ike import describe_ike
            return f"IKE {_ep(pkt.src, sport)} > {_ep(pkt.dst, dport)} {describe_ike(bytes(layer.payload))}"
        if DNS_PORT in (sport, dport):
            return f"DNS {_ep(pkt.src, sport)} > {_ep(pkt.dst, dport)} {describe_dns(bytes(layer.payload))}"
        known = UDP_DESCRIBERS.get(dport) or UDP_DESCRIBERS.get(sport)
        if known is not None:
            import importlib
            label, module, function = known
            words = getattr(importlib.import_module(module), function)(bytes(layer.payload))
            return f"{label} {_ep(pkt.src, sport)} > {_ep(pkt.dst, dport)} {words}"
        data = bytes(layer.payload)
        return f"UDP {_ep(pkt.src, sport)} > {_ep(pkt.dst, dport)} {_preview(data)}".rstrip()
    return f"IP {pkt.src} > {pkt.dst} proto {proto}"


def describe_dns(wire: bytes) -> str:
    from .dns import describe_message
    return describe_message(wire)


def _ep(address, port: int) -> str:
    return f"[{address}]:{port}" if ":" in str(address) else f"{address}:{port}"


def _preview(data: bytes, limit: int = 32) -> str:
    text = data.decode("ascii", "replace")
    text = "".join(c if c.isprintable() else "." for c in text)
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def dissect(data: bytes) -> str:
    """scapy's layer-by-layer dissection of raw IP bytes, for the 'show headers' view."""
    pkt = IPv6(data) if data and data[0] >> 4 == 6 else IP(data)
    return pkt.show(dump=True)


__all__ = ["Packet", "tcp", "udp", "stack", "ip_header", "transport", "payload_bytes", "application_data", "wire_class",
           "summary",
           "dissect", "DNS", "ESP"]
