"""Counterexample worlds, one per problem of the paper, built on the audited host's own policy.

Each function builds a :class:`~labsim.net.World` in the organisation's address space
(:class:`~labsim.audit.site.Site`), puts the audited host in it with the imported SPD, PAD
and name check, adds the attacker the paper describes at the address the auditor found,
and returns it with a short story. The auditor plays the world with
:func:`labsim.result.play`; the verdict, not the auditor, says whether the attack worked.
The mechanisms are the model's own: :class:`~labsim.dns.DnsSpoofer`, a lying
:class:`~labsim.dns.DnsServer`, :class:`~labsim.mobility.DnsInterceptor`, ARP hijacking,
a stale DNS cache, :class:`~labsim.broadcast.NameQueryProbe` and the name-service
responders.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from ..addresses import is_private
from ..apps import ClientApp, ServerApp
from ..broadcast import LlmnrResponder, NameQueryProbe, NetbiosResponder
from ..dns import Answer, DnsServer, DnsSpoofer, reverse_name
from ..ipsec.spd import AddressTerm, Rule, Spd
from ..mobility import DnsInterceptor
from ..net import World
from .context import AuditContext, move_local
from .profile import Server
from .site import Site, mirror

GUEST_PREFIXES = ("7.7.7.0/24", "198.18.7.0/24")
SECRET = b"GET /salaries.xlsx"


@dataclass
class Built:
    world: World
    story: tuple[str, ...]


def _short(name: str) -> str:
    return name.split(".")[0]


def dns_spoofing(ctx: AuditContext, server: Server, attacker_at, seed: int = 0, honest: bool = False) -> Built:
    """Problem 1a (section 4.2): a forged DNS answer sends the connection to a BYPASS address.

    ``honest=True`` builds the baseline: the same world with no attacker, where the host
    must reach the server the way its policy intends.
    """
    site = Site(ctx, "audit: DNS spoofing (problem 1a)" + (", baseline" if honest else ""), seed, slow_dns=True,
                names=(server.name,))
    world = site.world
    host = site.honest_host()
    real = site.ipsec(site.add(_short(server.name), [server.address], "server", fqdn=server.name))
    ServerApp(real, server.port, b"200 OK: here are the salaries")
    if honest:
        ClientApp(host, server.name, server.port)
        return Built(world, (f"Baseline: {host.name} connects to {server.name} ({server.address}) on port "
                             f"{server.port}, with no attacker anywhere.",))
    attacker_at = ipaddress.ip_address(attacker_at)
    inside = site.network_for(attacker_at) == "intranet"
    attacker = site.attacker("attacker", [attacker_at])
    ServerApp(attacker, server.port, b"200 OK (a fake " + server.name.encode() + b")",
              label=f"the attacker's fake {server.name}")
    story = [f"{host.name} connects to {server.name} ({server.address}) on port {server.port}."]
    spoofer = attacker
    if not inside and (not world.networks["intranet"].public or is_private(ctx.host_address)):
        # A NAT keeps forged packets from the Internet off a private intranet: the forger must be inside.
        spoofer = site.attacker("rogue", [_free(site, ctx)], network="intranet")
        story.append(f"A rogue machine on the intranet ({spoofer.addresses[0]}), with no certificate, watches DNS "
                     f"and forges the answer; the fake server waits on the Internet at {attacker_at}.")
    else:
        where = "on the intranet" if inside else "on the Internet"
        story.append(f"The attacker, {where} at {attacker_at}, sees {host.name}'s DNS queries and races a forged "
                     "answer from the DNS server's address.")
    DnsSpoofer(spoofer, world, tap_node="intranet", victims=[str(ctx.host_address)],
               targets={server.name: str(attacker_at)})
    ClientApp(host, server.name, server.port)
    return Built(world, tuple(story))


def impersonation(ctx: AuditContext, server: Server, insider_at, seed: int = 0, honest: bool = False) -> Built:
    """Problem 1b (section 5.1): an insider certified by the same CA answers for the server's address.

    ``honest=True`` builds the baseline: no insider, the host must reach the real server.
    """
    insider_name = f"pc-c.{ctx.profile.domain}" if _short(server.name) != "pc-c" else f"pc-d.{ctx.profile.domain}"
    site = Site(ctx, "audit: identifier mismatch (problem 1b)" + (", baseline" if honest else ""), seed,
                names=(server.name, insider_name))
    world = site.world
    host = site.honest_host()
    real = site.ipsec(site.add(_short(server.name), [server.address], "server", fqdn=server.name))
    if honest:
        ServerApp(real, server.port, b"200 OK: here are the salaries")
        ClientApp(host, server.name, server.port, verify_peer=ctx.name_check == "application",
                  expected_issuer=ctx.profile.ca)
        return Built(world, (f"Baseline: {host.name} connects to {server.name} ({server.address}), with no "
                             "insider and honest DNS.",))
    insider = site.add(_short(insider_name), [insider_at], "insider", fqdn=insider_name, malicious=True)
    site.ipsec(insider)
    # The insider configures whatever works: IPsec with the host, whatever the host's policy says about it.
    insider.spd = Spd((*(Rule("protect", remote=AddressTerm(prefix=ipaddress.ip_network(a)))
                         for a in site.honest_addresses()), Rule("bypass")))
    ServerApp(real, server.port, b"200 OK: here are the salaries")
    ServerApp(insider, server.port, b"200 OK (" + insider_name.encode() + b" posing as " + server.name.encode() + b")",
              label=f"{insider.name} posing as {_short(server.name)}")
    world.hijack(insider, server.address, f"{insider.name} answers ARP requests for {server.address} "
                                          "(forged ARP replies)")
    zone = site.zone_for(insider_name)
    if zone is not None:
        zone.add(insider_name, "A", str(server.address))
    DnsSpoofer(insider, world, tap_node="intranet", victims=[str(ctx.host_address)],
               targets={reverse_name(server.address): insider_name})
    ClientApp(host, server.name, server.port, verify_peer=ctx.name_check == "application",
              expected_issuer=ctx.profile.ca)
    story = (f"{host.name} connects to {server.name} ({server.address}); DNS is honest.",
             f"{insider_name}, an ordinary machine with its own certificate from {ctx.profile.ca}, answers for "
             f"{server.address} on the LAN, adds that address to its own name in DNS, and forges reverse answers.")
    return Built(world, story)


def foreign_dns(ctx: AuditContext, server: Server, attacker_at, dns_away: str, seed: int = 0,
                honest: bool = False) -> Built:
    """Problem 2 (section 6.1): the laptop away from home takes the visited network's word for names.

    ``honest=True`` builds the baseline: the same trip with an honest hotel network.
    """
    site = Site(ctx, "audit: foreign DNS (problem 2)" + (", baseline" if honest else ""), seed, names=(server.name,))
    world = site.world
    host = site.honest_host()
    real = site.ipsec(site.add(_short(server.name), [server.address], "server", fqdn=server.name))
    ServerApp(real, server.port, b"200 OK: here are the salaries")
    guest, hotspot = _visit(site, host, ())
    # The server answers the laptop wherever it is: its policy follows the laptop's new address.
    real.spd = mirror(host.spd, [guest], real.addresses)
    if honest:
        DnsServer(hotspot, directory=world.directory)
        if dns_away == "dhcp":
            host.resolver.servers = [hotspot.addresses[0]]
        ClientApp(host, server.name, server.port, start_us=2_000)
        return Built(world, (f"Baseline: {host.name} is away, on an honest hotel network, as {guest}, and "
                             f"connects to {server.name}.",))
    attacker_at = ipaddress.ip_address(attacker_at)
    attacker = site.attacker("attacker", [attacker_at])
    ServerApp(attacker, server.port, b"200 OK (the visited network's fake server)", label="the visited network's fake")
    DnsServer(hotspot, directory=world.directory, lies={server.name: [str(attacker_at)]})
    story = [f"{host.name} is away, on a hotel network, as {guest}."]
    if dns_away == "dhcp":
        host.resolver.servers = [hotspot.addresses[0]]
        story.append(f"DHCP named the hotel's DNS server {hotspot.addresses[0]}; it maps {server.name} to the "
                     f"hotel's own machine at {attacker_at}.")
    else:
        DnsInterceptor(world, "visited", hotspot.addresses[0])
        story.append(f"{host.name} keeps asking its home DNS server {ctx.dns_server}, but the hotel redirects "
                     f"plain DNS to its own server, which maps {server.name} to {attacker_at}.")
    ClientApp(host, server.name, server.port, start_us=2_000)
    return Built(world, tuple(story))


def private_address(ctx: AuditContext, name: str, address, port: int, holder_is_attacker: bool,
                    home_name: bool = True, seed: int = 0) -> Built:
    """Problems 3 and 4 (sections 6.2-6.3): a private address means another host where the laptop is."""
    address = ipaddress.ip_address(address)
    problem = "3" if holder_is_attacker else "4"
    site = Site(ctx, f"audit: private addresses (problem {problem})", seed, names=(name,))
    world = site.world
    host = site.honest_host()
    local = ipaddress.ip_network(f"{address}/24", strict=False)
    story = []
    if home_name:
        printer = site.add(_short(name), [address], "printer", fqdn=name)
        ServerApp(printer, port, b"printed", label=f"{printer.name} at home")
        story.append(f"At home, {name} is {address}, in the organisation's private range.")
    guest, _ = _visit(site, host, (local,))
    if holder_is_attacker:
        other = site.attacker("hotel-machine", [address], network="visited")
        ServerApp(other, port, b"printed (or so it says)", label=f"the hotel's machine at {address}")
        story.append(f"{host.name} is on a hotel network as {guest}; the hotel uses {local} too, and {address} "
                     f"is the hotel's machine.")
    else:
        other = site.add("hotel-printer", [address], "printer", fqdn=None if home_name else name,
                         network="visited", register=False)
        ServerApp(other, port, b"printed", label=f"the hotel's printer at {address}")
        story.append(f"{host.name} is on a hotel network as {guest}; the hotel uses {local} too, and {address} "
                     "is the hotel's printer, which speaks no IPsec.")
    if home_name:
        host.resolver.cache[(name, "A")] = Answer(name, "A", (str(address),), f"ns.{ctx.profile.domain} at home")
        world.sim.record("note", host.name, f"cache: {name} A {address}", "remember",
                         "the laptop's DNS cache still holds this, learnt at home")
    else:
        host.resolver.hosts_file[name] = str(address)
    ClientApp(host, name, port, payload=b"%!PS board minutes, confidential", start_us=2_000)
    return Built(world, tuple(story))


def soft_sa(ctx: AuditContext, attacker_at, group=None, seed: int = 0) -> Built:
    """Problem 5a (section 7): a broadcast makes the host answer, and the answer opens a soft SA."""
    site = Site(ctx, "audit: a broadcast opens a soft SA (problem 5a)", seed)
    host = site.honest_host()
    _services(ctx, host)
    attacker = site.attacker("attacker", [attacker_at], network="intranet")
    NameQueryProbe(attacker, host.name, target=ctx.host_address, port=ctx.profile.service_port, via="ipv4",
                   group=group)
    story = (f"{host.name} answers name queries ({', '.join(ctx.profile.broadcast_responders)}) and offers a "
             f"service on TCP {ctx.profile.service_port}.",
             f"An attacker on the LAN at {attacker_at}, with no certificate, broadcasts a name query, then connects.")
    return Built(site.world, story)


def laxer_ipv6(ctx: AuditContext, attacker_v4, attacker_v6, seed: int = 0) -> Built:
    """Problem 5b (section 7): the same service over IPv6, where the policy is laxer."""
    site = Site(ctx, "audit: a laxer IPv6 policy (problem 5b)", seed)
    world = site.world
    lan = world.networks["intranet"]
    v6 = ipaddress.ip_network(f"{attacker_v6}/64", strict=False)
    if not lan.contains(ipaddress.ip_address(attacker_v6)):
        lan.prefixes = (*lan.prefixes, v6)
    host = site.honest_host()
    _services(ctx, host)
    LlmnrResponder(host)
    attacker = site.attacker("attacker", [attacker_v4, attacker_v6], network="intranet")
    NameQueryProbe(attacker, host.name, target=ctx.host_address6, port=ctx.profile.service_port, via="ipv6")
    story = (f"{host.name} offers a service on TCP {ctx.profile.service_port}, over IPv4 as {ctx.host_address} and "
             f"over IPv6 as {ctx.host_address6}.",
             f"An attacker on the LAN ({attacker_v4}, {attacker_v6}), with no certificate, uses IPv6.")
    return Built(world, story)


def _services(ctx: AuditContext, host) -> None:
    if "netbios" in ctx.profile.broadcast_responders:
        NetbiosResponder(host)
    ServerApp(host, ctx.profile.service_port, b"SMB: here is payroll.xlsx", label=f"{host.name}'s file sharing")


def guest_network(ctx: AuditContext):
    """The public range a hotel network leases to guests (one that is not the organisation's)."""
    return next(ipaddress.ip_network(p) for p in GUEST_PREFIXES
                if not any(ipaddress.ip_network(p).overlaps(r) for r in ctx.ranges if r.version == 4))


def _visit(site: Site, host, private: tuple) -> tuple:
    """Move the host to a hotel network (public guest range, plus ``private``); its policy follows it."""
    world, ctx = site.world, site.ctx
    guest_net = guest_network(ctx)
    world.add_network("visited", f"a hotel network {', '.join(str(p) for p in (guest_net, *private))}",
                      [guest_net, *private], kind="visited", public=[guest_net], trusted=False)
    world.link("visited", "internet")
    hotspot = site.add("hotspot", [guest_net.network_address + 1], "router", network="visited", register=False)
    hotspot.malicious = True
    guest = guest_net.network_address + 23
    home = ctx.host_address
    world.attach(host, "visited", [guest])
    host.spd = move_local(host.spd, home, guest)
    return guest, hotspot


def _free(site: Site, ctx: AuditContext):
    """An unused address on the intranet's IPv4 segment, for a machine the attacker plugs in."""
    taken = {a for h in site.world.hosts.values() for a in h.addresses}
    for net in (p for p in site.world.networks["intranet"].prefixes if p.version == 4):
        for offset in (77, 78, 79, 200, 201, 2, 3):
            candidate = net.network_address + offset
            if candidate not in taken and candidate in net and candidate != net.broadcast_address:
                return candidate
    raise ValueError("no free IPv4 address on the intranet for the attacker's machine")


__all__ = ["Built", "guest_network", "dns_spoofing", "impersonation", "foreign_dns", "private_address", "soft_sa", "laxer_ipv6"]
