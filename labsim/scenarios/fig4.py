"""``fig4``: one private address, two networks (paper sections 6.2-6.3, figure 4, problems 3 and 4).

The laptop prints to printer-b.example.org. Example Corp's DNS, asked through the VPN (the
cure for figure 3), answers truthfully: 192.168.0.10, printer-b's address in the office's
private subnet. But the laptop sits in a hotel whose own network uses 192.168.0.0/24 too,
and there 192.168.0.10 is the hotel's machine. The VPN keeps the local private range out
of the tunnel (a split exclusion, so that the laptop can use the hotel's printers), and the
laptop's policy lets private ranges bypass IPsec (office printers do not speak it). Routing
goes by where the sender stands: the print job goes, in clear, to the hotel's machine.

Toggles: ``private_policy=protect`` is solution 3 (no BYPASS for private ranges) and shows
problem 4 (the laptop can no longer talk to any host of the hotel's that uses those
addresses); ``split_exclude=off`` sends the office's private subnet through the tunnel too;
``resolution=stale_cache`` gets the same private address from a cache entry learnt at the
office, without asking anyone; ``location=home`` puts the laptop where the address means
what the office meant.
"""

from __future__ import annotations

from ..apps import ClientApp, ServerApp
from ..host import Host
from .base import Scenario, Toggle, register
from .cast import ADDRESSES
from .roaming import GATEWAY, HOME_PRIVATE, INTRANET_RULE, PRINTER_B, TUNNEL_RULE, roaming_world

PRINTER_NAME = "printer-b.example.org"
PRINT_PORT = 9100
CLEAR_DNS_RULE = f"bypass remote {ADDRESSES['ns']} proto udp port 53    # DNS to ns.example.org (inside the office)"
PRIVATE_RANGE = "192.168.0.0/16"
HOME_PRIVATE_TUNNEL = f"protect remote {HOME_PRIVATE} tunnel {GATEWAY}  # the office's private subnet, tunnelled too"


def private_rule(action: str) -> str:
    why = "printers and other private hosts speak no IPsec" if action == "bypass" else \
        "no exemption for private addresses (solution 3)"
    return f"{action} remote {PRIVATE_RANGE}    # {why}"


def build(t: dict[str, str], seed: int = 0):
    roaming = roaming_world(seed, "A private address in two networks", t["location"])
    corp, world, laptop = roaming.corp, roaming.world, roaming.laptop

    printer = corp.host("printer-b", PRINTER_B, "printer", register=False)
    corp.zone.add(PRINTER_NAME, "A", PRINTER_B)
    ServerApp(printer, PRINT_PORT, b"printed", label="printer-b")
    attacker = world.add_host(Host("attacker", "attacker", malicious=True), "visited", [PRINTER_B])
    ServerApp(attacker, PRINT_PORT, b"printed (or so it says)", label="the hotel's machine at 192.168.0.10")

    private = private_rule(t["private_policy"])
    if t["split_exclude"] == "on":
        away = [private, TUNNEL_RULE]
    else:
        away = [TUNNEL_RULE, HOME_PRIVATE_TUNNEL, private]
    corp.ipsec(laptop, roaming.laptop_spd(home_rules=[CLEAR_DNS_RULE, private, INTRANET_RULE], away_rules=away))
    corp.resolver(laptop)
    if t["resolution"] == "stale_cache":
        roaming.remember(PRINTER_NAME, PRINTER_B, f"ns.example.org ({ADDRESSES['ns']}) at the office, last week")
    _narrate(roaming, t)
    roaming.start(lambda: ClientApp(laptop, PRINTER_NAME, PRINT_PORT, payload=b"%!PS board minutes, confidential",
                                    start_us=0), dns="home")
    return world


def _narrate(roaming, t: dict[str, str]) -> None:
    if not roaming.away:
        roaming.note(f"split_exclude={t['split_exclude']}",
                     "the laptop is at the office: no VPN, so nothing is tunnelled or excluded")
    if roaming.away and t["split_exclude"] == "off" and t["private_policy"] == "protect":
        roaming.note("private_policy=protect", f"the tunnel rule for {HOME_PRIVATE} comes first, so the rule for "
                                               "other private addresses never sees printer-b's")


SCENARIO = register(Scenario(
    id="fig4",
    title="A private address means another host on the visited network",
    section="6.2-6.3",
    figure=4,
    summary="The office's DNS maps printer-b to 192.168.0.10, which on the hotel network is the hotel's machine.",
    toggles=(
        Toggle("location", ("home", "visited"), "visited", "where the laptop is plugged in",
               {"home": "the Example Corp intranet, where 192.168.0.10 is printer-b",
                "visited": "a hotel network that uses 192.168.0.0/24 for its own machines"}),
        Toggle("private_policy", ("bypass", "protect"), "bypass", "the laptop's rule for private addresses",
               {"bypass": "in clear, since printers speak no IPsec",
                "protect": "through IPsec like any other peer (solution 3)"}),
        Toggle("split_exclude", ("on", "off"), "on", "whether the VPN leaves the local private range local",
               {"on": "only 1.2.0.0/16 goes through the tunnel; private addresses stay on the visited network",
                "off": "the office's private subnet 192.168.0.0/24 goes through the tunnel too"}),
        Toggle("resolution", ("home_dns", "stale_cache"), "home_dns", "how the laptop learns printer-b's address",
               {"home_dns": "asks ns.example.org (through the VPN when away)",
                "stale_cache": "its DNS cache still holds the answer it got at the office"}),
    ),
    build=build,
    client="laptop",
    cast=("laptop", "attacker", "hotspot", "vpn", "ns", "printer-b"),
))
