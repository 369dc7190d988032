"""Mutation check: break one mechanism at a time and see whether the tests notice.

Each mutant names a mechanism of the model, the edits that break it (a file, a snippet that
must occur exactly once, its replacement) and the test files expected to kill it. The tool
copies the repository to a temporary directory, applies one mutant there (the working tree
is never touched), runs the mutant's tests with a fresh Hypothesis database, and reports
which mutants survive (all their tests still pass).

    python tools/mutate.py --list                  # the mutants and their tests
    python tools/mutate.py --check                 # every snippet still occurs exactly once
    python tools/mutate.py                         # run every mutant (a few minutes)
    python tools/mutate.py --only "ESP integrity tag" --only "resolver cache"

Exit status: 0 when every mutant is killed, 1 when one survives, 2 on a stale snippet or a
baseline run that already fails. ``tests/test_mutate.py`` runs ``--check``'s logic, so a
refactor that moves a snippet fails the test suite instead of silently orphaning a mutant.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import types
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COPIED = ("labsim", "tests", "tools", "examples", "pyproject.toml")


@dataclass(frozen=True)
class Edit:
    file: str          # relative to the repository root
    snippet: str       # must occur exactly once in the file
    replacement: str


@dataclass(frozen=True)
class Mutant:
    name: str          # the mechanism, as tests and the README name it
    edits: tuple[Edit, ...]
    tests: tuple[str, ...]   # test files (or node ids) expected to kill it
    why: str = ""


def _one(name: str, file: str, snippet: str, replacement: str, tests, why: str = "") -> Mutant:
    return Mutant(name, (Edit(file, snippet, replacement),), tuple(tests), why)


MUTANTS: tuple[Mutant, ...] = (
    # ------------------------------------------------ issue 11, section 1: the verdict reads the wire
    _one("transport ESP sent as plain packets", "labsim/host.py",
         "self._send(Packet(wire, origin or self.name, dict(facts, **carried)))",
         "self._send(Packet(pkt, origin or self.name, dict(facts)))",
         ["tests/test_property_spd.py", "tests/test_verdict.py"],
         "an SA's packets (transport, or a VPN's tunnel) leave as plain packets while the stack believes "
         "they are protected"),
    Mutant("client belief as verdict", (
        Edit("labsim/verdict.py", '    exposed_on = [c for c in crossed if read_by[c["network"]]]',
             '    exposed_on = [] if sent and sent.get("protected") else [c for c in crossed if read_by[c["network"]]]'),
        Edit("labsim/verdict.py", "    in_clear = bool(crossed) or (record is not None and not via_sa)",
             '    in_clear = bool(sent) and not sent["protected"]'),
    ), ("tests/test_verdict.py", "tests/test_fig3.py"),
        "protected or clear is read from what the client's stack believed (sent.protected), not from what "
        "crossed the networks and how the receiver got it; fig3 vpn_encryption=null dns_server=home shows it: the "
        "stack sends through an SA, but ESP with NULL encryption leaves the request readable on the hotel network"),
    _one("problem-4 attribution from layout", "labsim/verdict.py",
         '    if last["action"] != "protect" or not last.get("remote") or not _private_prefix(last["remote"]):\n'
         '        return None',
         "    if False:\n        return None",
         ["tests/test_verdict.py", "tests/test_fig4.py"],
         "problem 4 is named whenever a flow away from home is stopped, whatever rule stopped it"),
    _one("5a attribution from admission", "labsim/verdict.py",
         '        if trigger.get("how") in ("broadcast", "multicast") and trigger.get("asker") == hit["sender"]:\n'
         '            return "5a"\n        return None',
         '        return "5a"',
         ["tests/test_verdict.py", "tests/test_fig5.py"],
         "problem 5a is named for any soft-SA admission, whether or not an answer to the attacker's broadcast "
         "opened it (fig5 attacker_via=printer_address: host-a's own print job opened it, then the address was "
         "hijacked)"),
    # ------------------------------------------------ issue 11, section 2: every mechanism matters
    _one("inbound PROTECT enforcement", "labsim/host.py",
         "        action = match.action\n        src = ip(pkt.src)",
         '        action = "bypass" if match.action == "protect" else match.action\n        src = ip(pkt.src)',
         ["tests/test_property_spd.py", "tests/test_fig5.py"],
         "a clear packet matching PROTECT is accepted, and logged as BYPASS"),
    _one("soft-SA admission", "labsim/host.py",
         'and self.soft_sas.admits(src, self.sim.now):\n            soft = self.soft_sas.get(src)',
         'and self.soft_sas.peers():\n            soft = self.soft_sas.get(self.soft_sas.peers()[0])',
         ["tests/test_property_soft_sa.py", "tests/test_fig5.py"],
         "once any soft SA is open, every peer's clear packets are admitted"),
    _one("inbound inner-source selector check", "labsim/host.py",
         '    if sa.mode == "tunnel":\n        return not sa.inner_remote or',
         '    return True\n    if sa.mode == "tunnel":\n        return not sa.inner_remote or',
         ["tests/test_mechanisms_matter.py", "tests/test_property_spd.py"],
         "after decryption, the inner source is not checked against the SA's selectors (RFC 4301 5.2)"),
    Mutant("ESP integrity tag", (
        Edit("labsim/ipsec/sad.py",
             '        AESGCM(sa.key[:16]).decrypt(sa.key[16:] + iv, body, struct.pack("!LL", esp.spi, esp.seq))',
             "        pass  # the tag is not compared"),
        Edit("labsim/ipsec/sad.py", "    return hmac.compare_digest(icv, expected)",
             "    return True  # the ICV is not compared"),
    ), ("tests/test_mechanisms_matter.py", "tests/test_sad.py"),
        "the receiver opens ESP without checking its integrity (the AES-GCM tag, or the HMAC ICV of ESP with NULL "
        "encryption), so an altered packet is accepted"),
    _one("certificate signature check", "labsim/pki.py",
         "        ca.public_key.verify(cert.signature, cert.tbs_certificate_bytes)",
         "        pass  # the CA's signature is not checked",
         ["tests/test_mechanisms_matter.py", "tests/test_pki.py"],
         "a certificate naming a trusted CA as issuer is accepted whoever signed it"),
    Mutant("certificate issuer check", (
        Edit("labsim/pki.py", "    if ca is None:\n        known", "    if False:\n        known"),
        Edit("labsim/pki.py", "    if not ca_signature_verifies(ca, cert):",
             "    if ca is not None and not ca_signature_verifies(ca, cert):"),
        Edit("labsim/pki.py", 'f"signed by {ca.name}, valid, names', 'f"signed by {issuer_name}, valid, names'),
    ), ("tests/test_mechanisms_matter.py", "tests/test_pki.py"),
        "a certificate from a CA the host does not trust is accepted, unverified"),
    _one("IKE AUTH signature check", "labsim/ipsec/ike.py",
         "        public_key.verify(signature, octets)",
         "        pass  # the AUTH signature is not checked",
         ["tests/test_mechanisms_matter.py", "tests/test_ike.py"],
         "a peer that presents someone's certificate without its private key passes IKE_AUTH"),
    _one("SPD name selector", "labsim/ipsec/spd.py",
         "    return name_matches(required, authenticated)",
         "    return True",
         ["tests/test_mechanisms_matter.py", "tests/test_scenarios_core.py"],
         "a PROTECT rule's name selector (section 6.4) is not compared with the authenticated identity"),
    _one("resolver cache", "labsim/dns.py",
         "if cached is not None and (cached.secure or not secure):",
         "if False:",
         ["tests/test_fig4.py", "tests/test_dns.py"],
         "the resolver never answers from its cache"),
    _one("DNSSEC signature verification", "labsim/dns.py",
         "dns.dnssec.validate(rrset, sigs, {anchor: self.trust_anchors[anchor]}, now=now)",
         "None  # the RRSIG is not verified",
         ["tests/test_fig3.py", "tests/test_dns.py"],
         "a validating resolver accepts any answer that carries an RRSIG"),
    _one("VPN split routing", "labsim/vpn.py",
         "            for excluded in self.exclude:",
         "            for excluded in ():",
         ["tests/test_fig4.py", "tests/test_vpn.py"],
         "the VPN client ignores its profile's split exclusions and tunnels the excluded range too"),
)


def by_name(name: str) -> Mutant:
    for mutant in MUTANTS:
        if mutant.name == name:
            return mutant
    raise KeyError(f"no mutant called {name!r}; choose one of: {', '.join(m.name for m in MUTANTS)}")


# ---------------------------------------------------------------- applying

def mutated_source(mutant: Mutant, file: str, root: Path = ROOT) -> str:
    text = (root / file).read_text()
    for edit in mutant.edits:
        if edit.file == file:
            count = text.count(edit.snippet)
            if count != 1:
                raise ValueError(f"mutant {mutant.name!r}: snippet occurs {count} times in {file}, not once: "
                                 f"{edit.snippet!r}")
            text = text.replace(edit.snippet, edit.replacement)
    return text


def stale(root: Path = ROOT) -> list[str]:
    """Every mutant edit whose snippet does not occur exactly once (or whose test file is missing)."""
    problems = []
    for mutant in MUTANTS:
        for edit in mutant.edits:
            path = root / edit.file
            count = path.read_text().count(edit.snippet) if path.exists() else 0
            if count != 1:
                problems.append(f"{mutant.name}: snippet occurs {count} times in {edit.file}: {edit.snippet!r}")
        for test in mutant.tests:
            if not (root / test.split("::")[0]).exists():
                problems.append(f"{mutant.name}: test file {test} does not exist")
    return problems


def apply_in_process(name: str, monkeypatch) -> None:
    """Apply a mutant to the imported modules for one test (pytest's ``monkeypatch`` undoes it).

    The mutated file is executed as a sibling module; every class method and module function
    whose code changed replaces the original. Enough for meta-tests of mechanisms that live
    in methods (a function imported elsewhere by ``from x import f`` keeps the original).
    """
    import importlib

    mutant = by_name(name)
    for file in sorted({edit.file for edit in mutant.edits}):
        module_name = file.removesuffix(".py").replace("/", ".")
        original = importlib.import_module(module_name)
        source = mutated_source(mutant, file, Path(original.__file__).resolve().parents[module_name.count(".")])
        twin = types.ModuleType(module_name + "_mutant")
        twin.__package__ = module_name.rpartition(".")[0]
        twin.__file__ = original.__file__
        monkeypatch.setitem(sys.modules, twin.__name__, twin)   # dataclasses look their module up
        exec(compile(source, original.__file__, "exec"), twin.__dict__)
        for attr, value in vars(twin).items():
            old = getattr(original, attr, None)
            if isinstance(value, types.FunctionType) and getattr(value, "__module__", None) == twin.__name__:
                if old is None or old.__code__.co_code != value.__code__.co_code \
                        or old.__code__.co_consts != value.__code__.co_consts:
                    monkeypatch.setattr(original, attr, value, raising=False)
            elif isinstance(value, type) and isinstance(old, type):
                for key, member in vars(value).items():
                    was = vars(old).get(key)
                    if isinstance(member, types.FunctionType) and isinstance(was, types.FunctionType) \
                            and (was.__code__.co_code != member.__code__.co_code
                                 or was.__code__.co_consts != member.__code__.co_consts):
                        monkeypatch.setattr(old, key, member)


# ---------------------------------------------------------------- running

def _copy(dest: Path) -> None:
    for name in COPIED:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__", ".hypothesis"))
        elif src.exists():
            shutil.copy2(src, dest / name)


def run_tests(root: Path, tests, timeout: int, mutant: str = "") -> tuple[str, float, str]:
    """('pass' | 'fail' | 'timeout', seconds, the failing tests or the last lines) of pytest in ``root``.

    ``LABSIM_MUTANT`` tells meta-tests (which apply a mutant themselves) that the code already is one.
    """
    env = dict(os.environ, PYTHONPATH=str(root), HYPOTHESIS_STORAGE_DIRECTORY=str(root / ".hypothesis"),
               PYTHONDONTWRITEBYTECODE="1")
    env.pop("LABSIM_MUTANT", None)
    if mutant:
        env["LABSIM_MUTANT"] = mutant
    cmd = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:nbval", "-p", "no:cacheprovider",
           "-o", "addopts=", "--hypothesis-seed=0", *tests]
    start = time.monotonic()
    try:
        done = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - start, ""
    lines = (done.stdout + done.stderr).strip().splitlines()
    failed = [line.split(" - ")[0].removeprefix("FAILED ").removeprefix("ERROR ") for line in lines
              if line.startswith(("FAILED ", "ERROR "))]
    tail = ", ".join(failed) if failed else "\n".join(lines[-3:])
    return ("pass" if done.returncode == 0 else "fail"), time.monotonic() - start, tail


# Every scenario run a student can make with one or two toggles changed from the defaults (and the
# full product of a scenario's toggles when it has at most 64 combinations); one JSON line each.
SURVEY = """
import itertools, json, signal, labsim
from labsim.scenarios.base import get

def too_long(signum, frame):
    raise TimeoutError("a run took more than 5 s")

signal.signal(signal.SIGALRM, too_long)
from labsim.engine import Simulator
_schedule = Simulator.schedule

def bounded(self, *args, **kwargs):   # a mutant can make packets loop forever at one instant
    self._mutate_events = getattr(self, "_mutate_events", 0) + 1
    if self._mutate_events > 5_000:
        raise RuntimeError("runaway: more than 5000 events")
    return _schedule(self, *args, **kwargs)

Simulator.schedule = bounded
for sid in labsim.scenario_ids():
    spec = get(sid)
    changes = [(t.name, v) for t in spec.toggles for v in t.values if v != t.default]
    runs = [{}] + [dict([c]) for c in changes] + [dict(pair) for pair in itertools.combinations(changes, 2)
                                                  if pair[0][0] != pair[1][0]]
    product = 1
    for t in spec.toggles:
        product *= len(t.values)
    if product <= 64:
        runs = [dict(zip([t.name for t in spec.toggles], vs)) for vs in itertools.product(*[t.values for t in spec.toggles])]
    for toggles in runs:
        signal.alarm(5)
        try:
            r = labsim.run(sid, toggles)
            flows = getattr(r, "verdicts", None) or {"main": r.verdict}
            got = {f: [v.outcome, v.attack_succeeded, v.problem] for f, v in flows.items()}
        except Exception as exc:
            got = {"error": type(exc).__name__}
        signal.alarm(0)
        print(json.dumps([sid, sorted(toggles.items()), got]))
"""


def survey(root: Path, timeout: int) -> dict:
    """{(scenario, toggles): verdicts} over the runs of SURVEY, in the copy at ``root``."""
    import json

    env = dict(os.environ, PYTHONPATH=str(root), PYTHONDONTWRITEBYTECODE="1")
    try:
        done = subprocess.run([sys.executable, "-c", SURVEY], cwd=root, env=env, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        done = types.SimpleNamespace(stdout=(exc.stdout or b"").decode(errors="replace")
                                     if isinstance(exc.stdout, bytes) else (exc.stdout or ""))
    found = {}
    for line in done.stdout.splitlines():
        sid, toggles, got = json.loads(line)
        found[(sid, " ".join(f"{k}={v}" for k, v in toggles))] = got
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="list the mutants and their tests")
    parser.add_argument("--check", action="store_true", help="only check that every snippet occurs exactly once")
    parser.add_argument("--only", action="append", metavar="NAME", help="run only this mutant (repeatable)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per mutant's test run (default 600)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the run without any mutant")
    parser.add_argument("--verdicts", action="store_true",
                        help="instead of tests, compare scenario verdicts (one or two toggles changed) with the "
                             "unmutated code: a mutant that changes none is invisible to students")
    args = parser.parse_args(argv)
    if args.list:
        for m in MUTANTS:
            print(f"{m.name}\n    {m.why}\n    edits {', '.join(sorted({e.file for e in m.edits}))}; "
                  f"killed by {', '.join(m.tests)}")
        return 0
    problems = stale()
    if problems:
        print("stale mutants (re-anchor them on the current code):\n  " + "\n  ".join(problems))
        return 2
    if args.check:
        print(f"all {len(MUTANTS)} mutants anchor exactly once")
        return 0
    try:
        chosen = [by_name(n) for n in args.only] if args.only else list(MUTANTS)
    except KeyError as exc:
        print(exc.args[0])
        return 2
    survivors = []
    if args.verdicts:
        return verdict_survey(chosen, args.timeout)
    with tempfile.TemporaryDirectory(prefix="labsim-mutate-") as tmp:
        if not args.no_baseline:
            base = Path(tmp) / "baseline"
            base.mkdir()
            _copy(base)
            tests = sorted({t for m in chosen for t in m.tests})
            status, seconds, tail = run_tests(base, tests, args.timeout * 2)
            print(f"baseline (no mutant): {status} in {seconds:.0f} s")
            if status != "pass":
                print(tail)
                return 2
        for mutant in chosen:
            work = _mutated_copy(Path(tmp), mutant)
            status, seconds, tail = run_tests(work, list(mutant.tests), args.timeout, mutant.name)
            verdict = {"fail": "killed", "pass": "SURVIVED", "timeout": "timeout"}[status]
            print(f"{verdict:<9} {mutant.name}  ({seconds:.0f} s; {', '.join(mutant.tests)})"
                  + (f"\n          by {tail}" if status == "fail" else ""), flush=True)
            if status != "fail":
                survivors.append(mutant.name)
            shutil.rmtree(work, ignore_errors=True)
    print(f"\n{len(chosen) - len(survivors)} of {len(chosen)} mutants killed"
          + (f"; survivors: {', '.join(survivors)}" if survivors else ""))
    return 1 if survivors else 0


def _mutated_copy(tmp: Path, mutant) -> Path:
    """A fresh copy of the repository under ``tmp`` with ``mutant`` applied."""
    work = tmp / f"m{MUTANTS.index(mutant)}"
    work.mkdir()
    _copy(work)
    for file in sorted({e.file for e in mutant.edits}):
        (work / file).write_text(mutated_source(mutant, file, work))
    return work


def verdict_survey(chosen, timeout: int) -> int:
    invisible = []
    with tempfile.TemporaryDirectory(prefix="labsim-mutate-") as tmp:
        base = Path(tmp) / "baseline"
        base.mkdir()
        _copy(base)
        start = time.monotonic()
        before = survey(base, timeout)
        print(f"baseline: {len(before)} scenario runs in {time.monotonic() - start:.0f} s")
        for mutant in chosen:
            work = _mutated_copy(Path(tmp), mutant)
            after = survey(work, timeout)
            changed = [key for key in before if after.get(key) != before[key]]
            if changed:
                sid, toggles = changed[0]
                print(f"visible   {mutant.name}: {len(changed)} runs change, e.g. {sid} {toggles or '(defaults)'}: "
                      f"{before[changed[0]]} -> {after.get(changed[0])}", flush=True)
            else:
                print(f"INVISIBLE {mutant.name}: no scenario verdict changes", flush=True)
                invisible.append(mutant.name)
            shutil.rmtree(work, ignore_errors=True)
    print(f"\n{len(chosen) - len(invisible)} of {len(chosen)} mutants change a verdict a student can reach"
          + (f"; invisible: {', '.join(invisible)}" if invisible else ""))
    return 1 if invisible else 0


if __name__ == "__main__":
    sys.exit(main())
