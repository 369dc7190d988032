"""A world shaped like the audited organisation, for counterexamples: its ranges, its CA, its DNS.

The paper's cast (:mod:`labsim.scenarios.cast`) lives in 1.2.0.0/16; an administrator's
network lives where the profile says (say 10.1.0.0/16). :class:`Site` builds the same kind
of world from an :class:`~labsim.audit.context.AuditContext`: the intranet with the
organisation's ranges, the Internet beyond it, the organisation's CA and DNS zone, its DNS
server, and the audited host running the imported policy. Honest peers run the mirror image
of that policy towards the host, so that what the host means to protect is protected from
both ends and what it bypasses is bypassed.

When the intranet uses private addresses, :class:`Nat` stands for the organisation's NAT:
replies from the Internet reach the inside host that opened the flow, and nothing else
gets in (addresses are shown untranslated; the paper's section 4.2 notes that NATs do not
stop the attacks).
"""

from __future__ import annotations

import ipaddress

from ..addresses import Address, is_private
from ..dns import Resolver, Zone, reverse_name
from ..host import Host
from ..ipsec.ike import IkeDaemon
from ..ipsec.spd import AddressTerm, Rule, Spd
from ..net import Route, World
from ..packets import transport
from ..scenarios.organisation import build_organisation
from .context import AuditContext

DNS_DELAY_US = 2_000
SLOW_DNS_DELAY_US = 20_000   # a caching server that must ask further afield, as in fig1


class Nat:
    """An inside network's NAT, seen from the Internet: replies to flows opened from inside get in."""

    def __init__(self, world: World, inside: str):
        self.world, self.inside = world, inside
        self.flows: set[tuple] = set()
        world.add_middlebox("internet", self.on_packet)

    def on_packet(self, world, sender, packet, route):
        pkt = packet.ip
        proto, sport, dport = transport(pkt)
        src, dst = ipaddress.ip_address(pkt.src), ipaddress.ip_address(pkt.dst)
        if sender.network == self.inside:
            if route.receivers:
                self.flows.add((dst, dport, src, sport, proto))
            return None
        if route.receivers or (src, sport, dst, dport, proto) not in self.flows:
            return None
        holder = world.networks[self.inside].table.get(dst)
        if holder is None:
            return None
        world.sim.record("route", self.inside, f"NAT: reply from {src}", "translate",
                         f"the NAT of {world.networks[self.inside].label} passes the reply back to {holder}, "
                         "which opened the flow", packet_id=packet.facts.get("packet_id"))
        host = world.hosts[holder]
        return packet, Route((*route.path, self.inside, holder), (host,), route.latency_us + 2 * world.networks[
            self.inside].latency_us)


class Site:
    """The organisation's intranet, the Internet, the CA, DNS, and helpers to place hosts."""

    def __init__(self, ctx: AuditContext, title: str, seed: int = 0, slow_dns: bool = False,
                 names: tuple[str, ...] = ()):
        self.ctx = ctx
        profile = ctx.profile
        lan = list(ctx.ranges)
        for own in (ctx.host_address, ctx.host_address6):
            if own is not None and not any(own.version == p.version and own in p for p in lan):
                lan.append(ipaddress.ip_network(f"{own}/{24 if own.version == 4 else 64}", strict=False))
        domains = {n.split(".", 1)[1] for n in (*names, ctx.host_name) if "." in n}
        # The same builder as the paper's cast, with this organisation's parameters.
        org = build_organisation(seed, title, domain=profile.domain, ca_name=profile.ca, intranet=lan,
                                 label=f"{profile.domain} intranet {', '.join(str(p) for p in ctx.ranges)}",
                                 dns_address=ctx.dns_server, extra_domains=domains, reverse_ranges=ctx.ranges,
                                 signed=profile.dnssec,
                                 # a stack that checks names by secure reverse DNS needs signed reverse zones
                                 signed_reverse=profile.dnssec or ctx.name_check == "secure_reverse_dns",
                                 dns_delay_us=SLOW_DNS_DELAY_US if slow_dns else DNS_DELAY_US)
        self.world = world = org.world
        if any(is_private(p.network_address) for p in lan if p.version == 4):
            Nat(world, "intranet")
        self.ca, self.zones, self.reverse, self.ns = org.ca, org.zones, org.reverse, org.ns
        self.ipsec(self.ns)

    # ------------------------------------------------------------ placing hosts

    def network_for(self, address: Address) -> str:
        return "intranet" if self.world.networks["intranet"].contains(address) else "internet"

    def add(self, short: str, addresses, role: str, fqdn: str | None = None, malicious: bool = False,
            register: bool = True, network: str | None = None) -> Host:
        """A host at ``addresses`` (on the network they belong to), registered in DNS under ``fqdn``."""
        addresses = [ipaddress.ip_address(a) for a in addresses]
        short = self._unique(short)
        host = Host(short, role, fqdn=fqdn, malicious=malicious)
        self.world.add_host(host, network or self.network_for(addresses[0]), addresses)
        if register and fqdn:
            self.register(fqdn, addresses)
        return host

    def register(self, fqdn: str, addresses) -> None:
        zone = self.zone_for(fqdn)
        if zone is None:
            return
        for address in addresses:
            zone.add(fqdn, "A" if address.version == 4 else "AAAA", str(address))
            rev = self.world.directory.zone_for(reverse_name(address))
            if rev is not None:
                rev.add(reverse_name(address), "PTR", fqdn + ".")

    def zone_for(self, name: str) -> Zone | None:
        return self.world.directory.zone_for(name)

    def _unique(self, short: str) -> str:
        name, n = short, 2
        while name in self.world.hosts:
            name, n = f"{short}-{n}", n + 1
        return name

    # ------------------------------------------------------------ IPsec

    def ipsec(self, host: Host, certified: bool = True) -> Host:
        """An honest peer: the mirror image of the audited host's policy towards it, a certificate, IKE."""
        host.spd = mirror(self.ctx.spd, self.honest_addresses(), host.addresses)
        host.trusted_cas = [self.ca]
        IkeDaemon(host)
        if certified:
            host.identity = self.ca.issue(host.fqdn)
        return host

    def honest_addresses(self) -> list[Address]:
        return [a for a in (self.ctx.host_address, self.ctx.host_address6) if a is not None]

    def honest_host(self) -> Host:
        """The audited host, running the imported policy, PAD and name check."""
        ctx = self.ctx
        host = self.add(ctx.host_name.split(".")[0], self.honest_addresses(), "client", fqdn=ctx.host_name)
        host.spd, host.pad, host.name_check = ctx.spd, ctx.pad, ctx.name_check
        host.address_families = ("A", "AAAA")   # dual stack: an IPv6-only server is found by its AAAA record
        host.trusted_cas = [self.ca]
        IkeDaemon(host)
        host.identity = self.ca.issue(ctx.host_name)
        Resolver(host, [ctx.dns_server], validate=ctx.profile.dnssec, trust_anchors=[*self.zones, *self.reverse])
        return host

    def attacker(self, short: str, addresses, network: str | None = None, fqdn: str | None = None) -> Host:
        """A machine that runs no IPsec and holds no certificate of the organisation's."""
        return self.add(short, addresses, "attacker", fqdn=fqdn, malicious=True, register=False, network=network)


def mirror(spd: Spd, honest: list[Address], peer_addresses: list[Address]) -> Spd:
    """A peer's SPD: the audited host's rules as seen from the other end, then BYPASS for the rest.

    A PROTECT rule is mirrored for all traffic with the host, whatever its ports and in both
    directions (even when the host's own rule is outbound only): the peer then answers every
    IKE exchange the host starts and protects every reply, so the only decisions in a
    counterexample are the audited host's own.
    """
    swap = {"in": "out", "out": "in", "both": "both"}
    rules = []
    for rule in spd.rules:
        if rule.tunnel is not None or (rule.remote is not None and rule.remote.keyword):
            continue
        if rule.remote is not None and not any(rule.remote.matches(a, "unicast") for a in peer_addresses
                                               if a.version == rule.remote.prefix.version):
            continue
        for own in honest:
            if rule.local is not None and (rule.local.keyword or not rule.local.matches(own, "unicast")):
                continue
            if rule.remote is not None and rule.remote.prefix.version != own.version:
                continue
            wide = rule.action == "protect"
            rules.append(Rule(rule.action, remote=AddressTerm(prefix=ipaddress.ip_network(own)),
                              proto=None if wide else rule.proto, lport=None if wide else rule.rport,
                              rport=None if wide else rule.lport, direction="both" if wide else swap[rule.direction]))
    rules.append(Rule("bypass"))
    return Spd(tuple(rules))


__all__ = ["Site", "Nat", "mirror"]
