"""Property tests of the stateful extension (soft SAs) with broadcast and multicast in the mix.

1. A soft SA never admits a peer the host did not send to first, and only after it did.
2. With no ``fallback`` rule, no inbound clear packet matching PROTECT is ever accepted,
   whatever the host sent before, and no soft SA ever opens.
3. Broadcast and multicast never go through IKE or ESP: outbound they are sent in clear or
   dropped; inbound they are delivered exactly when the first matching rule is BYPASS.
"""

import ipaddress

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labsim.addresses import ip
from labsim.host import Host
from labsim.ipsec.ike import IkeDaemon
from labsim.ipsec.spd import AddressTerm, PacketView, Rule, Spd
from labsim.net import World
from labsim.packets import Packet, udp

HOST_V4, HOST_V6 = "1.2.0.5", "2001:db8::5"
PEERS = {"p1": ("1.2.3.4", "2001:db8::9"), "p2": ("1.2.9.9", "2001:db8::a"), "p3": ("1.3.0.1", "2001:db9::1")}
GROUPS = ["255.255.255.255", "1.2.255.255", "224.0.0.251", "ff02::1:3"]
PORTS = [53, 137, 445, 5355, 40000]
PREFIXES = ["1.2.0.0/16", "1.2.3.4/32", "1.3.0.0/16", "0.0.0.0/0", "2001:db8::/32", "::/0", "224.0.0.0/4"]

terms = st.one_of(
    st.none(),
    st.sampled_from(PREFIXES).map(lambda p: AddressTerm(prefix=ipaddress.ip_network(p))),
    st.sampled_from(["broadcast", "multicast"]).map(lambda k: AddressTerm(keyword=k)),
)


@st.composite
def rules(draw, fallback: bool):
    action = draw(st.sampled_from(["protect", "bypass", "discard"]))
    proto = draw(st.sampled_from([None, 17]))
    lport = draw(st.sampled_from([None, (137, 137), (445, 445)])) if proto else None
    return Rule(action, local=draw(st.one_of(st.none(), st.sampled_from(
                    [AddressTerm(keyword="broadcast"), AddressTerm(keyword="multicast")]))),
                remote=draw(terms), proto=proto, lport=lport, direction=draw(st.sampled_from(["both", "in", "out"])),
                fallback=fallback and action == "protect" and draw(st.booleans()))


INTRANET = [Rule("protect", remote=AddressTerm(prefix=ipaddress.ip_network(p)), fallback=True)
            for p in ("1.2.0.0/16", "2001:db8::/32")]


@st.composite
def spds(draw, fallback: bool):
    """Random rules; with ``fallback``, often the office policy (PROTECT with fallback) somewhere among them."""
    found = draw(st.lists(rules(fallback), min_size=1, max_size=8))
    if fallback and draw(st.booleans()):
        at = draw(st.integers(0, len(found)))
        found[at:at] = INTRANET
    return Spd(tuple(found))


@st.composite
def single(draw):
    """(time in ms, direction, peer, v6, to a group?, port)."""
    return [(draw(st.integers(0, 9000)), draw(st.sampled_from(["out", "in"])), draw(st.sampled_from(sorted(PEERS))),
             draw(st.booleans()), draw(st.booleans()), draw(st.sampled_from(PORTS)))]


@st.composite
def exchange(draw):
    """The host sends to a peer, and the same peer sends to the host 4 s later (after any IKE timeout)."""
    at, name, v6, port = draw(st.integers(0, 5000)), draw(st.sampled_from(sorted(PEERS))), draw(st.booleans()), \
        draw(st.sampled_from(PORTS))
    return [(at, "out", name, v6, False, port), (at + 4000, "in", name, v6, False, port)]


actions = st.lists(st.one_of(single(), exchange()), min_size=1, max_size=5).map(lambda groups: sum(groups, []))


def world_with(spd: Spd):
    w = World(seed=9)
    w.add_network("lan", "lan", ["1.2.0.0/16", "2001:db8::/32"])
    w.add_network("far", "elsewhere", ["1.3.0.0/16", "2001:db9::/32"])
    w.link("lan", "far")
    h = w.add_host(Host("h"), "lan", [HOST_V4, HOST_V6])
    h.spd = spd
    IkeDaemon(h)      # h starts IKE; no peer answers it, so IKE always times out (a silent peer)
    peers = {name: w.add_host(Host(name), "far" if name == "p3" else "lan", list(addrs))
             for name, addrs in PEERS.items()}
    delivered = []
    for port in PORTS:
        h.bind_udp(port, lambda packet, src, sport, dst, data: delivered.append((w.sim.now, packet)))
    return w, h, peers, delivered


def play(spd: Spd, plan):
    w, h, peers, delivered = world_with(spd)
    for at_ms, direction, name, v6, group, port in plan:
        peer = peers[name]
        address = ip(PEERS[name][1 if v6 else 0])
        if direction == "out":
            dst = [g for g in GROUPS if (":" in g) == v6][0 if name == "p1" else -1] if group else address
            w.sim.schedule(at_ms * 1000, lambda d=dst, p=port, v=v6: h.udp_send(d, 40000, p, b"out"))
        else:
            dst = ("ff02::1:3" if v6 else "1.2.255.255") if group and name != "p3" else (HOST_V6 if v6 else HOST_V4)
            w.sim.schedule(at_ms * 1000, lambda s=address, d=dst, p=port, who=peer:
                           w.transmit(who, Packet(udp(s, d, 40000, p, b"in"), who.name)))
    w.run()
    return w, h, delivered


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(spds(fallback=True), actions)
def test_a_soft_sa_only_admits_a_peer_the_host_sent_to_first(spd, plan):
    """Every admission by a soft SA follows a clear packet the host itself sent to that peer."""
    w, h, _ = play(spd, plan)
    sent_clear = {}
    for e in w.sim.trace:
        if e.host == "h" and e.is_packet and e.kind not in ("esp", "ike"):
            dst = e.summary.split(" > ")[1].rsplit(":", 1)[0].strip("[]")
            sent_clear.setdefault(dst, e.time_us)
    for e in w.sim.trace:
        if e.host == "h" and e.decision == "ADMIT":
            peer = e.rule.split(";")[0].removeprefix("soft SA for ")
            assert peer in sent_clear and sent_clear[peer] <= e.time_us, e.line()
    assert {str(p) for p in h.soft_sas.peers()} <= set(sent_clear)


@SETTINGS
@given(spds(fallback=False), actions)
def test_without_fallback_no_clear_packet_matching_protect_is_accepted(spd, plan):
    """With the extension off, inbound clear packets matching PROTECT are dropped, before and after any traffic."""
    w, h, delivered = play(spd, plan)
    assert not h.soft_sas.peers()
    assert not any(e.decision in ("ADMIT", "FALLBACK", "SOFT SA") for e in w.sim.trace)
    for _, packet in delivered:
        pkt = packet.ip
        view = PacketView.inbound(pkt.src, pkt.dst, 17, pkt.sport, pkt.dport, h.directed_broadcasts())
        assert spd.lookup_linear(view).action == "bypass"


@SETTINGS
@given(spds(fallback=True), actions)
def test_broadcast_and_multicast_never_use_ike_or_esp(spd, plan):
    """Group traffic goes out in clear or not at all, and comes in exactly when the first match is BYPASS."""
    w, h, delivered = play(spd, plan)
    for e in w.sim.trace:
        if e.host == "h" and e.kind in ("ike", "esp") and e.is_packet:
            assert not any(g in e.summary for g in GROUPS), e.line()
    groups = {ip(g) for g in GROUPS}
    for _, packet in delivered:
        if ip(packet.ip.dst) in groups:
            pkt = packet.ip
            view = PacketView.inbound(pkt.src, pkt.dst, 17, pkt.sport, pkt.dport, h.directed_broadcasts())
            assert spd.lookup_linear(view).action == "bypass"
    dropped_groups = [e for e in w.sim.trace if e.host == "h" and e.kind == "spd" and e.decision == "PROTECT"
                      and any(f"> {g}" in e.summary or f"> [{g}]" in e.summary for g in GROUPS)]
    for e in dropped_groups:   # a group packet that meets PROTECT inbound is dropped, outbound has no SA
        later = [d for d in w.sim.trace if d.host == "h" and d.kind == "drop" and d.summary == e.summary]
        assert later, e.line()
