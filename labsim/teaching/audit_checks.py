"""Exercises whose checks run the student's answer through the policy auditor (notebook 07).

The contract is the one of :mod:`labsim.teaching.checks`: one call, ``q1.check(answer)``,
whose first line is ``[q1] Correct. ...`` or ``[q1] Not yet. ...`` for ``python -m labsim
grade``, plus ``hint()`` and ``solution()``. Nothing is compared with a stored verdict: the
check audits the configuration, which plays each problem's counterexample in the simulator,
and where traffic must keep working it plays that traffic too.

- :class:`PredictAudit`: say which of the paper's problems a configuration exposes, before
  auditing it.
- :class:`FixConfig`: edit a configuration (strongSwan ``swanctl.conf``, ``ip xfrm`` policies
  or labsim SPD text) so that chosen problems are no longer exposed while the host still
  reaches the services it needs (:class:`Service`).
- :class:`ChooseFix`: of several edits of one configuration, choose the one that removes a
  problem at a cost the host can bear: its services still work.

What "still works" means (:func:`reach`): the organisation the audit's counterexamples live
in (:class:`~labsim.audit.site.Site`: its intranet, the Internet beyond it, its CA and DNS
zones, its DNS server), the audited host in it running the imported policy with its PAD,
name check and DNS settings, at its office (not travelling), honest DNS and no attacker.
The service's host sits at its address: a server that speaks IPsec runs the mirror image
of the host's policy and holds a certificate for its own name from the organisation's CA;
a device without IPsec (a printer, a web site) runs none. The host resolves the service's
name and connects. The service works when the simulator's verdict is the one asked for:
``protected`` (over an SA authenticated as the server's own name) or ``clear`` (in clear,
as the policy allows).

>>> q = FixConfig("q9", "t", problems=("1a",), services=(Service("server-b.example.org=10.1.3.4:80"),),
...               others=False)
>>> q.check('''
... protect remote 10.1.0.53 proto udp port 53
... protect remote 10.1.0.0/16
... bypass any''')  # doctest: +ELLIPSIS
[q9] Correct. Your configuration meets every requirement:
    ok   1a is no longer exposed: answers from 10.1.0.53 must arrive under IPsec...
    ok   server-b.example.org (10.1.3.4, TCP 80) is reached over IPsec: got protected
"""

from __future__ import annotations

import difflib
import ipaddress
from dataclasses import dataclass, field

from ..apps import ClientApp, ServerApp
from ..errors import LabsimError
from ..result import Result, play
from ..verdict import PROBLEMS
from .checks import CORRECT, NOT_YET, Exercise, _sentence, require_problems

SERVICE_OUTCOMES = {"protected": "over IPsec", "clear": "in clear"}


@dataclass(frozen=True)
class Service:
    """A peer the host must still reach: ``server`` is ``NAME=ADDRESS:PORT``.

    ``outcome`` is ``protected`` for a server that speaks IPsec (reached through an SA
    authenticated as its own name) or ``clear`` for a device that speaks none (a printer,
    a web site). ``what`` says in words what it is; ``mistake`` is shown when it fails.
    """

    server: str
    outcome: str = "protected"
    what: str = ""
    mistake: str = ""

    def __post_init__(self) -> None:
        if self.outcome not in SERVICE_OUTCOMES:
            raise ValueError(f"a service is reached 'protected' or 'clear', not {self.outcome!r}")
        _server(self.server)   # fail at construction time on a malformed NAME=ADDRESS:PORT

    def describe(self) -> str:
        server = _server(self.server)
        return f"{server.name} ({server.address}, TCP {server.port})"


def _server(text):
    from ..audit import Server
    return text if isinstance(text, Server) else Server.parse(text)


def reach(report, server, ipsec: bool = True, seed: int = 0) -> Result:
    """Play the audited host reaching ``server`` (``NAME=ADDRESS:PORT``) with honest DNS and no attacker.

    ``report`` is an :class:`~labsim.audit.AuditReport` (the host, its policy and profile);
    ``ipsec`` says whether the server speaks IPsec. Returns the run's
    :class:`~labsim.result.Result`, to print or animate like any other.

    >>> from labsim.audit import audit_text
    >>> report = audit_text("bypass remote 10.1.0.53 proto udp port 53\\nprotect remote 10.1.0.0/16\\nbypass any")
    >>> reach(report, "server-b.example.org=10.1.3.4:80").outcome
    'protected'
    >>> reach(report, "printer-b.example.org=10.1.9.10:9100", ipsec=False).outcome
    'blocked'
    """
    from ..audit.site import Site
    server = _server(server)
    ctx = report.context
    site = Site(ctx, f"still works: {ctx.host_name} reaches {server.name}", seed, names=(server.name,))
    host = site.honest_host()
    peer = site.add(server.name.split(".")[0], [ipaddress.ip_address(server.address)],
                    "server" if ipsec else "printer", fqdn=server.name)
    if ipsec:
        site.ipsec(peer)
    ServerApp(peer, server.port, b"200 OK", label=f"{peer.name}'s service")
    ClientApp(host, server.name, server.port)
    return play(site.world, f"reach {server.name}", {"config": ctx.policy.path, "server": str(server.address)})


def served(result: Result, service: Service) -> bool:
    """Whether ``result`` delivered the service as asked: over an SA, or in clear to the service's own host.

    A clear request to a web site crosses the Internet, which a model that judges the wire may call
    ``exposed`` (anyone tapping the Internet can read it); for "does the web still work" what counts is
    that the site itself got the request, in clear, as the policy allows.
    """
    if result.outcome == service.outcome:
        return True
    host = _server(service.server).name.split(".")[0]
    return service.outcome == "clear" and result.reached_peer == host and bool(result.data_in_clear)


def _problem_ids(answer) -> tuple[set[str] | None, str]:
    """The student's set of problem ids, or (None, what is wrong with it)."""
    items = [answer] if isinstance(answer, (str, int)) else answer
    if not isinstance(items, (set, frozenset, list, tuple)):
        return None, f"give a set of problem ids, for example {{'1a', '5b'}}; got {answer!r}"
    ids = {str(a).strip().lower() for a in items}
    unknown = sorted(ids - set(PROBLEMS))
    if unknown:
        return None, f"{unknown[0]!r} is not one of the paper's problems; choose from {', '.join(PROBLEMS)}."
    return ids, ""


@dataclass
class PredictAudit(Exercise):
    """Predict which of the paper's problems a configuration exposes; the check audits it and compares.

    ``config`` is the configuration's path; ``profile`` a profile file (None: the
    ``labsim-profile.toml`` beside ``config``, as :func:`labsim.audit.audit` does);
    ``settings`` override profile fields.
    """

    config: str = ""
    profile: str | None = None
    settings: dict = field(default_factory=dict)

    def check(self, answer) -> None:
        if self._stub(answer, "a set of problem ids, for example {'1a', '5b'} (an empty set() if none)"):
            return
        chosen, problem = _problem_ids(answer)
        if chosen is None:
            return self._say(NOT_YET, problem)
        from ..audit import audit
        report = audit(self.config, self.profile, **self.settings)
        rows, wrong = [], 0
        for f in report.findings:
            right = (f.problem in chosen) == f.exposed
            wrong += not right
            said = "you said exposed" if f.problem in chosen else "you said not exposed"
            rows.append(f"{'ok  ' if right else 'FAIL'} {f.problem:<3} {f.status:<15}{said}")
            if not right:
                rows.append(f"     why: {_sentence(f.why)}")
                if f.exposed:
                    rows.append(f"     simulator: {f.result.outcome}. {_sentence(f.result.explanation)}")
        exposed = ", ".join(report.exposed) or "nothing"
        if not self._judged(not wrong):
            hint = f" Hint: {self.hint_text}" if self.hint_text else ""
            return self._say(NOT_YET, f"{wrong} of {len(report.findings)} problems judged wrongly.{hint} Try again; "
                                      "a second wrong try shows the audit, problem by problem.")
        if not wrong:
            return self._say(CORRECT, f"The audit agrees: exposed: {exposed}. Each row, as the audit found it:", rows)
        return self._say(NOT_YET, f"{wrong} of {len(report.findings)} problems judged wrongly; the audit's runs "
                                  f"show exposed: {exposed}:", rows)


@dataclass
class FixConfig(Exercise):
    """Edit a configuration so that ``problems`` are no longer exposed and ``services`` still work.

    The host profile is the exercise's (``profile``, ``settings``): the student changes only
    the configuration text. With ``others`` (the default) no other problem may be exposed
    either, so a fix cannot open a new hole.
    """

    problems: tuple[str, ...] = ()
    services: tuple[Service, ...] = ()
    profile: object = None
    settings: dict = field(default_factory=dict)
    format: str | None = None
    others: bool = True
    #: rows asked of the imported SPD itself (:class:`~labsim.teaching.checks.PolicyRow`), for what no audit
    #: counterexample plays (an insider answering as the DNS server)
    rows: tuple = ()

    def __post_init__(self) -> None:
        require_problems(self.problems)

    def evaluate(self, text: str) -> tuple[bool, list[str]]:
        """Audit ``text`` and play each service: (every requirement met, one row per requirement).

        A configuration that cannot be imported raises its :class:`~labsim.errors.ConfigError`.
        """
        from ..audit import audit_text
        report = audit_text(str(text), self.format, self.profile, path="<your config>", **self.settings)
        rows, ok = [], True
        for problem in self.problems:
            f = report[problem]
            ok &= not f.exposed
            if not f.exposed:
                rows.append(f"ok   {problem} is no longer exposed: {_sentence(f.why)}")
                continue
            rows.append(f"FAIL {problem} is still exposed: {_sentence(f.why)}")
            rows.append(f"     the simulator's run: {f.result.outcome}. {_sentence(f.result.explanation)}")
            if f.fix:
                rows.append(f"     the audit's smallest fix: {_sentence(f.fix.change)}")
        if self.others:
            more = [p for p in report.exposed if p not in self.problems]
            ok &= not more
            rows.append("ok   no other problem is exposed" if not more else
                        f"FAIL your change exposes {', '.join(more)} too: {_sentence(report[more[0]].why)}")
        for row in self.rows:
            passed, got = row.test(report.context.policy.spd)
            ok &= passed
            rows.append(f"{'ok  ' if passed else 'FAIL'} {row.wanted}: {got}")
            if not passed and row.mistake:
                rows.append(f"     likely mistake: {row.mistake}")
        for service in self.services:
            result = reach(report, service.server, ipsec=service.outcome == "protected")
            passed = served(result, service)
            ok &= passed
            what = f"{service.what}, " if service.what else ""
            rows.append(f"{'ok  ' if passed else 'FAIL'} {what}{service.describe()} is reached "
                        f"{SERVICE_OUTCOMES[service.outcome]}: got {result.outcome}")
            if not passed:
                rows.append(f"     why: {_sentence(result.explanation)}")
                if service.mistake:
                    rows.append(f"     likely mistake: {service.mistake}")
        warnings = [n for n in report.context.policy.notes if n.severity == "warning"]
        rows += [f"note {n}" for n in warnings]
        return ok, rows

    def check(self, text) -> None:
        if self._stub(text, "your configuration's text"):
            return
        try:
            ok, rows = self.evaluate(text)
        except LabsimError as exc:
            return self._say(NOT_YET, "Your configuration cannot be imported:", str(exc).splitlines())
        if ok:
            return self._say(CORRECT, "Your configuration meets every requirement:", rows)
        return self._say(NOT_YET, "Some requirements fail; expected every row to say ok:", rows)


@dataclass
class ChooseFix(FixConfig):
    """Choose, among edits of ``base`` (``options``: label to configuration text), the fix whose cost is acceptable.

    An option works when it meets the requirements of :class:`FixConfig` (the problems gone,
    the services still reached). The check audits every option and says what each one does;
    :meth:`show` prints what each option changes.
    """

    base: str = ""
    options: dict[str, str] = field(default_factory=dict)
    goal: str = "removes the problem and keeps every service working"

    def show(self) -> None:
        """Print each option as the lines it removes (-) and adds (+) to the base configuration."""
        for label, text in self.options.items():
            print(f"option {label!r}:")
            diff = difflib.unified_diff(self.base.splitlines(), text.splitlines(), lineterm="", n=1)
            for line in diff:
                if line.startswith(("---", "+++")):
                    continue
                print("    " + ("..." if line.startswith("@@") else line.rstrip()))
            print()

    def check(self, answer) -> None:
        listed = ", ".join(repr(k) for k in self.options)
        if self._stub(answer, f"one of {listed}"):
            return
        if answer not in self.options:
            return self._say(NOT_YET, f"{answer!r} is not an option; choose one of {listed}.")
        rows, verdicts = [], {}
        for label, text in self.options.items():
            ok, details = self.evaluate(text)
            verdicts[label] = ok
            rows.append(f"{'works' if ok else 'fails'}: {label!r}")
            rows += ["  " + d for d in details]
        if not self._judged(verdicts[answer]):
            mine = rows[rows.index(f"fails: {answer!r}") + 1:]
            mine = mine[:next((i for i, r in enumerate(mine) if r.startswith(("works: ", "fails: "))), len(mine))]
            return self._say(NOT_YET, f"{answer!r} does not: expected an option that {self.goal}. What it does "
                                      "(a second wrong try shows every option):", mine)
        if verdicts[answer]:
            return self._say(CORRECT, f"{answer!r} {self.goal}. What each option does:", rows)
        return self._say(NOT_YET, f"{answer!r} does not: expected an option that {self.goal}. "
                                  "What each option does:", rows)


__all__ = ["Service", "reach", "PredictAudit", "FixConfig", "ChooseFix"]
