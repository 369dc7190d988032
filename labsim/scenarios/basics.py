"""``basics``: host-a, a server and a printer; one SPD rule, IKE then ESP (the paper's section 3).

host-a opens a connection to server-b.example.org (or, with ``peer=printer-b``, sends a
print job to printer-b.example.org). host-a and server-b follow the domain's policy for the
intranet: a single rule whose action is the ``policy`` toggle. With PROTECT, the first
packet waits while IKE authenticates both ends with certificates from Example Corp's CA;
then the data travels as ESP. printer-b, like most printers, speaks no IPsec: a host that
must reach it needs a more specific BYPASS rule *before* the intranet rule, because the
first matching rule decides (exercise material for notebook 01).
"""

from __future__ import annotations

from ..apps import ClientApp, ServerApp
from .base import Scenario, Toggle, register
from .cast import ADDRESSES, corp_world

PRINTER_B = "1.2.3.9"
PRINT_PORT = 9100


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
    ),
    build=build,
    cast=("host-a", "server-b", "printer-b", "ns"),
))
