"""The verdict of a run, computed from what happened: the ledger and the trace.

The outcome vocabulary is the course's (DESIGN.md):

``protected``     the intended peer got the data over an SA authenticated as the intended name
``clear``         the intended peer got the data in clear because the policy says BYPASS
``exposed``       the data reached a host that is not the intended peer, in clear, or an
                  attacker read it in clear, or an attacker's unsolicited packet was accepted
``impersonated``  the data went over an SA to a peer authenticated under another name
``blocked``       no application data was delivered

Every fact comes from the wire and from the receiver, never from what the sending stack
believed: the receiver's record says what arrived, through which SA and as whom its own end
authenticated; the world's record says which untrusted networks a flow's data crossed in
clear. So a VPN or transport SA that leaks its payload in clear can never be judged
``protected``.

The paper's problem is attributed from the mechanism that produced the outcome (a forged
DNS answer, a certificate naming someone else, a private address held by another host, a
PROTECT rule that cut the client off, a soft SA opened by an answer to the attacker's own
broadcast), never from the scenario's name or toggles.

Tunnel mode (a VPN to a security gateway) authenticates the gateway, not the peer: the SA's
name is the gateway's, and the gateway forwards the data inside in clear. The data counts as
``protected`` when a gateway decrypted it from a tunnel, it never crossed an untrusted
network in clear, and the intended peer received it; when a tunnel delivers it to someone
else, the gateway's certificate says nothing about that host, so the run is ``exposed``,
not ``impersonated``.

A flow whose initiator is an attacker (fig5's connection to host-a's file sharing) is judged
from the victim's side: ``exposed`` with the attack succeeded when the victim accepted and
delivered the attacker's data, ``blocked`` otherwise, with what admitted or stopped it. An
attacker that had taken over the address it spoke from (section 5.4's address hijack) is named
as such, with what the victim's policy granted that address; the paper gives that no number.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .addresses import ip, is_private, prefix
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
    flow: str = "main"
    label: str = ""


def _facts(ledger: list[dict], fact: str, flow: str) -> list[dict]:
    return [e for e in ledger if e["fact"] == fact and e.get("flow") == flow]


def _last(ledger: list[dict], fact: str, flow: str = "main") -> dict | None:
    found = _facts(ledger, fact, flow)
    return found[-1] if found else None


def flow_happened(world, flow: str) -> bool:
    """Whether anything of ``flow`` was recorded (an intent, a packet, a delivery)."""
    return any(e.get("flow") == flow for e in world.ledger)


def judge(world, flow: str = "main", label: str = "", declared: tuple[str, ...] | None = None) -> Verdict:
    """The verdict for ``flow``; ``declared`` are the flows the scenario judges on their own.

    Clear packets of an attacker's flow that no one judges on its own (a scenario that declares
    only its main flow) count against the main flow, as unsolicited packets that got in.
    """
    ledger = world.ledger
    intent = _last(ledger, "intent", flow)
    if intent is not None and intent.get("attack"):
        return _judge_attack(world, flow, label, intent)
    declared = tuple(declared) if declared is not None else (flow,)
    unsolicited = [e for e in ledger if e["fact"] == "received" and e.get("flow") not in declared
                   and world.hosts[e["sender"]].malicious and not world.hosts[e["host"]].malicious]
    if intent is None and not unsolicited and any(e["fact"] == "received" and e.get("flow") == flow
                                                  and world.hosts[e["sender"]].malicious for e in ledger):
        return _judge_attack(world, flow, label, None)
    if unsolicited:
        return _unsolicited_verdict(world, flow, label, intent, unsolicited[0])
    return _judge_request(world, flow, label, intent)


# ---------------------------------------------------------------- a client's request

def _arrival(record: dict) -> tuple[bool, str | None, bool, str | None]:
    """(came through an SA?, the name the receiving end of that SA authenticated as, through a tunnel?,
    the address of the gateway that decrypted it)."""
    if record["protected"]:
        return True, record.get("own_name") or None, record.get("mode") == "tunnel", None
    tunnels = [d for d in record.get("decrypted", ()) if d["mode"] == "tunnel"]
    if tunnels:
        return True, tunnels[-1]["as"] or None, True, tunnels[-1]["address"]
    return False, None, False, None


def _judge_request(world, flow: str, label: str, intent: dict | None) -> Verdict:
    ledger = world.ledger
    client = intent["client"] if intent else None
    resolved = _last(ledger, "resolved", flow)
    sent = _last(ledger, "sent", flow)
    received = [e for e in _facts(ledger, "received", flow) if e["host"] != client]
    crossed = _facts(ledger, "crossed", flow)
    read_by = {c["network"]: world.eavesdroppers(c["network"]) for c in crossed}
    exposed_on = [c for c in crossed if read_by[c["network"]]]
    intended_host = world.host_by_fqdn(intent["name"]) if intent and intent.get("name") else None
    intended = intended_host.name if intended_host else None
    record = received[0] if received else None
    reached = record["host"] if record else None
    reached_host = world.hosts.get(reached) if reached else None
    via_sa, authenticated, tunnel, gateway = _arrival(record) if record else (False, None, False, None)
    in_clear = bool(crossed) or (record is not None and not via_sa)
    facts = dict(intended_peer=intended, reached_peer=reached, authenticated_as=authenticated,
                 data_in_clear=in_clear, flow=flow, label=label)
    leak = _leak_words(world, exposed_on, read_by) if exposed_on else ""

    if reached is None:
        if exposed_on:
            why = f"No one received the data, but {leak}"
            return Verdict("exposed", True, None, explanation=why, **facts)
        why = "No application data was delivered" + _failure_words(ledger, flow) + _no_ipsec_words(world, flow, client)
        return Verdict("blocked", False, _private_range_cost(world, flow, client, intended_host),
                       explanation=why, **facts)
    if reached != intended:
        attack = bool(reached_host and reached_host.malicious) or bool(exposed_on)
        if authenticated and not tunnel and not (intended_host and name_matches(intended_host.fqdn or "",
                                                                                authenticated)):
            why = (f"The data went over an SA to {reached}, which authenticated as {authenticated} with a "
                   f"certificate from a CA the client trusts; " + _name_check_story(world, intent, authenticated))
            return Verdict("impersonated", attack, "1b", explanation=why, **facts)
        how = _how(in_clear, tunnel, gateway, authenticated)
        problem, why = _exposure_cause(world, client, resolved, intended_host, reached, how)
        if leak and not (reached_host and reached_host.malicious):
            why += f"; on the way {leak}"
        return Verdict("exposed", attack, problem, explanation=why, **facts)
    sent_payload = sent.get("payload") if sent else None
    if sent_payload is not None and record["data"] != sent_payload:
        why = (f"{reached} accepted data that is not what {client} sent ({record['data'][:24]!r} instead of "
               f"{sent_payload[:24]!r}): it was altered on the way")
        return Verdict("exposed", True, None, explanation=why, **facts)
    if exposed_on:
        why = f"The data reached {reached}, but {leak}"
        if sent and sent.get("protected"):
            why += (f"; {client}'s stack believed it was sending through an SA with {sent.get('peer_name')}, "
                    "so it counted the data as protected")
        return Verdict("exposed", True, None, explanation=why, **facts)
    if in_clear:
        why = f"The data reached {reached} in clear"
        if crossed:
            nets = ", ".join(dict.fromkeys(world.networks[c["network"]].label for c in crossed))
            why += f", crossing {nets} (no attacker there)"
        else:
            why += ", as the policy allows"
        return Verdict("clear", False, None, explanation=why, **facts)
    if tunnel:
        why = (f"The data reached {reached} through the tunnel to the gateway {gateway}, authenticated as "
               f"{authenticated}, which forwarded it inside in clear; it crossed no untrusted network in clear")
    else:
        why = f"The data reached {reached} through an SA authenticated as {authenticated}"
    return Verdict("protected", False, None, explanation=why, **facts)


def _how(in_clear: bool, tunnel: bool, gateway: str | None, authenticated: str | None) -> str:
    if in_clear:
        return "in clear"
    if tunnel:
        return f"through the VPN tunnel (decrypted by {gateway})"
    return "over IPsec"


def _leak_words(world, exposed_on: list[dict], read_by: dict) -> str:
    nets = list(dict.fromkeys(c["network"] for c in exposed_on))
    where = "; ".join(f"{world.networks[n].label} (where {', '.join(read_by[n])} can read it)" for n in nets)
    return f"it crossed {where} in clear: {exposed_on[0]['packet']}"


def _failure_words(ledger: list[dict], flow: str) -> str:
    """Why nothing was delivered: the application's own account, and the last discard elsewhere."""
    failure = _last(ledger, "refused", flow) or _last(ledger, "failed", flow)
    words = f": {failure['reason']}" if failure else ""
    client = failure.get("client") if failure else None
    elsewhere = [d for d in _facts(ledger, "dropped", flow) if d["host"] != client]
    if elsewhere and (not failure or elsewhere[-1]["reason"] not in failure["reason"]):
        dropped = elsewhere[-1]
        words += f"{';' if words else ':'} {dropped['host']} discarded {dropped['packet']} ({dropped['reason']})"
    return words


def _no_ipsec_words(world, flow: str, client: str | None) -> str:
    """When a PROTECT rule held the flow's packet for an SA the peer could never give: which rule, and that
    the host holding that address where the client stands runs no IKE (it speaks no IPsec)."""
    drops = [d for d in _facts(world.ledger, "dropped", flow) if d["host"] == client and d.get("action") == "protect"
             and d.get("rule")]
    if not drops or client not in world.hosts:
        return ""
    drop = drops[-1]
    holder = world.hosts.get(drop.get("holder"))   # who held the address when the packet was dropped
    if holder is None or holder.ike is not None or holder.name == client:
        return ""
    return (f"; {drop['rule']} demands IPsec for {drop['dst']}, and {holder.name}, which holds that address "
            "where the client stands, speaks no IPsec (it runs no IKE)")


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


def _exposure_cause(world, client_name, resolved, intended_host, reached, how: str):
    if resolved and resolved.get("forged_by"):
        forger = world.hosts[resolved["forged_by"]]
        client = world.hosts[client_name]
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


def _private_range_cost(world, flow: str, client_name: str | None, intended_host) -> str | None:
    """Problem 4 (section 6.3), read from the mechanism: the flow was stopped by a PROTECT rule for
    a private range, and the address it went to belongs, where the client stands, to an ordinary
    host of the network it is visiting (a network the organisation does not run): IPsec cut the
    client off from that network's hosts. Being cut off from an attacker's machine costs nothing."""
    if client_name is None:
        return None
    client = world.hosts[client_name]
    here = world.networks.get(client.network)
    if here is None or here.trusted:
        return None
    decisions = [e for e in _facts(world.ledger, "policy", flow) if e["host"] == client_name]
    if not decisions:
        return None
    last = decisions[-1]
    if last["action"] != "protect" or not last.get("remote") or not _private_prefix(last["remote"]):
        return None
    holder = world.hosts.get(last.get("holder"))   # who held the address where the client stood, as it decided
    return "4" if holder is not None and holder.name != client_name and not holder.malicious else None


def _private_prefix(text: str) -> bool:
    net = prefix(text)
    return is_private(net.network_address) and is_private(net.broadcast_address) and net.prefixlen > 0


# ---------------------------------------------------------------- an attacker's flow

def _admission(world, hit: dict) -> str:
    how = hit.get("admitted_by")
    trigger = hit.get("soft_sa_trigger")
    if how == "soft_sa":
        if trigger:
            return (f"a soft SA admitted it; the soft SA was opened by the host's {trigger['service']} answer to a "
                    f"{trigger['how']} query from {trigger['asker_address']}")
        return _soft_sa_opener(world, hit) + _takeover(world, hit, "a soft SA of the stateful extension (section 7)")
    if how == "bypass:ipv6":
        return "an IPv6 BYPASS rule let it in where IPv4 would demand IPsec"
    if how == "bypass:ipv4":
        return "a BYPASS rule let it in" + _takeover(world, hit, "a BYPASS rule")
    if hit.get("protected"):
        return (f"it came through {hit['host']}'s SA with {hit['peer_name']}, with the inner source "
                f"{hit.get('source')}")
    return "the policy let it in"


def _soft_sa_opener(world, hit: dict) -> str:
    """Which of the host's own packets opened the soft SA that admitted ``hit``, and to whom it went."""
    opened = next((e for e in world.ledger if e["fact"] == "soft_sa" and e["host"] == hit["host"]
                   and e["peer"] == hit.get("source")), None)
    if opened is None or not opened.get("packet"):
        return "a soft SA admitted it because the host had sent that peer a packet first"
    to = f" to {opened['holder']}" if opened.get("holder") else ""
    return (f"a soft SA admitted it; {hit['host']} had opened that soft SA itself, when its packet {opened['packet']}"
            f"{to} got no IKE answer and fell back to clear")


def _takeover(world, hit: dict, granted: str) -> str:
    """The address hijack of section 5.4: the sender had taken over the source address it spoke from."""
    taken = [e for e in world.ledger if e["fact"] == "hijack" and e["host"] == hit["sender"]
             and e["address"] == hit.get("source")]
    if not taken:
        return ""
    previous = taken[-1].get("previous")
    whose = f", {previous}'s address," if previous and previous != hit["sender"] else ""
    return (f"; {hit['sender']} had taken over {hit['source']}{whose} and spoke from it: whoever takes over an "
            f"address gets what {hit['host']}'s policy grants it (section 5.4), here {granted}")


def _attack_problem(world, hit: dict) -> str | None:
    how = hit.get("admitted_by")
    if how == "soft_sa":
        trigger = hit.get("soft_sa_trigger") or {}
        if trigger.get("how") in ("broadcast", "multicast") and trigger.get("asker") == hit["sender"]:
            return "5a"
        return None
    if how == "bypass:ipv6":
        return "5b"
    if hit.get("protected") and hit.get("peer_name"):
        owner = next((h for h in world.hosts.values() if ip(hit["source"]) in h.addresses
                      and not h.malicious), None)
        if owner is not None and owner.fqdn and not name_matches(owner.fqdn, hit["peer_name"]):
            return "1b"   # an authenticated identity spoke with another host's address
    return None


def _unsolicited_verdict(world, flow: str, label: str, intent: dict | None, hit: dict) -> Verdict:
    """The flow's own facts, but the run counts as exposed: an attacker's packet got in meanwhile."""
    own = _judge_request(world, flow, label, intent)
    kind = "clear packet" if not hit["protected"] else "packet"
    why = f"An unsolicited {kind} from {hit['sender']} was accepted by {hit['host']} ({_admission(world, hit)})"
    return replace(own, outcome="exposed", attack_succeeded=True, problem=_attack_problem(world, hit),
                   explanation=why)


def _judge_attack(world, flow: str, label: str, intent: dict | None) -> Verdict:
    ledger = world.ledger
    attacker = intent["client"] if intent else None
    target = intent.get("target") if intent else None
    victim = next((h.name for h in world.hosts.values() if target and ip(target) in h.addresses
                   and not h.malicious), None)
    hits = [e for e in _facts(ledger, "received", flow) if world.hosts[e["sender"]].malicious
            and not world.hosts[e["host"]].malicious]
    if hits:
        hit = hits[0]
        why = (f"{hit['host']} accepted and delivered {hit['sender']}'s data {hit['data'][:32]!r} "
               f"({_admission(world, hit)})")
        return Verdict("exposed", True, _attack_problem(world, hit), hit["host"], hit["host"], hit.get("peer_name"),
                       not hit["protected"], why, flow, label)
    who = attacker or "the attacker"
    taken = [e for e in _facts(ledger, "accepted", flow) if not e["protected"] and e["host"] in world.hosts
             and not world.hosts[e["host"]].malicious]
    if taken:   # an unsolicited clear packet was accepted: the service took the connection, even if no data followed
        hit = taken[0]
        why = (f"{hit['host']} accepted {who}'s connection to port {hit['port']} in clear from {hit['source']}, "
               "though no data followed" + _failure_words(ledger, flow))
        return Verdict("exposed", True, None, hit["host"], hit["host"], None, True, why, flow, label)
    stopped = [e for e in _facts(ledger, "dropped", flow) if e["host"] in world.hosts
               and not world.hosts[e["host"]].malicious]
    if stopped:
        last = stopped[-1]
        rule = f" [{last['rule']}]" if last.get("rule") else ""
        why = f"{last['host']} accepted nothing from {who}: it discarded {last['packet']} ({last['reason']}){rule}"
    else:
        why = f"No data from {who} was accepted" + _failure_words(ledger, flow)
    return Verdict("blocked", False, None, victim, None, None, False, why, flow, label)
