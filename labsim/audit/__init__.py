"""Audit a real host-to-host IPsec policy for the attack classes of "Experiences with Host-to-Host IPsec".

Give :func:`audit` a strongSwan ``swanctl.conf``, the output of ``ip xfrm policy show``, or
labsim SPD text, and a host profile (what the file does not say: the organisation's domain
and CA, its DNS, whether the host travels...). For each of the paper's problems 1a, 1b, 2,
3, 4, 5a and 5b the report says whether the host is exposed, why (the rules and settings
responsible, with file and line), the smallest fix and its cost, and a counterexample: a
world built on the imported policy and played by the simulator, whose verdict decides.

>>> report = audit_text('''
... bypass remote 10.1.0.53 proto udp port 53
... protect remote 10.1.0.0/16
... bypass any''', "spd")
>>> report.exposed
['1a', '1b', '5b']
>>> report["1a"].counterexample.result.outcome
'exposed'

What a notebook uses:

- ``audit(path, profile=None, *, format=None, seed=0, run=True, **settings)`` and
  ``audit_text(text, format=None, profile=None, *, seed=0, run=True, path="<pasted>", **settings)``
  return an :class:`AuditReport`; ``settings`` are profile fields (``mobile=True``,
  ``dnssec=True``, ``stateful=True``, ``ranges=["10.1.0.0/16"]`` ...);
- ``report.exposed`` (problem ids), ``report["1a"]`` (a :class:`Finding`: ``status``,
  ``why``, ``evidence``, ``fix.change``/``fix.cost``, ``counterexample.story``),
  ``report.anomalies``, ``report.text()``, ``report.to_json()``,
  ``report.context.policy.spd_text()`` (the imported policy as labsim SPD text);
- ``report["1a"].result``: the counterexample's :class:`~labsim.result.Result`, to print
  (``.trace_text()``) or animate (``labsim.show(result)``) like any scenario's run.
"""

from __future__ import annotations

import os

from .auditor import audit_policy
from .importers import detect_format, import_text, load_policy
from .policy import ImportedPolicy
from .profile import PROFILE_FILE, HostProfile, Server
from .report import AuditReport, Counterexample, Finding, RuleAnomaly


def make_profile(profile: HostProfile | dict | str | os.PathLike | None = None, **settings) -> HostProfile:
    """A :class:`HostProfile` from a profile, a mapping like the TOML file's, or a TOML file's path; then ``settings``."""
    if profile is None:
        result = HostProfile()
    elif isinstance(profile, HostProfile):
        result = profile
    elif isinstance(profile, dict):
        result = HostProfile.from_mapping(profile, "profile")
    else:
        result = HostProfile.from_toml(str(profile))
    return HostProfile.from_mapping(settings, "keyword arguments", base=result) if settings else result


def find_profile(config: str | os.PathLike) -> str | None:
    """The ``labsim-profile.toml`` that sits beside ``config``, if there is one."""
    candidate = os.path.join(os.path.dirname(os.fspath(config)) or ".", PROFILE_FILE)
    return candidate if os.path.isfile(candidate) else None


def audit(config: str | os.PathLike, profile: HostProfile | dict | str | os.PathLike | None = None, *,
          format: str | None = None, seed: int = 0, run: bool = True, **settings) -> AuditReport:
    """Audit the configuration file ``config``.

    ``profile``: a :class:`HostProfile`, a mapping, or a TOML file; when None, the
    ``labsim-profile.toml`` beside ``config`` is used if there is one. ``settings`` override
    single profile fields (``mobile=True``, ``dnssec=True`` ...). ``format`` is strongswan,
    xfrm or spd (guessed when None).
    """
    if profile is None:
        profile = find_profile(config)
    return audit_policy(load_policy(os.fspath(config), format), make_profile(profile, **settings), seed=seed,
                        run=run)


def audit_text(text: str, format: str | None = None, profile=None, *, seed: int = 0, run: bool = True,
               path: str = "<pasted>", **settings) -> AuditReport:
    """Audit configuration ``text`` (what a student pastes into a notebook)."""
    return audit_policy(import_text(text, format, path), make_profile(profile, **settings), seed=seed, run=run)


__all__ = ["audit", "audit_text", "audit_policy", "load_policy", "import_text", "detect_format", "make_profile",
           "find_profile", "HostProfile", "Server", "ImportedPolicy", "AuditReport", "Finding", "Counterexample",
           "RuleAnomaly"]
