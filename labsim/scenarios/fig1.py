"""``fig1``: the classic DNS spoofing attack (paper section 4, figure 1, problem 1a).

host-a asks its DNS server for server-b.example.org. The server is a caching server that
must first ask further afield, so it answers after 20 ms. An attacker who watches the
intranet's traffic answers first, from the DNS server's address, with the id and port of
the query. host-a's resolver takes the first matching answer. Where the false address
lands in the SPD decides the rest: BYPASS sends the data in clear to the attacker, PROTECT
makes the attacker authenticate first.
"""

from __future__ import annotations

from ..apps import ClientApp, ServerApp
from ..dns import DnsSpoofer
from ..host import Host
from .base import Scenario, Toggle, register
from .cast import ADDRESSES, CORP_SPD, corp_world

INSIDE_ADDRESS = "1.2.6.6"   # where the attacker sits when its address lies in the PROTECT range


def build(t: dict[str, str], seed: int = 0):
    corp = corp_world(seed, "DNS spoofing", signed=t["dnssec"] == "on", dns_delay_us=20_000)
    world = corp.world
    a = corp.host("host-a", ADDRESSES["host-a"], "client")
    b = corp.host("server-b", ADDRESSES["server-b"], "server")
    corp.ipsec(a, CORP_SPD.format(default=t["default_action"]))
    corp.ipsec(b, CORP_SPD.format(default="bypass"))
    corp.resolver(a, validate=t["dnssec"] == "on")
    ServerApp(b, 80, b"200 OK: here are the salaries")

    if t["attacker_at"] == "bypassed":
        attacker = world.add_host(Host("attacker", "attacker", malicious=True), "internet", [ADDRESSES["attacker"]])
    else:
        attacker = world.add_host(Host("attacker", "attacker", fqdn="attacker.example.org", malicious=True),
                                  "intranet", [INSIDE_ADDRESS])
    if t["attacker_cert"] == "same_ca":
        # The attacker configures whatever works: IPsec where host-a will demand it, clear elsewhere.
        attacker.fqdn = "attacker.example.org"
        corp.ipsec(attacker, "protect remote 1.2.0.0/16\nbypass any" if t["attacker_at"] == "protected"
                   else "bypass any")
    ServerApp(attacker, 80, b"200 OK (a fake server-b)", label="the attacker's fake server-b")
    if t["dns"] == "spoofed":
        DnsSpoofer(attacker, world, tap_node="intranet", victims=[ADDRESSES["host-a"]],
                   targets={"server-b.example.org": str(attacker.addresses[0])})
        world.sim.record("note", "attacker", "watches intranet DNS", "setup",
                         "the attacker can read host-a's DNS queries and send packets with any source address")
    ClientApp(a, "server-b.example.org", 80)
    return world


SCENARIO = register(Scenario(
    id="fig1",
    title="DNS spoofing bypasses IPsec",
    section="4",
    figure=1,
    summary="A forged DNS answer points host-a at an address its SPD lets through in clear.",
    toggles=(
        Toggle("dns", ("honest", "spoofed"), "spoofed", "whether the attacker races a forged DNS answer",
               {"honest": "only the real DNS server answers", "spoofed": "the attacker answers first"}),
        Toggle("dnssec", ("off", "on"), "off", "signed zones and a validating resolver on host-a",
               {"off": "plain DNS: the first matching answer wins",
                "on": "answers must carry a signature made with example.org's key"}),
        Toggle("attacker_at", ("bypassed", "protected"), "bypassed",
               "where the forged address lies in host-a's SPD",
               {"bypassed": "3.4.5.6 on the Internet, covered by the final BYPASS rule",
                "protected": f"{INSIDE_ADDRESS} inside the intranet, covered by the PROTECT rule"}),
        Toggle("attacker_cert", ("none", "same_ca"), "none", "whether the attacker holds a certificate from Example Corp's CA",
               {"none": "an outsider: it cannot complete IKE", "same_ca": "an insider: its certificate is as good as server-b's"}),
        Toggle("default_action", ("bypass", "discard"), "bypass", "the action of host-a's last SPD rule (everything outside the intranet)",
               {"bypass": "the Internet in clear, as host-to-host deployments do", "discard": "nothing outside the intranet"}),
    ),
    build=build,
    cast=("host-a", "server-b", "ns", "attacker"),
))
