"""Property tests over random SPDs and packets (hypothesis, at least 500 of each).

1. The first matching rule decides: the indexed lookup equals a linear scan, the rule it
   returns matches, and no earlier rule does.
2. No packet that matches PROTECT leaves a host in clear.
3. An inbound clear packet that matches PROTECT is dropped, never delivered.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labsim.addresses import ip
from labsim.host import Host
from labsim.ipsec.spd import AddressTerm, PacketView, Rule, Spd
from labsim.net import World
from labsim.packets import Packet, tcp, transport, udp
from scapy.layers.inet import IP
from scapy.layers.inet6 import IPv6

V4_PREFIXES = ["1.2.0.0/16", "1.2.3.0/24", "1.2.3.4/32", "1.2.0.5/32", "3.4.5.0/24", "0.0.0.0/0", "1.0.0.0/8",
               "255.255.255.255/32", "224.0.0.0/4"]
V6_PREFIXES = ["2001:db8::/32", "2001:db8::5/128", "::/0", "ff02::/16"]
PEERS = ["1.2.3.4", "1.2.0.5", "1.2.9.9", "3.4.5.6", "9.9.9.9", "255.255.255.255", "224.0.0.251"]
PEERS6 = ["2001:db8::5", "2001:db8::9", "2001:db9::1", "ff02::1:3"]

import ipaddress  # noqa: E402

terms = st.one_of(
    st.none(),
    st.sampled_from(V4_PREFIXES + V6_PREFIXES).map(lambda p: AddressTerm(prefix=ipaddress.ip_network(p))),
    st.sampled_from(["broadcast", "multicast"]).map(lambda k: AddressTerm(keyword=k)),
)
ports = st.one_of(st.none(), st.sampled_from([(53, 53), (80, 80), (137, 138), (1024, 65535), (0, 1023)]))


@st.composite
def rules(draw, allow_fallback=False):
    action = draw(st.sampled_from(["protect", "bypass", "discard"]))
    proto = draw(st.sampled_from([None, 6, 17, 1]))
    rport = draw(ports) if proto in (None, 6, 17) else None
    lport = draw(ports) if proto in (None, 6, 17) else None
    return Rule(action, local=draw(terms), remote=draw(terms), proto=proto, rport=rport, lport=lport,
                direction=draw(st.sampled_from(["both", "in", "out"])),
                fallback=allow_fallback and action == "protect" and draw(st.booleans()))


spds = st.lists(rules(), min_size=0, max_size=12).map(lambda rs: Spd(tuple(rs)))


@st.composite
def views(draw):
    """A packet as the SPD sees it: outbound to any peer or group, or inbound from a unicast peer
    to our own address or to a broadcast or multicast group."""
    v6 = draw(st.booleans())
    local = "2001:db8::1" if v6 else "1.2.0.5"
    pool = PEERS6 if v6 else PEERS
    groups = [p for p in pool if ip(p).is_multicast or p == "255.255.255.255"]
    proto = draw(st.sampled_from(["tcp", "udp", "icmp"]))
    sport = draw(st.sampled_from([0, 53, 80, 137, 5000, 40000])) if proto != "icmp" else 0
    dport = draw(st.sampled_from([0, 53, 80, 137, 5000, 40000])) if proto != "icmp" else 0
    if draw(st.booleans()):
        return PacketView.outbound(local, draw(st.sampled_from(pool)), proto, sport, dport)
    peer = draw(st.sampled_from([p for p in pool if p not in groups]))
    return PacketView.inbound(peer, draw(st.sampled_from([local, *groups])), proto, sport, dport)


SETTINGS = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(spds, st.lists(views(), min_size=1, max_size=5))
def test_first_matching_rule_decides(spd, packets):
    """The index finds exactly the first rule whose selectors match."""
    for view in packets:
        match = spd.lookup(view)
        assert match == spd.lookup_linear(view)
        if match.rule is not None:
            assert match.rule.header_matches(view)
            assert not any(r.header_matches(view) for r in spd.rules[: match.index])
        else:
            assert not any(r.header_matches(view) for r in spd.rules)


def _pair(spd_a: Spd, spd_b: Spd):
    w = World(seed=5)
    w.add_network("lan", "lan", ["1.2.0.0/16", "2001:db8::/32"])
    a = w.add_host(Host("a"), "lan", ["1.2.0.5", "2001:db8::1"])
    b = w.add_host(Host("b"), "lan", ["1.2.3.4", "2001:db8::5"])
    a.spd, b.spd = spd_a, spd_b
    got = []
    for port in (53, 80, 137, 5000):
        b.bind_udp(port, lambda packet, src, sport, dst, data: got.append(packet))
        b.listen(port, lambda conn: got.append(conn))
    return w, a, b, got


@st.composite
def packets_from_a(draw):
    v6 = draw(st.booleans())
    src, dst = ("2001:db8::1", "2001:db8::5") if v6 else ("1.2.0.5", draw(st.sampled_from(["1.2.3.4", "255.255.255.255"])))
    sport = draw(st.sampled_from([53, 80, 5000, 40000]))
    dport = draw(st.sampled_from([53, 80, 137, 5000]))
    if draw(st.booleans()):
        return udp(src, dst, sport, dport, b"x")
    return tcp(src, dst, sport, dport, "S")


@SETTINGS
@given(spds, st.lists(packets_from_a(), min_size=1, max_size=4))
def test_no_packet_matching_protect_leaves_in_clear(spd, pkts):
    """Whatever the SPD, a packet whose first match is PROTECT never appears on the wire in clear."""
    w, a, b, _ = _pair(spd, Spd())
    for pkt in pkts:
        a.output(pkt)
    w.run()
    for event in w.sim.trace:
        if event.is_packet and event.host == "a" and event.kind != "esp" and event.kind != "ike":
            raw = event.packet
            wire = IPv6(raw) if raw[0] >> 4 == 6 else IP(raw)
            proto, sport, dport = transport(wire)
            view = PacketView.outbound(wire.src, wire.dst, proto, sport, dport, a.directed_broadcasts())
            assert spd.lookup(view).action != "protect", event.line()


@SETTINGS
@given(spds, st.lists(packets_from_a(), min_size=1, max_size=4))
def test_inbound_clear_packet_matching_protect_is_dropped(spd, pkts):
    """On the receiving host, a clear packet whose first match is PROTECT is discarded, never delivered."""
    w, a, b, got = _pair(Spd(), spd)
    for pkt in pkts:
        if pkt.haslayer("UDP"):
            w.transmit(a, Packet(pkt, "a"))
    w.run()
    decided = {e.packet_id: e.decision for e in w.sim.trace if e.host == "b" and e.kind == "spd"}
    dropped = {e.packet_id for e in w.sim.trace if e.host == "b" and e.kind == "drop"}
    delivered = {p.facts["packet_id"] for p in got}
    protected = {pid for pid, decision in decided.items() if decision == "PROTECT"}
    assert protected <= dropped
    assert not protected & delivered
    assert delivered == {pid for pid, decision in decided.items() if decision == "BYPASS"}
