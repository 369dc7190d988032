"""The audit's result: one finding per problem of the paper, the rule anomalies, and how to show them.

A :class:`Finding` is *exposed* only when its counterexample ran in the simulator and the
verdict named that problem; the auditor's own reasoning is the ``why``, the run is the
proof. *Not demonstrated*: the reasoning expects the problem but no run showed it (the
``why`` then says what might happen, never that it does). *Could not decide*: the baseline
(the same world with no attacker) did not work, or the file's policies could not be
imported, so no run shows anything either way. ``counterexample.result`` is an ordinary :class:`~labsim.result.Result`, so a
notebook can print its trace or animate it like any scenario's.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from ..result import Result
from .context import AuditContext
from .plan import Evidence, Fix

STATUSES = ("exposed", "not exposed", "not demonstrated", "could not decide", "not applicable")
#: From the worst to the most reassuring: what a report shows when several cases were tried.
SEVERITY = ("exposed", "not demonstrated", "could not decide", "not exposed", "not applicable")
FORMAT_NAMES = {"strongswan": "strongSwan swanctl.conf", "xfrm": "Linux ip xfrm policies", "spd": "labsim SPD text"}


@dataclass(frozen=True)
class Counterexample:
    """A world built on the audited policy, and the simulator's run of it."""

    story: tuple[str, ...]
    result: Result

    @property
    def outcome(self) -> str:
        return self.result.outcome

    def to_json(self, events: bool = True) -> dict:
        data = {"story": list(self.story), "outcome": self.result.outcome, "problem": self.result.problem,
                "attack_succeeded": self.result.attack_succeeded, "explanation": self.result.explanation}
        if events:
            data["run"] = self.result.to_json()
        return data


@dataclass(frozen=True)
class Finding:
    problem: str
    title: str
    section: str
    status: str
    why: str
    evidence: tuple[Evidence, ...] = ()
    counterexample: Counterexample | None = None
    fix: Fix | None = None
    note: str = ""
    baseline: Counterexample | None = None    # the same world with no attacker: it must work for any verdict

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status is one of {STATUSES}, not {self.status!r}")

    @property
    def exposed(self) -> bool:
        return self.status == "exposed"

    @property
    def result(self) -> Result | None:
        return self.counterexample.result if self.counterexample else None

    def to_json(self, events: bool = True) -> dict:
        return {"problem": self.problem, "title": self.title, "section": self.section, "status": self.status,
                "exposed": self.exposed, "why": self.why, "evidence": [e.to_json() for e in self.evidence],
                "counterexample": self.counterexample.to_json(events) if self.counterexample else None,
                "fix": self.fix.to_json() if self.fix and self.status != "not applicable" else None,
                "note": self.note or None,
                "baseline": self.baseline.to_json(events) if self.baseline else None}


@dataclass(frozen=True)
class RuleAnomaly:
    """A shadowed or redundant rule, with the source lines of the rule and of the rules responsible."""

    kind: str
    rule: int
    cite: str
    text: str
    by: tuple[tuple[int, str], ...]
    explanation: str

    def to_json(self) -> dict:
        return {"kind": self.kind, "section": "3", "rule": self.rule + 1, "cite": self.cite, "text": self.text,
                "by": [{"rule": i + 1, "cite": c} for i, c in self.by], "explanation": self.explanation}


@dataclass(frozen=True)
class AuditReport:
    context: AuditContext
    findings: tuple[Finding, ...]
    anomalies: tuple[RuleAnomaly, ...]

    def finding(self, problem: str) -> Finding:
        return next(f for f in self.findings if f.problem == problem)

    def __getitem__(self, problem: str) -> Finding:
        return self.finding(problem)

    @property
    def exposed(self) -> list[str]:
        return [f.problem for f in self.findings if f.exposed]

    def to_json(self, events: bool = True) -> dict:
        ctx = self.context
        policy = ctx.policy
        return {
            "config": policy.path, "format": policy.format,
            "spd": [{"rule": i + 1, "text": str(r), "origin": policy.origin_of(i).to_json()}
                    for i, r in enumerate(ctx.spd.rules)],
            "pad": [str(e) for e in ctx.pad.entries], "name_check": ctx.name_check,
            "profile": [f.to_json() for f in ctx.facts],
            "exposed": self.exposed,
            "findings": [f.to_json(events) for f in self.findings],
            "anomalies": [a.to_json() for a in self.anomalies],
            "notes": [n.to_json() for n in policy.notes],
        }

    def text(self, width: int = 100) -> str:
        return render_text(self, width)

    def _repr_markdown_(self) -> str:   # a notebook shows the same report, monospaced
        return "```\n" + self.text() + "\n```"


def render_text(report: AuditReport, width: int = 100) -> str:
    ctx = report.context
    policy = ctx.policy
    out = [f"labsim audit of {policy.path} ({FORMAT_NAMES[policy.format]})", ""]
    out.append("The policy as the simulator runs it (first match wins):")
    lines = [str(r) for r in ctx.spd.rules]
    col = max(len(line) for line in lines) + 2 if lines else 0
    for i, line in enumerate(lines):
        out.append(f"  {i + 1:>3}  {line:<{col}}{policy.origin_of(i).cite()}")
    out.append(f"  PAD: {ctx.pad.text() or '(empty)'}".replace("\n", "\n       "))
    out.append(f"  identity check: {ctx.name_check}")
    out += ["", "Host profile (what the file does not say; flags or labsim-profile.toml change it):"]
    for fact in ctx.facts:
        if fact.name in ("pad", "name_check"):
            continue
        out.append(f"  {fact.name:<21}{_clip(fact.value, 38):<40}{fact.source}")
    out += ["", 'Findings (Aura, Roe, Mohammed, "Experiences with Host-to-Host IPsec"):']
    for f in report.findings:
        out.append("")
        out.append(f"  {f.problem:<3} {f.status.upper():<17}{f.title} (section {f.section})")
        out += _wrap("why: " + f.why, width, 6)
        for e in f.evidence:
            out += _wrap(f"- {e.cite}: {e.text}", width, 6, 8)
        if f.counterexample:
            r = f.counterexample.result
            problem = f", problem {r.problem}" if r.problem == f.problem else ""
            label = "counterexample" if f.status in ("exposed", "not demonstrated") else "the same attack, tried"
            if f.baseline is not None:
                b = f.baseline.result
                out += _wrap(f"baseline (no attacker): {b.outcome}: {b.explanation}", width, 6)
            out += _wrap(f"{label}: " + " ".join(f.counterexample.story), width, 6)
            out += _wrap(f"simulator: {r.outcome}{problem}"
                         f"{' (the attack succeeded)' if r.attack_succeeded else ''}: {r.explanation}", width, 6)
        if f.note:
            out += _wrap("note: " + f.note, width, 6)
        if f.fix and f.status != "not applicable":
            out += _wrap("smallest fix: " + f.fix.change, width, 6)
            out += _wrap("its cost: " + f.fix.cost, width, 6)
            for change, cost in f.fix.alternatives:
                out += _wrap(f"or: {change} (cost: {cost})", width, 6)
    out += ["", "Rule anomalies (section 3: an SPD is read top down and the first match decides):"]
    if not report.anomalies:
        out.append("  none: every rule decides some packets, and none could be removed without a change")
    for a in report.anomalies:
        by = ", ".join(f"rule {i + 1} ({c})" for i, c in a.by)
        out += _wrap(f"- rule {a.rule + 1} ({a.cite}) is {a.kind}: {a.explanation}; see {by}", width, 2, 4)
    if policy.notes:
        out += ["", "Import notes (what the translation could not say exactly):"]
        for note in policy.notes:
            out += _wrap(f"- {note}", width, 2, 4)
    by_status = {s: [f.problem for f in report.findings if f.status == s] for s in STATUSES}
    summary = "; ".join(f"{s}: {', '.join(p)}" for s, p in by_status.items() if p)
    out += ["", f"Summary: {summary}."]
    return "\n".join(out)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _wrap(text: str, width: int, indent: int, hang: int | None = None) -> list[str]:
    hang = indent + 2 if hang is None else hang
    return textwrap.wrap(text, width, initial_indent=" " * indent, subsequent_indent=" " * hang,
                         break_long_words=False, break_on_hyphens=False) or [""]


__all__ = ["AuditReport", "Finding", "Counterexample", "RuleAnomaly", "STATUSES", "SEVERITY", "render_text"]
