"""``fig2``: identifier mismatch, an insider with a good certificate (paper section 5, figure 2).

DNS is honest: host-a learns the right address, 1.2.3.4. But pc-c, an ordinary company
machine with its own certificate from Example Corp's CA, answers for that address on the
LAN. IKE succeeds, because pc-c proves who it is: pc-c.example.org. The question is
whether anything compares that name with the name host-a meant. The ``name_check``
toggle tries each candidate the paper discusses (sections 5.1-5.5); ``connect_by`` is the
appendix A experiment. pc-c does whatever each check invites: it registers its own name
at 1.2.3.4, and forges unsigned reverse answers for 1.2.3.4.
"""

from __future__ import annotations

from ..apps import ClientApp, ServerApp
from ..dns import DnsSpoofer, reverse_name
from ..ipsec.identity import NAME_CHECKS
from ..ipsec.pad import parse_pad
from .base import Scenario, Toggle, register
from .cast import ADDRESSES, CA_NAME, CORP_SPD, corp_world

#: The PAD an administrator would have to write and keep up to date for every machine (section 5.3).
STRICT_PAD = f"""\
peer server-b.example.org ca "{CA_NAME}" addresses {ADDRESSES['server-b']}
peer pc-c.example.org ca "{CA_NAME}" addresses {ADDRESSES['pc-c']}
peer host-a.example.org ca "{CA_NAME}" addresses {ADDRESSES['host-a']}
"""


def build(t: dict[str, str], seed: int = 0):
    corp = corp_world(seed, "Identifier mismatch", signed=True)
    world = corp.world
    a = corp.host("host-a", ADDRESSES["host-a"], "client")
    b = corp.host("server-b", ADDRESSES["server-b"], "server")
    c = corp.host("pc-c", ADDRESSES["pc-c"], "insider", malicious=True)
    for host in (a, b, c):
        corp.ipsec(host, CORP_SPD.format(default="bypass"))
    a.name_check = t["name_check"]
    if t["name_check"] == "pad":
        a.pad = parse_pad(STRICT_PAD, source="host-a's PAD")
    corp.resolver(a)
    ServerApp(b, 80, b"200 OK: here are the salaries")
    ServerApp(c, 80, b"200 OK (pc-c pretending to be server-b)", label="pc-c posing as server-b")

    # The insider's preparations: each is something pc-c is able to do on its own.
    world.hijack(c, ADDRESSES["server-b"], "pc-c answers ARP requests for 1.2.3.4 (forged ARP replies)")
    corp.zone.add("pc-c.example.org", "A", ADDRESSES["server-b"])
    world.sim.record("note", "pc-c", "pc-c.example.org A 1.2.3.4", "register",
                     "pc-c adds 1.2.3.4 to its own name with a dynamic DNS update; the zone signs what owners register")
    DnsSpoofer(c, world, tap_node="intranet", victims=[ADDRESSES["host-a"]],
               targets={reverse_name(ADDRESSES["server-b"]): "pc-c.example.org"})

    ClientApp(a, "server-b.example.org", 80, connect_by=t["connect_by"],
              verify_peer=t["name_check"] == "application", expected_issuer=CA_NAME)
    return world


SCENARIO = register(Scenario(
    id="fig2",
    title="Identifier mismatch: the certificate names someone else",
    section="5",
    figure=2,
    summary="pc-c, certified by the same CA, answers for server-b's address; does anything compare names?",
    toggles=(
        Toggle("name_check", NAME_CHECKS, "none", "what host-a does with the name in the peer's certificate",
               {"none": "nothing (what deployed stacks do)",
                "forward_dns": "look the certified name up and expect the peer's address",
                "reverse_dns": "look the peer's address up (plain DNS) and expect the certified name",
                "secure_reverse_dns": "the same, with DNSSEC signatures checked",
                "pad": "a peer authorization database lists each identity's addresses",
                "name_handle": "the resolver returns a handle that remembers the name (section 5.4)",
                "application": "the application asks its socket who the peer is (solution 1)"}),
        Toggle("connect_by", ("name", "address"), "name", "how the application reaches server-b",
               {"name": "it resolves the name and connects (the usual way)",
                "address": "the user runs nslookup, then types the address (appendix A)"}),
    ),
    build=build,
    cast=("host-a", "server-b", "pc-c", "ns"),
))
