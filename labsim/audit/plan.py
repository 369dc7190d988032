"""What a check concludes before anything runs: a plan, with its evidence, its fix and its counterexample.

A check (:mod:`labsim.audit.checks`) reads the policy and the profile and says whether the
host looks exposed to one of the paper's problems, citing the rules and settings
responsible, and how to build the world that would show it. The auditor then runs that
world; only the run's verdict makes a finding "exposed".
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass

from ..ipsec.spd import Match, PacketView
from .context import AuditContext
from .profile import Server
from .sampling import EPHEMERAL_PORT, is_public, pick, within

#: The paper's problems: a short title and the section that states it.
PROBLEMS = {
    "1a": ("DNS spoofing bypasses the IPsec policy", "4.2"),
    "1b": ("a certificate from the shared CA lets one host pass for another (group authentication)", "5.1"),
    "2": ("a mobile host lets the visited network's DNS decide where names point", "6.1"),
    "3": ("a private address means another host where the mobile host now is", "6.2"),
    "4": ("protecting a private range cuts the mobile host off from hosts that reuse it", "6.3"),
    "5a": ("a broadcast makes the host answer, and the answer opens a soft SA for the attacker", "7"),
    "5b": ("a newer protocol (IPv6) with a laxer policy lets the attacker in", "7"),
}


@dataclass(frozen=True)
class Evidence:
    """One reason: a rule (``cite`` is file:line), a PAD entry, or a profile setting."""

    cite: str
    text: str

    def to_json(self) -> dict:
        return {"cite": self.cite, "text": self.text}


@dataclass(frozen=True)
class Fix:
    """The smallest change that removes the problem, what it costs, and other ways with their costs."""

    change: str
    cost: str
    alternatives: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict:
        return {"change": self.change, "cost": self.cost,
                "alternatives": [{"change": c, "cost": k} for c, k in self.alternatives]}


@dataclass(frozen=True)
class Plan:
    problem: str
    exposed: bool
    why: str
    evidence: tuple[Evidence, ...] = ()
    build: Callable | None = None      # build(seed) -> worlds.Built: the counterexample, or the same attack tried
    fix: Fix | None = None
    applicable: bool = True
    pending: str | None = None         # what the simulator cannot show yet
    hedged: str | None = None          # ``why`` as a possibility, for when the run does not show it (never as fact)

    @property
    def unproven_why(self) -> str:
        return self.hedged or self.why


# ---------------------------------------------------------------- helpers the checks share

def rule_evidence(ctx: AuditContext, match: Match, role: str) -> Evidence:
    if match.rule is None:
        return Evidence(ctx.policy.path, f"{role}: no rule matches, so the packet is discarded")
    origin = ctx.origin(match.index)
    return Evidence(origin.cite(), f"{role}: {match.rule}  [{origin.text}]")


def fact_evidence(ctx: AuditContext, name: str, meaning: str) -> Evidence:
    fact = ctx.fact(name)
    return Evidence(f"profile: {name} = {fact.value} ({fact.source})", meaning)


def pad_evidence(ctx: AuditContext, index: int | None, meaning: str) -> Evidence:
    if index is None:
        return Evidence(f"PAD ({ctx.fact('pad').source})", meaning)
    entry = ctx.pad.entries[index]
    if ctx.policy.pad is not None and not ctx.profile.pad:
        origin = ctx.policy.pad[index].origin
        return Evidence(origin.cite(), f"{meaning}: PAD entry '{entry}' [{origin.text}]")
    where = f"{ctx.profile.pad}:{entry.line_no}" if ctx.profile.pad else ctx.fact("pad").source
    return Evidence(where, f"{meaning}: PAD entry '{entry}'")


def own(ctx: AuditContext, peer):
    return ctx.host_address if peer.version == 4 else ctx.host_address6


def out_tcp(ctx: AuditContext, peer, port: int, spd=None, source=None) -> Match:
    view = PacketView.outbound(source or own(ctx, peer), peer, "tcp", EPHEMERAL_PORT, port)
    return (spd or ctx.spd).lookup(view)


def goes_clear(match: Match) -> bool:
    """A connection to a peer that never answers IKE leaves in clear: BYPASS, or PROTECT that falls back."""
    return match.action == "bypass" or (match.action == "protect" and match.rule.fallback)


def targets(ctx: AuditContext, port: int | None = None):
    """The servers the host talks to (from the profile or the policy), or one picked in a protected range."""
    if ctx.servers:
        return list(ctx.servers)
    first = port or ctx.profile.port
    # The profile's port first; then the TCP ports the PROTECT rules name (a policy that protects
    # only some services protects no server on port 80).
    ports = [first] + sorted({r.rport[0] for r in ctx.spd.rules if r.action == "protect" and r.rport
                              and r.proto in (None, 6) and r.rport[0] == r.rport[1] and r.rport[0] != first})
    for candidate in ports[:8]:
        found = _protected_server(ctx, candidate)
        if found:
            return found
    return []


def _protected_server(ctx: AuditContext, port: int):
    v4 = [p for p in ctx.ranges if p.version == 4]
    avoid = [ctx.host_address, ctx.dns_server]
    found = pick(ctx.spd, lambda a: out_tcp(ctx, a, port).action == "protect", within(v4), regions=v4, version=4,
                 avoid=avoid, preferred=[p.network_address + 3 * 256 + 4 for p in v4 if p.prefixlen <= 22])
    if found is None:
        # An IPv6 host-to-host policy: the server is an IPv6 peer in a protected IPv6 range.
        v6 = [p for p in ctx.ranges if p.version == 6 and not p.network_address.is_link_local]
        found = pick(ctx.spd, lambda a: out_tcp(ctx, a, port).action == "protect", within(v6), regions=v6,
                     version=6, avoid=[a for a in (ctx.host_address6,) if a is not None],
                     preferred=[p.network_address + 0x304 for p in v6])
    if found is None:
        # A full tunnel protects the Internet, not the local network: a server out there, reached through it.
        found = pick(ctx.spd, lambda a: out_tcp(ctx, a, port).action == "protect", is_public, version=4,
                     avoid=avoid, preferred=[ipaddress.ip_address("198.51.100.80")])
    return [Server(f"server-b.{ctx.profile.domain}", found, port)] if found is not None else []


__all__ = ["PROBLEMS", "Evidence", "Fix", "Plan", "rule_evidence", "fact_evidence", "pad_evidence", "out_tcp",
           "goes_clear", "own", "targets"]
