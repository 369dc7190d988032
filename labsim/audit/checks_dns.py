"""Problems 1a and 2: whoever controls name resolution chooses which rule applies.

The SPD is written in addresses; the application starts from a name. If an attacker can
choose the address a name resolves to, it can choose one the policy lets through in clear
(section 4.2, problem 1a). On a visited network the attacker need not forge anything: the
network's own DNS server, or its transparent proxy, answers (section 6.1, problem 2).

What defeats it: answers that cannot be forged (DNSSEC), or DNS that an attacker cannot
read or answer (queries to a trusted server under IPsec: solution 2); and, to limit the
damage, no clear path to the addresses an attacker can hold.
"""

from __future__ import annotations

import ipaddress
from functools import partial

from ..ipsec.spd import PacketView
from . import worlds
from .context import AuditContext, move_local
from .plan import Fix, Plan, fact_evidence, goes_clear, out_tcp, own, rule_evidence, targets
from .sampling import EPHEMERAL_PORT, PUBLIC_SAMPLES, is_public, pick, within


def dns_path(ctx: AuditContext, server, spd=None, source=None):
    """(query, answer) SPD matches for plain DNS between the host and ``server``."""
    spd = spd or ctx.spd
    me = source or own(ctx, server)
    query = spd.lookup(PacketView.outbound(me, server, "udp", EPHEMERAL_PORT, 53))
    answer = spd.lookup(PacketView.inbound(server, me, "udp", 53, EPHEMERAL_PORT))
    return query, answer


def dns_evidence(ctx: AuditContext, query, answer, server) -> list:
    if query.index == answer.index:
        return [rule_evidence(ctx, query, f"DNS with {server}, both ways")]
    return [rule_evidence(ctx, query, f"DNS queries to {server}"), rule_evidence(ctx, answer, f"answers from {server}")]


def dns_placements(ctx: AuditContext) -> list[tuple[str, object]]:
    """Where the DNS server may plausibly be when nothing says so: (description, address), each once.

    The organisation's range (the assumed default), the host's own network where DNS goes
    in clear, and the Internet where DNS goes in clear: a place whose DNS the policy
    discards is left out (the host could not resolve names there at all).
    """
    def works(a, clear):
        query, answer = dns_path(ctx, a)
        if "discard" in (query.action, answer.action):
            return False
        return not clear or query.action == "bypass"

    out = []
    first = ctx.dns_server
    query, _ = dns_path(ctx, first)
    how = "under IPsec" if query.action == "protect" else "in clear"
    out.append((f"inside the organisation's range, reached {how}", first))
    lan = ipaddress.ip_network(f"{ctx.host_address}/24", strict=False)
    local = pick(ctx.spd, lambda a: works(a, True), within([lan]), regions=[lan], version=4,
                 avoid=[ctx.host_address, first], preferred=[lan.network_address + 53, lan.network_address + 1])
    if local is not None:
        out.append(("on the host's own network, reached in clear", local))
    internet = pick(ctx.spd, lambda a: works(a, False), is_public, version=4, avoid=[first, *PUBLIC_SAMPLES],
                    preferred=[ipaddress.ip_address("198.51.100.53")])
    if internet is not None:
        how = "under IPsec" if dns_path(ctx, internet)[0].action == "protect" else "in clear"
        out.append((f"on the Internet, reached {how}", internet))
    return [(label, a) for i, (label, a) in enumerate(out) if a not in [b for _, b in out[:i]]]


def narrow_bypass(ctx: AuditContext, clear) -> str:
    """How to stop ``clear``'s rule from letting the connection out, in the configuration's own terms."""
    origin = ctx.origin(clear.index)
    if origin.line is None and ctx.policy.format == "strongswan":
        return ("end the policy with DISCARD: a drop shunt for 0.0.0.0/0 and ::/0 (drop shunts have the lowest "
                "priority, so the IPsec and pass policies still win), then pass shunts only for the peers and ports "
                "that need clear traffic")
    if origin.line is None and ctx.policy.format == "xfrm":
        return ("end the policy with DISCARD (ip xfrm policy setdefault in block out block), then allow policies "
                "only for the peers and ports that need clear traffic")
    return (f"narrow the BYPASS at {origin.cite()} to the peers and ports that need it, or end the SPD with "
            "DISCARD")


def _clear_target(ctx: AuditContext, port: int, where, spd=None, source=None, avoid=()):
    """An address an attacker can hold where a connection to ``port`` goes in clear."""
    return pick(spd or ctx.spd, lambda a: goes_clear(out_tcp(ctx, a, port, spd, source)), where, version=4,
                avoid=[ctx.host_address, ctx.dns_server, *avoid])


def _protected_server(ctx: AuditContext):
    return next((s for s in targets(ctx) if out_tcp(ctx, s.address, s.port).action == "protect"), None)


def _fix(ctx: AuditContext, dns_answer, clear) -> Fix:
    if dns_answer.action == "bypass" and dns_answer.rule is not None and dns_answer.rule.remote is None \
            and ctx.spd.lookup(PacketView.outbound(own(ctx, ctx.dns_server), ctx.dns_server, "udp", EPHEMERAL_PORT,
                                                   53)).action == "protect":
        change = (f"protect the answers too: an inbound PROTECT policy (dir in) for DNS from {ctx.dns_server}, so a "
                  "clear answer from its address is discarded (solution 2)")
    elif dns_answer.rule is not None and dns_answer.rule.remote is not None and dns_answer.rule.action == "bypass":
        change = (f"make DNS to {ctx.dns_server} a PROTECT rule ({ctx.origin(dns_answer.index).cite()}), so queries "
                  "and answers travel under IPsec (solution 2)")
    else:
        change = f"add a PROTECT rule for DNS (UDP 53) to {ctx.dns_server} above the rules that bypass it (solution 2)"
    return Fix(change, "the DNS server must run IPsec with every client, and this only stops forgery on the path: a "
                       "server that lies, or one the host cannot reach under IPsec, is not helped (section 6.1)",
               (("validate DNSSEC (signed zones and a validating resolver: dnssec = true in the profile)",
                 "the organisation's zones, forward and reverse, must be signed, and secure DNS is not widely "
                 "deployed (section 5.2)"),
                (narrow_bypass(ctx, clear), "whatever is no longer bypassed becomes unreachable in clear (the "
                                            "Internet, printers): section 6.4's trade-off")))


def check_1a(ctx: AuditContext) -> Plan:
    server = _protected_server(ctx)
    if server is None:
        return Plan("1a", False, "no server the host talks to is protected by IPsec, so there is nothing for DNS "
                                 "spoofing to bypass", (fact_evidence(ctx, "host_address", "the audited host's "
                                                                                          "address"),
                                                        fact_evidence(ctx, "ranges", "where its servers are")))
    guard = out_tcp(ctx, server.address, server.port)
    attacker = _clear_target(ctx, server.port, lambda a: is_public(a) or ctx.in_org(a), avoid=[server.address])
    evidence = [rule_evidence(ctx, guard, f"{server.name} ({server.address}) is protected")]
    if attacker is None:
        return Plan("1a", False, f"no address an attacker could hold is reached in clear on TCP {server.port}: a "
                                 "forged answer could only point the connection somewhere it must be protected or "
                                 "is discarded", tuple(evidence))
    clear = out_tcp(ctx, attacker, server.port)
    evidence.append(rule_evidence(ctx, clear, f"{attacker} goes in clear"))
    query, answer = dns_path(ctx, ctx.dns_server)
    evidence += dns_evidence(ctx, query, answer, ctx.dns_server)
    build = partial(worlds.dns_spoofing, ctx, server, attacker)
    if "discard" in (query.action, answer.action):
        return Plan("1a", False, f"DNS with {ctx.dns_server} is discarded, so the host cannot resolve names that "
                                 "way at all", tuple(evidence))
    if ctx.profile.dnssec:
        evidence.append(fact_evidence(ctx, "dnssec", "answers must validate with the zone's key"))
        return Plan("1a", False, "DNS answers are signed and validated: a forged answer fails validation and the "
                                 "resolver waits for the real one", tuple(evidence), build)
    if answer.action != "bypass":
        return Plan("1a", False, f"answers from {ctx.dns_server} must arrive under IPsec, so an attacker cannot "
                                 "answer in their place (solution 2)", tuple(evidence), build)
    evidence.append(fact_evidence(ctx, "dnssec", "answers are not validated"))
    if query.action != "bypass":
        # Outbound-only protection: the query leaves under IPsec, but a clear answer is let in
        # (Linux accepts a clear packet that no inbound policy matches). Forging needs only that.
        why = (f"queries to {ctx.dns_server} leave under IPsec, but clear answers from its address are let in, "
               f"so nothing in the policy stops a forged answer; if one is accepted, a connection meant for "
               f"{server.name} would go to {attacker}, which is reached in clear")
        return Plan("1a", True, why, tuple(evidence), build, _fix(ctx, answer, clear),
                    pending="its attacker cannot read an encrypted query, so it cannot race a matching answer; a "
                            "blind forgery (guessing the query's id and port) is not modelled")
    how = "in clear" if clear.action == "bypass" else "in clear once IKE with it fails (fallback)"
    why = (f"plain DNS answers from {ctx.dns_server} are believed, and a connection to {attacker} goes {how}: a "
           f"forged answer for {server.name} sends the application's data to whoever holds {attacker}")
    hedged = (f"plain DNS answers from {ctx.dns_server} would be believed, and a connection to {attacker} would go "
              f"{how}: a forged answer for {server.name} could send the application's data to whoever holds "
              f"{attacker}")
    return Plan("1a", True, why, tuple(evidence), build, _fix(ctx, answer, clear), hedged=hedged)


def check_2(ctx: AuditContext) -> Plan:
    if not ctx.profile.mobile:
        return Plan("2", False, "the profile says the host does not travel, so it never uses a visited network's "
                                "DNS (audit it as a laptop with --mobile)", (fact_evidence(ctx, "mobile", "stationary"),),
                    applicable=False)
    server = _protected_server(ctx)
    if server is None:
        return Plan("2", False, "no server the host talks to is protected by IPsec, so there is nothing to bypass")
    guest_net = worlds.guest_network(ctx)
    guest, hotspot = guest_net.network_address + 23, guest_net.network_address + 1
    away = move_local(ctx.spd, ctx.host_address, guest)
    attacker = _clear_target(ctx, server.port, is_public, away, guest, avoid=[server.address, hotspot])
    evidence = [rule_evidence(ctx, out_tcp(ctx, server.address, server.port), f"{server.name} is protected")]
    if attacker is None:
        return Plan("2", False, f"away from home, no address on the Internet is reached in clear on TCP "
                                f"{server.port}, so a lying DNS server has nowhere to send the connection",
                    tuple(evidence))
    clear = out_tcp(ctx, attacker, server.port, away, guest)
    evidence.append(rule_evidence(ctx, clear, f"{attacker} goes in clear"))
    away_mode = ctx.profile.dns_away
    evidence.append(fact_evidence(ctx, "dns_away", "where the laptop's DNS questions go when away"))
    build = partial(worlds.foreign_dns, ctx, server, attacker, away_mode)
    if ctx.profile.dnssec:
        evidence.append(fact_evidence(ctx, "dnssec", "answers must validate with the zone's key"))
        return Plan("2", False, "answers are signed and validated, so neither the visited network's server nor its "
                                "proxy can forge one (section 6.1); it can only deny service", tuple(evidence), build)
    asked = hotspot if away_mode == "dhcp" else ctx.dns_server
    query, answer = dns_path(ctx, asked, away, guest)
    evidence += dns_evidence(ctx, query, answer, asked)
    if away_mode == "home" and query.action == "protect" and answer.action == "bypass":
        why = (f"queries to the home server {asked} leave under IPsec, but clear answers from its address are let "
               "in, so nothing in the policy stops the visited network from answering in its place")
        return Plan("2", True, why, tuple(evidence), build,
                    Fix(f"protect DNS answers from {asked} as well (an inbound PROTECT rule, or a policy for both "
                        "directions), or validate DNSSEC", "the home server must be reachable under IPsec from any "
                        "network; DNSSEC needs signed zones"),
                    pending="its visited network cannot read an encrypted query, so it cannot race a matching "
                            "answer; a blind forgery is not modelled")
    if query.action != "bypass" or answer.action != "bypass":
        if away_mode == "home":
            return Plan("2", False, f"DNS to the home server {asked} travels under IPsec both ways, so the visited "
                                    "network can neither read nor answer it (solution 2)", tuple(evidence))
        return Plan("2", False, f"the policy does not let plain DNS to the visited network's server ({asked}) "
                                "through, so the laptop cannot use it", tuple(evidence))
    who = "the DNS server the visited network's DHCP names" if away_mode == "dhcp" else \
        f"the visited network's transparent DNS proxy, answering for the home server {asked}"
    why = (f"away from home the laptop believes {who}; it can map {server.name} to {attacker}, which the policy "
           "reaches in clear")
    hedged = (f"away from home the laptop would believe {who}; it could map {server.name} to {attacker}, which the "
              "policy reaches in clear")
    fix = Fix("ask the home DNS server, through IPsec, wherever the laptop is (dns_away = home, with a PROTECT rule "
              "for DNS to it: solution 2), or validate DNSSEC",
              "the home server must be reachable under IPsec from any network (a VPN, or a public address), and an "
              "unprotected query to it is intercepted (section 6.1); DNSSEC needs signed zones")
    return Plan("2", True, why, tuple(evidence), build, fix, hedged=hedged)


__all__ = ["check_1a", "check_2", "dns_path", "dns_placements", "dns_evidence", "narrow_bypass"]
