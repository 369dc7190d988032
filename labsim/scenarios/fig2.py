"""``fig2``: identifier mismatch, an insider with a good certificate (paper section 5, figure 2).

DNS is honest: host-a learns the right address, 1.2.3.4. But pc-c, an ordinary company
machine with its own certificate from Example Corp's CA, answers for that address on the
LAN. IKE succeeds, because pc-c proves who it is: pc-c.example.org. The question is
whether anything compares that name with the name host-a meant. The ``name_check``
toggle tries each candidate the paper discusses (sections 5.1-5.5); ``connect_by`` is the
appendix A experiment. pc-c does whatever each check invites: it registers its own name
at 1.2.3.4, and forges unsigned reverse answers for 1.2.3.4.

``insider=inner_source`` is pc-c's other way to pass for server-b: no ARP trick, but its
own SA with host-a, through which it sends packets whose inner source is 1.2.3.4, to
host-a's file sharing, which serves server-b's address only. After decrypting, host-a
checks the inner source against the SA's selectors (RFC 4301 section 5.2) and drops them.
``name_selector=on`` puts a name selector on host-a's PROTECT rule for 1.2.3.4 (section 6.4):
IKE then demands that whoever answers there authenticates as server-b.example.org.
"""

from __future__ import annotations

from ..addresses import ip
from ..apps import ClientApp, ServerApp
from ..dns import DnsSpoofer, reverse_name
from ..ipsec.identity import NAME_CHECK_MEANINGS, NAME_CHECKS
from ..ipsec.pad import parse_pad
from ..ipsec.spd import PacketView
from ..packets import tcp
from .base import Scenario, Toggle, register
from .cast import ADDRESSES, CA_NAME, CORP_SPD, corp_world
from .fig1 import NAME_RULE, host_a_spd

FILE_SHARING = 445

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
    corp.ipsec(a, host_a_spd("bypass", t["name_selector"] == "on"))
    for host in (b, c):
        corp.ipsec(host, CORP_SPD.format(default="bypass"))
    a.name_check = t["name_check"]
    if t["name_check"] == "pad":
        a.pad = parse_pad(STRICT_PAD, source="host-a's PAD")
    corp.resolver(a)
    ServerApp(b, 80, b"200 OK: here are the salaries")
    ServerApp(c, 80, b"200 OK (pc-c pretending to be server-b)", label="pc-c posing as server-b")

    if t["insider"] == "arp":
        # The insider's preparations: each is something pc-c is able to do on its own.
        world.hijack(c, ADDRESSES["server-b"], "pc-c answers ARP requests for 1.2.3.4 (forged ARP replies)")
        corp.zone.add("pc-c.example.org", "A", ADDRESSES["server-b"])
        world.sim.record("note", "pc-c", "pc-c.example.org A 1.2.3.4", "register",
                         "pc-c adds 1.2.3.4 to its own name with a dynamic DNS update; the zone signs what owners "
                         "register")
        DnsSpoofer(c, world, tap_node="intranet", victims=[ADDRESSES["host-a"]],
                   targets={reverse_name(ADDRESSES["server-b"]): "pc-c.example.org"})
    else:
        ServerApp(a, FILE_SHARING, b"SMB: done", label="host-a's file sharing", allow_from=[ADDRESSES["server-b"]])
        InnerSourceSpoofer(c, ADDRESSES["host-a"], ADDRESSES["server-b"], FILE_SHARING,
                           b"SMB: write C$/payroll.xlsx (from server-b)")

    ClientApp(a, "server-b.example.org", 80, connect_by=t["connect_by"],
              verify_peer=t["name_check"] == "application", expected_issuer=CA_NAME)
    return world


class InnerSourceSpoofer:
    """pc-c's other trick: its own SA with ``victim`` (pc-c is certified, so IKE succeeds), then
    packets through it whose inner source is ``claimed``, another host's address.

    The bytes are pc-c's to choose: ESP protects them in transit, and only the receiver's check
    of the inner source against the SA's selectors (RFC 4301 section 5.2) ties them to pc-c.
    """

    def __init__(self, host, victim, claimed, port: int, payload: bytes, start_us: int = 2_000,
                 flow: str = "attack"):
        self.host, self.victim, self.claimed, self.port, self.payload = host, ip(victim), ip(claimed), port, payload
        self.flow = flow
        host.sim.schedule(start_us, self.start)

    def start(self) -> None:
        host = self.host
        host.world.note("intent", flow=self.flow, client=host.name, attack=True, target=str(self.victim),
                        port=self.port)
        host.sim.record("app", host.name, f"SA with {self.victim}", "prepare",
                        f"{host.name} negotiates an SA with {self.victim} under its own name, as any certified "
                        "machine may")
        own = host.source_address_for(self.victim)
        match = host.spd.lookup(PacketView.outbound(own, self.victim, "tcp", 0, self.port))
        host.ike.initiate(self.victim, match.index, None, self._ready)

    def _ready(self, sa, reason: str, silent: bool) -> None:
        host = self.host
        if sa is None:
            host.sim.record("app", host.name, f"SA with {self.victim}", "give up", reason)
            return
        host.sim.record("app", host.name, f"inner source {self.claimed}", "spoof",
                        f"sends through its own SA with {self.victim} packets whose inner source is {self.claimed}, "
                        f"server-b's address, to port {self.port}")
        sport = host.ephemeral_port()
        isn = host.sim.rng.randrange(1, 2**31)
        facts = {"flow": self.flow}
        host.send_raw_esp(tcp(self.claimed, self.victim, sport, self.port, "S", seq=isn), sa, facts)
        data = tcp(self.claimed, self.victim, sport, self.port, "PA", self.payload, seq=isn + 1)
        host.sim.schedule(2_000, lambda: host.send_raw_esp(data, sa, facts))


SCENARIO = register(Scenario(
    id="fig2",
    title="Identifier mismatch: the certificate names someone else",
    section="5",
    figure=2,
    summary="pc-c, certified by the same CA, answers for server-b's address; does anything compare names?",
    toggles=(
        Toggle("name_check", NAME_CHECKS, "none", "what host-a does with the name in the peer's certificate",
               NAME_CHECK_MEANINGS),
        Toggle("connect_by", ("name", "address"), "name", "how the application reaches server-b",
               {"name": "it resolves the name and connects (the usual way)",
                "address": "the user runs nslookup, then types the address (appendix A)"}),
        Toggle("name_selector", ("off", "on"), "off", "a name selector on host-a's PROTECT rule for server-b (section 6.4)",
               {"off": "host-a's rules select by address only",
                "on": f"'{NAME_RULE.split('   #')[0]}' comes before the intranet rule"}),
        Toggle("insider", ("arp", "inner_source"), "arp", "how pc-c passes for server-b",
               {"arp": "it answers ARP for 1.2.3.4, so host-a's packets for server-b reach pc-c",
                "inner_source": "through its own SA with host-a, it sends packets whose inner source is 1.2.3.4 "
                                "to host-a's file sharing, which serves server-b only"}),
    ),
    build=build,
    cast=("host-a", "server-b", "pc-c", "ns"),
    flows=(("main", "host-a's request to server-b"),
           ("attack", "pc-c's connection to host-a's file sharing in server-b's name")),
))
