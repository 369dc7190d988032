"""Run a scenario and describe the result: the trace, the verdict, JSON and text.

>>> result = run("basics")
>>> result.outcome, result.authenticated_as
('protected', 'server-b.example.org')
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .engine import Event
from .ipsec.pad import parse_pad
from .ipsec.spd import parse_spd
from .scenarios import get
from .verdict import Verdict, judge

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
            "events": [e.to_dict() for e in self.events],
        }

    def trace_text(self) -> str:
        return "\n".join(e.line() for e in self.events)

    def banner(self) -> str:
        v = self.verdict
        text = f"{v.outcome.upper()}"
        if v.attack_succeeded:
            text += " (the attack succeeded)"
        if v.problem:
            text += f": {PROBLEM_TEXT[v.problem]}"
        return text

    def text(self) -> str:
        toggles = " ".join(f"{k}={v}" for k, v in self.toggles.items()) or "(no toggles)"
        return (f"{self.scenario} {toggles}\n\n{self.trace_text()}\n\n"
                f"verdict: {self.banner()}\n{self.verdict.explanation}\n")


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
    return play(world, scenario, values)


def play(world, label: str, toggles: dict | None = None) -> Result:
    """Run a world built by hand (an audit's counterexample, an exercise) and judge it."""
    world.run()
    return Result(label, dict(toggles or {}), judge(world), tuple(world.sim.trace), world)
