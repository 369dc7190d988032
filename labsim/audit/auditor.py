"""The auditor: run each check, play its counterexample, and let the simulator's verdict decide.

For each of the paper's problems a check reasons over the imported policy and the profile
and proposes a world. The auditor plays that world with :func:`labsim.result.play`. A
finding is *exposed* only if the run's verdict names the problem (and, for an attack, the
attack succeeded); if the check expected exposure and the run disagrees, the finding says
so and claims nothing. If a check found no exposure but a run of the same attack shows it
anyway, the run wins.
"""

from __future__ import annotations

from ..result import play
from .anomalies import find_anomalies
from .checks_dns import check_1a, check_2
from .checks_firewall import check_5a, check_5b
from .checks_identity import check_1b
from .checks_mobile import check_3, check_4
from .context import AuditContext, resolve_context
from .plan import PROBLEMS, Plan
from .policy import ImportedPolicy
from .profile import HostProfile
from .report import AuditReport, Counterexample, Finding, RuleAnomaly

CHECKS = (check_1a, check_1b, check_2, check_3, check_4, check_5a, check_5b)


def audit_policy(policy: ImportedPolicy, profile: HostProfile | None = None, *, seed: int = 0,
                 run: bool = True) -> AuditReport:
    """Audit an imported policy; with ``run=False`` only the static reasoning is reported (nothing is claimed)."""
    ctx = resolve_context(policy, profile or HostProfile())
    findings = tuple(_realise(check(ctx), ctx, seed, run) for check in CHECKS)
    return AuditReport(ctx, findings, _anomalies(ctx))


def shows(result, problem: str) -> bool:
    """Did the run show ``problem``? Problem 4 is a failure to communicate; the others are attacks."""
    if result.problem != problem:
        return False
    return result.outcome == "blocked" if problem == "4" else result.attack_succeeded


def _realise(plan: Plan, ctx: AuditContext, seed: int, run: bool) -> Finding:
    title, section = PROBLEMS[plan.problem]
    counterexample = None
    if run and plan.build is not None:
        built = plan.build(seed=seed)
        result = play(built.world, f"audit {plan.problem}", {"config": ctx.policy.path, "problem": plan.problem})
        counterexample = Counterexample(built.story, result)
    common = dict(problem=plan.problem, title=title, section=section, evidence=plan.evidence,
                  counterexample=counterexample, fix=plan.fix)
    if not plan.applicable:
        return Finding(status="not applicable", why=plan.why, **common)
    shown = counterexample is not None and shows(counterexample.result, plan.problem)
    if plan.exposed:
        if not run:
            return Finding(status="not demonstrated", why=plan.why, note="static analysis only (the counterexample "
                                                                         "was not run)", **common)
        if plan.pending:
            return Finding(status="not demonstrated", why=plan.why, note=f"the simulator cannot show this yet: "
                                                                         f"{plan.pending}", **common)
        if shown:
            return Finding(status="exposed", why=plan.why, **common)
        got = counterexample.result if counterexample else None
        note = ("the auditor expected this problem, but the simulator's run of the counterexample ended "
                f"{got.outcome} ({got.explanation}), so the finding is not claimed" if got else
                "no counterexample could be built, so the finding is not claimed")
        return Finding(status="not demonstrated", why=plan.why, note=note, **common)
    if shown:
        return Finding(status="exposed", why=plan.why, note="the static analysis found no exposure, but the "
                                                           "simulator's run of the same attack shows it; the run "
                                                           "decides", **common)
    return Finding(status="not exposed", why=plan.why, **{**common, "fix": None})


def _anomalies(ctx: AuditContext) -> tuple[RuleAnomaly, ...]:
    out = []
    for a in find_anomalies(ctx.spd):
        origin = ctx.origin(a.index)
        out.append(RuleAnomaly(a.kind, a.index, origin.cite(), str(ctx.spd.rules[a.index]),
                               tuple((j, ctx.origin(j).cite()) for j in a.by), a.explanation))
    return tuple(out)


__all__ = ["audit_policy", "CHECKS", "shows"]
