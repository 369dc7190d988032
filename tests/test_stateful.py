"""labsim/ipsec/stateful.py and its use by the host: soft SAs opened by falling back to clear."""

from labsim.addresses import ip
from labsim.host import Host
from labsim.ipsec.ike import IkeDaemon
from labsim.ipsec.spd import parse_spd
from labsim.ipsec.stateful import SOFT_SA_LIFETIME_US, SoftSaTable
from labsim.net import World
from labsim.packets import Packet, udp


def lan(spd_text="protect remote 1.2.0.0/16 fallback\nbypass any"):
    w = World(seed=8)
    w.add_network("lan", "lan", ["1.2.0.0/16"])
    h = w.add_host(Host("h"), "lan", ["1.2.0.5"])
    printer = w.add_host(Host("printer"), "lan", ["1.2.0.80"])
    other = w.add_host(Host("other"), "lan", ["1.2.0.81"])
    h.spd = parse_spd(spd_text)
    IkeDaemon(h)
    got = []
    h.bind_udp(9100, lambda packet, src, sport, dst, data: got.append(str(src)))
    return w, h, printer, other, got


def test_after_falling_back_later_packets_go_in_clear_without_asking_ike_again():
    """One silent IKE, then the soft SA carries the next packets to that peer in clear at once."""
    w, h, printer, _, _ = lan()
    h.udp_send("1.2.0.80", 9100, 9100, b"first")
    w.sim.schedule(5_000_000, lambda: h.udp_send("1.2.0.80", 9100, 9100, b"second"))
    w.run()
    assert sum(1 for e in w.sim.trace if e.kind == "ike" and e.decision == "start") == 1
    soft = [e for e in w.sim.trace if e.decision == "SOFT SA"]
    assert len(soft) == 1 and soft[0].time_us == 5_000_000
    assert "without asking IKE again" in soft[0].reason


def test_a_soft_sa_admits_only_its_own_peer():
    """The printer's soft SA lets the printer's clear packets in, not another host's."""
    w, h, printer, other, got = lan()
    h.udp_send("1.2.0.80", 9100, 9100, b"job")
    for sender in (printer, other):
        w.sim.schedule(4_000_000, lambda s=sender: w.transmit(
            s, Packet(udp(s.addresses[0], "1.2.0.5", 9100, 9100, b"status"), s.name)))
    w.run()
    assert got == ["1.2.0.80"]
    assert any(e.host == "h" and e.kind == "drop" and "1.2.0.81" in e.summary for e in w.sim.trace)


def test_without_fallback_the_silent_peer_gets_nothing_and_no_soft_sa_opens():
    """Plain PROTECT: IKE fails, the packet is discarded and the peer's clear packets stay refused."""
    w, h, printer, _, got = lan("protect remote 1.2.0.0/16\nbypass any")
    h.udp_send("1.2.0.80", 9100, 9100, b"job")
    w.sim.schedule(4_000_000, lambda: w.transmit(
        printer, Packet(udp("1.2.0.80", "1.2.0.5", 9100, 9100, b"status"), "printer")))
    w.run()
    assert got == [] and not h.soft_sas.peers()
    assert any("no SA could be negotiated" in e.reason for e in w.sim.trace)


def test_soft_sas_expire():
    """A soft SA admits its peer for its lifetime and not after."""
    table = SoftSaTable()
    table.open(ip("1.2.0.80"), "fell back", 0)
    assert table.admits(ip("1.2.0.80"), SOFT_SA_LIFETIME_US)
    assert not table.admits(ip("1.2.0.80"), SOFT_SA_LIFETIME_US + 1)
    assert table.peers() == [ip("1.2.0.80")]


def test_a_soft_sa_does_not_admit_the_peers_broadcasts():
    """The soft SA stands for an SA between two unicast addresses; the peer's broadcast still meets PROTECT."""
    w, h, printer, _, got = lan()
    h.udp_send("1.2.0.80", 9100, 9100, b"job")
    w.sim.schedule(4_000_000, lambda: w.transmit(
        printer, Packet(udp("1.2.0.80", "1.2.255.255", 9100, 9100, b"hello all"), "printer")))
    w.run()
    assert h.soft_sas.peers() == [ip("1.2.0.80")] and got == []
