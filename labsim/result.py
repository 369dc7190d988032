"""Run a scenario and describe the result: the trace, the verdicts, JSON and text.

A run has one verdict per flow the scenario declares (``Scenario.flows``); the first is the
primary one, which ``result.outcome``, ``result.problem`` ... read.

>>> result = run("basics")
>>> result.outcome, result.authenticated_as
('protected', 'server-b.example.org')
>>> list(result.verdicts)
['main']
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .engine import Event
from .ipsec.pad import parse_pad
from .ipsec.spd import parse_spd
from .scenarios import get
from .verdict import Verdict, flow_happened, judge

PROBLEM_TEXT = {
    "1a": "problem 1a (section 4.2): DNS spoofing bypasses the IPsec policy",
    "1b": "problem 1b (section 5.1): a certificate from the shared CA lets one host pass for another",
    "2": "problem 2 (section 6.1): the visited network's DNS server decides where names point",
    "3": "problem 3 (section 6.2): a private address meant one host at home and another here",
    "4": "problem 4 (section 6.3): protecting a private range cuts the laptop off from hosts that reuse it",
    "5a": "problem 5a (section 7): a broadcast made the host open a soft SA for the attacker",
    "5b": "problem 5b (section 7): a newer protocol path (IPv6) with a laxer policy let the attacker in",
}


@dataclass(frozen=True)
class Result:
    scenario: str
    toggles: dict
    verdict: Verdict
    events: tuple[Event, ...]
    world: object = field(compare=False, repr=False)
    verdicts: dict = field(default_factory=dict, compare=False)   # {flow id: Verdict}, primary first

    def __post_init__(self) -> None:
        if not self.verdicts:
            object.__setattr__(self, "verdicts", {self.verdict.flow: self.verdict})

    def __getattr__(self, name):  # outcome, problem, reached_peer ... read through to the verdict
        verdict = object.__getattribute__(self, "verdict")
        if hasattr(verdict, name):
            return getattr(verdict, name)
        raise AttributeError(name)

    def to_json(self) -> dict:
        v = self.verdict
        return {
            "scenario": self.scenario,
            "toggles": dict(self.toggles),
            "outcome": v.outcome,
            "attack_succeeded": v.attack_succeeded,
            "problem": v.problem,
            "intended_peer": v.intended_peer,
            "reached_peer": v.reached_peer,
            "authenticated_as": v.authenticated_as,
            "data_in_clear": v.data_in_clear,
            "explanation": v.explanation,
            "flows": [_flow_json(f) for f in self.verdicts.values()],
            "events": [e.to_dict() for e in self.events],
        }

    def trace_text(self) -> str:
        return "\n".join(e.line() for e in self.events)

    def banner(self) -> str:
        """The outcome in one line; one line per flow (with its label) when the run has several."""
        if len(self.verdicts) == 1:
            return _banner(self.verdict)
        return "\n".join(f"{v.label or v.flow}: {_banner(v)}" for v in self.verdicts.values())

    def text(self) -> str:
        toggles = " ".join(f"{k}={v}" for k, v in self.toggles.items()) or "(no toggles)"
        head = f"{self.scenario} {toggles}\n\n{self.trace_text()}\n\n"
        if len(self.verdicts) == 1:
            return head + f"verdict: {self.banner()}\n{self.verdict.explanation}\n"
        return head + "".join(f"verdict for {v.label or v.flow}: {_banner(v)}\n{v.explanation}\n"
                              for v in self.verdicts.values())


def _banner(v: Verdict) -> str:
    text = f"{v.outcome.upper()}"
    if v.attack_succeeded:
        text += " (the attack succeeded)"
    if v.problem:
        text += f": {PROBLEM_TEXT[v.problem]}"
    return text


def _flow_json(v: Verdict) -> dict:
    return {"flow": v.flow, "label": v.label, "outcome": v.outcome, "attack_succeeded": v.attack_succeeded,
            "problem": v.problem, "intended_peer": v.intended_peer, "reached_peer": v.reached_peer,
            "authenticated_as": v.authenticated_as, "data_in_clear": v.data_in_clear,
            "explanation": v.explanation}


def run(scenario: str, toggles: dict | None = None, *, seed: int = 0, spd: dict[str, str] | None = None,
        pad: dict[str, str] | None = None, **more_toggles) -> Result:
    """Build and play ``scenario`` with ``toggles``; ``spd``/``pad`` replace a host's policy text.

    >>> run("fig1", dns="honest").outcome
    'protected'
    """
    spec = get(scenario)
    values = spec.resolve_toggles({**(toggles or {}), **more_toggles})
    world = spec.build(values, seed=seed)
    for host_name, text in (spd or {}).items():
        world.host(host_name).spd = parse_spd(text, source=f"{host_name}'s SPD")
    for host_name, text in (pad or {}).items():
        world.host(host_name).pad = parse_pad(text, source=f"{host_name}'s PAD")
    return play(world, scenario, values, flows=spec.flows)


def play(world, label: str, toggles: dict | None = None,
         flows: tuple[tuple[str, str], ...] | None = None) -> Result:
    """Run a world built by hand (an audit's counterexample, an exercise) and judge each flow.

    ``flows`` are (id, label) pairs, primary first; by default the one flow ``main``.
    """
    world.run()
    flows = tuple(flows or (("main", ""),))
    declared = tuple(f for f, _ in flows)
    verdicts = {}
    for i, (flow, flow_label) in enumerate(flows):
        if i == 0 or flow_happened(world, flow):
            verdicts[flow] = judge(world, flow, flow_label, declared)
    primary = verdicts[declared[0]]
    return Result(label, dict(toggles or {}), primary, tuple(world.sim.trace), world, verdicts)
