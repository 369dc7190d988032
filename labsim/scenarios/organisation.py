"""One parametrised builder for an organisation's world: its intranet, the Internet, its CA, DNS zones and server.

The paper's cast (:func:`labsim.scenarios.cast.corp_world`: Example Corp in 1.2.0.0/16) and
the auditor's site (:class:`labsim.audit.site.Site`: whatever organisation a configuration
describes, say 10.1.0.0/16) are the same kind of world with different parameters. This
builder makes either; ``cast_parameters()`` are the cast's own, so the two cannot drift.

>>> org = build_organisation(0, "demo", **cast_parameters())
>>> sorted(org.world.networks), [str(p) for p in org.world.networks["intranet"].prefixes]
(['internet', 'intranet'], ['1.2.0.0/16'])
>>> org.ns.fqdn, [str(a) for a in org.ns.addresses], [str(z.origin) for z in org.zones + org.reverse]
('ns.example.org', ['1.2.0.53'], ['example.org.', '2.1.in-addr.arpa.'])
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from ..addresses import is_private
from ..dns import Directory, DnsServer, Zone, reverse_name
from ..host import Host
from ..net import World
from ..pki import CertificateAuthority


@dataclass
class Organisation:
    world: World
    ca: CertificateAuthority
    zones: list[Zone]        # forward zones; the first is the organisation's own domain
    reverse: list[Zone]      # reverse zones of its IPv4 ranges
    ns: Host                 # its DNS server, already serving every zone


def reverse_origin(prefix) -> str:
    """The in-addr.arpa zone of an IPv4 prefix, whole octets only (1.2.0.0/16 -> 2.1.in-addr.arpa)."""
    octets = str(prefix.network_address).split(".")[:max(1, prefix.prefixlen // 8)]
    return ".".join(reversed(octets)) + ".in-addr.arpa"


def build_organisation(seed: int, title: str, *, domain: str, ca_name: str, intranet, dns_address,
                       label: str | None = None, public=None, extra_domains=(), reverse_ranges=None,
                       signed: bool = False, signed_reverse: bool | None = None, with_internet: bool = True,
                       dns_delay_us: int | None = None) -> Organisation:
    """The world, its intranet (``intranet`` prefixes; ``public`` those the Internet routes, by default the
    non-private ones), the CA ``ca_name``, zones for ``domain`` (and ``extra_domains``) and the reverse
    zones of ``reverse_ranges`` (by default the IPv4 intranet prefixes), and ns.<domain> at ``dns_address``."""
    world = World(seed, title)
    prefixes = [ipaddress.ip_network(p) for p in intranet]
    if public is None:
        public = [p for p in prefixes if not is_private(p.network_address) and not p.network_address.is_link_local]
    world.add_network("intranet", label or f"{domain} intranet {', '.join(map(str, prefixes))}", prefixes,
                      public=[ipaddress.ip_network(p) for p in public])
    if with_internet:
        world.add_network("internet", "the Internet", ["0.0.0.0/0", "::/0"], kind="internet", trusted=False,
                          latency_us=1_000)
        world.link("intranet", "internet")
    ca = CertificateAuthority.create(ca_name, seed)
    zones = [Zone(d, seed, signed=signed) for d in [domain, *sorted(set(extra_domains) - {domain})]]
    ranges = prefixes if reverse_ranges is None else [ipaddress.ip_network(p) for p in reverse_ranges]
    reverse_signed = signed if signed_reverse is None else signed_reverse
    reverse = [Zone(reverse_origin(p), seed, signed=reverse_signed) for p in ranges if p.version == 4]
    world.directory = Directory([*zones, *reverse])
    address = ipaddress.ip_address(dns_address)
    ns = Host("ns", "dns", fqdn=f"ns.{domain}")
    network = "intranet" if world.networks["intranet"].contains(address) or not with_internet else "internet"
    world.add_host(ns, network, [address])
    zone = world.directory.zone_for(ns.fqdn)
    if zone is not None:
        zone.add(ns.fqdn, "A" if address.version == 4 else "AAAA", str(address))
        rev = world.directory.zone_for(reverse_name(address))
        if rev is not None:
            rev.add(reverse_name(address), "PTR", ns.fqdn + ".")
    kwargs = {"delay_us": dns_delay_us} if dns_delay_us else {}
    DnsServer(ns, zones=[*zones, *reverse], **kwargs)
    return Organisation(world, ca, zones, reverse, ns)


def cast_parameters(signed: bool = False) -> dict:
    """The paper's cast (labsim.scenarios.cast) as parameters of :func:`build_organisation`."""
    from . import cast
    return dict(domain=cast.DOMAIN, ca_name=cast.CA_NAME, intranet=[cast.INTRANET], public=[cast.INTRANET],
                dns_address=cast.ADDRESSES["ns"], label=f"Example Corp intranet {cast.INTRANET}", signed=signed)


__all__ = ["Organisation", "build_organisation", "cast_parameters", "reverse_origin"]
