"""labsim/mobility.py: roaming between networks, and a visited network's transparent DNS proxy."""

from labsim.addresses import ip
from labsim.dhcp import DhcpServer
from labsim.dns import DnsServer, Resolver, Zone
from labsim.host import Host
from labsim.mobility import DnsInterceptor, roam
from labsim.net import World
from labsim.packets import Packet
from scapy.layers.inet import IP
from scapy.layers.ipsec import ESP


def two_places():
    w = World(seed=6)
    w.add_network("home", "home", ["1.2.0.0/16"], public=["1.2.0.0/16"])
    w.add_network("internet", "the Internet", ["0.0.0.0/0"], kind="internet", trusted=False)
    w.add_network("hotel", "a hotel", ["7.7.7.0/24"], kind="visited", public=["7.7.7.0/24"], trusted=False)
    w.link("home", "internet")
    w.link("hotel", "internet")
    zone = Zone("example.org", seed=6)
    zone.add("server-b.example.org", "A", "1.2.3.4")
    w.directory.zones.append(zone)
    ns = w.add_host(Host("ns"), "home", ["1.2.0.53"])
    DnsServer(ns, zones=[zone])
    hotspot = w.add_host(Host("hotspot", malicious=True), "hotel", ["7.7.7.1"])
    DhcpServer(hotspot, ["7.7.7.23"], dns=["7.7.7.1"])
    DnsServer(hotspot, directory=w.directory, lies={"server-b.example.org": ["7.7.7.66"]})
    laptop = w.add_host(Host("laptop"), "home", ["1.2.0.9"])
    return w, laptop


def test_roaming_unplugs_the_host_and_dhcp_configures_it_where_it_lands():
    """The laptop's home address is gone from home, and it holds the hotel's lease."""
    w, laptop = two_places()
    leases = []
    roam(laptop, "hotel", leases.append)
    w.run()
    assert laptop.network == "hotel" and laptop.addresses == [ip("7.7.7.23")]
    assert ip("1.2.0.9") not in w.networks["home"].table
    moved = next(e for e in w.sim.trace if e.decision == "attach")
    assert "leaves home and plugs into a hotel; it has no address there yet" in moved.reason


def _ask(w, laptop, server):
    """The laptop keeps asking ``server`` (its DHCP client ignores the lease's DNS server) and looks up server-b."""
    answers = []
    Resolver(laptop, [server])
    roam(laptop, "hotel", lambda lease: laptop.resolver.lookup("server-b.example.org", "A", answers.append),
         use_dns=False)
    w.run()
    return answers[0]


def test_the_proxy_answers_in_the_home_servers_name():
    """A query sent home is redirected to the hotel's server, and the forged answer comes back as ns's."""
    w, laptop = two_places()
    DnsInterceptor(w, "hotel", "7.7.7.1")
    answer = _ask(w, laptop, "1.2.0.53")
    assert answer.values == ("7.7.7.66",) and answer.source == "server 1.2.0.53"
    assert answer.facts["dns_forged_by"] == "hotspot"
    decisions = [e.decision for e in w.sim.trace if e.host == "hotel"]
    assert decisions == ["setup", "intercept", "disguise"]


def test_without_the_proxy_the_home_server_answers():
    """With no interception the query crosses the Internet to ns, which answers truthfully."""
    w, laptop = two_places()
    assert _ask(w, laptop, "1.2.0.53").values == ("1.2.3.4",)


def test_queries_to_the_hotels_own_server_are_left_alone():
    """A query already addressed to the hotel's server is not touched (it lies anyway)."""
    w, laptop = two_places()
    DnsInterceptor(w, "hotel", "7.7.7.1")
    assert _ask(w, laptop, "7.7.7.1").values == ("7.7.7.66",)
    assert [e.decision for e in w.sim.trace if e.host == "hotel"] == ["setup"]


def test_esp_passes_the_proxy_untouched():
    """An ESP packet is not UDP 53 to the proxy, whatever it carries."""
    w, laptop = two_places()
    box = DnsInterceptor(w, "hotel", "7.7.7.1")
    esp = Packet(IP(src="7.7.7.23", dst="1.2.0.1") / ESP(spi=1, seq=1), "laptop")
    assert box.on_packet(w, laptop, esp, None) is None


def test_the_lease_decides_which_server_the_resolver_asks():
    """By default the lease's DNS server replaces the resolver's, and the resolver says so as it happens."""
    w, laptop = two_places()
    Resolver(laptop, ["1.2.0.53"])
    roam(laptop, "hotel", lambda lease: None)
    w.run()
    assert laptop.resolver.servers == [ip("7.7.7.1")]
    line = next(e for e in w.sim.trace if e.host == "laptop" and e.kind == "dns" and e.decision == "configure")
    assert line.reason == "now asks 7.7.7.1 (the DNS server the lease from 7.7.7.1 names); before it asked 1.2.0.53"


def test_a_dhcp_client_that_keeps_its_dns_server_says_what_it_ignored():
    """With use_dns=False the resolver keeps its server, and the DHCP client's line reads the resolver's state."""
    w, laptop = two_places()
    Resolver(laptop, ["1.2.0.53"])
    roam(laptop, "hotel", lambda lease: None, use_dns=False)
    w.run()
    assert laptop.resolver.servers == [ip("1.2.0.53")]
    kept = next(e for e in w.sim.trace if e.decision == "keep DNS")
    assert kept.reason.endswith("the resolver still asks 1.2.0.53")
    assert not any(e.kind == "dns" and e.decision == "configure" for e in w.sim.trace)
