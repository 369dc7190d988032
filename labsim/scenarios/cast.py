"""The paper's cast, shared by every scenario: Example Corp's intranet, its CA, its DNS.

Names and addresses follow the paper: the intranet is 1.2.0.0/16, server-b.example.org is
1.2.3.4, the insider is pc-c.example.org, the attacker on the Internet is 3.4.5.6. The
honest client the paper calls "the honest host" is host-a.example.org at 1.2.0.5.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..dns import Directory, DnsServer, Resolver, Zone, reverse_name
from ..host import Host
from ..ipsec.ike import IkeDaemon
from ..ipsec.spd import parse_spd
from ..net import World
from ..pki import CertificateAuthority

DOMAIN = "example.org"
CA_NAME = "Example Corp CA"
INTRANET = "1.2.0.0/16"
REVERSE_ZONE = "2.1.in-addr.arpa"

ADDRESSES = {
    "host-a": "1.2.0.5",
    "server-b": "1.2.3.4",
    "pc-c": "1.2.0.7",
    "ns": "1.2.0.53",
    "attacker": "3.4.5.6",
}

#: The SPD of an Example Corp machine: DNS in clear, the intranet through IPsec, the rest as given.
CORP_SPD = """\
bypass remote 1.2.0.53 proto udp port 53   # the DNS server ns.example.org
protect remote 1.2.0.0/16                  # every intranet peer through IPsec
{default} any                              # the rest of the world
"""


@dataclass
class Corp:
    world: World
    ca: CertificateAuthority
    zone: Zone
    reverse: Zone

    def fqdn(self, short: str) -> str:
        return f"{short}.{DOMAIN}"

    def host(self, short: str, address: str, role: str, network: str = "intranet", register: bool = True,
             malicious: bool = False) -> Host:
        """A machine on ``network`` with a name in example.org (forward and reverse records)."""
        host = Host(short, role, fqdn=self.fqdn(short), malicious=malicious)
        self.world.add_host(host, network, [address])
        if register:
            self.zone.add(self.fqdn(short), "A", address)
            self.reverse.add(reverse_name(address), "PTR", self.fqdn(short) + ".")
        return host

    def ipsec(self, host: Host, spd_text: str, certified: bool = True) -> Host:
        """Give ``host`` an SPD, an IKE daemon and (if certified) a certificate from the corporate CA."""
        host.spd = parse_spd(spd_text, source=f"{host.name}'s SPD")
        host.trusted_cas = [self.ca]
        IkeDaemon(host)
        if certified:
            host.identity = self.ca.issue(host.fqdn)
        return host

    def resolver(self, host: Host, validate: bool = False, hosts_file: dict | None = None,
                 server: str = ADDRESSES["ns"]) -> Resolver:
        return Resolver(host, [server] if server else [], hosts_file=hosts_file, validate=validate,
                        trust_anchors=[self.zone, self.reverse])


def corp_world(seed: int, title: str, signed: bool = False, with_internet: bool = True,
               dns_delay_us: int | None = None) -> Corp:
    """The intranet, the Internet beyond it, the CA, the zones and the DNS server ns.example.org."""
    world = World(seed, title)
    world.add_network("intranet", "Example Corp intranet 1.2.0.0/16", [INTRANET], public=[INTRANET])
    if with_internet:
        world.add_network("internet", "the Internet", ["0.0.0.0/0", "::/0"], kind="internet", trusted=False,
                          latency_us=1_000)
        world.link("intranet", "internet")
    ca = CertificateAuthority.create(CA_NAME, seed)
    zone = Zone(DOMAIN, seed, signed=signed)
    reverse = Zone(REVERSE_ZONE, seed, signed=signed)
    world.directory = Directory([zone, reverse])
    corp = Corp(world, ca, zone, reverse)
    ns = corp.host("ns", ADDRESSES["ns"], "dns")
    kwargs = {"delay_us": dns_delay_us} if dns_delay_us else {}
    DnsServer(ns, zones=[zone, reverse], **kwargs)
    return corp
