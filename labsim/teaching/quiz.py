"""The course's concept quiz: asked at the start of notebook 00 and again at the end of notebook 06.

Each statement is judged by running the simulator, never by a stored answer. In notebook 00
the quiz only records the student's answers (``quiz.record({...})``) in a small file beside
the notebooks; in notebook 06 ``quiz.check({...})`` judges them, shows the evidence of each
statement, and says which answers changed since notebook 00.

>>> QUIZ.facts()["7"][0]
True
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import LabsimError
from ..result import run
from .checks import CORRECT, NOT_YET, Exercise

#: Where notebook 00's answers are kept (the notebooks' folder, as the kernel sees it).
RECORD = Path("quiz-start.json")


def _group_auth() -> tuple[bool, str]:
    r = run("fig2")
    return r.outcome == "protected", (f"fig2, pc-c with a valid company certificate: {r.outcome}, "
                                      f"authenticated as {r.authenticated_as}")


def _dnssec_everything() -> tuple[bool, str]:
    r = run("fig2")
    return not r.attack_succeeded, (f"example.org is signed in fig2, and pc-c still gets the request: {r.outcome} "
                                    f"(problem {r.problem})")


def _name_on_bypass() -> tuple[bool, str]:
    from ..ipsec.spd import parse_spd
    try:
        parse_spd("bypass remote 192.168.0.10 name printer-b.example.org")
    except LabsimError as exc:
        return False, "the SPD refuses it: " + str(exc).splitlines()[0]
    return True, "the SPD accepted a name on a bypass rule"


def _bypass_leaks() -> tuple[bool, str]:
    r = run("fig1")
    return r.attack_succeeded and r.data_in_clear, (f"fig1: the forged address is under 'bypass any'; "
                                                    f"{r.reached_peer} gets the request ({r.outcome})")


def _private_unique() -> tuple[bool, str]:
    r = run("fig4")
    return r.reached_peer == "printer-b", (f"fig4: 192.168.0.10 is printer-b at the office; in the hotel the print "
                                           f"job reached {r.reached_peer}")


def _broadcast() -> tuple[bool, str]:
    alone = run("fig5", stateful="off")
    both = run("fig5")
    return (not alone.attack_succeeded and both.attack_succeeded), (f"fig5: broadcast bypass without soft SAs, attack succeeded: {alone.attack_succeeded}; "
                  f"with soft SAs: {both.attack_succeeded} (problem {both.problem})")


def _application() -> tuple[bool, str]:
    stack = [run("fig2", name_check=c) for c in ("none", "forward_dns")]
    app = run("fig2", name_check="application")
    holds = all(r.attack_succeeded for r in stack) and not app.attack_succeeded
    return holds, (f"fig2: the stack, knowing only 1.2.3.4, accepts pc-c ({stack[0].outcome}); the application, "
                   f"which asked for server-b.example.org, refuses it ({app.outcome})")


#: number -> (statement, evidence). The statement holds when evidence()[0] is True.
STATEMENTS: dict[str, tuple[str, Callable[[], tuple[bool, str]]]] = {
    "1": ("With certificates from the company CA, IPsec proves that the peer is the host the application asked for.",
          _group_auth),
    "2": ("Signed DNS stops every attack in which a host ends up talking to the wrong peer.", _dnssec_everything),
    "3": ("An SPD can let a printer bypass IPsec by naming it: 'bypass ... name printer-b.example.org'.",
          _name_on_bypass),
    "4": ("An attacker with no certificate at all can read a host's request if it gets the host to use an address "
          "under a BYPASS rule.", _bypass_leaks),
    "5": ("A private address such as 192.168.0.10 means the same host wherever a laptop is.", _private_unique),
    "6": ("Letting broadcasts bypass IPsec is safe on its own, but together with a 'reply allowed' stateful "
          "extension it can let an attacker in.", _broadcast),
    "7": ("Of everything on the host, only the application knows which peer it meant to reach.", _application),
}


@dataclass
class Quiz(Exercise):
    """True or false, for each statement of :data:`STATEMENTS`; the answer is the set of numbers you think true."""

    statements: dict = field(default_factory=lambda: STATEMENTS)

    def show(self) -> None:
        for number, (text, _) in self.statements.items():
            print(f"{number}. {text}")

    def facts(self) -> dict[str, tuple[bool, str]]:
        return {number: evidence() for number, (_, evidence) in self.statements.items()}

    def _numbers(self, answer):
        items = {answer} if isinstance(answer, (str, int)) else answer
        if not isinstance(items, (set, frozenset, list, tuple)):
            return None, f"give a set of statement numbers, for example {{'1', '4'}}; got {answer!r}"
        numbers = {str(a).strip() for a in items}
        unknown = sorted(numbers - set(self.statements))
        if unknown:
            return None, f"{unknown[0]!r} is not a statement; choose from {', '.join(self.statements)}."
        return numbers, ""

    def record(self, answer, path: Path = RECORD) -> None:
        """Notebook 00: keep the answer for notebook 06, without judging it."""
        if answer is ...:
            print("[quiz] Replace ... with the set of statement numbers you think are true (set() if none).")
            return
        numbers, problem = self._numbers(answer)
        if numbers is None:
            print(f"[quiz] {problem}")
            return
        Path(path).write_text(json.dumps(sorted(numbers)))
        print(f"[quiz] Recorded: you think {', '.join(sorted(numbers)) or 'none'} true. Notebook 06 asks again "
              "and shows what changed.")

    def check(self, answer, path: Path = RECORD) -> None:
        if self._stub(answer, "the set of statement numbers you think are true (set() if none)"):
            return
        numbers, problem = self._numbers(answer)
        if numbers is None:
            return self._say(NOT_YET, problem)
        facts = self.facts()
        wrong = [n for n in self.statements if (n in numbers) != facts[n][0]]
        before = None
        if Path(path).exists():
            before = set(json.loads(Path(path).read_text()))
        rows = []
        for n in self.statements:
            mark = "ok  " if n not in wrong else "FAIL"
            holds = "true " if facts[n][0] else "false"
            changed = ""
            if before is not None and (n in before) != (n in numbers):
                changed = " (you changed your answer since notebook 00)"
            rows.append(f"{mark} {n}. {holds}: {facts[n][1]}{changed}")
        if not self._judged(not wrong):
            return self._say(NOT_YET, f"{len(wrong)} of {len(self.statements)} statements are judged wrongly. "
                                      "Try again; a second wrong try shows the evidence.")
        if not wrong:
            return self._say(CORRECT, "Every statement judged as the runs show:", rows)
        return self._say(NOT_YET, f"{len(wrong)} of {len(self.statements)} statements are judged wrongly:", rows)


QUIZ = Quiz("quiz", "What host-to-host IPsec does and does not give you", key="quiz")
