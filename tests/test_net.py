"""labsim/net.py: address spaces and routing by where the sender stands."""

import pytest

from labsim.addresses import ip
from labsim.errors import UnknownHost
from labsim.host import Host
from labsim.net import World


def world():
    w = World(seed=1)
    w.add_network("home", "home intranet", ["1.2.0.0/16", "192.168.0.0/24"], public=["1.2.0.0/16"])
    w.add_network("internet", "the Internet", ["0.0.0.0/0"], kind="internet", trusted=False)
    w.add_network("visited", "a hotel network", ["192.168.0.0/24", "5.6.7.0/24"], kind="visited",
                  public=["5.6.7.0/24"], trusted=False)
    w.link("home", "internet")
    w.link("visited", "internet")
    hosts = {
        "laptop": w.add_host(Host("laptop"), "home", ["1.2.0.9"]),
        "printer-b": w.add_host(Host("printer-b"), "home", ["192.168.0.10"]),
        "evil": w.add_host(Host("evil", malicious=True), "visited", ["192.168.0.10"]),
        "web": w.add_host(Host("web"), "internet", ["3.4.5.6"]),
    }
    return w, hosts


def test_the_same_private_address_reaches_different_hosts_by_where_the_sender_stands():
    """192.168.0.10 is printer-b at home and another host on the visited network."""
    w, h = world()
    assert w.route(h["laptop"], ip("192.168.0.10")).receivers == (h["printer-b"],)
    w.attach(h["laptop"], "visited", ["5.6.7.8"])
    assert w.route(h["laptop"], ip("192.168.0.10")).receivers == (h["evil"],)


def test_private_addresses_are_not_routed_beyond_their_network():
    """A private destination outside the sender's network is dropped where it starts."""
    w, h = world()
    route = w.route(h["web"], ip("192.168.0.10"))
    assert not route.receivers and "private address" in route.reason


def test_public_addresses_cross_the_internet():
    """A public address is carried across the graph to the network that announces it."""
    w, h = world()
    route = w.route(h["web"], ip("1.2.0.9"))
    assert route.path == ("web", "internet", "home", "laptop")
    assert route.latency_us > 0


def test_hijacked_address_is_answered_by_the_hijacker():
    """After a hijack, packets for the address go to the hijacker."""
    w, h = world()
    w.hijack(h["printer-b"], "1.2.0.9", "test")
    assert w.route(h["printer-b"], ip("1.2.0.9")).receivers == (h["printer-b"],)
    assert w.sim.trace[-1].decision == "hijack"


def test_broadcast_reaches_every_other_host_on_the_segment():
    """A limited broadcast goes to all hosts of the sender's network and no further."""
    w, h = world()
    assert w.route(h["laptop"], ip("255.255.255.255")).receivers == (h["printer-b"],)


def test_unknown_host_lists_the_hosts():
    """Asking for a host that does not exist names the valid ones."""
    w, _ = world()
    with pytest.raises(UnknownHost, match="unknown host 'printer'; choose one of: evil, laptop, printer-b, web"):
        w.host("printer")
