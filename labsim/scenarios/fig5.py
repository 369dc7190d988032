"""``fig5``: a broadcast opens a soft SA for the attacker (paper section 7, figure 5, problems 5a, 5b).

host-a protects the whole intranet, but prints to a printer that speaks no IPsec. Listing
every such device in a BYPASS rule is tedious, so its stack has the stateful extension:
when a peer does not answer IKE, it falls back to clear and opens a soft SA that admits
that peer's clear packets (``protect ... fallback``; Windows' fall-back-to-clear).
Broadcast and multicast have no SAs, so host-a bypasses them inbound.

The attacker, plugged into the office LAN with no certificate, broadcasts a NetBIOS name
query for host-a. host-a's name service answers in unicast; IKE with the attacker stays
silent; the answer falls back to clear and opens a soft SA; the attacker then connects to
host-a's file sharing (TCP 445) in clear, and the soft SA lets it in.

Each run has two verdicts: the attack (the attacker's unsolicited connection to TCP 445)
and the legitimate print job, so that "the attack was blocked" and "the print job was
blocked" are never confused.

Toggles: ``stateful=off`` is standard, stateless IPsec: host-a opens no soft SA, so when
the attacker tries TCP 445 anyway its SYN meets host-a's inbound PROTECT rule and is
dropped (and the printer is refused too); ``broadcast=discard`` drops the trigger; ``ipv6_policy=bypass`` is the
laxer policy a new protocol often gets (problem 5b), which ``attacker_via=ipv6`` uses, with
an LLMNR multicast query as the trigger.

``attacker_via=printer_address`` aims section 5.4's address hijack at the soft SA: no broadcast
at all. host-a prints first, and its own SYN to 1.2.0.80 falls back to clear and opens the soft
SA; then the attacker answers ARP for 1.2.0.80 (``World.hijack``, as fig2's pc-c does) and
connects to TCP 445 from it. The soft SA knows an address, not a machine, so it admits the
attacker. The paper gives this no problem number, and it is not 5a (no answer to the attacker
opened the soft SA): discarding broadcast does not stop it; switching the extension off does, at
the cost of the print job.
"""

from __future__ import annotations

from ..addresses import ip, prefix
from ..apps import ClientApp, ServerApp
from ..broadcast import LlmnrResponder, NameQueryProbe, NetbiosResponder
from ..host import Host
from .base import Scenario, Toggle, register
from .cast import ADDRESSES, corp_world

INTRANET_V6 = "2001:db8:12::/48"
HOST_A_V6 = "2001:db8:12::5"
PRINTER = ("printer", "1.2.0.80")
ATTACKER = ("1.2.0.66", "2001:db8:12::66")
FILE_SHARING = 445
HIJACK_AT_US = 4_000_000   # printer_address: after host-a's print job has ended (IKE gives up after 3 s)


def host_a_spd(t: dict[str, str]) -> str:
    fallback = " fallback" if t["stateful"] == "on" else ""
    why = "fall back to clear and open a soft SA for peers without IPsec" if fallback else "IPsec, no exceptions"
    action = t["broadcast"]
    lines = [
        f"{action} local broadcast dir in          # broadcast has no SAs",
        f"{action} local multicast dir in          # nor has multicast",
        f"protect remote 1.2.0.0/16{fallback}    # the intranet: {why}",
    ]
    if t["ipv6_policy"] == "same":
        lines.append(f"protect remote {INTRANET_V6}{fallback}   # the intranet's IPv6 prefix, as for IPv4")
    else:
        lines.append("bypass remote ::/0                   # IPv6: no IPsec support deployed yet")
    lines.append("bypass any")
    return "\n".join(lines) + "\n"


def build(t: dict[str, str], seed: int = 0):
    corp = corp_world(seed, "A broadcast opens a soft SA", with_internet=False)
    world = corp.world
    intranet = world.networks["intranet"]
    intranet.prefixes = (*intranet.prefixes, prefix(INTRANET_V6))

    host_a = world.add_host(Host("host-a", "client", fqdn=corp.fqdn("host-a")), "intranet",
                            [ADDRESSES["host-a"], HOST_A_V6])
    corp.zone.add(host_a.fqdn, "A", ADDRESSES["host-a"])
    corp.ipsec(host_a, host_a_spd(t))
    corp.resolver(host_a, hosts_file={corp.fqdn(PRINTER[0]): PRINTER[1]})
    NetbiosResponder(host_a)
    LlmnrResponder(host_a)
    ServerApp(host_a, FILE_SHARING, b"SMB: here is payroll.xlsx", label="host-a's file sharing")

    printer = corp.host(*PRINTER, "printer")
    ServerApp(printer, 9100, b"printed", label="the printer")

    attacker = world.add_host(Host("attacker", "attacker", malicious=True), "intranet", list(ATTACKER))
    via = t["attacker_via"]
    if via == "printer_address":
        world.sim.record("note", "attacker", "plugged into the office LAN", "setup",
                         "the attacker has no certificate; its plan: let host-a print first, then speak from the "
                         f"printer's address {PRINTER[1]}")
        AddressHijacker(attacker, PRINTER[1], f"the attacker answers ARP requests for {PRINTER[1]} (forged ARP "
                        "replies)", target=ADDRESSES["host-a"], port=FILE_SHARING, start_us=HIJACK_AT_US)
    else:
        world.sim.record("note", "attacker", "plugged into the office LAN", "setup",
                         "the attacker has no certificate; it wants host-a to send it a packet first")
        target = ADDRESSES["host-a"] if via == "ipv4" else HOST_A_V6
        NameQueryProbe(attacker, "host-a", target=target, port=FILE_SHARING, via=via, flow="attack")
    ClientApp(host_a, corp.fqdn(PRINTER[0]), 9100, payload=b"%!PS quarterly report", flow="print_job")
    return world


class AddressHijacker:
    """The attacker of section 5.4's last paragraph: at ``start_us`` it takes over ``address``, another
    host's, on its LAN (``World.hijack``, as fig2's pc-c does), then connects from it to ``target``:``port``
    and sends ``payload``. Whatever the target's policy grants that address (a BYPASS rule, a soft
    SA) it now grants the attacker."""

    def __init__(self, host, address, how: str, target, port: int, payload: bytes = b"SMB: read C$/payroll.xlsx",
                 start_us: int = 0, flow: str = "attack"):
        self.host, self.address, self.how, self.target, self.port = host, ip(address), how, ip(target), port
        self.payload, self.flow = payload, flow
        host.sim.schedule(start_us, self.start)

    def start(self) -> None:
        host = self.host
        host.world.note("intent", flow=self.flow, client=host.name, attack=True, target=str(self.target),
                        port=self.port)
        host.world.hijack(host, self.address, self.how)
        host.sim.record("app", host.name, f"bind {self.address}", "bind",
                        f"connects to {self.target}:{self.port} from {self.address}, an address it now answers for")
        conn = host.connect(self.target, self.port, flow=self.flow, src=self.address)
        conn.on_established = lambda c: c.sendall(self.payload)


SCENARIO = register(Scenario(
    id="fig5",
    title="A broadcast opens a soft SA for the attacker",
    section="7",
    figure=5,
    summary="host-a answers a broadcast in unicast; falling back to clear opens a soft SA the attacker walks through.",
    toggles=(
        Toggle("stateful", ("on", "off"), "on", "host-a's stateful extension (fall back to clear, soft SAs)",
               {"on": "peers without IPsec get clear traffic and a soft SA",
                "off": "standard IPsec: no answer in IKE means no traffic"}),
        Toggle("broadcast", ("bypass", "discard"), "bypass", "host-a's inbound rule for broadcast and multicast",
               {"bypass": "let them in (name services need them)", "discard": "drop them"}),
        Toggle("ipv6_policy", ("same", "bypass"), "same", "host-a's policy for IPv6",
               {"same": "the same as for IPv4", "bypass": "IPv6 in clear, since IPsec for it is not deployed"}),
        Toggle("attacker_via", ("ipv4", "ipv6", "printer_address"), "ipv4", "how the attacker reaches host-a",
               {"ipv4": "a NetBIOS broadcast, then TCP 445 over IPv4",
                "ipv6": "an LLMNR multicast query, then TCP 445 over IPv6",
                "printer_address": f"after host-a's print job it takes over the printer's address {PRINTER[1]} "
                                   "(forged ARP), then TCP 445 from it"}),
    ),
    build=build,
    client="host-a",
    cast=("host-a", "attacker", "printer", "ns"),
    flows=(("attack", "the attack on host-a's file sharing"), ("print_job", "the print job to the printer")),
))
