"""labsim/dhcp.py: real DHCP messages configure a host that joins a network."""

from scapy.layers.dhcp import BOOTP, DHCP

from labsim.addresses import ip
from labsim.dhcp import DhcpClient, DhcpServer, describe_dhcp, hardware_address, parse
from labsim.host import Host
from labsim.net import World


def lan(pool=("7.7.7.23", "7.7.7.24"), reserved=None):
    w = World(seed=3)
    w.add_network("lan", "a hotel network", ["7.7.7.0/24"], kind="visited", trusted=False)
    router = w.add_host(Host("router"), "lan", ["7.7.7.1"])
    server = DhcpServer(router, pool, dns=["7.7.7.1"], domain="hotel.example.net", router="7.7.7.1",
                        reserved=reserved)
    return w, router, server


def test_a_host_without_an_address_is_configured_by_four_broadcasts():
    """DISCOVER, OFFER, REQUEST and ACK all go to 255.255.255.255, and the lease names the DNS server."""
    w, router, _ = lan()
    laptop = w.add_host(Host("laptop"), "lan", [])
    leases = []
    DhcpClient(laptop, leases.append).start()
    w.run()
    wire = [e for e in w.sim.trace if e.is_packet]
    assert [e.summary.split()[4] for e in wire] == ["DISCOVER", "OFFER", "REQUEST", "ACK"]
    assert all("255.255.255.255" in e.summary for e in wire)
    lease = leases[0]
    assert (lease.address, lease.dns, lease.domain, lease.router) == \
        (ip("7.7.7.23"), (ip("7.7.7.1"),), "hotel.example.net", ip("7.7.7.1"))
    assert laptop.addresses == [ip("7.7.7.23")] and w.networks["lan"].table[ip("7.7.7.23")] == "laptop"


def test_a_reservation_gives_the_same_address_every_time():
    """A host the server knows by its hardware address gets its reserved address, not the next free one."""
    w, _, _ = lan(reserved={"laptop": "7.7.7.99"})
    laptop = w.add_host(Host("laptop"), "lan", [])
    leases = []
    DhcpClient(laptop, leases.append).start()
    w.run()
    assert leases[0].address == ip("7.7.7.99")
    assert "a reserved address" in "\n".join(e.line() for e in w.sim.trace)


def test_two_clients_get_different_addresses():
    """Leases are handed out in pool order, each address once."""
    w, _, _ = lan()
    got = []
    for name in ("a", "b"):
        DhcpClient(w.add_host(Host(name), "lan", []), got.append).start()
    w.run()
    assert sorted(str(lease.address) for lease in got) == ["7.7.7.23", "7.7.7.24"]


def test_an_empty_pool_is_said_in_the_trace():
    """With no address left the server ignores the client and says why."""
    w, _, _ = lan(pool=())
    DhcpClient(w.add_host(Host("laptop"), "lan", []), lambda lease: None).start()
    w.run()
    assert any(e.decision == "ignore" and "pool is empty" in e.reason for e in w.sim.trace)


def test_inform_is_answered_unicast_to_the_asker():
    """A broadcast INFORM from a configured host gets a unicast ACK (a broadcast-triggered unicast)."""
    w, router, _ = lan()
    pc = w.add_host(Host("pc"), "lan", ["7.7.7.50"])
    got = []
    pc.bind_udp(68, lambda packet, src, sport, dst, data: got.append((str(dst), describe_dhcp(data))))
    inform = BOOTP(op=1, xid=7, ciaddr="7.7.7.50", chaddr=hardware_address("pc")) / \
        DHCP(options=[("message-type", "inform"), "end"])
    pc.udp_send("255.255.255.255", 68, 67, bytes(inform))
    w.run()
    assert got == [("7.7.7.50", "ACK ciaddr=7.7.7.50 dns=7.7.7.1 xid=0x00000007")]


def test_descriptions_and_hardware_addresses():
    """Malformed bytes are described, never raised; hardware addresses are stable and locally administered."""
    assert describe_dhcp(b"\x01") == "malformed DHCP message"
    assert parse(b"not dhcp") is None
    mac = hardware_address("laptop")
    assert mac == hardware_address("laptop") != hardware_address("printer")
    assert len(mac) == 6 and mac[0] & 0x02 and not mac[0] & 0x01
