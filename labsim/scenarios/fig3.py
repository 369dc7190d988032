"""``fig3``: a mobile host trusts the visited network's DNS (paper section 6.1, figure 3, problem 2).

The laptop plugs into the hotel network; DHCP gives it an address and names the hotel's
DNS server. The hotel's server answers honestly except for server-b.example.org, which it
maps to a fake server of its own at 7.7.7.66. That address is on the Internet side of the
laptop's policy, so the connection goes there in clear.

The toggles are the paper's solution 2 and its caveats: use the home DNS server instead
(``dns_server=home``); that alone fails when the hotel intercepts DNS transparently
(``interception=on``) unless the queries travel inside IPsec (``dns_protection=ipsec``, here
through the VPN tunnel); signed answers (``dnssec=on``) make every forgery fail whichever
server answers, leaving the hotel only able to deny service, however it dresses its lie
(``forgery``: no signature, one made with its own key, or a genuine one copied from
another record). ``name_check=application`` is solution 1: the application asks its
socket who the peer authenticated as and refuses to send otherwise. At home
(``location=home``) none of the hotel's tricks apply.

``vpn_encryption=null`` configures the company's VPN gateway and the laptop's VPN profile to
allow only ESP with NULL encryption and HMAC-SHA2-256-128 integrity (RFC 4303 permits ESP
that authenticates without encrypting; companies choose it so that their own monitors can
read VPN traffic). IKE negotiates it like any transform. The laptop's stack still sends
through an SA, but the hotel, which runs the network the tunnel crosses, reads the request:
the application cannot tell, unless its socket reports whether its data is encrypted (the
paper's section 5.5 asks for exactly that). Integrity is all solution 2 needs from the
tunnel, so DNS through it stays trustworthy.
"""

from __future__ import annotations

from ..apps import ClientApp, ServerApp
from ..host import Host
from ..mobility import DnsInterceptor
from .base import Scenario, Toggle, register
from .cast import ADDRESSES, CA_NAME
from .roaming import HOTSPOT, INTRANET_RULE, POOL_RULE, roaming_world

FAKE_SERVER = "7.7.7.66"
CLEAR_DNS_RULE = f"bypass remote {ADDRESSES['ns']} proto udp port 53    # DNS to ns.example.org in clear"


def build(t: dict[str, str], seed: int = 0):
    roaming = roaming_world(seed, "A mobile host trusts the visited network's DNS", t["location"],
                            signed=t["dnssec"] == "on", hotspot_lies={"server-b.example.org": [FAKE_SERVER]},
                            forge=t["forgery"], vpn_esp=(t["vpn_encryption"],))
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
    corp.ipsec(laptop, roaming.laptop_spd(home_rules=[dns_rule, INTRANET_RULE], away_rules=[dns_rule]))
    corp.resolver(laptop, validate=t["dnssec"] == "on")

    attacker = world.add_host(Host("attacker", "attacker", malicious=True), "visited", [FAKE_SERVER])
    ServerApp(attacker, 80, b"200 OK (the hotel's fake server-b)", label="the hotel's fake server-b")
    if t["interception"] == "on":
        DnsInterceptor(world, "visited", HOTSPOT)
    check = t["name_check"] == "application"
    roaming.start(lambda: ClientApp(laptop, "server-b.example.org", 80, start_us=0, verify_peer=check,
                                    expected_issuer=CA_NAME if check else None),
                  dns="dhcp" if t["dns_server"] == "dhcp" else "home")
    return world


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
                "on": "an answer counts only if its signature verifies, for that record, with example.org's key"}),
        Toggle("forgery", ("unsigned", "own_key", "replayed"), "unsigned",
               "what the hotel's DNS server puts beside its false answer",
               {"unsigned": "no signature at all",
                "own_key": "a signature that names example.org's key but is made with the hotel's own key",
                "replayed": "a genuine example.org signature, copied from another record"}),
        Toggle("name_check", ("none", "application"), "none",
               "whether the laptop's application checks who it is talking to (solution 1)",
               {"none": "the application trusts the network and sends",
                "application": "it asks its socket who the peer authenticated as, by which CA, and whether the "
                               "SA encrypts; unless the answer is server-b.example.org certified by Example Corp "
                               "CA over an encrypting SA, it sends nothing"}),
        Toggle("vpn_encryption", ("aes_gcm", "null"), "aes_gcm", "which ESP transform the company's VPN allows",
               {"aes_gcm": "AES-GCM: the tunnel's packets are encrypted and authenticated",
                "null": "NULL encryption with HMAC-SHA2-256-128: authenticated, but readable on every network "
                        "the tunnel crosses (so the company's monitors can inspect it)"}),
    ),
    build=build,
    client="laptop",
    cast=("laptop", "hotspot", "attacker", "vpn", "ns", "server-b"),
))
