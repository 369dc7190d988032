"""``fig4``: one private address, two networks (paper sections 6.2-6.3, figure 4, problems 3 and 4).

The laptop prints to printer-b.example.org. Example Corp's DNS, asked through the VPN (the
cure for figure 3), answers truthfully: 192.168.0.10, printer-b's address in the office's
private subnet. But the laptop sits in a hotel whose own network uses 192.168.0.0/24 too,
and there 192.168.0.10 is the hotel's machine. The VPN profile keeps private ranges out of
the tunnel (a split exclusion, "local LAN access", so that the laptop can use the hotel's
printers), and the laptop's policy lets private ranges bypass IPsec (office printers do
not speak it). Routing goes by where the sender stands: the print job goes, in clear, to
the hotel's machine.

A second flow is the reason for the split exclusion: the laptop also prints a harmless
page on the hotel's own printer, printer.hotel.example.net at 192.168.0.20. The guest
adds it by the address printed on the card at the front desk (a hosts-file entry): the
laptop's DNS goes home through the VPN, and Example Corp's server knows nothing of the
hotel's internal names.

Toggles: ``private_policy=protect`` is solution 3 (no BYPASS for private ranges): the leak
stops, and so does every conversation with a hotel host that uses those addresses, the
hotel's printer included (problem 4). ``split_exclude=off`` makes the VPN client install
a tunnel rule for the office's private subnet too, so 192.168.0.0/24 goes home whoever
holds it here. ``resolution=stale_cache`` answers from a cache entry learnt at the
office before printer-b was renumbered: 192.168.0.20, which DNS no longer says.
``location=home`` puts the laptop where 192.168.0.10 means printer-b.
"""

from __future__ import annotations

from ..apps import ClientApp, ServerApp
from ..host import Host
from .base import Scenario, Toggle, register
from .cast import ADDRESSES
from .roaming import HOME_PRIVATE, INTRANET, INTRANET_RULE, PRINTER_B, roaming_world

PRINTER_NAME = "printer-b.example.org"
PRINT_PORT = 9100
CLEAR_DNS_RULE = f"bypass remote {ADDRESSES['ns']} proto udp port 53    # DNS to ns.example.org (inside the office)"
PRIVATE_RANGE = "192.168.0.0/16"
#: printer-b's address before it was renumbered; on the hotel's network it is the hotel's printer
PRINTER_B_OLD = "192.168.0.20"
HOTEL_PRINTER = "192.168.0.20"
HOTEL_PRINTER_NAME = "printer.hotel.example.net"


def private_rule(action: str) -> str:
    why = {"bypass": "printers and other private hosts speak no IPsec",
           "protect": "no exemption for private addresses (solution 3)",
           "discard": "no traffic to private addresses at all"}[action]
    return f"{action} remote {PRIVATE_RANGE}    # {why}"


def build(t: dict[str, str], seed: int = 0):
    roaming = roaming_world(seed, "A private address in two networks", t["location"])
    corp, world, laptop = roaming.corp, roaming.world, roaming.laptop

    printer = corp.host("printer-b", PRINTER_B, "printer", register=False)
    corp.zone.add(PRINTER_NAME, "A", PRINTER_B)
    ServerApp(printer, PRINT_PORT, b"printed", label="printer-b")
    attacker = world.add_host(Host("attacker", "attacker", malicious=True), "visited", [PRINTER_B])
    ServerApp(attacker, PRINT_PORT, b"printed (or so it says)", label="the hotel's machine at 192.168.0.10")
    hotel_printer = world.add_host(Host("hotel-printer", "printer", fqdn=HOTEL_PRINTER_NAME), "visited",
                                   [HOTEL_PRINTER])
    ServerApp(hotel_printer, PRINT_PORT, b"printed at the front desk", label="the hotel's printer")

    private = private_rule(t["private_policy"])
    corp.ipsec(laptop, roaming.laptop_spd(home_rules=[CLEAR_DNS_RULE, private, INTRANET_RULE], away_rules=[private]))
    corp.resolver(laptop, hosts_file={HOTEL_PRINTER_NAME: HOTEL_PRINTER})
    if t["resolution"] == "stale_cache":
        laptop.resolver.remember(PRINTER_NAME, "A", [PRINTER_B_OLD],
                                 f"ns.example.org ({ADDRESSES['ns']}) at the office, before printer-b was renumbered")

    def print_both() -> None:
        ClientApp(laptop, PRINTER_NAME, PRINT_PORT, payload=b"%!PS board minutes, confidential", start_us=0)
        ClientApp(laptop, HOTEL_PRINTER_NAME, PRINT_PORT, payload=b"%!PS boarding pass", start_us=0,
                  flow="hotel_printer")

    exclude = [PRIVATE_RANGE] if t["split_exclude"] == "on" else []
    roaming.start(print_both, dns="home", tunnel=(INTRANET, HOME_PRIVATE), exclude=exclude)
    return world


SCENARIO = register(Scenario(
    id="fig4",
    title="A private address means another host on the visited network",
    section="6.2-6.3",
    figure=4,
    summary="The office's DNS maps printer-b to 192.168.0.10, which on the hotel network is the hotel's machine; "
            "the laptop also prints on the hotel's own printer at 192.168.0.20.",
    toggles=(
        Toggle("location", ("home", "visited"), "visited", "where the laptop is plugged in",
               {"home": "the Example Corp intranet, where 192.168.0.10 is printer-b",
                "visited": "a hotel network that uses 192.168.0.0/24 for its own machines"}),
        Toggle("private_policy", ("bypass", "protect", "discard"), "bypass", "the laptop's rule for private addresses",
               {"bypass": "in clear, since printers speak no IPsec",
                "protect": "through IPsec like any other peer (solution 3)",
                "discard": "dropped: no private address is ever contacted (safe, and cut off, but not problem 4: "
                           "no PROTECT rule is involved)"}),
        Toggle("split_exclude", ("on", "off"), "on", "whether the VPN, when it is up, keeps private ranges out of "
               "its tunnel",
               {"on": "the VPN profile excludes 192.168.0.0/16 from the tunnel (local LAN access); "
                      "only 1.2.0.0/16 is tunnelled",
                "off": "the VPN tunnels the office's private subnet 192.168.0.0/24 as well as 1.2.0.0/16"}),
        Toggle("resolution", ("home_dns", "stale_cache"), "home_dns", "how the laptop learns printer-b's address",
               {"home_dns": "asks ns.example.org (through the VPN when away), which says 192.168.0.10",
                "stale_cache": "its DNS cache still holds 192.168.0.20, printer-b's address before it was "
                               "renumbered"}),
    ),
    build=build,
    client="laptop",
    cast=("laptop", "attacker", "hotel-printer", "hotspot", "vpn", "ns", "printer-b"),
    flows=(("main", "the print job to printer-b"), ("hotel_printer", "the print job to the hotel's printer")),
))
