"""``fig3``: a mobile host trusts the visited network's DNS (paper section 6.1, figure 3, problem 2).

The laptop plugs into the hotel network; DHCP gives it an address and names the hotel's
DNS server. The hotel's server answers honestly except for server-b.example.org, which it
maps to a fake server of its own at 7.7.7.66. That address is on the Internet side of the
laptop's policy, so the connection goes there in clear.

The toggles are the paper's solution 2 and its caveats: use the home DNS server instead
(``dns_server=home``); that alone fails when the hotel intercepts DNS transparently
(``interception=on``) unless the queries travel inside IPsec (``dns_protection=ipsec``, here
through the VPN tunnel); signed answers (``dnssec=on``) make every forgery fail whichever
server answers, leaving the hotel only able to deny service. At home (``location=home``)
none of the hotel's tricks apply.
"""

from __future__ import annotations

from ..apps import ClientApp, ServerApp
from ..host import Host
from ..mobility import DnsInterceptor
from .base import Scenario, Toggle, register
from .cast import ADDRESSES
from .roaming import HOTSPOT, INTRANET_RULE, POOL_RULE, TUNNEL_RULE, roaming_world

FAKE_SERVER = "7.7.7.66"
CLEAR_DNS_RULE = f"bypass remote {ADDRESSES['ns']} proto udp port 53    # DNS to ns.example.org in clear"


def build(t: dict[str, str], seed: int = 0):
    away = t["location"] == "visited"
    roaming = roaming_world(seed, "A mobile host trusts the visited network's DNS", t["location"],
                            signed=t["dnssec"] == "on", hotspot_lies={"server-b.example.org": [FAKE_SERVER]})
    corp, world, laptop = roaming.corp, roaming.world, roaming.laptop
    clear_dns = t["dns_protection"] == "none"

    # Office machines: server-b, and ns, whose queries are protected like any intranet traffic
    # when the organisation chose so (solution 2), or left in clear.
    server_b = corp.host("server-b", ADDRESSES["server-b"], "server")
    corp.ipsec(server_b, "\n".join([POOL_RULE, INTRANET_RULE, "bypass any"]))
    ns_rules = ["bypass proto udp lport 67   # DHCP service"]
    ns_rules += ["bypass proto udp lport 53   # DNS service in clear"] if clear_dns else []
    corp.ipsec(world.host("ns"), "\n".join([*ns_rules, POOL_RULE, INTRANET_RULE, "bypass any"]))
    ServerApp(server_b, 80, b"200 OK: here are the salaries")

    dns_rule = CLEAR_DNS_RULE if clear_dns else ""
    corp.ipsec(laptop, roaming.laptop_spd(home_rules=[dns_rule, INTRANET_RULE], away_rules=[dns_rule, TUNNEL_RULE]))
    corp.resolver(laptop, validate=t["dnssec"] == "on")

    attacker = world.add_host(Host("attacker", "attacker", malicious=True), "visited", [FAKE_SERVER])
    ServerApp(attacker, 80, b"200 OK (the hotel's fake server-b)", label="the hotel's fake server-b")
    world.sim.record("note", "hotspot", "server-b.example.org A 7.7.7.66", "setup",
                     "the hotel's DNS server answers this one name with the address of its own fake server")
    if t["interception"] == "on":
        if away:
            DnsInterceptor(world, "visited", HOTSPOT)
            world.sim.record("note", "visited", "transparent DNS proxy", "setup",
                             f"the hotel network sends every plain DNS query it carries to {HOTSPOT} instead")
        else:
            roaming.note("interception=on", "the hotel intercepts DNS on its own network; the laptop is at home "
                                            "and its queries never cross it")
    _narrate(roaming, t)
    roaming.start(lambda: ClientApp(laptop, "server-b.example.org", 80, start_us=0),
                  dns="dhcp" if t["dns_server"] == "dhcp" else "home")
    return world


def _narrate(roaming, t: dict[str, str]) -> None:
    """Say when a toggle cannot matter here, so the trace explains the unchanged outcome."""
    if roaming.away and t["dns_server"] == "dhcp" and t["dns_protection"] == "ipsec":
        roaming.note("dns_protection=ipsec", f"IPsec covers DNS to the home server {ADDRESSES['ns']}; the laptop "
                                             f"asks the hotel's server {HOTSPOT}, which its policy leaves in clear")
    if roaming.away and t["dns_server"] == "dhcp" and t["interception"] == "on":
        roaming.note("interception=on", f"the laptop already asks the hotel's server {HOTSPOT}; "
                                        "there is nothing to redirect")
    if not roaming.away and t["dns_server"] == "dhcp":
        roaming.note("dns_server=dhcp", "at home, the DHCP server is Example Corp's and names ns.example.org")


SCENARIO = register(Scenario(
    id="fig3",
    title="A mobile host trusts the visited network's DNS",
    section="6.1",
    figure=3,
    summary="On a hotel network, the DNS server DHCP names maps server-b to the hotel's own machine.",
    toggles=(
        Toggle("location", ("home", "visited"), "visited", "where the laptop is plugged in",
               {"home": "the Example Corp intranet", "visited": "a hotel network it does not control"}),
        Toggle("dns_server", ("dhcp", "home"), "dhcp", "which DNS server the laptop asks",
               {"dhcp": "the one the DHCP lease names", "home": "ns.example.org, configured on the laptop"}),
        Toggle("dns_protection", ("none", "ipsec"), "none", "whether DNS to the home server goes through IPsec",
               {"none": "DNS to ns.example.org in clear",
                "ipsec": "DNS to ns.example.org under IPsec (through the VPN when away)"}),
        Toggle("interception", ("off", "on"), "off", "whether the hotel redirects DNS transparently",
               {"off": "queries go where they are sent",
                "on": "every plain DNS query crossing the hotel network goes to its server"}),
        Toggle("dnssec", ("off", "on"), "off", "signed zones and a validating resolver on the laptop",
               {"off": "plain DNS: any answer that matches the query is believed",
                "on": "answers must carry a signature made with example.org's key"}),
    ),
    build=build,
    client="laptop",
    cast=("laptop", "hotspot", "attacker", "vpn", "ns", "server-b"),
))
