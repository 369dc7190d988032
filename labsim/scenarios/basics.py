"""``basics``: host-a, a server and a printer; one SPD rule, IKE then ESP (the paper's section 3).

host-a opens a connection to server-b.example.org (or, with ``peer=printer-b``, sends a
print job to printer-b.example.org). host-a and server-b follow the domain's policy for the
intranet: a single rule whose action is the ``policy`` toggle. With PROTECT, the first
packet waits while IKE authenticates both ends with certificates from Example Corp's CA;
then the data travels as ESP. printer-b, like most printers, speaks no IPsec: a host that
must reach it needs a more specific BYPASS rule *before* the intranet rule, because the
first matching rule decides (exercise material for notebook 01).

``tamper=on`` puts an attacker on the path who alters the packets that carry data: it flips
one bit of the payload of a clear packet, or of the ciphertext of an ESP packet (which it
cannot read). The receiver's ESP integrity check (the AES-GCM tag) finds the change and
drops the packet, so the data never arrives: IPsec turns an attack on integrity into a
failure to communicate. A clear packet has no such check: the altered data is accepted.
"""

from __future__ import annotations

from scapy.layers.inet import IP, TCP
from scapy.layers.inet6 import IPv6
from scapy.layers.ipsec import ESP

from ..apps import ClientApp, ServerApp
from ..host import Host
from ..packets import Packet, summary
from .base import Scenario, Toggle, register
from .cast import ADDRESSES, corp_world

PRINTER_B = "1.2.3.9"
PRINT_PORT = 9100
ON_PATH = "1.2.6.6"
ESP_OVERHEAD = 8 + 16          # the IV before the ciphertext, the integrity tag after it
BARE_TCP = 20 + 4              # a TCP header and the ESP trailer: a segment without data


class Tamperer:
    """An on-path attacker on ``node`` that flips one bit of each packet carrying data.

    In a clear TCP segment it changes the first byte of the data. ESP it cannot read, but the
    packet sizes tell it which ones carry data (the bare handshake segments are shorter); it
    changes the first ciphertext byte after the encrypted TCP header.
    """

    def __init__(self, world, host: Host, node: str):
        self.host = host
        world.add_middlebox(node, self.alter)

    def alter(self, world, sender, packet: Packet, route):
        pkt = packet.ip
        raw = bytearray(bytes(pkt))
        if pkt.haslayer(ESP):
            if len(bytes(pkt[ESP].data)) - ESP_OVERHEAD <= BARE_TCP:
                return None
            at = len(raw) - len(bytes(pkt[ESP].data)) + 8 + 20   # past the IV, then the encrypted TCP header
        elif pkt.haslayer(TCP) and bytes(pkt[TCP].payload):
            at = len(raw) - len(bytes(pkt[TCP].payload))           # the first byte of the data
        else:
            return None
        raw[at] ^= 0x01
        changed = (IP if pkt.version == 4 else IPv6)(bytes(raw))
        world.sim.record("note", self.host.name, f"alters {summary(pkt)}", "tamper",
                         "flips one bit of the ciphertext in transit: it cannot read ESP, but it can change it"
                         if pkt.haslayer(ESP) else "flips one bit of the data in transit")
        return Packet(changed, packet.origin, dict(packet.facts)), route


def build(t: dict[str, str], seed: int = 0):
    corp = corp_world(seed, "Two hosts and one rule", with_internet=False)
    rule = f"{t['policy']} remote 1.2.0.0/16"
    a = corp.host("host-a", ADDRESSES["host-a"], "client")
    b = corp.host("server-b", ADDRESSES["server-b"], "server")
    printer = corp.host("printer-b", PRINTER_B, "printer")
    corp.ipsec(a, rule)
    if t["server_ipsec"] == "on":
        corp.ipsec(b, rule)
    corp.resolver(a, hosts_file={"server-b.example.org": ADDRESSES["server-b"],
                                 "printer-b.example.org": PRINTER_B})
    ServerApp(b, 80, b"200 OK: here are the salaries")
    ServerApp(printer, PRINT_PORT, b"printed", label="printer-b")
    if t["tamper"] == "on":
        attacker = corp.world.add_host(Host("attacker", "attacker", malicious=True), "intranet", [ON_PATH])
        Tamperer(corp.world, attacker, "intranet")
    if t["peer"] == "printer-b":
        ClientApp(a, "printer-b.example.org", PRINT_PORT, payload=b"%!PS quarterly report")
    else:
        ClientApp(a, "server-b.example.org", 80)
    return corp.world


SCENARIO = register(Scenario(
    id="basics",
    title="How IPsec works: one rule, IKE, then ESP",
    section="3",
    figure=None,
    summary="host-a connects to server-b (or printer-b); the first matching SPD rule decides whether IKE runs "
            "and the data goes as ESP.",
    toggles=(
        Toggle("policy", ("protect", "bypass", "discard"), "protect",
               "the action of the one SPD rule host-a and server-b have for the intranet 1.2.0.0/16",
               {"protect": "negotiate an SA with IKE and send ESP", "bypass": "send in clear",
                "discard": "drop the packets"}),
        Toggle("server_ipsec", ("on", "off"), "on",
               "whether server-b runs IPsec at all (off: no IKE, no SPD, like a printer)",
               {"on": "server-b has IKE, a certificate and the same rule", "off": "server-b speaks no IPsec"}),
        Toggle("peer", ("server-b", "printer-b"), "server-b",
               "whom host-a contacts: the file server, or the printer (which speaks no IPsec)",
               {"server-b": "fetch a file from server-b.example.org (1.2.3.4), port 80",
                "printer-b": f"send a print job to printer-b.example.org ({PRINTER_B}), port {PRINT_PORT}"}),
        Toggle("tamper", ("off", "on"), "off", "an on-path attacker who alters ESP packets in transit",
               {"off": "nobody changes packets on the way",
                "on": "an attacker on the intranet flips a bit of every packet that carries data, ESP or clear"}),
    ),
    build=build,
    cast=("host-a", "server-b", "printer-b", "ns"),
    flows=(("main", "host-a's request to its peer"),),
))
