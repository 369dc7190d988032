"""labsim/broadcast.py: name services answer broadcast and multicast questions in unicast."""

import pytest

from labsim.addresses import ip
from labsim.apps import ServerApp
from labsim.broadcast import (GIVE_UP_US, LlmnrResponder, NameQueryProbe, NetbiosResponder, describe_llmnr,
                              describe_nbns, netbios_name)
from labsim.errors import LabsimError
from labsim.host import Host
from labsim.net import World


def office():
    w = World(seed=2)
    w.add_network("lan", "an office LAN", ["1.2.0.0/16", "2001:db8:12::/48"])
    a = w.add_host(Host("host-a"), "lan", ["1.2.0.5", "2001:db8:12::5"])
    b = w.add_host(Host("host-b"), "lan", ["1.2.0.6"])
    m = w.add_host(Host("attacker", malicious=True), "lan", ["1.2.0.66", "2001:db8:12::66"])
    for host in (a, b):
        NetbiosResponder(host)
    LlmnrResponder(a)
    ServerApp(a, 445)
    return w, a, b, m


def test_only_the_named_host_answers_a_netbios_broadcast_and_in_unicast():
    """The query goes to the directed broadcast; host-a alone answers, straight to the asker."""
    w, a, b, m = office()
    probe = NameQueryProbe(m, "host-a", target="1.2.0.5")
    w.run()
    answers = [e for e in w.sim.trace if e.is_packet and e.summary.startswith("NBNS 1.2.0.5")]
    assert [e.path[-1] for e in answers] == ["attacker"]
    assert probe.answered_by == ip("1.2.0.5")
    assert not any(e.host == "host-b" and e.decision == "answer" for e in w.sim.trace)


def test_llmnr_multicast_is_answered_unicast_over_ipv6():
    """A query to ff02::1:3 is answered from host-a's IPv6 address to the asker's."""
    w, a, b, m = office()
    NameQueryProbe(m, "host-a", target="2001:db8:12::5", via="ipv6")
    w.run()
    text = "\n".join(e.line() for e in w.sim.trace)
    assert "LLMNR [2001:db8:12::5]:5355 > [2001:db8:12::66]" in text
    assert "answer host-a is 2001:db8:12::5" in text
    # host-b has no IPv6 address, so the IPv6 multicast never reaches it
    assert not any(e.host == "host-b" for e in w.sim.trace if "ff02::1:3" in e.summary)


def test_the_probe_connects_after_the_answer_and_its_data_arrives():
    """Once answered, the probe opens TCP 445 and sends its payload, which host-a's service records."""
    w, a, b, m = office()
    NameQueryProbe(m, "host-a", target="1.2.0.5")
    w.run()
    received = [e for e in w.ledger if e["fact"] == "received"]
    assert received and received[0]["sender"] == "attacker" and received[0]["flow"] == "attack"


def test_without_an_answer_the_probe_tries_anyway_after_a_while():
    """When nobody answers, the probe connects after GIVE_UP_US regardless."""
    w, a, b, m = office()
    NameQueryProbe(m, "nobody", target="1.2.0.5")
    w.run()
    tried = next(e for e in w.sim.trace if e.decision == "try anyway")
    assert tried.time_us == 2_000 + GIVE_UP_US


def test_descriptions_and_names():
    """Malformed bytes are described, never raised; NetBIOS names are capitals, 15 characters at most."""
    assert describe_nbns(b"\x00") == "malformed NetBIOS name service message"
    assert describe_llmnr(b"\x00") == "malformed LLMNR message"
    assert netbios_name("a-very-long-host-name.example.org") == "A-VERY-LONG-HOS"


def test_a_bad_probe_path_names_the_choices():
    """Asking the probe to use an unknown path is an error that lists ipv4 and ipv6."""
    w, a, b, m = office()
    with pytest.raises(LabsimError, match="choose one of: ipv4, ipv6"):
        NameQueryProbe(m, "host-a", target="1.2.0.5", via="ipx")
