"""The auditor: run each check, play its counterexample, and let the simulator's verdict decide.

For each of the paper's problems a check reasons over the imported policy and the profile
and proposes a world. The auditor plays that world with :func:`labsim.result.play`. A
finding is *exposed* only if the run's verdict names the problem (and, for an attack, the
attack succeeded); if the check expected exposure and the run disagrees, the finding says
so and claims nothing. If a check found no exposure but a run of the same attack shows it
anyway, the run wins.
"""

from __future__ import annotations

import dataclasses
import inspect

from ..result import play
from .anomalies import find_anomalies
from .checks_dns import check_1a, check_2, dns_placements
from .checks_firewall import check_5a, check_5b
from .checks_identity import check_1b
from .checks_mobile import check_3, check_4
from .context import AuditContext, resolve_context
from .plan import PROBLEMS, Plan
from .policy import ImportedPolicy
from .profile import HostProfile
from .report import SEVERITY, AuditReport, Counterexample, Finding, RuleAnomaly

CHECKS = (check_1a, check_1b, check_2, check_3, check_4, check_5a, check_5b)


#: The checks whose verdict depends on where the DNS server is.
DNS_CHECKS = (check_1a, check_1b, check_2)
#: What counts as the honest baseline working: the intended peer got the data.
WORKING = ("protected", "clear")


def audit_policy(policy: ImportedPolicy, profile: HostProfile | None = None, *, seed: int = 0,
                 run: bool = True) -> AuditReport:
    """Audit an imported policy; with ``run=False`` only the static reasoning is reported (nothing is claimed).

    When nothing says where the DNS server is, the checks that depend on it are evaluated
    with the server in each plausible place, and the worst result is reported, naming the
    place it assumes (and the result of every place, when they differ).
    """
    ctx = resolve_context(policy, profile or HostProfile())
    placements = dns_placements(ctx) if ctx.dns_assumed else []
    findings = []
    for check in CHECKS:
        if check in DNS_CHECKS and len(placements) > 1:
            findings.append(_worst_placement(check, ctx, placements, seed, run))
        else:
            findings.append(_realise(check(ctx), ctx, seed, run))
    if policy.left_out and not any(r.action == "protect" for r in ctx.spd.rules):
        findings = [_left_out(f, policy.left_out) for f in findings]
    return AuditReport(ctx, tuple(findings), _anomalies(ctx))


def _left_out(finding: Finding, left_out) -> Finding:
    """Nothing was imported as protected, but the file has IPsec policies the audit could not place."""
    if finding.status != "not exposed" or finding.problem == "5a":   # 5a rests on the stack, not on the rules
        return finding
    why = (f"the file's IPsec policies could not be imported ({len(left_out)} left out, such as {left_out[0]}: see "
           "the import notes), so nothing here shows which traffic they protect; the audit cannot say whether "
           "the host is exposed")
    return dataclasses.replace(finding, status="could not decide", why=why,
                               note=f"with only what could be imported: {finding.why}")


def _worst_placement(check, ctx: AuditContext, placements, seed: int, run: bool) -> Finding:
    cases = []
    for label, address in placements:
        case = ctx.with_dns_server(address, f"assumed: {label} (the configuration does not say)")
        cases.append((label, address, _realise(check(case), case, seed, run)))
    worst = min(cases, key=lambda c: SEVERITY.index(c[2].status))
    finding = worst[2]
    if finding.status == "not applicable":
        return finding
    statuses = {c[2].status for c in cases}
    if len(statuses) == 1:
        note = (f"the configuration does not say where the DNS server is; with it {', or '.join(c[0] for c in cases)}, "
                f"the result is the same")
    else:
        note = (f"the configuration does not say where the DNS server is, so this assumes the worst case: it is "
                f"{worst[0]} ({worst[1]}). The result depends on it: "
                + "; ".join(f"{label} ({address}): {f.status}" for label, address, f in cases)
                + " (give the real one with --dns-server)")
    return dataclasses.replace(finding, note=f"{finding.note}; {note}" if finding.note else note)


def shows(result, problem: str) -> bool:
    """Did the run show ``problem``? Problem 4 is a failure to communicate; the others are attacks."""
    if result.problem != problem:
        return False
    return result.outcome == "blocked" if problem == "4" else result.attack_succeeded


def _realise(plan: Plan, ctx: AuditContext, seed: int, run: bool) -> Finding:
    title, section = PROBLEMS[plan.problem]
    counterexample = baseline = None
    if run and plan.build is not None:
        built = plan.build(seed=seed)
        result = play(built.world, f"audit {plan.problem}", {"config": ctx.policy.path, "problem": plan.problem})
        counterexample = Counterexample(built.story, result)
    shown = counterexample is not None and shows(counterexample.result, plan.problem)
    if run and plan.build is not None and plan.applicable and not shown and _has_baseline(plan.build):
        built = plan.build(seed=seed, honest=True)
        result = play(built.world, f"audit {plan.problem} baseline", {"config": ctx.policy.path,
                                                                      "problem": plan.problem})
        baseline = Counterexample(built.story, result)
    common = dict(problem=plan.problem, title=title, section=section, evidence=plan.evidence,
                  counterexample=counterexample, fix=plan.fix, baseline=baseline)
    if not plan.applicable:
        return Finding(status="not applicable", why=plan.why, **common)
    if baseline is not None and baseline.result.outcome not in WORKING:
        b = baseline.result
        why = (f"with no attacker at all, the host does not reach the server the way its policy intends (the "
               f"baseline run ended {b.outcome}: {b.explanation}), so the attack's run shows nothing either way")
        gateways = sorted({str(r.tunnel) for r in ctx.spd.rules if r.action == "protect" and r.tunnel is not None})
        if gateways:
            why += (f". The policy tunnels through the security gateway {', '.join(gateways)}, which the simulated "
                    "site does not model yet, so the servers behind it cannot be reached in any run")
        verb = "expected this problem" if plan.exposed else "found no exposure"
        return Finding(status="could not decide", why=why, note=f"the static analysis {verb}: {plan.unproven_why}",
                       **common)
    if plan.exposed:
        if not run:
            return Finding(status="not demonstrated", why=plan.unproven_why, note="static analysis only (the counterexample "
                                                                         "was not run)", **common)
        if plan.pending:
            return Finding(status="not demonstrated", why=plan.unproven_why, note=f"the simulator cannot show this yet: "
                                                                         f"{plan.pending}", **common)
        if shown:
            return Finding(status="exposed", why=plan.why, **common)
        got = counterexample.result if counterexample else None
        note = ("the auditor expected this problem, but the simulator's run of the counterexample ended "
                f"{got.outcome} ({got.explanation}), so the finding is not claimed" if got else
                "no counterexample could be built, so the finding is not claimed")
        return Finding(status="not demonstrated", why=plan.unproven_why, note=note, **common)
    if shown:
        return Finding(status="exposed", why=plan.why, note="the static analysis found no exposure, but the "
                                                           "simulator's run of the same attack shows it; the run "
                                                           "decides", **common)
    return Finding(status="not exposed", why=plan.why, **{**common, "fix": None})


def _has_baseline(build) -> bool:
    func = getattr(build, "func", build)
    return "honest" in inspect.signature(func).parameters


def _anomalies(ctx: AuditContext) -> tuple[RuleAnomaly, ...]:
    out = []
    for a in find_anomalies(ctx.spd):
        # Two ICMPv6 rules for different types (neighbour solicitation, advertisement...) look
        # identical once the type is dropped: they are not redundant to each other.
        if a.index in ctx.policy.approximate and any(j in ctx.policy.approximate for j in a.by):
            continue
        origin = ctx.origin(a.index)
        out.append(RuleAnomaly(a.kind, a.index, origin.cite(), str(ctx.spd.rules[a.index]),
                               tuple((j, ctx.origin(j).cite()) for j in a.by), a.explanation))
    return tuple(out)


__all__ = ["audit_policy", "CHECKS", "shows"]
