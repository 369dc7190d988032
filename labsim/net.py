"""Networks (address spaces), the world's topology, and how packets find their way.

A :class:`Network` is a segment with the prefixes it uses and a table of which host
answers for each address there (its ARP table). Networks join each other through
gateways, drawn as edges of a networkx graph. Routing decides by *where the sender
stands*: an address inside the sender's own network is delivered there, whoever holds it
(so the same private address 192.168.0.10 reaches different hosts at home and away); a
private address outside it goes nowhere; a public one is carried across the graph to the
network that announces it.

>>> w = World(seed=1)
>>> _ = w.add_network("intranet", "Example Corp intranet", ["1.2.0.0/16"], public=["1.2.0.0/16"])
>>> _ = w.add_network("internet", "the Internet", ["0.0.0.0/0"], kind="internet")
>>> w.link("intranet", "internet")
>>> a = w.add_host(Host("host-a"), "intranet", ["1.2.0.5"])
>>> m = w.add_host(Host("attacker", malicious=True), "internet", ["3.4.5.6"])
>>> w.route(a, ip("3.4.5.6")).path
('host-a', 'intranet', 'internet', 'attacker')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import networkx as nx

from .addresses import Address, Prefix, destination_class, ip, is_private, prefix
from .dns import Directory
from .engine import Simulator
from .errors import UnknownHost
from .host import Host
from .packets import Packet, application_data, summary, udp, wire_class

LAN_LATENCY_US = 200
WAN_LATENCY_US = 5_000


@dataclass
class Network:
    name: str
    label: str
    prefixes: tuple[Prefix, ...]
    kind: str = "intranet"           # intranet, internet, visited
    public: tuple[Prefix, ...] = ()  # the prefixes this network announces on the Internet
    trusted: bool = True             # run by the organisation the course's hosts belong to
    latency_us: int = LAN_LATENCY_US
    table: dict[Address, str] = field(default_factory=dict)

    def contains(self, address: Address) -> bool:
        return any(address.version == p.version and address in p for p in self.prefixes)


@dataclass(frozen=True)
class Route:
    path: tuple[str, ...]
    receivers: tuple[Host, ...] = ()
    latency_us: int = 0
    drop_at: str = ""
    reason: str = ""


class World:
    """Everything a scenario builds: networks, hosts, DNS truth, and the engine that plays it."""

    def __init__(self, seed: int = 0, title: str = ""):
        self.sim = Simulator(seed)
        self.seed = seed
        self.title = title
        self.networks: dict[str, Network] = {}
        self.hosts: dict[str, Host] = {}
        self.graph = nx.Graph()
        self.directory = Directory()
        self.ledger: list[dict] = []
        self._taps: dict[str, list[Callable]] = {}
        self._middleboxes: dict[str, list[Callable]] = {}

    # ------------------------------------------------------------ building

    def add_network(self, name: str, label: str, prefixes, kind: str = "intranet", public=(),
                    trusted: bool = True, latency_us: int = LAN_LATENCY_US) -> Network:
        net = Network(name, label, tuple(prefix(p) for p in prefixes), kind, tuple(prefix(p) for p in public),
                      trusted, latency_us)
        self.networks[name] = net
        self.graph.add_node(name, kind="network", label=label)
        return net

    def link(self, a: str, b: str, latency_us: int = WAN_LATENCY_US) -> None:
        self.graph.add_edge(a, b, latency_us=latency_us)

    def add_host(self, host: Host, network: str, addresses) -> Host:
        if host.name in self.hosts:
            raise ValueError(f"two hosts are called {host.name}")
        host.world = self
        self.hosts[host.name] = host
        self.graph.add_node(host.name, kind="host", role=host.role)
        self.attach(host, network, addresses, quiet=True)
        return host

    def attach(self, host: Host, network: str, addresses, quiet: bool = False) -> None:
        """Connect ``host`` to ``network`` with ``addresses`` (leaving wherever it was)."""
        net = self.network(network)
        if host.network is not None:
            old = self.networks[host.network]
            old.table = {a: h for a, h in old.table.items() if h != host.name}
            if self.graph.has_edge(host.name, old.name):
                self.graph.remove_edge(host.name, old.name)
        host.network = network
        host.addresses = [ip(a) for a in addresses]
        for address in host.addresses:
            net.table[address] = host.name
        self.graph.add_edge(host.name, network, latency_us=net.latency_us)
        if not quiet:
            self.sim.record("route", host.name, f"attach to {network}", "attach",
                            f"{host.name} joins {net.label} as {', '.join(map(str, host.addresses))}")

    def hijack(self, host: Host, address, how: str) -> None:
        """``host`` answers for ``address`` on its network (forged ARP replies, or a stolen address)."""
        address = ip(address)
        net = self.networks[host.network]
        previous = net.table.get(address)
        net.table[address] = host.name
        if address not in host.addresses:
            host.addresses.append(address)
        owner = f", the address of {previous}" if previous and previous != host.name else ""
        self.sim.record("note", host.name, f"claims {address}", "hijack", f"{how}{owner}")
        # Ground truth for the verdict: from now on packets for this address reach ``host``.
        self.note("hijack", host=host.name, address=str(address), previous=previous, how=how)

    def network(self, name: str) -> Network:
        if name not in self.networks:
            raise UnknownHost(name, sorted(self.networks))
        return self.networks[name]

    def host(self, name: str) -> Host:
        if name not in self.hosts:
            raise UnknownHost(name, sorted(self.hosts))
        return self.hosts[name]

    def host_by_fqdn(self, fqdn: str) -> Host | None:
        fqdn = fqdn.lower().rstrip(".")
        return next((h for h in self.hosts.values() if h.fqdn == fqdn), None)

    def add_tap(self, node: str, callback: Callable[[Packet], None]) -> None:
        """``callback`` sees every packet whose path crosses ``node`` (an eavesdropper)."""
        self._taps.setdefault(node, []).append(callback)

    def eavesdroppers(self, node: str) -> list[str]:
        """Who reads the clear packets crossing network ``node``: a malicious operator (the router
        that carries its traffic), or a tap on it. A malicious host merely plugged in sees only
        what is sent to it (a switched network)."""
        found = sorted(h.name for h in self.hosts.values() if h.malicious and h.network == node
                       and (h.role == "router" or h.forwarding))
        if not found and self._taps.get(node):
            found = [f"whoever taps {self.networks[node].label}"]
        return found

    def add_middlebox(self, node: str, callback: Callable) -> None:
        """``callback(world, sender, packet, route)`` may return a new ``(packet, route)`` to rewrite it."""
        self._middleboxes.setdefault(node, []).append(callback)

    def note(self, fact: str, **details) -> None:
        """Ground truth for the verdict (never read by a host)."""
        self.ledger.append({"fact": fact, "time_us": self.sim.now, **details})

    def holder(self, host: Host, address) -> str | None:
        """Which host answers for ``address`` on ``host``'s network at this moment (its ARP table; ground truth)."""
        net = self.networks.get(host.network) if host.network else None
        return net.table.get(ip(address)) if net is not None else None

    def directed_broadcasts(self, host: Host) -> tuple[Address, ...]:
        if host.network is None:
            return ()
        net = self.networks[host.network]
        return tuple(p.broadcast_address for p in net.prefixes
                     if p.version == 4 and p.prefixlen < 31 and any(a in p for a in host.addresses if a.version == 4))

    # ------------------------------------------------------------ routing

    def route(self, sender: Host, dst: Address) -> Route:
        net = self.networks[sender.network]
        cls = destination_class(dst, self.directed_broadcasts(sender))
        if cls != "unicast":
            # every host plugged into the segment hears it, even one still without an address (a DHCP
            # client), provided it speaks that IP version
            receivers = tuple(h for name, h in sorted(self.hosts.items()) if h.network == net.name
                              and name != sender.name
                              and (not h.addresses or any(a.version == dst.version for a in h.addresses)))
            return Route((sender.name, net.name), receivers, net.latency_us * 2)
        target = self._announcer(dst)
        on_internet = net.kind == "internet"
        if net.contains(dst) and not (on_internet and (is_private(dst) or target not in (None, net))):
            return self._local(sender.name, net, dst, [sender.name, net.name], net.latency_us)
        if is_private(dst) or dst.is_link_local:
            return Route((sender.name, net.name), drop_at=net.name,
                         reason=f"{dst} is a private address; {net.label} does not route it beyond itself")
        if target is None or not nx.has_path(self.graph, net.name, target.name):
            return Route((sender.name, net.name), drop_at=net.name, reason=f"no route to {dst}")
        hops = nx.shortest_path(self.graph, net.name, target.name, weight="latency_us")
        latency = net.latency_us + nx.path_weight(self.graph, hops, "latency_us")
        return self._local(sender.name, target, dst, [sender.name, *hops], latency)

    def _local(self, sender: str, net: Network, dst: Address, path: list[str], latency: int) -> Route:
        holder = net.table.get(dst)
        if holder is None:
            return Route(tuple(path), drop_at=net.name, reason=f"no host answers for {dst} in {net.label}")
        return Route((*path, holder), (self.hosts[holder],), latency + net.latency_us)

    def _announcer(self, dst: Address) -> Network | None:
        best, length = None, -1
        for net in self.networks.values():
            for p in net.public:
                if p.version == dst.version and dst in p and p.prefixlen > length:
                    best, length = net, p.prefixlen
        if best is None:
            best = next((n for n in self.networks.values() if n.kind == "internet" and n.contains(dst)), None)
        return best

    # ------------------------------------------------------------ moving packets

    def transmit(self, sender: Host, packet: Packet, forwarded: bool = False) -> None:
        sim = self.sim
        pid = sim.next_packet_id()
        packet.facts["packet_id"] = pid
        route = self.route(sender, ip(packet.ip.dst))
        for node in route.path[1:-1] if route.receivers else route.path[1:]:
            for box in self._middleboxes.get(node, ()):
                changed = box(self, sender, packet, route)
                if changed is not None:
                    packet, route = changed
        kind = wire_class(packet.ip)
        wire = bytes(packet.ip)
        readable = kind == "esp" and _appears(packet.facts.get("esp_segment"), wire)
        if kind == "esp" and "esp_inner" in packet.facts:
            inner = packet.facts["esp_inner"]
            reason = f"carries {inner} in ESP with NULL encryption: readable" if readable else \
                f"carries {inner} (encrypted)"
        else:
            reason = "forwarded" if forwarded else ""
        sim.record(kind, sender.name, summary(packet.ip), "send", reason, path=route.path, packet_id=pid,
                   packet=wire, duration_us=route.latency_us)
        flow = packet.facts.get("flow")
        data = application_data(packet.ip) if kind == "clear" else \
            packet.facts.get("esp_data") if kind == "esp" else b""
        if flow and _appears(data, wire):
            # Ground truth for the verdict: a flow's application data crossed a network the organisation
            # does not run, readable by whoever runs or taps it: the packet is clear, or it is ESP whose
            # bytes on the wire contain the data as the application wrote it (ESP with NULL encryption).
            # AES-GCM's ciphertext never does.
            seen = summary(packet.ip) if kind == "clear" else \
                f"{summary(packet.ip)} with NULL encryption, carrying {packet.facts['esp_inner']}"
            for node in route.path[1:]:
                net = self.networks.get(node)
                if net is not None and not net.trusted:
                    self.note("crossed", flow=flow, network=node, sender=sender.name, packet_id=pid, packet=seen)
        for node in route.path[1:]:
            for tap in self._taps.get(node, ()):
                tap(packet)
        if not route.receivers:
            sim.record("drop", route.drop_at, summary(packet.ip), "discard", route.reason, packet_id=pid)
            if flow:
                self.note("dropped", flow=flow, host=route.drop_at, reason=route.reason, packet=summary(packet.ip),
                          dst=str(packet.ip.dst), action=None, rule=None, remote=None)
            return
        for receiver in route.receivers:
            copy = packet if len(route.receivers) == 1 else packet.copy()
            sim.schedule(route.latency_us, lambda r=receiver, p=copy: r.receive(p))

    def inject(self, attacker: Host, src, dst, sport: int, dport: int, payload: bytes, facts: dict | None = None) -> None:
        """A raw UDP packet with a forged source address, sent past the attacker's own stack."""
        self.transmit(attacker, Packet(udp(src, dst, sport, dport, payload), attacker.name, dict(facts or {})))

    def run(self) -> None:
        self.sim.run()


def _appears(data: bytes | None, wire: bytes) -> bool:
    """Whether ``data`` (not empty) lies, byte for byte, in the bytes on the wire."""
    return bool(data) and data in wire


__all__ = ["World", "Network", "Route", "Host", "ip"]
