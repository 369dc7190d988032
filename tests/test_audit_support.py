"""Helpers shared by the tests of labsim.audit (no tests here; the test_audit_*.py files import it)."""

from __future__ import annotations

import ipaddress
import random
from pathlib import Path

from labsim.audit.sampling import candidates
from labsim.ipsec.spd import PacketView

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
OWN = ("10.1.0.5", "10.1.0.17", "fe80::5")


def sample_views(spd, count: int = 400, seed: int = 7):
    """Packets in every interval the rules' prefixes cut, both directions, several protocols and ports."""
    rng = random.Random(seed)
    whole = [ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")]
    peers = list(candidates(spd, whole))
    peers += [ipaddress.ip_address(a) for a in ("255.255.255.255", "10.1.255.255", "224.0.0.251", "ff02::1:3")]
    views = []
    for peer in peers:
        own = next(ipaddress.ip_address(a) for a in OWN if ipaddress.ip_address(a).version == peer.version)
        for proto, port in (("tcp", 80), ("udp", 53), ("udp", 137), ("tcp", 9100), ("icmp", 0)):
            views.append(PacketView.outbound(own, peer, proto, 50000, port, ("10.1.255.255",)))
            views.append(PacketView.inbound(peer, own, proto, port, 50000, ("10.1.255.255",)))
    rng.shuffle(views)
    return views[:count] if count else views


def decisions_match(first, second) -> None:
    """Both SPDs pick the same rule (same position, same text) for every sampled packet."""
    for view in sample_views(first, count=0):
        a, b = first.lookup(view), second.lookup(view)
        assert (a.index, str(a.rule)) == (b.index, str(b.rule)), view
