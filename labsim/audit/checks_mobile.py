"""Problems 3 and 4: private addresses are not unique, and a mobile host crosses between their owners.

At home, a name of the organisation may point into a private range (a printer at
10.1.9.10). On a visited network that reuses the range, the same address is someone
else's. If the policy lets that address through in clear, the laptop talks to a stranger
(section 6.2, problem 3). If the policy protects it instead (solution 3), the laptop
cannot talk to anyone at that address on the visited network, honest or not (section 6.3,
problem 4): the paper offers no cure, only the choice of the lesser evil.
"""

from __future__ import annotations

import ipaddress
from functools import partial

from . import worlds
from .context import AuditContext, move_local
from .plan import Fix, Plan, fact_evidence, goes_clear, out_tcp, rule_evidence
from .sampling import pick, within

PRINT_PORT = 9100


def _away(ctx: AuditContext):
    guest = worlds.guest_network(ctx).network_address + 23
    return move_local(ctx.spd, ctx.host_address, guest), guest


def _met_private(ctx: AuditContext) -> list:
    """IPv4 private ranges the host may meet away from home (the profile's private_ranges)."""
    return [p for p in ctx.profile.private_ranges if p.version == 4]


def _org_private_met(ctx: AuditContext) -> list:
    met = _met_private(ctx)
    out = []
    for org in ctx.org_private():
        for m in met:
            if org.version == m.version and org.overlaps(m):
                out.append(org if org.subnet_of(m) else m)
    return out


def _not_mobile(ctx: AuditContext, problem: str) -> Plan:
    return Plan(problem, False, "the profile says the host does not travel, so it never meets another network's "
                                "private addresses (audit it as a laptop with --mobile)",
                (fact_evidence(ctx, "mobile", "stationary"),), applicable=False)


def _ports(ctx: AuditContext, spd, regions) -> list[int]:
    ports = [ctx.profile.port, PRINT_PORT]
    for rule in spd.rules:
        if rule.rport and rule.rport[0] == rule.rport[1] and rule.remote is not None and rule.remote.prefix \
                and any(rule.remote.prefix.overlaps(r) for r in regions if r.version == rule.remote.prefix.version):
            ports.append(rule.rport[0])
    return list(dict.fromkeys(ports))


def check_3(ctx: AuditContext) -> Plan:
    if not ctx.profile.mobile:
        return _not_mobile(ctx, "3")
    regions = _org_private_met(ctx)
    if not regions:
        return Plan("3", False, "none of the organisation's ranges is a private range another network could reuse, "
                                "so no name of the organisation points at an address that means someone else away",
                    (fact_evidence(ctx, "ranges", "the organisation's ranges"),))
    spd, guest = _away(ctx)
    address = None
    tries = [(port, test) for test in (lambda m: m.action == "bypass", goes_clear) for port in _ports(ctx, spd, regions)]
    for port, test in tries:   # a plain BYPASS first, then a PROTECT that falls back to clear
        address = pick(spd, lambda a: test(out_tcp(ctx, a, port, spd, guest)), within(regions),
                       regions=regions, version=4, avoid=[ctx.host_address, ctx.dns_server])
        if address is not None:
            break
    if address is None:
        return Plan("3", False, "away from home, every private address the organisation uses is protected or "
                                "discarded (solution 3); the price is problem 4", (fact_evidence(ctx, "ranges", "the "
                                                                                  "organisation's ranges"),))
    clear = out_tcp(ctx, address, port, spd, guest)
    name = f"printer-b.{ctx.profile.domain}"
    how = "BYPASS" if clear.action == "bypass" else "PROTECT with fallback to clear (the peer there has no IPsec)"
    evidence = (rule_evidence(ctx, clear, f"{address} goes in clear"),
                fact_evidence(ctx, "private_ranges", "private ranges a visited network may use"),
                fact_evidence(ctx, "mobile", "the host travels"))
    why = (f"{address} is the organisation's (a name such as {name} points there), but a visited network may use "
           f"{ipaddress.ip_network(f'{address}/24', strict=False)} too; the policy's {how} sends the data in clear to "
           "whoever holds the address where the laptop stands")
    fix = Fix(f"replace the rule at {ctx.origin(clear.index).cite()} with PROTECT for the organisation's private "
              "ranges, with no fallback to clear (solution 3)",
              "problem 4: away from home the laptop can no longer reach any host that uses those addresses, and "
              "printers without IPsec need another way in (through a protected print server)")
    hedged = why.replace("sends the data in clear", "could send the data in clear")
    return Plan("3", True, why, evidence, partial(worlds.private_address, ctx, name, address, port, True), fix,
                hedged=hedged)


def check_4(ctx: AuditContext) -> Plan:
    if not ctx.profile.mobile:
        return _not_mobile(ctx, "4")
    met = _met_private(ctx)
    spd, guest = _away(ctx)
    port = PRINT_PORT

    def cut_off(a) -> bool:
        match = out_tcp(ctx, a, port, spd, guest)
        return match.action == "discard" or (match.action == "protect" and not match.rule.fallback)

    preferred = [r.network_address + (9 * 256 + 10 if r.prefixlen <= 22 else 10) for r in _org_private_met(ctx)]
    address = pick(spd, cut_off, within(met), regions=_org_private_met(ctx) + met, version=4,
                   avoid=[ctx.host_address, ctx.dns_server], preferred=preferred)
    if address is None:
        return Plan("4", False, "away from home the policy lets the visited network's private hosts be reached "
                                "(in clear: see problem 3 for what that risks)",
                    (fact_evidence(ctx, "private_ranges", "private ranges a visited network may use"),))
    match = out_tcp(ctx, address, port, spd, guest)
    evidence = (rule_evidence(ctx, match, f"{address} must be protected" if match.action == "protect"
                              else f"{address} is discarded"),
                fact_evidence(ctx, "private_ranges", "private ranges a visited network may use"))
    home_name = ctx.in_org(address)
    name = f"printer-b.{ctx.profile.domain}" if home_name else "printer.hotel.example.net"
    why = (f"the policy {'protects' if match.action == 'protect' else 'discards'} {address}, a private address that "
           "other networks use for their own hosts, which speak no IPsec with this laptop: away from home it cannot "
           "talk to them (a communication failure the paper prefers to a security failure)")
    pending = None if home_name else (
        "labsim's verdict names problem 4 only when the application asked for a name of the organisation that "
        "points into the range (verdict._private_address_cost); here the range is not the organisation's, so the "
        "run shows the laptop blocked from the hotel's printer without naming the problem")
    fix = Fix("no change removes it without reopening problem 3: the paper offers no cure (section 6.3)",
              "choose the failure: keep PROTECT (no hotel printers) or BYPASS them (problem 3); guessing sub-ranges "
              "nobody else uses is not sustainable if everyone does it")
    build = partial(worlds.private_address, ctx, name, address, port, False, home_name)
    hedged = why.replace("away from home it cannot talk to them", "away from home it may be unable to talk to them")
    return Plan("4", True, why, evidence, build, fix, pending=pending, hedged=hedged)


__all__ = ["check_3", "check_4"]
