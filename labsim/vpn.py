"""A remote-access VPN: a laptop's tunnel-mode SA to its home security gateway (paper section 3).

The tunnel is ordinary IPsec: the laptop's SPD has a rule such as
``protect remote 1.2.0.0/16 tunnel 1.2.0.1``; the first packet for the intranet makes IKE
negotiate a tunnel-mode SA pair with the gateway, and ESP then carries whole inner packets.

* :class:`VpnGateway` turns a host into the home network's gateway: it forwards packets,
  its SPD protects traffic with the VPN address pool, its PAD says which inner address each
  client identity may use (for a VPN the PAD is easy to fill, since the gateway hands the
  addresses out; the paper's section 5.3), and when a tunnel comes up it answers ARP on the
  home network for the client's inner address (proxy ARP), so replies come back to it.
* :class:`VpnClient` gives the laptop its inner address once it has an outer one,
  installs a tunnel rule into the laptop's SPD for each range of its profile that a split
  exclusion does not remove, and source routes: the ranges the SPD tunnels to the gateway
  leave from the inner address; the gateway itself and excluded ranges from the outer one.
  The tunnel's traffic selectors in IKE are the ranges the SPD sends to the gateway, so a
  range the client does not tunnel is one the gateway never carries.

Both ends may be configured with the ESP transforms the tunnel may use (``esp_proposals``:
``("aes_gcm",)``, or ``("null",)`` for ESP with NULL encryption and HMAC-SHA2-256-128
integrity, which some companies choose so that their network monitors can read VPN
traffic); IKE negotiates one that both allow, or the tunnel does not come up.

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
from .ipsec.spd import AddressTerm, Rule, Spd, parse_spd


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

    ``clients`` maps each client's certificate name to the inner address it is given;
    ``esp_proposals``, if given, the ESP transforms the gateway accepts (its IKE daemon's configuration).
    """

    def __init__(self, host, pool: str, clients: dict[str, str], ca_name: str, esp_proposals=None):
        self.host = host
        if esp_proposals is not None:
            if host.ike is None:
                raise ValueError(f"{host.name} needs an IKE daemon before its ESP proposals can be set")
            host.ike.configure_esp(esp_proposals)
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
    """The laptop side: an inner address, the tunnel's policy and the routes that go with it.

    ``tunnel`` is the VPN profile's list of ranges to send through the gateway (its split
    include list); ``exclude`` the ranges it keeps out of the tunnel even where ``tunnel``
    covers them (a split exclusion, e.g. "local LAN access" for private ranges, so that the
    laptop can use the printers of the network it visits). When the tunnel comes up the
    client installs one PROTECT rule per remaining range into the host's SPD, each above
    the first rule that would otherwise catch all of that range (the most specific policy
    first, as IPsec stacks order installed policies), unless the SPD already sends that
    range to this gateway. The tunnel's traffic selectors, negotiated in IKE, are the ranges
    the SPD then sends to the gateway; the routes follow the same ranges. ``esp_proposals``, if
    given, are the ESP transforms the profile proposes to the gateway (strongSwan's
    ``esp_proposals`` of the connection), set on the host's IKE daemon for that peer.
    """

    def __init__(self, host, gateway, inner, tunnel=(), exclude=(), esp_proposals=None):
        self.host = host
        self.gateway = ip(gateway)
        self.inner = ip(inner)
        self.tunnel = [prefix(r) for r in tunnel]
        self.exclude = [prefix(r) for r in exclude]
        self.esp_proposals = tuple(esp_proposals) if esp_proposals is not None else None

    def tunnelled(self) -> list:
        """The profile's ranges minus its exclusions."""
        ranges = []
        for net in self.tunnel:
            parts = [net]
            for excluded in self.exclude:
                parts = [piece for part in parts for piece in _minus(part, excluded)]
            ranges += [p for p in sorted(parts) if p not in ranges]
        return ranges

    def up(self, outer: Address) -> None:
        """Called once the laptop has ``outer`` on the visited network."""
        host = self.host
        if self.inner not in host.addresses:
            host.addresses.append(self.inner)
        for net in self.tunnel:
            cut = [e for e in self.exclude if e.version == net.version and (e.subnet_of(net) or net.subnet_of(e))]
            if cut:
                whole = any(net.subnet_of(e) for e in cut)
                host.sim.record("route", host.name, f"VPN split exclusion {', '.join(map(str, cut))}", "exclude",
                                f"the VPN profile keeps {', '.join(map(str, cut))} out of the tunnel: the VPN client "
                                + (f"installs no tunnel rule for {net}" if whole else
                                   f"tunnels {net} only outside {', '.join(map(str, cut))}"))
        self._install(self.tunnelled())
        host.source_routes = source_routes(host.spd, self.gateway, self.inner, outer)
        host.source_routes += [(e, outer) for e in self.exclude if all(e != p for p, _ in host.source_routes)]
        tunnelled = [str(p) for p, a in host.source_routes if a == self.inner]
        excluded = [str(p) for p, a in host.source_routes[1:] if a == outer]
        words = f"inner address {self.inner} for {', '.join(tunnelled) or 'nothing (no tunnel rule names this gateway)'}"
        if excluded:
            words += f"; {', '.join(excluded)} stays outside the tunnel"
        proposing = ""
        if self.esp_proposals is not None:
            host.ike.configure_esp(self.esp_proposals, peer=self.gateway)
            offer = "; ".join(t.ike_words() for t in host.ike.proposals_for(self.gateway))
            proposing = f" (the profile's ESP proposal: {offer})"
        host.sim.record("route", host.name, f"VPN to {self.gateway}", "ready",
                        f"{words}; the gateway itself is reached from {outer}; the tunnel is negotiated when the "
                        f"first packet needs it{proposing}")

    def _install(self, ranges) -> None:
        """Insert one tunnel rule per range the SPD does not already send to the gateway, then say
        where each landed (rule numbers as they are once all are in)."""
        host = self.host
        rules = list(host.spd)
        added = []
        for net in ranges:
            if any(r.action == "protect" and r.tunnel == self.gateway and _whole(r, net) for r in rules):
                host.sim.record("spd", host.name, f"VPN range {net}", "keep",
                                f"the SPD already sends {net} through {self.gateway}; the VPN client adds no rule")
                continue
            rule = Rule("protect", remote=AddressTerm(prefix=net), tunnel=self.gateway)
            rules.insert(next((i for i, r in enumerate(rules) if _whole(r, net)), len(rules)), rule)
            added.append(rule)
        if not added:
            return
        host.spd = Spd(tuple(rules))
        for at, rule in sorted((rules.index(r), r) for r in added):
            below = f"above {rules[at + 1]}" if at + 1 < len(rules) else "at the end"
            host.sim.record("spd", host.name, f"SPD rule {at + 1}: {rule}", "install",
                            f"the VPN client sends {rule.remote} through the tunnel to {self.gateway} ({below})")


def _minus(net, excluded) -> list:
    if net.version != excluded.version or not net.overlaps(excluded):
        return [net]
    if net.subnet_of(excluded):
        return []
    return list(net.address_exclude(excluded))


def _whole(rule, net) -> bool:
    """Does ``rule`` match every packet to ``net`` (both directions, any protocol and port)?"""
    if rule.local is not None or rule.proto is not None or rule.lport or rule.rport or rule.direction != "both" \
            or rule.name:
        return False
    if rule.remote is None:
        return True
    return rule.remote.prefix is not None and rule.remote.prefix.version == net.version \
        and net.subnet_of(rule.remote.prefix)


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
