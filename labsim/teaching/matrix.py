"""The synthesis exercise of notebook 06: the student builds the course's table of problems and fixes.

For each of the paper's problems the student names the fix (or fixes, combined) they would
apply; the check runs the problem's attack with that fix and judges it on security first
(does the attack still succeed?), showing the cost beside it (is the intended peer still
reached?). Several fixes may be right for one problem; a fix the scenario cannot express is
explained, never silently ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import LabsimError
from ..result import run
from .checks import CORRECT, NOT_YET, Exercise, clip


@dataclass
class Matrix(Exercise):
    """``rows``: problem -> (scenario, toggles of its attack); ``fixes``: label -> {scenario: toggles}.

    The answer is a dict {problem: fix label, or a list of labels to combine}.
    """

    rows: dict[str, tuple[str, dict]] = field(default_factory=dict)
    fixes: dict[str, dict[str, dict]] = field(default_factory=dict)

    def check(self, answer) -> None:
        listed = ", ".join(repr(f) for f in self.fixes)
        if self._stub(answer, f"a dict {{problem: fix}}, one entry per problem ({', '.join(self.rows)}); fixes: "
                              f"{listed}"):
            return
        if not isinstance(answer, dict):
            return self._say(NOT_YET, f"give a dict {{problem: fix}}, for example {{'1a': {next(iter(self.fixes))!r}}}; "
                                      f"got {answer!r}")
        stubs = [str(k) for k, v in answer.items() if v is ... or v is None or v == ""]
        if stubs:
            return self._say(NOT_YET, f"Replace ... with a fix for problem {stubs[0]}; fixes: {listed}.")
        missing = [p for p in self.rows if p not in {str(k) for k in answer}]
        if missing:
            return self._say(NOT_YET, f"your table has no row for problem {missing[0]}; give one fix for each of "
                                      f"{', '.join(self.rows)}.")
        lines, ok = [], True
        for problem, (scenario, attack) in self.rows.items():
            chosen = answer.get(problem, answer.get(int(problem)) if problem.isdigit() else None)
            labels = [chosen] if isinstance(chosen, str) else list(chosen or ())
            unknown = [label for label in labels if label not in self.fixes]
            if not labels or unknown:
                return self._say(NOT_YET, f"problem {problem}: {unknown[0] if unknown else chosen!r} is not a fix; "
                                          f"choose from {listed}.")
            toggles, not_here = dict(attack), []
            for label in labels:
                if scenario not in self.fixes[label]:
                    not_here.append(label)
                else:
                    toggles.update(self.fixes[label][scenario])
            if not_here:
                ok = False
                lines.append(f"FAIL {problem:<3} {' + '.join(labels)}: {not_here[0]!r} does not apply to {scenario}'s "
                             "attack (it is about another problem)")
                continue
            try:
                result = run(scenario, toggles)
            except LabsimError as exc:
                return self._say(NOT_YET, f"problem {problem}: {str(exc).splitlines()[0]}")
            verdicts = list((getattr(result, "verdicts", None) or {"main": result.verdict}).values())
            stopped = not any(v.attack_succeeded for v in verdicts)
            # the cost: does the host's own traffic still get through (fig5: the print job, not the attack flow)
            own = [v for v in verdicts if getattr(v, "flow", "main") != "attack"] or verdicts
            lost = [v for v in own if v.outcome not in ("protected", "clear")]
            ok &= stopped
            if not lost:
                cost = "the host's own traffic still gets through"
            elif len(own) > 1:
                cost = "cost: " + ", ".join(getattr(v, "label", "") or "a flow" for v in lost) + " not delivered"
            else:
                cost = "nothing is delivered: a communication failure"
            lines.append(f"{'ok  ' if stopped else 'FAIL'} {problem:<3} {' + '.join(labels)}: {result.outcome}; "
                         f"{'attack stopped' if stopped else 'the attack still succeeds'}; {cost}")
            if not stopped:
                lines.append(f"     why: {clip(result.explanation, 160)}")
        if ok:
            return self._say(CORRECT, "Every fix in your table stops its problem's attack. Security, then cost:", lines)
        self._judged(False)
        return self._say(NOT_YET, "Some fixes in your table leave the attack working:", lines)
