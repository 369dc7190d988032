"""A host on the move, and what the network it visits can do to it (the paper's section 6).

:func:`roam` unplugs a host from wherever it is, plugs it into another network with no
address, and lets DHCP configure it there; the lease decides the host's address and which
DNS server it is told to use.

:class:`DnsInterceptor` is a visited network's transparent DNS proxy (section 6.1: tools to
intercept DNS requests and redirect them to a local server are commonly available). Every
plain UDP query that crosses the network for some other server is rewritten to go to the
network's own server instead, and the answer's source is rewritten back, so the laptop
believes its home server answered. A query inside an IPsec tunnel is ESP: the proxy, which
looks for UDP port 53, passes it untouched. (Through a tunnel with NULL encryption it could
read the query, but not change it or answer in its place: the ESP integrity check would fail.)

>>> from labsim.net import World
>>> from labsim.host import Host
>>> from labsim.dhcp import DhcpServer
>>> w = World(seed=1)
>>> _ = w.add_network("home", "home", ["1.2.0.0/16"])
>>> _ = w.add_network("hotel", "a hotel network", ["7.7.7.0/24"], kind="visited", trusted=False)
>>> laptop = w.add_host(Host("laptop"), "home", ["1.2.0.9"])
>>> router = w.add_host(Host("router"), "hotel", ["7.7.7.1"])
>>> _ = DhcpServer(router, ["7.7.7.23"], dns=["7.7.7.1"])
>>> roam(laptop, "hotel", lambda lease: None)
>>> w.run()
>>> laptop.network, laptop.addresses
('hotel', [IPv4Address('7.7.7.23')])
"""

from __future__ import annotations

from collections.abc import Callable

from scapy.layers.inet import UDP

from .addresses import Address, ip
from .dhcp import DhcpClient, Lease
from .packets import Packet, summary, udp

DNS_PORT = 53


def roam(host, network: str, on_configured: Callable[[Lease], None], at_us: int = 0, use_dns: bool = True) -> None:
    """At ``at_us``, move ``host`` to ``network`` and configure it there by DHCP (``use_dns``: whether
    the lease's DNS servers replace the resolver's, see :class:`~labsim.dhcp.DhcpClient`)."""
    world = host.world

    def move() -> None:
        before = host.network
        net = world.network(network)
        world.attach(host, network, [], quiet=True)
        how = "leaves " + world.networks[before].label + " and plugs into" if before != network else "plugs into"
        world.sim.record("route", host.name, f"attach to {network}", "attach",
                         f"{host.name} {how} {net.label}; it has no address there yet")
        DhcpClient(host, on_configured, use_dns=use_dns).start()

    world.sim.schedule(at_us, move)


class DnsInterceptor:
    """Redirects plain DNS queries crossing ``network`` to ``server`` and disguises the answers."""

    def __init__(self, world, network: str, server: Address | str):
        self.world = world
        self.network = network
        self.server = ip(server)
        self._redirected: dict[tuple[Address, int], Address] = {}
        world.add_middlebox(network, self.on_packet)
        world.sim.record("dns", network, "transparent DNS proxy", "setup",
                         f"{network} will send every plain DNS query it carries to {self.server}, whatever server "
                         "it was meant for")

    def on_packet(self, world, sender, packet: Packet, route):
        pkt = packet.ip
        if not pkt.haslayer(UDP):
            return None
        src, dst = ip(pkt.src), ip(pkt.dst)
        sport, dport = pkt[UDP].sport, pkt[UDP].dport
        payload = bytes(pkt[UDP].payload)
        if dport == DNS_PORT and dst != self.server and src != self.server:
            self._redirected[(src, sport)] = dst
            world.sim.record("dns", self.network, summary(pkt), "intercept",
                             f"{self.network} redirects a DNS query meant for {dst} to its own server {self.server}",
                             rule="transparent DNS proxy", packet_id=packet.facts.get("packet_id"))
            moved = Packet(udp(src, self.server, sport, DNS_PORT, payload), packet.origin, dict(packet.facts))
            return moved, world.route(sender, self.server)
        if sport == DNS_PORT and src == self.server and (dst, dport) in self._redirected:
            original = self._redirected.pop((dst, dport))
            world.sim.record("dns", self.network, summary(pkt), "disguise",
                             f"{self.network} rewrites the answer's source to {original}, so it looks like the "
                             "server the client asked", rule="transparent DNS proxy",
                             packet_id=packet.facts.get("packet_id"))
            return Packet(udp(original, dst, DNS_PORT, dport, payload), packet.origin, dict(packet.facts)), route
        return None


__all__ = ["roam", "DnsInterceptor"]
