"""The cast of figures 3 and 4: Example Corp's laptop, its home gateway, and a hotel network.

Home (the intranet 1.2.0.0/16, announced on the Internet) gains a private subnet
192.168.0.0/24, where printer-b lives at 192.168.0.10, and a VPN gateway vpn.example.org at
1.2.0.1 with the address pool 1.2.254.0/24. ns.example.org also runs the office's DHCP.

The visited network is a hotel's: one segment carrying two prefixes. Guests are leased
public addresses from 7.7.7.0/24 (so no NAT sits between the laptop and its home; NAT
traversal would add UDP encapsulation of ESP and nothing to the paper's argument, which
holds with or without middleboxes, section 4.2), and the hotel's own machines use the
private range 192.168.0.0/24, the same one Example Corp uses at home. The hotel's router,
``hotspot`` at 7.7.7.1, runs its DHCP and its DNS server; ``attacker`` is a machine of the
hotel's. The hotel network is not Example Corp's (``trusted=False``).

The laptop, laptop.example.org, starts at home (1.2.0.9) and at the start of the run plugs
into the network the ``location`` toggle names; DHCP configures it there. At home it uses
the host-to-host policy of every office machine; away, its own rules plus the rules its VPN
client installs when the tunnel comes up, which send the profile's ranges (the intranet)
through the tunnel to the gateway.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..addresses import prefix
from ..dhcp import DhcpServer, Lease
from ..dns import DnsServer
from ..host import Host
from ..mobility import roam
from ..vpn import VpnClient, VpnGateway
from .cast import ADDRESSES, CA_NAME, DOMAIN, INTRANET, Corp, corp_world

GATEWAY = "1.2.0.1"
VPN_POOL = "1.2.254.0/24"
LAPTOP_HOME = "1.2.0.9"
LAPTOP_INNER = "1.2.254.9"
HOME_PRIVATE = "192.168.0.0/24"
PRINTER_B = "192.168.0.10"
HOTSPOT = "7.7.7.1"
HOTEL_PREFIXES = ("7.7.7.0/24", "192.168.0.0/24")
HOTEL_DOMAIN = "hotel.example.net"
OFFICE_POOL = ("1.2.0.100", "1.2.0.101")
GUEST_POOL = ("7.7.7.23", "7.7.7.24")

DHCP_RULE = "bypass proto udp lport 68                    # DHCP: the laptop has no address to protect yet"
INTRANET_RULE = "protect remote 1.2.0.0/16                    # every intranet peer through IPsec"
LAST_RULE = "bypass any                                   # the rest of the world"
#: What office machines add so that the gateway's VPN clients can reach them: the gateway
#: authenticated the client, and forwards its packets inside in clear.
POOL_RULE = f"bypass remote {VPN_POOL}                 # VPN clients, as the gateway forwards them"


@dataclass
class Roaming:
    corp: Corp
    laptop: Host
    gateway: Host
    hotspot: Host
    location: str
    vpn_esp: tuple | None = None   # the ESP transforms the VPN profile proposes (None: the IKE daemon's own)

    @property
    def world(self):
        return self.corp.world

    @property
    def away(self) -> bool:
        return self.location == "visited"

    def laptop_spd(self, home_rules: list[str], away_rules: list[str]) -> str:
        """The laptop's policy for where it is: DHCP first, then the given rules, then BYPASS."""
        rules = [DHCP_RULE, *(away_rules if self.away else home_rules), LAST_RULE]
        return "\n".join(r for r in rules if r) + "\n"

    def start(self, on_ready, dns: str = "dhcp", tunnel=(INTRANET,), exclude=()) -> None:
        """Plug the laptop in where it is; once DHCP is done (and the VPN client is up, away), call
        ``on_ready()``. ``dns="dhcp"``: the lease's DNS server replaces the resolver's; ``"home"``: the
        laptop's DHCP client keeps ns.example.org. ``tunnel`` and ``exclude`` are the VPN profile's
        ranges (see :class:`~labsim.vpn.VpnClient`)."""
        laptop = self.laptop
        client = VpnClient(laptop, GATEWAY, LAPTOP_INNER, tunnel=tunnel, exclude=exclude,
                           esp_proposals=self.vpn_esp) if self.away else None

        def configured(lease: Lease) -> None:
            if client is not None:
                client.up(lease.address)
            on_ready()

        roam(laptop, "visited" if self.away else "intranet", configured, use_dns=dns == "dhcp")


def roaming_world(seed: int, title: str, location: str, signed: bool = False,
                  hotspot_lies: dict[str, list[str]] | None = None, forge: str = "unsigned",
                  vpn_esp: tuple | None = None) -> Roaming:
    """The cast above; ``vpn_esp``, if given, the ESP transforms the VPN gateway and the laptop's profile allow."""
    corp = corp_world(seed, title, signed=signed)
    world = corp.world
    intranet = world.networks["intranet"]
    intranet.prefixes = (*intranet.prefixes, prefix(HOME_PRIVATE))
    world.add_network("visited", f"Hotel WiFi {' + '.join(HOTEL_PREFIXES)}", list(HOTEL_PREFIXES),
                      kind="visited", public=[HOTEL_PREFIXES[0]], trusted=False)
    world.link("visited", "internet")

    ns = world.host("ns")
    DhcpServer(ns, OFFICE_POOL, dns=[ADDRESSES["ns"]], domain=DOMAIN, router=GATEWAY,
               reserved={"laptop": LAPTOP_HOME})
    gateway = corp.host("vpn", GATEWAY, "gateway")
    corp.ipsec(gateway, "bypass any")
    VpnGateway(gateway, VPN_POOL, {corp.fqdn("laptop"): LAPTOP_INNER}, CA_NAME, esp_proposals=vpn_esp)

    hotspot = world.add_host(Host("hotspot", "router", malicious=bool(hotspot_lies)), "visited", [HOTSPOT])
    DhcpServer(hotspot, GUEST_POOL, dns=[HOTSPOT], domain=HOTEL_DOMAIN, router=HOTSPOT)
    DnsServer(hotspot, directory=world.directory, lies=hotspot_lies, forge=forge)

    laptop = corp.host("laptop", LAPTOP_HOME, "mobile")
    return Roaming(corp, laptop, gateway, hotspot, location, vpn_esp)


__all__ = ["Roaming", "roaming_world", "GATEWAY", "VPN_POOL", "LAPTOP_HOME", "LAPTOP_INNER", "PRINTER_B",
           "HOME_PRIVATE", "HOTSPOT", "INTRANET", "INTRANET_RULE", "POOL_RULE", "DHCP_RULE"]
