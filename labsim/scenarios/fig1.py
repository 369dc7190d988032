"""``fig1``: the classic DNS spoofing attack (paper section 4, figure 1, problem 1a).

host-a asks its DNS server for server-b.example.org. The server is a caching server that
must first ask further afield, so it answers after 20 ms. An attacker who watches the
intranet's traffic answers first, from the DNS server's address, with the id and port of
the query. host-a's resolver takes the first matching answer. Where the false address
lands in the SPD decides the rest: BYPASS sends the data in clear to the attacker, PROTECT
makes the attacker authenticate first.

The attacker's certificate (``attacker_cert``) meets host-a's IKE checks one by one: none
(no IKE at all), one from Example Corp's CA (an insider: IKE succeeds, problem 1b), one for
server-b.example.org from a CA the attacker runs under its own name (host-a does not trust
that issuer: the issuer check refuses it), one from a CA the attacker runs and named "Example
Corp CA" (names in a certificate are claims: the check of the CA's signature refuses it), or
server-b's real certificate without its private key (the AUTH signature check refuses it).
``name_check`` is one of figure 2's candidate fixes on host-a; ``name_selector`` puts a name
selector on host-a's PROTECT rule for server-b (section 6.4). Neither helps when the forged
address lands in the BYPASS range: nothing is authenticated there (section 5.4's BYPASS half),
except solution 1, the application that refuses an unprotected connection.
"""

from __future__ import annotations

import hashlib

from ..apps import ClientApp, ServerApp
from ..dns import DnsSpoofer
from ..host import Host
from ..ipsec.identity import NAME_CHECK_MEANINGS, NAME_CHECKS
from ..ipsec.pad import parse_pad
from ..pki import CertificateAuthority, Identity, derived_key
from .base import Scenario, Toggle, register
from .cast import ADDRESSES, CA_NAME, CORP_SPD, corp_world

INSIDE_ADDRESS = "1.2.6.6"   # where the attacker sits when its address lies in the PROTECT range
#: The attacker's own CA: host-a does not trust it, however it calls itself.
ROGUE_CA_SEED_LABEL = "the attacker's CA"
#: The name the attacker's CA goes by when it does not pretend to be Example Corp's.
ATTACKER_CA_NAME = "Attacker CA"
SERVER_B = "server-b.example.org"

#: The PAD an administrator would write for host-a's peers (section 5.3).
STRICT_PAD = f"""\
peer {SERVER_B} ca "{CA_NAME}" addresses {ADDRESSES['server-b']}
peer host-a.example.org ca "{CA_NAME}" addresses {ADDRESSES['host-a']}
"""
#: Section 6.4: a name selector on the PROTECT rule for server-b's address.
NAME_RULE = f"protect remote {ADDRESSES['server-b']} name {SERVER_B}   # only server-b may answer for 1.2.3.4"


def host_a_spd(default: str, name_selector: bool) -> str:
    """Example Corp's SPD, with the name selector rule before the intranet rule when asked for."""
    lines = CORP_SPD.format(default=default).splitlines()
    if name_selector:
        lines.insert(1, NAME_RULE)
    return "\n".join(lines) + "\n"


def hash_seed(seed: int, label: str) -> int:
    """A seed for the attacker's own keys, distinct from the organisation's and fixed per run."""
    return int.from_bytes(hashlib.sha256(f"{seed}/{label}".encode()).digest()[:4], "big")


def attacker_identity(kind: str, corp, seed: int):
    """The certificate and key the attacker presents in IKE (``attacker_cert``)."""
    if kind == "same_ca":
        return corp.ca.issue("attacker.example.org")
    if kind in ("untrusted_ca", "other_ca"):
        name = ATTACKER_CA_NAME if kind == "untrusted_ca" else CA_NAME
        rogue = CertificateAuthority.create(name, hash_seed(seed, ROGUE_CA_SEED_LABEL))
        return rogue.issue(SERVER_B)
    # stolen: server-b's genuine certificate, but the attacker signs with a key of its own
    genuine = corp.ca.issue(SERVER_B)
    return Identity(genuine.name, genuine.cert_der, derived_key(seed, "attacker/own key"), genuine.issuer)


#: The attacker's own words for the certificate it brings (a setup note, written when it is made).
CERTIFICATE_STORY = {
    "untrusted_ca": f"issued by a CA the attacker runs under its own name, '{ATTACKER_CA_NAME}'; host-a trusts only "
                    f"'{CA_NAME}'",
    "other_ca": f"issued by a CA the attacker made itself and named '{CA_NAME}'; host-a trusts only the real one's key",
    "stolen": "server-b's own certificate, copied from an earlier exchange; its private key stays on server-b",
}


def build(t: dict[str, str], seed: int = 0):
    corp = corp_world(seed, "DNS spoofing", signed=t["dnssec"] == "on", dns_delay_us=20_000)
    world = corp.world
    a = corp.host("host-a", ADDRESSES["host-a"], "client")
    b = corp.host("server-b", ADDRESSES["server-b"], "server")
    corp.ipsec(a, host_a_spd(t["default_action"], t["name_selector"] == "on"))
    corp.ipsec(b, CORP_SPD.format(default="bypass"))
    a.name_check = t["name_check"]
    if t["name_check"] == "pad":
        a.pad = parse_pad(STRICT_PAD, source="host-a's PAD")
    corp.resolver(a, validate=t["dnssec"] == "on")
    ServerApp(b, 80, b"200 OK: here are the salaries")

    if t["attacker_at"] == "bypassed":
        attacker = world.add_host(Host("attacker", "attacker", malicious=True), "internet", [ADDRESSES["attacker"]])
    else:
        attacker = world.add_host(Host("attacker", "attacker", fqdn="attacker.example.org", malicious=True),
                                  "intranet", [INSIDE_ADDRESS])
    if t["attacker_cert"] != "none":
        # The attacker configures whatever works: IPsec where host-a will demand it, clear elsewhere.
        attacker.fqdn = "attacker.example.org"
        corp.ipsec(attacker, "protect remote 1.2.0.0/16\nbypass any" if t["attacker_at"] == "protected"
                   else "bypass any")
        attacker.identity = attacker_identity(t["attacker_cert"], corp, seed)
        if t["attacker_cert"] != "same_ca":
            world.sim.record("note", "attacker", f"certificate for {attacker.identity.name}", "setup",
                             CERTIFICATE_STORY[t["attacker_cert"]])
    ServerApp(attacker, 80, b"200 OK (a fake server-b)", label="the attacker's fake server-b")
    if t["dns"] == "spoofed":
        DnsSpoofer(attacker, world, tap_node="intranet", victims=[ADDRESSES["host-a"]],
                   targets={"server-b.example.org": str(attacker.addresses[0])})
        world.sim.record("note", "attacker", "watches intranet DNS", "setup",
                         "the attacker can read host-a's DNS queries and send packets with any source address")
    ClientApp(a, SERVER_B, 80, verify_peer=t["name_check"] == "application", expected_issuer=CA_NAME)
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
        Toggle("attacker_cert", ("none", "same_ca", "untrusted_ca", "other_ca", "stolen"), "none",
               "the certificate the attacker presents if host-a makes it run IKE",
               {"none": "an outsider: it cannot complete IKE",
                "same_ca": "an insider: its certificate is as good as server-b's",
                "untrusted_ca": f"a certificate naming {SERVER_B} from the attacker's own CA, '{ATTACKER_CA_NAME}', "
                                "an issuer host-a does not trust",
                "other_ca": f"a certificate naming {SERVER_B} from the attacker's own CA, which calls itself "
                            f"'{CA_NAME}' but has another key",
                "stolen": f"server-b's own certificate, without server-b's private key"}),
        Toggle("default_action", ("bypass", "discard"), "bypass", "the action of host-a's last SPD rule (everything outside the intranet)",
               {"bypass": "the Internet in clear, as host-to-host deployments do", "discard": "nothing outside the intranet"}),
        Toggle("name_check", NAME_CHECKS, "none", "what host-a does with the name in the peer's certificate (as in fig2)",
               NAME_CHECK_MEANINGS),
        Toggle("name_selector", ("off", "on"), "off", "a name selector on host-a's PROTECT rule for server-b (section 6.4)",
               {"off": "host-a's rules select by address only",
                "on": f"'{NAME_RULE.split('   #')[0]}' comes before the intranet rule"}),
    ),
    build=build,
    cast=("host-a", "server-b", "ns", "attacker"),
    flows=(("main", "host-a's request to server-b"),),
))
