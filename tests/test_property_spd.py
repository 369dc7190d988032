"""Property tests of SPD processing, each against an oracle that is not the code under test.

The oracle is :mod:`spd_reference`: RFC 4301's first match written as a plain scan in the
tests, and the packets the world actually transmitted, dissected from their bytes with scapy
(ESP or clear, and what an ESP packet carries once decrypted). The host's own trace
decisions are never read.

1. The indexed lookup finds exactly the reference's first match.
2. Outbound (RFC 4301 5.1): a packet whose first match is BYPASS crosses the wire once, in
   clear; DISCARD never crosses; PROTECT crosses only as ESP, and only when IKE succeeds
   (to a unicast peer that answers IKE with a certificate the sender trusts).
3. Inbound (RFC 4301 5.2): a clear packet reaches the application exactly when its first
   match is BYPASS; a packet that crossed as ESP reaches it when its inner source is the SA
   peer's own address (a forged inner source is dropped); nothing else does.

The generators are stratified: each example first picks the outcome its first packet should
have (PROTECT with IKE succeeding, PROTECT with IKE failing, BYPASS, DISCARD), then builds an
SPD whose first match for that packet gives it, among random rules. Run with
``--hypothesis-show-statistics`` to see the distribution (``hypothesis.event``).
The meta-tests at the end prove the properties can fail: they rerun them, with a fresh
Hypothesis database, against broken mechanisms from ``tools/mutate.py``.
"""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from labsim.addresses import ip
from labsim.host import Host
from labsim.ipsec.ike import IkeDaemon
from labsim.ipsec.spd import AddressTerm, PacketView, Rule, Spd
from labsim.net import World
from labsim.packets import Packet, tcp, udp
from labsim.pki import CertificateAuthority
from spd_reference import first_match, open_esp, wire

V4_PREFIXES = ["1.2.0.0/16", "1.2.3.0/24", "1.2.3.4/32", "1.2.0.5/32", "3.4.5.0/24", "0.0.0.0/0", "1.0.0.0/8",
               "255.255.255.255/32", "224.0.0.0/4"]
V6_PREFIXES = ["2001:db8::/32", "2001:db8::5/128", "2001:db8::1/128", "::/0", "ff02::/16"]
PEERS = ["1.2.3.4", "1.2.0.5", "1.2.9.9", "3.4.5.6", "9.9.9.9", "255.255.255.255", "1.2.255.255", "224.0.0.251"]
PEERS6 = ["2001:db8::5", "2001:db8::9", "2001:db9::1", "ff02::1:3"]
PORTS = [53, 80, 137, 5000, 40000]
DIRECTED = ("1.2.255.255",)          # the directed broadcast of the test's network 1.2.0.0/16

A4, A6, B4, B6 = "1.2.0.5", "2001:db8::1", "1.2.3.4", "2001:db8::5"
GROUPS4, GROUPS6 = ["255.255.255.255", "1.2.255.255", "224.0.0.251"], ["ff02::1:3"]

CA = CertificateAuthority.create("Property CA", 1)
OTHER_CA = CertificateAuthority.create("Untrusted CA", 2)

terms = st.one_of(
    st.none(),
    st.sampled_from(V4_PREFIXES + V6_PREFIXES).map(lambda p: AddressTerm(prefix=ipaddress.ip_network(p))),
    st.sampled_from(["broadcast", "multicast"]).map(lambda k: AddressTerm(keyword=k)),
)
ports = st.one_of(st.none(), st.sampled_from([(53, 53), (80, 80), (137, 138), (1024, 65535), (0, 1023)]))


@st.composite
def rules(draw):
    action = draw(st.sampled_from(["protect", "bypass", "discard"]))
    proto = draw(st.sampled_from([None, 6, 17, 1]))
    rport = draw(ports) if proto in (None, 6, 17) else None
    lport = draw(ports) if proto in (None, 6, 17) else None
    return Rule(action, local=draw(terms), remote=draw(terms), proto=proto, rport=rport, lport=lport,
                direction=draw(st.sampled_from(["both", "in", "out"])))


rule_lists = st.lists(rules(), min_size=0, max_size=10)


def _exact(address) -> AddressTerm:
    address = ipaddress.ip_address(str(address))
    return AddressTerm(prefix=ipaddress.ip_network(f"{address}/{address.max_prefixlen}"))


@st.composite
def deciding(draw, rules_, action: str, direction: str, local, remote, proto: int, lport: int, rport: int,
             remote_cls: str = "unicast", local_cls: str = "unicast"):
    """``rules_`` with one rule inserted so that the reference's first match for this packet is ``action``.

    The rule selects the packet as narrowly or as broadly as the draw says; it goes at or
    before the position of the packet's current first match, so it decides.
    """
    remote_term = draw(st.sampled_from([None, _exact(remote)] + ([AddressTerm(keyword=remote_cls)]
                                                                 if remote_cls != "unicast" else [])))
    local_term = draw(st.sampled_from([None, _exact(local)] + ([AddressTerm(keyword=local_cls)]
                                                               if local_cls != "unicast" else [])))
    with_proto = draw(st.booleans())
    rule = Rule(action, local=local_term, remote=remote_term, proto=proto if with_proto else None,
                lport=(lport, lport) if with_proto and draw(st.booleans()) else None,
                rport=(rport, rport) if with_proto and draw(st.booleans()) else None,
                direction=draw(st.sampled_from(["both", direction])))
    index, _ = first_match(rules_, direction, local, remote, proto, lport, rport, DIRECTED)
    at = draw(st.integers(0, len(rules_) if index is None else index))
    return [*rules_[:at], rule, *rules_[at:]]


# ---------------------------------------------------------------- 1. the lookup is the first match

@st.composite
def views(draw):
    """A packet as the SPD sees it: outbound to any peer or group, or inbound from a unicast peer
    to our own address or to a broadcast or multicast group."""
    v6 = draw(st.booleans())
    local = A6 if v6 else A4
    pool = PEERS6 if v6 else PEERS
    groups = GROUPS6 if v6 else GROUPS4
    proto = draw(st.sampled_from([6, 17, 1]))
    sport = draw(st.sampled_from([0, *PORTS])) if proto != 1 else 0
    dport = draw(st.sampled_from([0, *PORTS])) if proto != 1 else 0
    if draw(st.booleans()):
        return "out", local, draw(st.sampled_from(pool)), proto, sport, dport
    peer = draw(st.sampled_from([p for p in pool if p not in groups]))
    return "in", draw(st.sampled_from([local, *groups])), peer, proto, dport, sport


@st.composite
def spd_and_views(draw):
    packets = draw(st.lists(views(), min_size=1, max_size=5))
    found = draw(rule_lists)
    want = draw(st.sampled_from(["protect", "bypass", "discard", "no match"]))
    if want != "no match":
        direction, local, remote, proto, lport, rport = packets[0]
        cls = "unicast"
        if direction == "in" and local in GROUPS4 + GROUPS6:
            cls = "broadcast" if local in ("255.255.255.255", *DIRECTED) else "multicast"
        found = draw(deciding(found, want, direction, local, remote, proto, lport, rport,
                              remote_cls=cls if direction == "out" else "unicast",
                              local_cls=cls if direction == "in" else "unicast"))
    return Spd(tuple(found)), packets


SETTINGS = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WORLDS = settings(SETTINGS, max_examples=300)    # each example plays a world with IKE: about 50 ms


@SETTINGS
@given(spd_and_views())
def test_lookup_is_the_reference_first_match(case):
    """The indexed lookup (and the linear one) return the rule RFC 4301's first-match scan finds."""
    spd, packets = case
    for direction, local, remote, proto, lport, rport in packets:
        expected_index, expected_action = first_match(spd.rules, direction, local, remote, proto, lport, rport,
                                                      DIRECTED)
        if direction == "out":
            view = PacketView.outbound(local, remote, proto, lport, rport, DIRECTED)
        else:
            view = PacketView.inbound(remote, local, proto, rport, lport, DIRECTED)
        event(f"lookup: {expected_action if expected_index is not None else 'no match'}")
        for match in (spd.lookup(view), spd.lookup_linear(view)):
            assert (match.index, match.action) == (expected_index, expected_action), (view, spd.text())


# ---------------------------------------------------------------- worlds with IKE

def pair(spd_a: Spd, spd_b: Spd, b_mode: str):
    """host a and host b on one LAN. a always runs IKE with a certificate from the CA it trusts.

    ``b_mode``: ``answers`` (IKE, a certificate from the same CA), ``untrusted`` (IKE, a
    certificate from a CA a does not trust), ``silent`` (no IKE at all).
    """
    w = World(seed=5)
    w.add_network("lan", "lan", ["1.2.0.0/16", "2001:db8::/32"])
    a = w.add_host(Host("a", fqdn="a.example.org"), "lan", [A4, A6])
    b = w.add_host(Host("b", fqdn="b.example.org"), "lan", [B4, B6])
    a.spd, b.spd = spd_a, spd_b
    a.trusted_cas = b.trusted_cas = [CA]
    a.identity = CA.issue("a.example.org")
    IkeDaemon(a)
    if b_mode != "silent":
        IkeDaemon(b)
        b.identity = (CA if b_mode == "answers" else OTHER_CA).issue("b.example.org")
    got = []

    def udp_in(packet, src, sport, dst, data):
        got.append((str(src), str(dst), 17, sport, packet.ip.dport, data))

    for port in PORTS:
        b.bind_udp(port, udp_in)
    return w, a, b, got


def sa_keys(host: Host) -> dict[int, bytes]:
    """SPI -> key of the host's inbound SAs: what a capture needs to be decrypted (like Wireshark's esp_sa)."""
    return {spi: sa.key for spi, sa in host.sad.inbound.items()}


# ---------------------------------------------------------------- 2. outbound

OUT_CATEGORIES = ["protect, IKE succeeds", "protect, IKE fails", "bypass", "discard"]


@st.composite
def outbound_packet(draw, n: int, unicast: bool = False):
    v6 = draw(st.booleans())
    dst = (B6 if v6 else B4) if unicast or draw(st.booleans()) else draw(st.sampled_from(GROUPS6 if v6 else GROUPS4))
    proto = draw(st.sampled_from([6, 17]))
    return (A6 if v6 else A4, dst, proto, draw(st.sampled_from(PORTS)), draw(st.sampled_from(PORTS)),
            f"packet {n}".encode())


@st.composite
def outbound_cases(draw):
    category = draw(st.sampled_from(OUT_CATEGORIES))
    first = draw(outbound_packet(0, unicast=category.startswith("protect")))
    more = [draw(outbound_packet(n)) for n in range(1, draw(st.integers(1, 4)))]
    src, dst, proto, sport, dport, _ = first
    cls = "unicast" if dst in (B4, B6) else ("multicast" if ip(dst).is_multicast else "broadcast")
    found = draw(deciding(draw(rule_lists), category.split(",")[0], "out", src, dst, proto, sport, dport,
                          remote_cls=cls))
    if category == "protect, IKE succeeds":
        b_mode = "answers"
    elif category == "protect, IKE fails":
        b_mode = draw(st.sampled_from(["silent", "untrusted"]))
    else:
        b_mode = draw(st.sampled_from(["answers", "silent", "untrusted"]))
    return category, b_mode, Spd(tuple(found)), [first, *more]


def send_outbound(case):
    """Play an outbound case; return the reference's expectation and what crossed the wire."""
    category, b_mode, spd, packets = case
    w, a, b, _ = pair(spd, Spd((Rule("protect"),)), b_mode)
    for src, dst, proto, sport, dport, payload in packets:
        a.output(udp(src, dst, sport, dport, payload) if proto == 17 else tcp(src, dst, sport, dport, "S", payload))
    w.run()
    expect_clear, expect_esp = [], []
    for flow in packets:
        src, dst, proto, sport, dport, _ = flow
        _, action = first_match(spd.rules, "out", src, dst, proto, sport, dport, DIRECTED)
        if action == "bypass":
            expect_clear.append(flow)
        elif action == "protect" and dst in (B4, B6) and b_mode == "answers":
            expect_esp.append(flow)
        event(f"outbound packet: {action}" + (f", peer {b_mode}" if action == "protect" else ""))
    event(f"outbound example: {category}, peer {b_mode}")
    sent = [p for p in wire(w.sim.trace) if p.sender == "a" and not p.is_ike]
    keys = sa_keys(b)
    clear = sorted(p.flow() for p in sent if not p.esp)
    carried = sorted(open_esp(p, keys[p.spi]) for p in sent if p.esp)
    return sorted(expect_clear), sorted(expect_esp), clear, carried


def check_outbound(case):
    expect_clear, expect_esp, clear, carried = send_outbound(case)
    assert clear == expect_clear, "clear packets on the wire differ from the BYPASS packets"
    assert carried == expect_esp, "ESP on the wire does not carry exactly the PROTECT packets IKE could serve"


@WORLDS
@given(outbound_cases())
def test_outbound_packets_cross_the_wire_as_the_first_match_says(case):
    """BYPASS crosses once in clear, PROTECT only inside ESP after IKE succeeds, DISCARD never."""
    check_outbound(case)


# ---------------------------------------------------------------- 3. inbound

IN_CATEGORIES = ["clear, protect", "clear, bypass", "clear, discard", "esp, IKE succeeds", "esp, IKE fails"]


FORGED4, FORGED6 = "1.2.9.9", "2001:db8::9"    # another host's address, which a puts inside its own SA


@st.composite
def inbound_packet(draw, n: int, how: str | None = None):
    """(how, src, dst, sport, dport, payload): UDP from a to b, in clear or through a's ESP.

    Through ESP, the inner source is sometimes another host's address: a's SA with b is for
    a's own address only, so b must drop it after decryption (RFC 4301 section 5.2).
    """
    how = how or draw(st.sampled_from(["clear", "clear", "esp"]))
    v6 = draw(st.booleans())
    src = A6 if v6 else A4
    if how == "esp" or draw(st.booleans()):
        dst = B6 if v6 else B4
    else:
        dst = draw(st.sampled_from(GROUPS6 if v6 else GROUPS4))
    if how == "esp" and draw(st.integers(0, 3)) == 0:
        src = FORGED6 if v6 else FORGED4
    return how, src, dst, draw(st.sampled_from(PORTS)), draw(st.sampled_from(PORTS)), f"packet {n}".encode()


@st.composite
def inbound_cases(draw):
    category = draw(st.sampled_from(IN_CATEGORIES))
    how = category.split(",")[0]
    first = draw(inbound_packet(0, how))
    more = [draw(inbound_packet(n)) for n in range(1, draw(st.integers(1, 4)))]
    _, src, dst, sport, dport, _ = first
    found = draw(rule_lists)
    b_mode = "answers"
    if how == "clear":
        cls = "unicast" if dst in (B4, B6) else ("multicast" if ip(dst).is_multicast else "broadcast")
        found = draw(deciding(found, category.split(", ")[1], "in", dst, src, 17, dport, sport, local_cls=cls))
    elif category == "esp, IKE succeeds":   # b protects this very traffic with a, above everything else
        peer = A6 if ":" in dst else A4      # the address a negotiates from, whatever the inner source
        found = [Rule("protect", remote=_exact(peer), proto=17, lport=(dport, dport), rport=(sport, sport)), *found]
    else:
        b_mode = draw(st.sampled_from(["silent", "untrusted"]))
    return category, b_mode, Spd(tuple(found)), [first, *more]


def send_inbound(case):
    category, b_mode, spd, packets = case
    w, a, b, got = pair(Spd((Rule("protect"),)), spd, b_mode)
    for how, src, dst, sport, dport, payload in packets:
        pkt = udp(src, dst, sport, dport, payload)
        if how == "esp":
            a.output(pkt)                           # through a's SPD (protect everything) and IKE
        else:
            w.transmit(a, Packet(pkt, "a"))         # straight onto the wire, in clear
    w.run()
    arrived = [p for p in wire(w.sim.trace) if p.sender == "a" and not p.is_ike]
    keys = sa_keys(b)
    expected = []
    for p in arrived:
        if p.esp:
            inner = open_esp(p, keys[p.spi])
            own = inner[0] in (A4, A6)   # a negotiated its transport SAs from its own addresses, so they carry only those
            if own:
                expected.append(inner)
            event("inbound packet: ESP" + ("" if own else ", inner source forged"))
        else:
            _, action = first_match(spd.rules, "in", p.dst, p.src, p.proto, p.dport, p.sport, DIRECTED)
            event(f"inbound packet: clear, {action}")
            if action == "bypass":
                expected.append(p.flow())
    esp_seen = any(p.esp for p in arrived)
    event(f"inbound example: {category}, peer {b_mode}, ESP {'seen' if esp_seen else 'not seen'}")
    return category, sorted(expected), sorted(got), esp_seen


def check_inbound(case):
    category, expected, got, esp_seen = send_inbound(case)
    assert got == expected, "the application got other packets than the BYPASS ones in clear and the ESP ones"
    if category == "esp, IKE succeeds":
        assert esp_seen, "b's first SPD rule protects this traffic and b answers IKE, yet no ESP crossed"
    elif category == "esp, IKE fails":
        assert not esp_seen, "b cannot authenticate to a, yet ESP crossed"


@WORLDS
@given(inbound_cases())
def test_inbound_application_gets_bypass_in_clear_and_esp_only(case):
    """A clear packet whose first match is PROTECT or DISCARD never reaches the application."""
    check_inbound(case)


# ---------------------------------------------------------------- the properties can fail

FRESH = settings(max_examples=300, deadline=None, database=None, derandomize=True, phases=[Phase.generate],
                 report_multiple_bugs=False, suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize("mutant, check, cases", [
    ("inbound PROTECT enforcement", check_inbound, inbound_cases),
    ("transport ESP sent as plain packets", check_outbound, outbound_cases),
    ("inbound inner-source selector check", check_inbound, inbound_cases),
])
def test_property_fails_against_a_broken_mechanism(mutant, check, cases, monkeypatch):
    """With a fresh Hypothesis database, each property catches the broken mechanism it is about."""
    from mutants import apply_in_process

    apply_in_process(mutant, monkeypatch)
    with pytest.raises(AssertionError):
        FRESH(given(cases())(check))()
