"""A remote-access VPN: a laptop's tunnel-mode SA to its home security gateway (paper section 3).

The tunnel is ordinary IPsec: the laptop's SPD has a rule such as
``protect remote 1.2.0.0/16 tunnel 1.2.0.1``; the first packet for the intranet makes IKE
negotiate a tunnel-mode SA pair with the gateway, and ESP then carries whole inner packets.

* :class:`VpnGateway` turns a host into the home network's gateway: it forwards packets,
  its SPD protects traffic with the VPN address pool, its PAD says which inner address each
  client identity may use (for a VPN the PAD is easy to fill, since the gateway hands the
  addresses out; the paper's section 5.3), and when a tunnel comes up it answers ARP on the
  home network for the client's inner address (proxy ARP), so replies come back to it.
* :class:`VpnClient` gives the laptop its inner address once it has an outer one, and
  source routes: the ranges its SPD tunnels to the gateway leave from the inner address;
  the gateway itself is reached from the outer one.

What is not modelled: IKEv2 would hand out the inner address in a configuration payload;
labsim gives each client a fixed one the gateway has on record for its certificate's name.
Inside the home network the gateway forwards in clear, so hosts there must accept the pool's
packets without IPsec (the gateway authenticated the client already).

>>> spd_lines("1.2.0.1", ["1.2.0.0/16"])
'protect remote 1.2.0.0/16 tunnel 1.2.0.1'
"""

from __future__ import annotations

from .addresses import Address, ip, prefix
from .ipsec.pad import parse_pad
from .ipsec.sad import ChildSa, Sad
from .ipsec.spd import parse_spd


def spd_lines(gateway, ranges, comment: str = "") -> str:
    """SPD rules sending each of ``ranges`` through the tunnel to ``gateway``."""
    tail = f"   # {comment}" if comment else ""
    return "\n".join(f"protect remote {prefix(r)} tunnel {ip(gateway)}{tail}" for r in ranges)


class _GatewaySad(Sad):
    """The gateway's SAD: installing a tunnel SA also claims the client's inner address at home."""

    def __init__(self, gateway: VpnGateway):
        super().__init__()
        self.gateway = gateway

    def install(self, out: ChildSa, inb: ChildSa) -> None:
        super().install(out, inb)
        if out.mode == "tunnel":
            self.gateway.claim(out)


class VpnGateway:
    """Makes ``host`` the security gateway for clients whose inner addresses lie in ``pool``.

    ``clients`` maps each client's certificate name to the inner address it is given.
    """

    def __init__(self, host, pool: str, clients: dict[str, str], ca_name: str):
        self.host = host
        self.pool = prefix(pool)
        self.clients = {name: ip(address) for name, address in clients.items()}
        host.forwarding = True
        host.sad = _GatewaySad(self)
        host.spd = parse_spd(f"protect remote {self.pool}   # VPN clients: only through their tunnels\n"
                             "bypass any", source=f"{host.name}'s SPD")
        host.pad = parse_pad("\n".join(f'peer {name} ca "{ca_name}" addresses {address}'
                                       for name, address in sorted(self.clients.items())),
                             source=f"{host.name}'s PAD")

    def claim(self, sa: ChildSa) -> None:
        """Answer ARP on the home network for the client addresses ``sa`` carries (proxy ARP)."""
        host = self.host
        net = host.world.networks[host.network]
        for inner in sa.inner_remote:
            if inner.num_addresses != 1:
                continue
            address = inner.network_address
            net.table[address] = host.name
            host.sim.record("route", host.name, f"proxy ARP for {address}", "claim",
                            f"the tunnel to {sa.remote} ({sa.peer_name}) is up: {host.name} answers for "
                            f"{address} on {net.label}, so replies to the client come back to the gateway")


class VpnClient:
    """The laptop side: an inner address and the source routes that go with the tunnel."""

    def __init__(self, host, gateway, inner):
        self.host = host
        self.gateway = ip(gateway)
        self.inner = ip(inner)

    def up(self, outer: Address) -> None:
        """Called once the laptop has ``outer`` on the visited network."""
        host = self.host
        if self.inner not in host.addresses:
            host.addresses.append(self.inner)
        host.source_routes = source_routes(host.spd, self.gateway, self.inner, outer)
        tunnelled = [str(p) for p, a in host.source_routes if a == self.inner]
        excluded = [str(p) for p, a in host.source_routes[1:] if a == outer]
        ranges = ", ".join(tunnelled) or "nothing (no tunnel rule names this gateway)"
        words = f"inner address {self.inner} for {ranges}"
        if excluded:
            words += f"; {', '.join(excluded)} stays outside the tunnel"
        host.sim.record("route", host.name, f"VPN to {self.gateway}", "ready",
                        f"{words}; the gateway itself is reached from {outer}; the tunnel is negotiated when "
                        "the first packet needs it")


def source_routes(spd, gateway: Address, inner: Address, outer: Address) -> list[tuple]:
    """Routes a VPN client derives from its SPD: tunnelled ranges leave from ``inner``; ranges an
    earlier rule keeps out of the tunnel (a split exclusion) and the gateway leave from ``outer``.

    Routing goes by destination only, so a rule that keeps one port of a host out of the tunnel
    keeps the whole host out (as an operating system's routing table would).
    """
    everything = prefix("0.0.0.0/0" if inner.version == 4 else "::/0")
    ranges = [rule.remote.prefix if rule.remote is not None else everything for rule in spd]
    tunnels = [(i, net) for i, (rule, net) in enumerate(zip(spd, ranges))
               if rule.action == "protect" and rule.tunnel == gateway and net is not None]
    routes = [(prefix(gateway), outer)]
    for i, (rule, net) in enumerate(zip(spd, ranges)):
        if net is None or net.version != inner.version:
            continue   # a broadcast or multicast selector, or the other address family
        if rule.action == "protect" and rule.tunnel == gateway:
            routes.append((net, inner))
        elif any(j > i and net.subnet_of(r) for j, r in tunnels if r.version == net.version) \
                and not any(j < i and net.subnet_of(r) for j, r in tunnels if r.version == net.version):
            routes.append((net, outer))
    return routes


__all__ = ["VpnGateway", "VpnClient", "spd_lines", "source_routes"]
