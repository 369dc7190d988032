"""``basics``: two hosts, one SPD rule, IKE then ESP (the paper's section 3).

host-a opens a connection to server-b.example.org. Both machines follow the domain's
policy for the intranet: a single rule whose action is the ``policy`` toggle. With
PROTECT, the first packet waits while IKE authenticates both ends with certificates from
Example Corp's CA; then the data travels as ESP.
"""

from __future__ import annotations

from ..apps import ClientApp, ServerApp
from .base import Scenario, Toggle, register
from .cast import ADDRESSES, corp_world


def build(t: dict[str, str], seed: int = 0):
    corp = corp_world(seed, "Two hosts and one rule", with_internet=False)
    rule = f"{t['policy']} remote 1.2.0.0/16"
    a = corp.host("host-a", ADDRESSES["host-a"], "client")
    b = corp.host("server-b", ADDRESSES["server-b"], "server")
    corp.ipsec(a, rule)
    if t["server_ipsec"] == "on":
        corp.ipsec(b, rule)
    corp.resolver(a, hosts_file={"server-b.example.org": ADDRESSES["server-b"]})
    ServerApp(b, 80, b"200 OK: here are the salaries")
    ClientApp(a, "server-b.example.org", 80)
    return corp.world


SCENARIO = register(Scenario(
    id="basics",
    title="How IPsec works: one rule, IKE, then ESP",
    section="3",
    figure=None,
    summary="host-a connects to server-b; the SPD rule decides whether IKE runs and the data goes as ESP.",
    toggles=(
        Toggle("policy", ("protect", "bypass", "discard"), "protect",
               "the action of the one SPD rule both hosts have for the intranet 1.2.0.0/16",
               {"protect": "negotiate an SA with IKE and send ESP", "bypass": "send in clear",
                "discard": "drop the packets"}),
        Toggle("server_ipsec", ("on", "off"), "on",
               "whether server-b runs IPsec at all (off: no IKE, no SPD, like a printer)",
               {"on": "server-b has IKE, a certificate and the same rule", "off": "server-b speaks no IPsec"}),
    ),
    build=build,
    cast=("host-a", "server-b", "ns"),
))
