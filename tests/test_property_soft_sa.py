"""Property tests of the stateful extension (soft SAs) with broadcast and multicast in the mix.

The oracle is independent of the code under test (see ``spd_reference``): RFC 4301's first
match as a plain scan in the tests, the packets on the wire dissected from their bytes, and
what the host's applications actually received. The host's trace decisions and its soft-SA
table are never read.

1. A clear packet matching PROTECT reaches the application exactly when it is unicast to the
   host and the host itself sent that peer's address a clear packet before, under a PROTECT
   rule with ``fallback`` (IKE failed, so it fell back to clear).
2. With no ``fallback`` rule, nothing matching PROTECT crosses the wire in clear from the
   host, and a clear packet reaches an application exactly when its first match is BYPASS.
3. Broadcast and multicast never go through IKE or ESP: outbound they cross in clear exactly
   when the first match is BYPASS; inbound they are delivered exactly when it is BYPASS.
"""

import ipaddress

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from labsim.addresses import ip
from labsim.host import Host
from labsim.ipsec.ike import IkeDaemon
from labsim.ipsec.spd import AddressTerm, Rule, Spd
from labsim.net import World
from labsim.packets import Packet, udp
from spd_reference import first_match, wire

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
        at = draw(st.integers(0, len(found))) if draw(st.booleans()) else 0   # often first, so it decides
        found[at:at] = INTRANET
    last = draw(st.sampled_from(["bypass", "protect", "discard", None]))   # a catch-all, as real SPDs end
    if last:
        found.append(Rule(last, fallback=fallback and last == "protect"))
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


@st.composite
def crossing(draw):
    """The host sends to one peer, and 4 s later another peer of its network sends to the host."""
    at, v6, port = draw(st.integers(0, 5000)), draw(st.booleans()), draw(st.sampled_from(PORTS))
    first, second = draw(st.permutations(["p1", "p2"]))
    return [(at, "out", first, v6, False, port), (at + 4000, "in", second, v6, False, port)]


actions = st.lists(st.one_of(single(), exchange(), crossing()), min_size=1, max_size=5).map(
    lambda groups: sum(groups, []))


@st.composite
def group_single(draw):
    """One packet to or from a broadcast or multicast group."""
    return [(draw(st.integers(0, 9000)), draw(st.sampled_from(["out", "in"])), draw(st.sampled_from(["p1", "p2"])),
             draw(st.booleans()), True, draw(st.sampled_from(PORTS)))]


with_groups = st.tuples(actions, st.lists(group_single(), min_size=1, max_size=4)).map(
    lambda parts: parts[0] + sum(parts[1], []))


DIRECTED = ("1.2.255.255",)       # the directed broadcast of the host's network 1.2.0.0/16
HOST_ADDRESSES = {HOST_V4, HOST_V6}


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

    def got(packet, src, sport, dst, data):
        delivered.append((w.sim.now, (str(src), str(dst), 17, sport, packet.ip.dport, data)))

    for port in PORTS:
        h.bind_udp(port, got)
    return w, h, peers, delivered


def play(spd: Spd, plan):
    """Run the plan; return the world, what h's applications got, and the wire."""
    w, h, peers, delivered = world_with(spd)
    for n, (at_ms, direction, name, v6, group, port) in enumerate(plan):
        peer = peers[name]
        address = ip(PEERS[name][1 if v6 else 0])
        payload = f"{direction} {n}".encode()
        if direction == "out":
            dst = [g for g in GROUPS if (":" in g) == v6][0 if name == "p1" else -1] if group else address
            w.sim.schedule(at_ms * 1000, lambda d=dst, p=port, b=payload: h.udp_send(d, 40000, p, b))
        else:
            dst = ("ff02::1:3" if v6 else "1.2.255.255") if group and name != "p3" else (HOST_V6 if v6 else HOST_V4)
            w.sim.schedule(at_ms * 1000, lambda s=address, d=dst, p=port, who=peer, b=payload:
                           w.transmit(who, Packet(udp(s, d, 40000, p, b), who.name)))
    w.run()
    return w, delivered, wire(w.sim.trace)


def inbound_action(spd: Spd, p) -> str:
    return first_match(spd.rules, "in", p.dst, p.src, p.proto, p.dport, p.sport, DIRECTED)[1]


def outbound_rule(spd: Spd, p):
    index, _ = first_match(spd.rules, "out", p.src, p.dst, p.proto, p.sport, p.dport, DIRECTED)
    return None if index is None else spd.rules[index]


def to_host(p) -> bool:
    """A clear packet that the world carried to h (a peer on another network may have no route)."""
    return p.sender != "h" and not p.esp and not p.is_ike and p.reaches("h", "lan")


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_soft_sa_admission(spd: Spd, plan):
    _, delivered, packets = play(spd, plan)
    fallen_back = {}      # peer address -> when h first sent it a clear packet under a PROTECT fallback rule
    for p in packets:
        if p.sender == "h" and not p.esp and not p.is_ike:
            rule = outbound_rule(spd, p)
            if rule is not None and rule.action == "protect" and rule.fallback:
                fallen_back.setdefault(p.dst, p.time_us)
    got = {flow for _, flow in delivered}
    for p in packets:
        if not to_host(p) or inbound_action(spd, p) != "protect":
            continue
        admissible = p.dst in HOST_ADDRESSES and fallen_back.get(p.src, float("inf")) < p.time_us
        event("clear packet matching PROTECT: " + ("after h fell back to clear with its sender" if admissible
                                                   else "from a peer h never fell back with"))
        assert (p.flow() in got) == admissible, (p, spd.text())


@SETTINGS
@given(spds(fallback=True), actions)
def test_a_soft_sa_only_admits_a_peer_the_host_sent_to_first(spd, plan):
    """A clear packet matching PROTECT gets in exactly when h fell back to clear with its sender first."""
    check_soft_sa_admission(spd, plan)


@SETTINGS
@given(spds(fallback=False), actions)
def test_without_fallback_no_clear_packet_matching_protect_is_accepted(spd, plan):
    """With the extension off, the first match alone decides, before and after any traffic."""
    _, delivered, packets = play(spd, plan)
    got = {flow for _, flow in delivered}
    for p in packets:
        if p.sender == "h" and not p.esp and not p.is_ike:
            rule = outbound_rule(spd, p)
            assert rule is not None and rule.action == "bypass", (p, spd.text())
        elif to_host(p):
            action = inbound_action(spd, p)
            event(f"inbound clear packet: {action}")
            assert (p.flow() in got) == (action == "bypass"), (p, spd.text())


@SETTINGS
@given(spds(fallback=True), with_groups)
def test_broadcast_and_multicast_never_use_ike_or_esp(spd, plan):
    """Group traffic goes out in clear exactly when BYPASS says so, and comes in exactly then."""
    _, delivered, packets = play(spd, plan)
    groups = {str(ip(g)) for g in GROUPS}
    got = {flow for _, flow in delivered}
    for p in packets:
        if p.esp or p.is_ike:
            assert p.dst not in groups, p
    sent = {p.flow() for p in packets if p.sender == "h" and not p.esp}
    for p in packets:
        if to_host(p) and p.dst in groups:
            action = inbound_action(spd, p)
            event(f"inbound group packet: {action}")
            assert (p.flow() in got) == (action == "bypass"), (p, spd.text())
    for _, flow, action in outbound_group_packets(spd, plan):
        event(f"outbound group packet: {action}")
        assert (flow in sent) == (action == "bypass"), (flow, spd.text())


def outbound_group_packets(spd: Spd, plan):
    """(index, flow, reference action) of every group packet the plan has h send."""
    found = []
    for n, (_, direction, name, v6, group, port) in enumerate(plan):
        if direction == "out" and group:
            dst = [g for g in GROUPS if (":" in g) == v6][0 if name == "p1" else -1]
            src = HOST_V6 if v6 else HOST_V4
            action = first_match(spd.rules, "out", src, dst, 17, 40000, port, DIRECTED)[1]
            found.append((n, (src, str(ip(dst)), 17, 40000, port, f"out {n}".encode()), action))
    return found


# ---------------------------------------------------------------- the property can fail

FRESH = settings(max_examples=300, deadline=None, database=None, derandomize=True, phases=[Phase.generate],
                 report_multiple_bugs=False, suppress_health_check=list(HealthCheck))


def test_property_fails_against_broken_soft_sa_admission(monkeypatch):
    """With a fresh Hypothesis database, the admission property catches a soft SA that admits anyone."""
    from mutants import apply_in_process

    apply_in_process("soft-SA admission", monkeypatch)
    with pytest.raises(AssertionError):
        FRESH(given(spds(fallback=True), actions)(check_soft_sa_admission))()
