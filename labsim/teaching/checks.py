"""Exercises whose checks run the student's answer through the simulator.

Every exercise ends with one call, ``q1.check(answer)``, and offers ``q1.hint()`` and
``q1.solution()``. A check never compares with a stored verdict: it runs the scenario
(with the student's prediction, policy or toggles) and judges what the simulator did.
Its first line is machine-readable for ``python -m labsim grade``::

    [q1] Correct. ...
    [q1] Not yet. Expected ... got ... Likely mistake: ...

A check that asks the student to commit to an answer (Predict, Choose, Observe) does not
give the answer away on a first wrong try: it says the answer is wrong and gives a hint.
The simulator's outcome, and what every other option does, come only after a correct
answer or a second wrong one (issue 10, section 3).

>>> q = Predict("q1", "fig1 with DNSSEC", hint_text="Who can sign?", scenario="fig1", toggles={"dnssec": "on"})
>>> q.check(...)
[q1] Not yet. Replace ... with your answer: one of protected, clear, exposed, impersonated, blocked.
>>> q.check("exposed")
[q1] Not yet. 'exposed' is not what the simulator shows. Likely mistake: Who can sign? Try again; a second wrong try shows the run.
>>> q.check("protected")  # doctest: +ELLIPSIS
[q1] Correct. The simulator agrees: protected. ...
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import LabsimError, NameSelectorOnBypass
from ..ipsec.pad import parse_pad
from ..ipsec.spd import PacketView, parse_spd
from ..result import Result, run
from ..scenarios import get as get_scenario
from ..verdict import OUTCOMES, PROBLEMS

CORRECT, NOT_YET = "Correct", "Not yet"


#: Where the worked solutions live: notebooks/source/solutions.toml in the repository (the
#: instructor's source of truth), or notebooks/solutions.json beside self-study notebooks.
SOLUTIONS_TOML = Path(__file__).resolve().parents[2] / "notebooks" / "source" / "solutions.toml"


def load_solutions(path: Path | None = None) -> dict[str, str]:
    """Every worked solution, by key (``"03.q1"``), for instructors and tests.

    ``path`` is a solutions.toml (for example :data:`SOLUTIONS_TOML`) or a ``solutions.json``
    as build-notebooks writes it; by default the ``solutions.json`` in the working folder (the
    notebook's), which a self-study build writes and a graded build does not.
    """
    from .solutions import find_json, load_toml
    candidate = Path(path) if path else find_json()
    if candidate is None or not candidate.exists():
        return {}
    if candidate.suffix == ".json":   # {"mode": ..., "solutions": {...}}
        data = json.loads(candidate.read_text())
        return {} if data.get("mode") == "graded" else dict(data.get("solutions", {}))
    return {key: text.strip() for key, text in load_toml(candidate).items()}


@dataclass
class Exercise:
    """Common to every exercise: an id (q1), a title, a hint and a worked solution.

    The worked solution is not kept here but in ``notebooks/source/solutions.toml`` under
    ``key`` (``"03.q1"``, set by :func:`bind`); ``solution_text`` overrides it (tests).
    """

    id: str
    title: str
    hint_text: str = ""
    solution_text: str = ""
    key: str = ""

    passed: bool | None = field(default=None, init=False, repr=False)
    wrong: int = field(default=0, init=False, repr=False)     # real attempts judged wrong so far
    attempts: int = field(default=0, init=False, repr=False)  # real attempts (a stub is not one)

    def _say(self, verdict: str, text: str, rows: list[str] | None = None) -> None:
        """Print the verdict (first line machine-readable) and remember it in ``passed``."""
        print(f"[{self.id}] {verdict}. {text}".rstrip())
        for row in rows or []:
            print(f"    {row}")
        self.passed = verdict == CORRECT

    def _judged(self, correct: bool) -> bool:
        """Count a real attempt; True when the full feedback may be shown (correct, or a second wrong try)."""
        self.attempts += 1
        if not correct:
            self.wrong += 1
        return correct or self.wrong >= 2

    def _stub(self, answer, what: str) -> bool:
        """True (after saying so) when the student has not replaced the ``...`` yet."""
        if answer is ... or answer is None or (isinstance(answer, str) and not answer.strip()):
            self._say(NOT_YET, f"Replace ... with your answer: {what}.")
            return True
        return False

    def hint(self) -> None:
        print(f"[{self.id}] Hint: {self.hint_text}")

    def solution(self) -> None:
        """The worked solution, in self-study mode after two real attempts (or a correct one)."""
        from .solutions import lookup
        status, text = ("ok", self.solution_text) if self.solution_text else lookup(self)
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
        fresh.passed, fresh.attempts, fresh.wrong = None, 0, 0
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                fresh.check(*args, **kwargs)
        except Exception as exc:   # noqa: BLE001 - any crash on a student's answer is a failed answer
            return False, f"[{self.id}] Not yet. The check cannot take this answer: {type(exc).__name__}: {exc}"
        return fresh.passed is True, out.getvalue()

    def check(self, answer) -> None:  # pragma: no cover - each kind defines it
        raise NotImplementedError


def bind(notebook: str, namespace: dict) -> None:
    """Give every exercise in a module's ``namespace`` its solution key, ``"NN.qK"``."""
    for value in namespace.values():
        if isinstance(value, Exercise) and not value.key:
            value.key = f"{notebook}.{value.id}"


@dataclass
class Predict(Exercise):
    """Predict the outcome of a run before you make it (``spd``/``pad`` replace hosts' policies, as in run).

    ``flow`` judges one flow's verdict of a run with several (fig5: ``"attack"`` or
    ``"print_job"``). A first wrong prediction is told it is wrong, with the likely mistake
    as a hint, never the outcome. ``ask_reason``: the check also wants a one-line reason,
    ``q1.check((answer, reason))``, which it repeats back beside the run's own explanation.
    """

    scenario: str = ""
    toggles: dict = field(default_factory=dict)
    mistakes: dict[str, str] = field(default_factory=dict)
    spd: dict[str, str] | None = None
    pad: dict[str, str] | None = None
    flow: str | None = None
    ask_reason: bool = False

    def verdict(self):
        """The verdict this prediction is judged against: the run's primary one, or ``flow``'s."""
        result = run(self.scenario, self.toggles, spd=self.spd, pad=self.pad)
        if self.flow is None:
            return result.verdict
        verdicts = getattr(result, "verdicts", None) or {}
        if self.flow not in verdicts:
            if not verdicts:   # a model with one verdict per run: the primary one is the only flow
                return result.verdict
            raise ValueError(f"{self.scenario} has no flow {self.flow!r}; its flows: {', '.join(verdicts)}")
        return verdicts[self.flow]

    def check(self, answer, reason=None) -> None:
        if isinstance(answer, tuple) and len(answer) == 2:   # q1.check((answer, reason)): one argument, for grading
            answer, reason = answer
        if self._stub(answer, "one of " + ", ".join(OUTCOMES)):
            return
        guess = str(answer).strip().lower()
        if guess not in OUTCOMES:
            return self._say(NOT_YET, f"{answer!r} is not an outcome; choose one of {', '.join(OUTCOMES)}.")
        verdict = self.verdict()
        said = ""
        if self.ask_reason:
            if reason is ... or reason is None or len(str(reason).split()) < 3:
                return self._say(NOT_YET, "Give a one-line reason too (a few words: which rule or check decides, "
                                          f"and why): {self.id}.check((answer, reason)).")
            said = f" Your reason: {str(reason).strip()!r}; compare it with the run's."
        correct = guess == verdict.outcome
        full = self._judged(correct)
        of = f" (the verdict of {verdict.label})" if self.flow and getattr(verdict, "label", None) else ""
        if correct:
            return self._say(CORRECT, f"The simulator agrees: {verdict.outcome}{of}. "
                                      f"{_sentence(verdict.explanation)}{said}")
        mistake = self.mistakes.get(guess) or self.hint_text or \
            "Follow the trace: which SPD rule matched the data packet, and why?"
        if not full:
            return self._say(NOT_YET, f"{guess!r} is not what the simulator shows. Likely mistake: {mistake} "
                                      "Try again; a second wrong try shows the run.")
        return self._say(NOT_YET, f"You predicted {guess}; the simulator says {verdict.outcome}{of}. "
                                  f"{_sentence(verdict.explanation)} Likely mistake: {mistake}")


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
class PolicyRow:
    """One row of a policy check that asks the policy itself, without a run.

    ``test(policy)`` gets the parsed SPD or PAD and returns (passed, what it decided), for
    packets or peers no scenario plays: another intranet host, a web site, a desktop of the
    DHCP pool. Use :func:`spd_decides` and :func:`pad_allows` to build one.
    """

    wanted: str
    test: Callable[[object], tuple[bool, str]]
    mistake: str = ""


def spd_decides(actions, remote, *, local="1.2.0.5", proto="tcp", port=80, lport=0, direction="out") -> Callable:
    r"""A :class:`PolicyRow` test: the SPD's first match for this packet has one of ``actions``.

    >>> ok, got = spd_decides(("protect",), "1.2.0.7")(parse_spd("protect remote 1.2.3.4\nbypass any"))
    >>> ok, got
    (False, 'BYPASS by rule 2: bypass any')
    """
    actions = (actions,) if isinstance(actions, str) else tuple(actions)

    def test(spd) -> tuple[bool, str]:
        if direction == "out":
            view = PacketView.outbound(local, remote, proto, lport, port)
        else:
            view = PacketView.inbound(remote, local, proto, port, lport)
        match = spd.lookup(view)
        where = f"rule {match.index + 1}: {match.rule}" if match.rule else "no rule (RFC 4301 discards it)"
        return match.action in actions, f"{match.action.upper()} by {where}"
    return test


def spd_names_peer(remote, *, local="1.2.0.5", proto="udp", port=53) -> Callable:
    """A :class:`PolicyRow` test: this packet's first match is a PROTECT rule that names one peer (``name``).

    A PROTECT rule without a name accepts any certificate the CA signed (section 5.1), so for a
    server such as the DNS server any insider could answer in its place.
    """
    def test(spd) -> tuple[bool, str]:
        match = spd.lookup(PacketView.outbound(local, remote, proto, 0, port))
        where = f"rule {match.index + 1}: {match.rule}" if match.rule else "no rule"
        named = match.action == "protect" and bool(match.rule.name) and "*" not in match.rule.name
        return named, f"{match.action.upper()} by {where}"
    return test


def pad_allows(name: str, address: str, allowed: bool = True, issuer: str = "Example Corp CA") -> Callable:
    """A :class:`PolicyRow` test: the PAD lets ``name`` (certified by ``issuer``) use ``address``, or refuses it."""
    from ..addresses import ip

    def test(pad) -> tuple[bool, str]:
        auth = pad.authorize(name, issuer, ip(address))
        return auth.ok == allowed, ("allowed" if auth.ok else "refused") + f": {auth.reason}"
    return test


@dataclass
class WritePolicy(Exercise):
    """Write or fix a host's SPD or PAD so the attack fails and the intended traffic still works."""

    scenario: str = ""
    host: str = "host-a"
    kind: str = "spd"
    requirements: list[Requirement | PolicyRow] = field(default_factory=list)

    def check(self, text) -> None:
        if self._stub(text, f"the {self.kind.upper()} text for {self.host}"):
            return
        rows, ok = [], True
        try:
            parsed = (parse_spd if self.kind == "spd" else parse_pad)(str(text))
        except LabsimError as exc:
            return self._say(NOT_YET, f"Your {self.kind.upper()} does not parse:", str(exc).splitlines())
        for req in self.requirements:
            if isinstance(req, PolicyRow):
                passed, got = req.test(parsed)
                ok &= passed
                rows.append(f"{'ok  ' if passed else 'FAIL'} {req.wanted}: {got}")
                if not passed and req.mistake:
                    rows.append(f"     likely mistake: {req.mistake}")
                continue
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
    """Choose the mitigation that works; the check runs every option and explains what each one does.

    ``works(result)`` judges an option (by default: the attack fails and the intended peer
    is reached). With ``multiple`` the answer is the *set* of options that work, judged on
    security first (``works``); ``reaches`` then only fills a second column, the option's
    cost, shown in the feedback and never deciding it (paper, section 6.3: a communication
    failure is better than a security failure). What the other options do is shown only
    after a correct answer or a second wrong one.
    """

    scenario: str = ""
    base: dict = field(default_factory=dict)
    options: dict[str, dict] = field(default_factory=dict)
    works: Callable[[Result], bool] = lambda r: not r.attack_succeeded and r.outcome in ("protected", "clear")
    goal: str = "stops the attack and still reaches the intended peer"
    multiple: bool = False
    reaches: Callable[[Result], bool] | None = None
    #: per option, what to say when it is judged wrongly (names the mistake)
    mistakes: dict[str, str] = field(default_factory=dict)
    #: per option, what it costs even when it works (printed in its row)
    costs: dict[str, str] = field(default_factory=dict)

    def _row(self, label: str, r: Result) -> str:
        cost = ""
        if self.reaches is not None and self.works(r):
            cost = f" [{'still reaches the peer' if self.reaches(r) else 'reaches nobody: a communication failure'}]"
        note = f" Note {self.costs[label]}." if label in self.costs else ""
        return (f"{'works' if self.works(r) else 'fails'}: {label!r} -> {r.outcome}{cost}. "
                f"{_sentence(r.explanation)}{note}")

    def _chosen(self, answer):
        listed = ", ".join(repr(k) for k in self.options)
        if not self.multiple:
            if answer not in self.options:
                return None, f"{answer!r} is not an option; choose one of {listed}."
            return {answer}, ""
        items = {answer} if isinstance(answer, str) else answer
        if not isinstance(items, (set, frozenset, list, tuple)):
            return None, f"give a set of options, for example {{{next(iter(self.options))!r}}}; got {answer!r}"
        unknown = [a for a in items if a not in self.options]
        if unknown:
            return None, f"{unknown[0]!r} is not an option; choose from {listed}."
        return set(items), ""

    def check(self, answer) -> None:
        listed = ", ".join(repr(k) for k in self.options)
        if self._stub(answer, ("a set of options from " if self.multiple else "one of ") + listed):
            return
        chosen, problem = self._chosen(answer)
        if chosen is None:
            return self._say(NOT_YET, problem)
        results = {label: run(self.scenario, {**self.base, **toggles}) for label, toggles in self.options.items()}
        good = {label for label, r in results.items() if self.works(r)}
        correct = chosen == good if self.multiple else chosen <= good
        full = self._judged(correct)
        rows = [self._row(label, r) for label, r in results.items()]
        if correct:
            what = f"exactly the options that {self.goal}" if self.multiple else f"{answer!r} {self.goal}"
            return self._say(CORRECT, f"{what[0].upper()}{what[1:]}. What each option does:", rows)
        if self.multiple:
            said = [f"You picked {label!r}, which does not: the simulator says {results[label].outcome}."
                    + (f" Likely mistake: {self.mistakes[label]}" if label in self.mistakes else "")
                    for label in self.options if label in chosen - good]
            missing = good - chosen
            if missing and not full:
                said.append(f"{len(missing)} option{'s' if len(missing) > 1 else ''} that "
                            f"{'do' if len(missing) > 1 else 'does'} the job {'are' if len(missing) > 1 else 'is'} "
                            "missing from your set.")
            elif missing:
                said += [f"You left out {label!r}, which does."
                         + (f" {self.mistakes[label]}" if label in self.mistakes else "")
                         for label in self.options if label in missing]
            said.insert(0, f"Expected exactly the options that {self.goal}.")
        else:
            label = next(iter(chosen))
            said = [f"{label!r} does not: the simulator says {results[label].outcome}. "
                    f"Expected an option that {self.goal}." + (f" Likely mistake: {self.mistakes[label]}"
                                                                 if label in self.mistakes else "")]
        if not full:
            return self._say(NOT_YET, " ".join(said) + " Try again; a second wrong try shows what every option does.")
        return self._say(NOT_YET, " ".join(said) + " What each option does:", rows)



@dataclass
class Reproduce(Exercise):
    """Find toggle values that make the simulator show a given problem of the paper."""

    scenario: str = ""
    problem: str = ""
    outcome: str | None = None
    #: toggles the question pins down, with the values it allows (a toggle left out keeps its default,
    #: which must be allowed too): {"name_check": ("name_handle",)} means "with name handles on".
    allowed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: the likely mistake behind a wrong answer, keyed "toggle=value" (the student set it so) or "toggle"
    #: (the student left it at its default); the first that applies is shown
    mistakes: dict[str, str] = field(default_factory=dict)

    def _mistake(self, given: dict, values: dict) -> str:
        for key, text in self.mistakes.items():
            name, _, value = key.partition("=")
            if (value and str(given.get(name)) == value) or (not value and name not in given):
                return f" Likely mistake: {text}"
        return ""

    def __post_init__(self) -> None:
        if self.problem:
            require_problems((self.problem,))
        elif not self.outcome:
            raise ValueError("a Reproduce exercise needs a problem, an outcome, or both")

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
        if self.problem:
            wanted = f"problem {self.problem}" + (f" with outcome {self.outcome}" if self.outcome else "")
        else:
            wanted = f"outcome {self.outcome}"
        self.attempts += 1
        # A run with several flows (fig4, fig5) shows a problem in whichever flow it happens.
        verdicts = list((getattr(result, "verdicts", None) or {}).values()) or [result.verdict]
        verdict = next((v for v in verdicts if self.problem and v.problem == self.problem), verdicts[0])
        of = f" ({verdict.label})" if len(verdicts) > 1 and getattr(verdict, "label", None) else ""
        got = f"problem {verdict.problem or 'none'} with outcome {verdict.outcome}{of}"
        if (not self.problem or verdict.problem == self.problem) and (self.outcome is None or verdict.outcome == self.outcome):
            return self._say(CORRECT, f"These toggles show {wanted}{of}. {_sentence(verdict.explanation)}")
        return self._say(NOT_YET, f"Expected {wanted}; got {got}. {_sentence(verdict.explanation)}"
                                  f"{self._mistake(toggles, values)}")


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
    action: str | None = "bypass"   # the action the refused rule must have (the goal asks for this kind of rule)

    def check(self, text) -> None:
        if self._stub(text, f"{self.kind.upper()} text containing {self.goal}"):
            return
        parse = parse_spd if self.kind == "spd" else parse_pad
        self.attempts += 1
        try:
            parse(str(text))
        except self.refusal as exc:
            actions = {line.split()[0].lower() for line in str(text).splitlines()
                       if line.split() and " name " in f" {line.split('#')[0]} "}
            if self.action and self.action not in actions:
                other = ", ".join(sorted(actions)) or "another"
                return self._say(NOT_YET, f"The SPD refuses your {other} rule, but the goal is {self.goal}: "
                                          f"write it as a {self.action} rule, the kind the peer really needs.")
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
        if not self._judged(not wrong):
            picked = [f"you picked {o!r}: {facts[o][1]}" for o in wrong if o in chosen]
            missing = sum(1 for o in wrong if o not in chosen)
            if missing:
                picked.append(f"{missing} statement{'s' if missing > 1 else ''} that hold{'' if missing > 1 else 's'} "
                              f"{'are' if missing > 1 else 'is'} missing from your set")
            hint = f" Hint: {self.hint_text}" if self.hint_text else ""
            return self._say(NOT_YET, f"{len(wrong)} of {len(self.options)} options are judged wrongly; expected "
                                      f"exactly {self.goal}.{hint} Try again; a second wrong try shows the run.",
                             picked)
        if not wrong:
            return self._say(CORRECT, f"You picked exactly {self.goal}. What the run shows:", rows)
        said = [f"{'you left out' if facts[o][0] else 'you picked'} {o!r}: {facts[o][1]}" for o in wrong]
        return self._say(NOT_YET, f"{len(wrong)} of {len(self.options)} options are judged wrongly; expected "
                                  f"exactly {self.goal}:", said)


def flow_verdict(result: Result, flow: str):
    """The verdict of one flow of a run (fig5: ``"attack"``, ``"print_job"``); the primary one if the run has
    no such flow (a scenario with one flow, or a model with one verdict per run)."""
    verdicts = getattr(result, "verdicts", None) or {}
    return verdicts.get(flow, result.verdict)


def require_problems(problems) -> None:
    """Refuse, when an exercise is defined, a problem id the paper does not have."""
    for problem in problems:
        if problem not in PROBLEMS:
            raise ValueError(f"problem {problem!r} is not one of the paper's: {', '.join(PROBLEMS)}")


def clip(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` characters at a word boundary, with an ellipsis if cut.

    >>> clip("the SPD said bypass for 3.4.5.6", 20)
    'the SPD said bypass…'
    """
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[:width].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def _sentence(text: str) -> str:
    text = text.strip()
    return text + ("" if not text or text.endswith(".") else ".")

