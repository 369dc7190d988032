"""DHCP (RFC 2131) as real BOOTP/DHCP messages: how a host that joins a network is configured.

A host that has just plugged in has no address. Its :class:`DhcpClient` broadcasts
DISCOVER from 0.0.0.0 with the BROADCAST flag set (it cannot receive unicast before it is
configured), the :class:`DhcpServer` broadcasts an OFFER, the client broadcasts REQUEST and
the server confirms with ACK. The lease carries the address, the router, the domain and
the DNS servers: on a visited network, the network's operator decides which DNS server
the laptop will trust (the paper's section 6.1).

A host that already has an address may broadcast INFORM (asking only for parameters); the
server answers it *unicast*, to the address the request names (RFC 2131 section 4.3.5).
That is one of the broadcast-triggered unicast answers of the paper's section 7.

>>> from labsim.net import World
>>> from labsim.host import Host
>>> w = World(seed=1)
>>> _ = w.add_network("lan", "a hotel network", ["7.7.7.0/24"], kind="visited", trusted=False)
>>> router = w.add_host(Host("router"), "lan", ["7.7.7.1"])
>>> laptop = w.add_host(Host("laptop"), "lan", [])
>>> _ = DhcpServer(router, ["7.7.7.23"], dns=["7.7.7.1"], domain="hotel.example.net")
>>> leases = []
>>> DhcpClient(laptop, leases.append).start()
>>> w.run()
>>> str(leases[0].address), [str(d) for d in leases[0].dns], leases[0].domain
('7.7.7.23', ['7.7.7.1'], 'hotel.example.net')
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from scapy.layers.dhcp import BOOTP, DHCP

from .addresses import Address, ip

SERVER_PORT = 67
CLIENT_PORT = 68
BROADCAST = "255.255.255.255"
FLAG_BROADCAST = 0x8000
LEASE_SECONDS = 3600
SERVER_DELAY_US = 500
MESSAGE_TYPES = {1: "DISCOVER", 2: "OFFER", 3: "REQUEST", 4: "DECLINE", 5: "ACK", 6: "NAK", 7: "RELEASE",
                 8: "INFORM"}


@dataclass(frozen=True)
class Lease:
    """What the server told the client: its address and whom to trust for routing and names."""

    address: Address
    server: Address
    router: Address | None
    dns: tuple[Address, ...]
    domain: str


def hardware_address(host_name: str) -> bytes:
    """A stable, locally administered MAC address for ``host_name`` (only ever a DHCP field)."""
    mac = bytearray(hashlib.sha256(f"labsim/mac/{host_name}".encode()).digest()[:6])
    mac[0] = (mac[0] | 0x02) & 0xFE
    return bytes(mac)


def _options(message) -> dict:
    found = {}
    for option in message[DHCP].options:
        if isinstance(option, tuple) and len(option) >= 2:
            found[option[0]] = option[1] if len(option) == 2 else option[1:]
    return found


def _message_type(message) -> str:
    return MESSAGE_TYPES.get(_options(message).get("message-type"), "?")


def parse(data: bytes):
    """A BOOTP/DHCP message, or ``None`` if the bytes are not one."""
    try:
        message = BOOTP(data)
    except Exception:  # malformed input from the network is ignored, as a real daemon would
        return None
    return message if message.haslayer(DHCP) else None


def describe_dhcp(data: bytes) -> str:
    """``DISCOVER xid=0x1234`` or ``ACK 7.7.7.23 dns=7.7.7.1 xid=0x1234`` for the trace."""
    message = parse(data)
    if message is None:
        return "malformed DHCP message"
    kind = _message_type(message)
    options = _options(message)
    words = [kind]
    if message.yiaddr != "0.0.0.0":
        words.append(str(message.yiaddr))
    if message.ciaddr != "0.0.0.0":
        words.append(f"ciaddr={message.ciaddr}")
    if "name_server" in options:
        servers = options["name_server"]
        words.append("dns=" + ",".join(servers if isinstance(servers, tuple) else (servers,)))
    words.append(f"xid=0x{message.xid:08x}")
    return " ".join(words)


class DhcpServer:
    """Leases addresses from ``pool`` (in order; ``reserved`` maps host names to fixed addresses).

    ``dns`` and ``domain`` are what every client is told; on a visited network these are the
    operator's choice, honest or not.
    """

    def __init__(self, host, pool, dns=(), domain: str = "", router=None, reserved: dict | None = None):
        self.host = host
        self.pool = [ip(a) for a in pool]
        self.dns = [ip(a) for a in dns]
        self.domain = domain
        self.router = ip(router) if router else None
        self.reserved = {hardware_address(name): ip(a) for name, a in (reserved or {}).items()}
        self.leases: dict[bytes, Address] = {}
        host.bind_udp(SERVER_PORT, self.on_message)

    def _address_for(self, mac: bytes) -> Address | None:
        if mac in self.leases:
            return self.leases[mac]
        if mac in self.reserved:
            return self.reserved[mac]
        taken = set(self.leases.values()) | set(self.reserved.values())
        return next((a for a in self.pool if a not in taken), None)

    def on_message(self, packet, src: Address, sport: int, dst: Address, data: bytes) -> None:
        message = parse(data)
        if message is None or message.op != 1:
            return
        host, sim = self.host, self.host.sim
        kind = _message_type(message)
        mac = bytes(message.chaddr)[:6]
        if kind == "INFORM":
            client = ip(message.ciaddr)
            sim.record("dhcp", host.name, f"INFORM from {client}", "answer",
                       f"a client that already has {client} asks for parameters: the ACK goes unicast to it")
            self._reply(message, "ack", ip("0.0.0.0"), client)
            return
        if kind not in ("DISCOVER", "REQUEST"):
            return
        address = self._address_for(mac)
        if address is None:
            sim.record("dhcp", host.name, f"{kind} xid=0x{message.xid:08x}", "ignore", "the address pool is empty")
            return
        if kind == "REQUEST":
            self.leases[mac] = address
        reply = "offer" if kind == "DISCOVER" else "ack"
        how = "a reserved address" if mac in self.reserved else "the next free address"
        sim.record("dhcp", host.name, f"{kind} xid=0x{message.xid:08x}", reply,
                   f"{'offers' if reply == 'offer' else 'leases'} {address} ({how}) with DNS server "
                   f"{', '.join(map(str, self.dns)) or 'none'}; broadcast, since the client has no address yet")
        self._reply(message, reply, address, ip(BROADCAST))

    def _reply(self, request, kind: str, address: Address, to: Address) -> None:
        server = self.host.source_address_for(to)
        options = [("message-type", kind), ("server_id", str(server)), ("lease_time", LEASE_SECONDS)]
        if self.router is not None:
            options.append(("router", str(self.router)))
        if self.dns:
            options.append(("name_server", *map(str, self.dns)))
        if self.domain:
            options.append(("domain", self.domain.encode()))
        options.append("end")
        reply = BOOTP(op=2, xid=request.xid, flags=request.flags, ciaddr=request.ciaddr, yiaddr=str(address),
                      siaddr=str(server), chaddr=request.chaddr)
        reply.add_payload(DHCP(options=options))   # in place: '/' would copy both layers first
        wire = bytes(reply)
        self.host.sim.schedule(SERVER_DELAY_US, lambda: self.host.udp_send(to, SERVER_PORT, CLIENT_PORT, wire,
                                                                           src=server))


class DhcpClient:
    """Configures ``host`` on the network it is plugged into, then calls ``on_configured(lease)``.

    ``use_dns``: whether the lease's DNS servers replace the ones the host's resolver asks
    (the default of most systems), or the host keeps its own (an administrator's setting such
    as dhclient's ``supersede domain-name-servers``). The client applies that choice itself,
    and the resolver records the result.
    """

    def __init__(self, host, on_configured: Callable[[Lease], None], use_dns: bool = True):
        self.host = host
        self.on_configured = on_configured
        self.use_dns = use_dns
        self.mac = hardware_address(host.name)
        self.xid = 0
        self.state = "idle"

    def start(self) -> None:
        host = self.host
        self.xid = host.sim.rng.getrandbits(32)
        self.state = "selecting"
        host.bind_udp(CLIENT_PORT, self.on_message)
        host.sim.record("dhcp", host.name, "DHCP", "discover",
                        f"{host.name} has no address on {host.network} yet and asks for one by broadcast")
        self._send("discover")

    def _send(self, kind: str, requested: Address | None = None, server: Address | None = None) -> None:
        options = [("message-type", kind)]
        if requested is not None:
            options += [("requested_addr", str(requested)), ("server_id", str(server))]
        options += [("param_req_list", [1, 3, 6, 15]), "end"]
        message = BOOTP(op=1, xid=self.xid, flags=FLAG_BROADCAST, chaddr=self.mac)
        message.add_payload(DHCP(options=options))
        self.host.udp_send(BROADCAST, CLIENT_PORT, SERVER_PORT, bytes(message), src="0.0.0.0")

    def on_message(self, packet, src: Address, sport: int, dst: Address, data: bytes) -> None:
        message = parse(data)
        if message is None or message.op != 2 or message.xid != self.xid or bytes(message.chaddr)[:6] != self.mac:
            return
        kind = _message_type(message)
        options = _options(message)
        server = ip(options.get("server_id", str(src)))
        if kind == "OFFER" and self.state == "selecting":
            self.state = "requesting"
            self._send("request", ip(message.yiaddr), server)
        elif kind == "ACK" and self.state == "requesting":
            self.state = "bound"
            self._configure(message, options, server)

    def _configure(self, message, options: dict, server: Address) -> None:
        host = self.host
        servers = options.get("name_server", ())
        servers = servers if isinstance(servers, tuple) else (servers,)
        domain = options.get("domain", b"")
        lease = Lease(ip(message.yiaddr), server, ip(options["router"]) if "router" in options else None,
                      tuple(ip(s) for s in servers), domain.decode() if isinstance(domain, bytes) else str(domain))
        host.world.attach(host, host.network, [lease.address], quiet=True)
        host.sim.record("dhcp", host.name, f"lease {lease.address}", "configure",
                        f"{host.name} takes {lease.address} from {server}; DNS server "
                        f"{', '.join(map(str, lease.dns)) or 'none'}, domain {lease.domain or 'none'}")
        resolver = host.resolver
        if resolver is not None and lease.dns:
            if self.use_dns:
                resolver.set_servers(lease.dns, f"the DNS server the lease from {server} names")
            else:
                host.sim.record("dhcp", host.name, f"lease {lease.address}", "keep DNS",
                                f"the lease names DNS server {', '.join(map(str, lease.dns))}, but this host's DHCP "
                                "client is set to keep its own; the resolver still asks "
                                f"{', '.join(map(str, resolver.servers)) or 'no server'}")
        self.on_configured(lease)


__all__ = ["DhcpServer", "DhcpClient", "Lease", "describe_dhcp", "hardware_address"]
