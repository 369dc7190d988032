"""The verdict of a run, computed from what happened: the ledger and the trace.

The outcome vocabulary is the course's (DESIGN.md):

``protected``     the intended peer got the data over an SA authenticated as the intended name
``clear``         the intended peer got the data in clear because the policy says BYPASS
``exposed``       the data reached a host that is not the intended peer, in clear, or an
                  attacker's unsolicited clear packet was accepted
``impersonated``  the data went over an SA to a peer authenticated under another name
``blocked``       no application data was delivered

The paper's problem is attributed from the mechanism that produced the outcome (a forged
DNS answer, a certificate naming someone else, a private address held by another host,
a soft SA), never from the scenario's name or toggles.

Tunnel mode (a VPN to a security gateway) authenticates the gateway, not the peer: the SA's
name is the gateway's, and the gateway forwards the data inside. The data counts as
``protected`` when it went through a tunnel the client's policy named for that destination
and the intended peer received it; when a tunnel delivers it to someone else, the
gateway's certificate says nothing about that host, so the run is ``exposed``, not
``impersonated``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .addresses import ip, is_private
from .ipsec.spd import name_matches

OUTCOMES = ("protected", "clear", "exposed", "impersonated", "blocked")
PROBLEMS = ("1a", "1b", "2", "3", "4", "5a", "5b")


@dataclass(frozen=True)
class Verdict:
    outcome: str
    attack_succeeded: bool
    problem: str | None
    intended_peer: str | None
    reached_peer: str | None
    authenticated_as: str | None
    data_in_clear: bool
    explanation: str


def _last(ledger: list[dict], fact: str, flow: str = "main") -> dict | None:
    found = [e for e in ledger if e["fact"] == fact and e.get("flow") == flow]
    return found[-1] if found else None


def judge(world, flow: str = "main") -> Verdict:
    ledger = world.ledger
    intent = _last(ledger, "intent", flow)
    resolved = _last(ledger, "resolved", flow)
    sent = _last(ledger, "sent", flow)
    received = [e for e in ledger if e["fact"] == "received" and e.get("flow") == flow]
    unsolicited = [e for e in ledger if e["fact"] == "received" and e.get("flow") != flow
                   and world.hosts[e["sender"]].malicious and not world.hosts[e["host"]].malicious]
    intended_host = world.host_by_fqdn(intent["name"]) if intent else None
    intended = intended_host.name if intended_host else None
    reached = received[0]["host"] if received else None
    authenticated = sent["peer_name"] if sent and sent["protected"] else None
    in_clear = bool(sent) and not sent["protected"]
    tunnel = bool(sent) and sent.get("mode") == "tunnel"
    reached_host = world.hosts.get(reached) if reached else None

    if unsolicited:
        hit = unsolicited[0]
        outcome, attack = "exposed", True
        problem = {"soft_sa": "5a", "bypass:ipv6": "5b"}.get(hit.get("admitted_by"))
        why = (f"An unsolicited clear packet from {hit['sender']} was accepted by {hit['host']} "
               f"({_admission(hit.get('admitted_by'))})")
    elif reached is None:
        outcome, attack = "blocked", False
        failure = _last(ledger, "refused", flow) or _last(ledger, "failed", flow)
        why = f"No application data was delivered: {failure['reason']}" if failure else \
            "No application data was delivered"
        problem = _private_address_cost(world, resolved, intended_host)
    elif reached != intended:
        attack = bool(reached_host and reached_host.malicious)
        if authenticated and not tunnel and not (intended_host and name_matches(intended_host.fqdn or "", authenticated)):
            outcome, problem = "impersonated", "1b"
            why = (f"The data went over an SA to {reached}, which authenticated as {authenticated} with a "
                   f"certificate from a CA the client trusts; "
                   + _name_check_story(world, intent, authenticated))
        else:
            outcome = "exposed"
            problem, why = _exposure_cause(world, resolved, intended_host, reached, in_clear, tunnel)
    else:
        attack = False
        outcome = "clear" if in_clear else "protected"
        why = f"The data reached {reached} " + (f"through an SA authenticated as {authenticated}" if authenticated
                                             else "in clear, as the policy allows")
        if tunnel:
            why = (f"The data reached {reached} through the tunnel to the gateway {sent.get('gateway')}, "
                   f"authenticated as {authenticated}, which the client's policy names for that range")
        problem = None
    return Verdict(outcome, attack, problem, intended, reached, authenticated, in_clear, why)


def _name_check_story(world, intent, authenticated: str) -> str:
    """What the client's name check made of the certified name, read from the trace."""
    wanted = intent["name"] if intent else "the intended name"
    client = intent["client"] if intent else None
    checks = [e for e in world.sim.trace if e.host == client and e.rule.startswith("name check:")
              and authenticated in e.summary]
    if not checks or checks[-1].rule == "name check: none":
        return f"nothing compared that name with {wanted}"
    last = checks[-1]
    return f"its {last.rule.split(': ', 1)[1]} check passed ({last.reason}), yet {wanted} was meant"


def _admission(how: str | None) -> str:
    return {
        "soft_sa": "a soft SA admitted it because the host had sent that peer a packet first",
        "bypass:ipv6": "an IPv6 BYPASS rule let it in where IPv4 would demand IPsec",
        "bypass:ipv4": "a BYPASS rule let it in",
    }.get(how or "", "the policy let it in")


def _exposure_cause(world, resolved, intended_host, reached, in_clear: bool, tunnel: bool = False):
    how = "in clear" if in_clear else ("through the VPN tunnel" if tunnel else "over IPsec")
    if resolved and resolved.get("forged_by"):
        forger = world.hosts[resolved["forged_by"]]
        client = world.hosts[_client_of(world)]
        net = world.networks[forger.network]
        if not net.trusted and forger.network == client.network:
            asked = resolved.get("source", "").removeprefix("server ")
            whose = "whose server the laptop was told to use" if asked in map(str, forger.addresses) else \
                f"which intercepted the query the laptop sent to {asked} and answered in its name"
            return "2", (f"The data went {how} to {reached}: the DNS answer came from {forger.name} on the visited "
                         f"network {net.label}, {whose}")
        return "1a", (f"The data went {how} to {reached}: the DNS answer for {resolved['name']} was forged by "
                      f"{forger.name} and pointed at {resolved['address']}")
    if resolved and intended_host is not None:
        address = ip(resolved["address"])
        if is_private(address) and address in intended_host.addresses and reached != intended_host.name:
            return "3", (f"The data went {how} to {reached}: {address} is {intended_host.name}'s private address at "
                         f"home, but where the client stands it belongs to {reached}")
    return None, f"The data went {how} to {reached}, not the intended peer"


def _private_address_cost(world, resolved, intended_host):
    """Problem 4: PROTECT for a private range stops the client reaching whoever holds that address here."""
    if not resolved or intended_host is None:
        return None
    address = ip(resolved["address"])
    client = world.hosts[_client_of(world)]
    here = world.networks[client.network]
    holder = here.table.get(address)
    # Only a host away from home meets another domain's use of the same private range.
    if is_private(address) and not here.trusted and holder is not None and holder != intended_host.name:
        return "4"
    return None


def _client_of(world) -> str:
    return next(e["client"] for e in world.ledger if e["fact"] == "intent")
