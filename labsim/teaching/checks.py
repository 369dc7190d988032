"""Exercises whose checks run the student's answer through the simulator.

Every exercise ends with one call, ``q1.check(answer)``, and offers ``q1.hint()`` and
``q1.solution()``. A check never compares with a stored verdict: it runs the scenario
(with the student's prediction, policy or toggles) and judges what the simulator did.
Its first line is machine-readable for ``python -m labsim grade``::

    [q1] Correct. ...
    [q1] Not yet. Expected ... got ... Likely mistake: ...

>>> q = Predict("q1", "fig1 with DNSSEC", hint_text="Who can sign?", scenario="fig1", toggles={"dnssec": "on"})
>>> q.check(...)
[q1] Not yet. Replace ... with your answer: one of protected, clear, exposed, impersonated, blocked.
>>> q.check("protected")  # doctest: +ELLIPSIS
[q1] Correct. The simulator agrees: protected. ...
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import LabsimError, NameSelectorOnBypass
from ..ipsec.pad import parse_pad
from ..ipsec.spd import parse_spd
from ..result import Result, run
from ..scenarios import get as get_scenario
from ..verdict import OUTCOMES, PROBLEMS

CORRECT, NOT_YET = "Correct", "Not yet"


@dataclass
class Exercise:
    """Common to every exercise: an id (q1), a title and a hint.

    The worked solution is not part of the exercise: it lives in ``notebooks/source/solutions.toml``
    and reaches the student only in self-study mode (see :mod:`labsim.teaching.solutions`).
    ``solution_text`` is accepted for older exercise modules and never shown.
    """

    id: str
    title: str
    hint_text: str = ""
    solution_text: str = field(default="", repr=False)

    passed: bool | None = field(default=None, init=False, repr=False)
    #: answers checked so far, not counting a ``...`` stub (``solution()`` opens after two)
    attempts: int = field(default=0, init=False, repr=False)

    def _say(self, verdict: str, text: str, rows: list[str] | None = None, *, attempt: bool = True) -> None:
        """Print the verdict (first line machine-readable) and remember it in ``passed``."""
        print(f"[{self.id}] {verdict}. {text}".rstrip())
        for row in rows or []:
            print(f"    {row}")
        self.passed = verdict == CORRECT
        self.attempts += attempt

    def _stub(self, answer, what: str) -> bool:
        """True (after saying so) when the student has not replaced the ``...`` yet."""
        if answer is ... or answer is None or (isinstance(answer, str) and not answer.strip()):
            self._say(NOT_YET, f"Replace ... with your answer: {what}.", attempt=False)
            return True
        return False

    def hint(self) -> None:
        print(f"[{self.id}] Hint: {self.hint_text}")

    def solution(self) -> None:
        """The worked solution, in self-study mode after two real attempts (or a correct one)."""
        from .solutions import lookup
        status, text = lookup(self)
        if status == "graded":
            print(f"[{self.id}] The worked solution is not available in graded mode: your answers are graded, "
                  f"so solutions are not handed out. {self.id}.hint() still helps.")
        elif status == "missing":
            print(f"[{self.id}] No worked solution is recorded for this exercise.")
        elif self.passed or self.attempts >= 2:
            print(f"[{self.id}] Solution: {text}")
        else:
            made = "no answer yet" if not self.attempts else "1 attempt so far"
            print(f"[{self.id}] The worked solution opens after two real attempts ({made}; replacing ... "
                  f"counts, running the stub does not). Try {self.id}.hint() first.")

    def judge(self, *args, **kwargs) -> tuple[bool, str]:
        """Run the check on a fresh copy of this exercise, without printing: (passed, the check's text).

        The grader's hook (:mod:`labsim.teaching.grade`): the verdict is the check's own ``passed``,
        never a line read back from printed output, and this exercise's state is left untouched.
        An answer the check cannot even take (a crash) is not passed.
        """
        import contextlib
        import copy
        import io
        fresh = copy.deepcopy(self)
        fresh.passed, fresh.attempts = None, 0
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                fresh.check(*args, **kwargs)
        except Exception as exc:   # noqa: BLE001 - any crash on a student's answer is a failed answer
            return False, f"[{self.id}] Not yet. The check cannot take this answer: {type(exc).__name__}: {exc}"
        return fresh.passed is True, out.getvalue()

    def check(self, answer) -> None:  # pragma: no cover - each kind defines it
        raise NotImplementedError


@dataclass
class Predict(Exercise):
    """Predict the outcome of a run before you make it (``spd``/``pad`` replace hosts' policies, as in run)."""

    scenario: str = ""
    toggles: dict = field(default_factory=dict)
    mistakes: dict[str, str] = field(default_factory=dict)
    spd: dict[str, str] | None = None
    pad: dict[str, str] | None = None

    def check(self, answer) -> None:
        if self._stub(answer, "one of " + ", ".join(OUTCOMES)):
            return
        guess = str(answer).strip().lower()
        if guess not in OUTCOMES:
            return self._say(NOT_YET, f"{answer!r} is not an outcome; choose one of {', '.join(OUTCOMES)}.")
        result = run(self.scenario, self.toggles, spd=self.spd, pad=self.pad)
        if guess == result.outcome:
            return self._say(CORRECT, f"The simulator agrees: {result.outcome}. {_sentence(result.explanation)}")
        mistake = self.mistakes.get(guess, "Follow the trace: which SPD rule matched the data packet, and why?")
        return self._say(NOT_YET, f"You predicted {guess}; the simulator says {result.outcome}. "
                                  f"{_sentence(result.explanation)} Likely mistake: {mistake}")


@dataclass
class Requirement:
    """One row of a policy check: run with these toggles and expect this of the result."""

    toggles: dict
    wanted: str
    test: Callable[[Result], bool]
    mistake: str = ""
    scenario: str | None = None   # another scenario than the exercise's, for "still works elsewhere" rows
    #: what the run shows about this row, when the verdict's explanation is about something else
    #: (a row on name queries, in a run whose verdict is about a print job)
    explain: Callable[[Result], str] | None = None


@dataclass
class WritePolicy(Exercise):
    """Write or fix a host's SPD or PAD so the attack fails and the intended traffic still works."""

    scenario: str = ""
    host: str = "host-a"
    kind: str = "spd"
    requirements: list[Requirement] = field(default_factory=list)

    def check(self, text) -> None:
        if self._stub(text, f"the {self.kind.upper()} text for {self.host}"):
            return
        rows, ok = [], True
        for req in self.requirements:
            scenario = req.scenario or self.scenario
            try:
                result = run(scenario, req.toggles, **{self.kind: {self.host: str(text)}})
            except LabsimError as exc:
                return self._say(NOT_YET, f"Your {self.kind.upper()} does not parse:", str(exc).splitlines())
            passed = req.test(result)
            ok &= passed
            setting = " ".join(f"{k}={v}" for k, v in req.toggles.items()) or "defaults"
            mark = "ok  " if passed else "FAIL"
            rows.append(f"{mark} {req.wanted} ({scenario} {setting}): got {result.outcome}")
            if not passed:
                why = req.explain(result) if req.explain else result.explanation
                rows.append(f"     why: {_sentence(why)}")
                if req.mistake:
                    rows.append(f"     likely mistake: {req.mistake}")
        if ok:
            return self._say(CORRECT, f"Your {self.kind.upper()} meets every requirement:", rows)
        return self._say(NOT_YET, "Some requirements fail; expected every row to say ok:", rows)


@dataclass
class Choose(Exercise):
    """Choose the mitigation that works; the check runs every option and explains why the others fail."""

    scenario: str = ""
    base: dict = field(default_factory=dict)
    options: dict[str, dict] = field(default_factory=dict)
    works: Callable[[Result], bool] = lambda r: not r.attack_succeeded and r.outcome in ("protected", "clear")
    goal: str = "stops the attack and still reaches the intended peer"

    def check(self, answer) -> None:
        if self._stub(answer, "one of " + ", ".join(repr(k) for k in self.options)):
            return
        if answer not in self.options:
            return self._say(NOT_YET, f"{answer!r} is not an option; choose one of "
                                      + ", ".join(repr(k) for k in self.options) + ".")
        results = {label: run(self.scenario, {**self.base, **toggles}) for label, toggles in self.options.items()}
        rows = [f"{'works' if self.works(r) else 'fails'}: {label!r} -> {r.outcome}. {_sentence(r.explanation)}"
                for label, r in results.items()]
        if self.works(results[answer]):
            return self._say(CORRECT, f"{answer!r} {self.goal}. What each option does:", rows)
        return self._say(NOT_YET, f"{answer!r} does not: the simulator says {results[answer].outcome}. "
                                  f"Expected an option that {self.goal}. What each option does:", rows)


@dataclass
class Reproduce(Exercise):
    """Find toggle values that make the simulator show a given problem of the paper."""

    scenario: str = ""
    problem: str = ""
    outcome: str | None = None
    #: toggles the question pins down, with the values it allows (a toggle left out keeps its default,
    #: which must be allowed too): {"name_check": ("name_handle",)} means "with name handles on".
    allowed: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        require_problems((self.problem,))

    def _example(self) -> str:
        """A dict of this scenario's own first toggle, so the hint fits the exercise."""
        from ..scenarios import get
        toggle = get(self.scenario).toggles[0]
        other = next((v for v in toggle.values if v != toggle.default), toggle.default)
        return f"{{{toggle.name!r}: {other!r}}}"

    def check(self, toggles) -> None:
        if self._stub(toggles, f"a dict of {self.scenario} toggles, for example {self._example()}"):
            return
        if not isinstance(toggles, dict):
            return self._say(NOT_YET, f"Give a dict of toggles, for example {self._example()}; got {toggles!r}.")
        try:
            values = get_scenario(self.scenario).resolve_toggles(toggles)
        except LabsimError as exc:
            return self._say(NOT_YET, str(exc).splitlines()[0])
        for name, choices in self.allowed.items():
            if values[name] not in choices:
                how = "you set it to" if name in toggles else "you left it at its default,"
                return self._say(NOT_YET, f"This question keeps {name} at {' or '.join(choices)}; "
                                          f"{how} {values[name]}. Include {name!r} in your dict.")
        result = run(self.scenario, values)
        wanted = f"problem {self.problem}" + (f" with outcome {self.outcome}" if self.outcome else "")
        got = f"problem {result.problem or 'none'} with outcome {result.outcome}"
        if result.problem == self.problem and (self.outcome is None or result.outcome == self.outcome):
            return self._say(CORRECT, f"These toggles show {wanted}. {_sentence(result.explanation)}")
        return self._say(NOT_YET, f"Expected {wanted}; got {got}. {_sentence(result.explanation)}")


@dataclass
class ExpectRefusal(Exercise):
    """Write the policy you wish you could write, and see the parser refuse it and say why.

    The check passes when parsing the text raises ``refusal`` (for the paper's section 6.4:
    a name selector on a BYPASS or DISCARD rule); the parser's own message is the lesson.
    """

    kind: str = "spd"
    refusal: type[LabsimError] = NameSelectorOnBypass
    goal: str = "a bypass rule that selects its peer by name"
    accepted: str = ""   # what to say when the text parses, so the student sees why it was not refused

    def check(self, text) -> None:
        if self._stub(text, f"{self.kind.upper()} text containing {self.goal}"):
            return
        parse = parse_spd if self.kind == "spd" else parse_pad
        try:
            parse(str(text))
        except self.refusal as exc:
            return self._say(CORRECT, f"The {self.kind.upper()} refuses it, and says why:", str(exc).splitlines())
        except LabsimError as exc:
            return self._say(NOT_YET, f"Your {self.kind.upper()} is refused, but for another reason; fix that so "
                                      f"that only {self.goal} is left:", str(exc).splitlines())
        return self._say(NOT_YET, f"The {self.kind.upper()} accepts every line, so nothing was refused. "
                                  f"Expected {self.goal}. {self.accepted}".rstrip())


@dataclass
class Observe(Exercise):
    """Say which statements hold in a run; the check reads each one from the run itself.

    ``facts(result)`` returns, for every statement in ``options``, whether it holds and the
    evidence, read from the trace or the run's real packet bytes (never a stored answer).
    The answer is the set of statements the student believes hold.
    """

    scenario: str = ""
    toggles: dict = field(default_factory=dict)
    options: tuple[str, ...] = ()
    facts: Callable[[Result], dict[str, tuple[bool, str]]] = lambda result: {}
    goal: str = "the statements that hold"

    def check(self, answer) -> None:
        listed = ", ".join(repr(o) for o in self.options)
        if self._stub(answer, f"a set of {self.goal}, from {listed}"):
            return
        chosen = {answer} if isinstance(answer, str) else answer
        if not isinstance(chosen, (set, frozenset, list, tuple)):
            return self._say(NOT_YET, f"give a set of options, for example {{{self.options[0]!r}}}; got {answer!r}")
        lookup = {o.lower(): o for o in self.options}
        unknown = [a for a in chosen if str(a).strip().lower() not in lookup]
        if unknown:
            return self._say(NOT_YET, f"{unknown[0]!r} is not an option; choose from {listed}.")
        chosen = {lookup[str(a).strip().lower()] for a in chosen}
        facts = self.facts(run(self.scenario, self.toggles))
        rows = [f"{'yes' if facts[o][0] else 'no '}  {o}: {facts[o][1]}" for o in self.options]
        wrong = [o for o in self.options if (o in chosen) != facts[o][0]]
        if not wrong:
            return self._say(CORRECT, f"You picked exactly {self.goal}. What the run shows:", rows)
        said = [f"{'you left out' if facts[o][0] else 'you picked'} {o!r}: {facts[o][1]}" for o in wrong]
        return self._say(NOT_YET, f"{len(wrong)} of {len(self.options)} options are judged wrongly; expected "
                                  f"exactly {self.goal}:", said)


def require_problems(problems) -> None:
    """Refuse, when an exercise is defined, a problem id the paper does not have."""
    for problem in problems:
        if problem not in PROBLEMS:
            raise ValueError(f"problem {problem!r} is not one of the paper's: {', '.join(PROBLEMS)}")


def _sentence(text: str) -> str:
    text = text.strip()
    return text + ("" if not text or text.endswith(".") else ".")

