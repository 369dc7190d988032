"""Problem 1b: the certificate names a host, the SPD an address, and something must compare them.

IKE proves that the peer holds a certificate from a trusted CA for *some* name. Unless
the stack checks that this name belongs at the address the SPD matched (a name selector,
a PAD entry per peer, secure reverse DNS, a name handle, or the application asking its
socket), any host the CA certified can answer for any protected address: group
authentication (section 5.1). strongSwan's ``remote.id = %any`` with ``cacerts`` is that
configuration, word for word.
"""

from __future__ import annotations

import ipaddress
from functools import partial

from ..ipsec.spd import name_matches
from . import worlds
from .checks_dns import dns_path
from .context import AuditContext
from .plan import Fix, Plan, fact_evidence, out_tcp, pad_evidence, rule_evidence, targets
from .sampling import pick, within

WHY_NOT = {
    "secure_reverse_dns": "the stack asks secure reverse DNS who owns the address, and the insider cannot sign a "
                          "reverse answer for an address it does not own (section 5.2)",
    "name_handle": "the resolver hands the application a handle that remembers the name, and the stack compares "
                   "it with the certified name (section 5.4)",
    "application": "the application asks its socket who the peer authenticated as and refuses another name "
                   "(solution 1, section 5.5)",
}


def _fix(ctx: AuditContext) -> Fix:
    if ctx.policy.format == "strongswan":
        change = ("replace remote.id = %any with one connection per server that names it: remote.id = "
                  "<server's name>, remote_addrs = <its address>, remote_ts = <its address> (a PAD entry per peer, "
                  "RFC 4301 section 4.4.3)")
    else:
        change = ("give the stack a PAD that lists which name may use which address (name_check = pad, pad = FILE), "
                  "or name the peer on each PROTECT rule (protect remote 10.1.3.4 name server-b.example.org)")
    return Fix(change, "someone must keep a table of which name owns which address for every server: the PAD is "
                       "secure reverse DNS by another name (section 5.3), and hosts with dynamic addresses cannot "
                       "be listed",
               (("let applications check who the peer authenticated as (solution 1)",
                 "needs a socket API that reports the peer's certified name; every application changes"),))


def check_1b(ctx: AuditContext) -> Plan:
    servers = [s for s in targets(ctx) if ctx.in_org(s.address)
               and out_tcp(ctx, s.address, s.port).action == "protect"]
    if not servers:
        return Plan("1b", False, "no server in the organisation's ranges is protected by IPsec, so no certificate "
                                 "is ever relied on")
    server = servers[0]
    domain = ctx.profile.domain
    insider = f"pc-c.{domain}" if not server.name.startswith("pc-c.") else f"pc-d.{domain}"
    # The insider sits in the organisation's ranges, or at least on the host's own segment.
    v4 = [p for p in ctx.ranges if p.version == 4 and p.num_addresses > 4] + \
        [ipaddress.ip_network(f"{ctx.host_address}/24", strict=False)]
    insider_at = pick(ctx.spd, lambda a: True, within(v4), regions=v4, version=4,
                      avoid=[ctx.host_address, ctx.dns_server, server.address], preferred=[v4[0].network_address + 7])
    guard = out_tcp(ctx, server.address, server.port)
    evidence = [rule_evidence(ctx, guard, f"{server.name} ({server.address}) is protected")]
    build = partial(worlds.impersonation, ctx, server, insider_at) if insider_at is not None else None
    rule = guard.rule
    auth = ctx.pad.authorize(insider, ctx.profile.ca, server.address)
    reasons = []
    if not auth.ok:
        evidence.append(pad_evidence(ctx, auth.index, f"the PAD refuses: {auth.reason}"))
        reasons.append(f"the PAD says which names may use {server.address}, and {insider} is not one of them "
                       "(RFC 4301 section 4.4.3)")
    if rule.name and not name_matches(rule.name, insider):
        reasons.append(f"the rule names the peer ({rule.name}), so the stack will not send application data over "
                       "an SA authenticated as anyone else")
    if reasons:
        return Plan("1b", False, "; and ".join(reasons), tuple(evidence), build)
    evidence.append(pad_evidence(ctx, auth.index, f"{insider} may use {server.address}"))
    mode = ctx.name_check
    evidence.append(fact_evidence(ctx, "name_check", "what the stack does with the certified name"))
    if mode in WHY_NOT:
        return Plan("1b", False, WHY_NOT[mode], tuple(evidence), build)
    if mode == "reverse_dns":
        query, answer = dns_path(ctx, ctx.dns_server)
        if ctx.profile.dnssec or query.action != "bypass" or answer.action != "bypass":
            return Plan("1b", False, "the stack looks the address up in reverse DNS, and the insider can neither "
                                     "forge the answer (it is signed, or DNS runs under IPsec) nor change the "
                                     "reverse zone", tuple(evidence), build)
        how = "the stack's reverse lookup is plain DNS, which the insider forges"
    elif mode == "forward_dns":
        how = "the stack looks the certified name up, and the insider has added the address to its own name"
    else:
        how = ("nothing compares the certified name with the server's" if auth.entry is None or
               auth.entry.pattern == "*" or auth.entry.pattern.startswith("*.") else
               f"the PAD lets {auth.entry.pattern} use {server.address}")
    why = (f"any host with a certificate from {ctx.profile.ca} can answer for {server.address}: {how}. "
           f"{insider} hijacks the address and the host accepts it as {server.name}'s peer")
    hedged = (f"nothing in the policy seems to stop another host with a certificate from {ctx.profile.ca} answering "
              f"for {server.address} ({how}); if {insider} took the address over, the host could accept it as "
              f"{server.name}'s peer")
    return Plan("1b", True, why, tuple(evidence), build, _fix(ctx), hedged=hedged)


__all__ = ["check_1b"]
