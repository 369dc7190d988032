"""labsim/teaching/audit_checks.py: the auditor-backed checks accept right answers and teach on wrong ones."""

from pathlib import Path

import pytest

from labsim.audit import audit, audit_text
from labsim.teaching import nb07
from labsim.teaching.audit_checks import ChooseFix, FixConfig, PredictAudit, Service, reach, served
from labsim.teaching.checks import SOLUTIONS_TOML, load_solutions

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
GROUP_AUTH = str(EXAMPLES / "strongswan-group-auth" / "swanctl.conf")
XFRM = EXAMPLES / "xfrm-broadcast-bypass"


def said(capsys):
    return capsys.readouterr().out


# ------------------------------------------------------------------ reach: what "still works" means

def test_reach_plays_the_host_reaching_a_server_through_its_own_policy():
    """The group-auth desktop reaches server-b over IPsec, and the printer and the web in clear."""
    report = audit(GROUP_AUTH)
    server = reach(report, "server-b.example.org=10.1.3.4:80")
    assert server.outcome == "protected" and server.authenticated_as == "server-b.example.org"
    assert reach(report, "printer-b.example.org=10.1.9.10:9100", ipsec=False).outcome == "clear"
    web = reach(report, "www.example.com=198.51.100.80:80", ipsec=False)
    assert web.reached_peer == "www" and web.data_in_clear   # in clear, across the Internet
    assert served(web, Service("www.example.com=198.51.100.80:80", "clear"))
    assert not server.attack_succeeded


def test_reach_shows_what_the_hardened_policy_costs():
    """The hardened policy still reaches its named server under IPsec (DNS too), but the web is dropped."""
    report = audit(EXAMPLES / "strongswan-hardened" / "swanctl.conf")
    assert reach(report, "server-b.example.org=10.1.3.4:80").outcome == "protected"
    web = reach(report, "www.example.com=198.51.100.80:80", ipsec=False)
    assert web.outcome == "blocked" and "discard" in web.explanation


def test_reach_fails_when_the_policy_protects_a_device_without_ipsec():
    """A printer under a PROTECT rule cannot be reached: IKE with it never completes."""
    report = audit_text("bypass remote 10.1.0.53 proto udp port 53\nprotect remote 10.1.0.0/16\nbypass any")
    assert reach(report, "printer-b.example.org=10.1.9.10:9100", ipsec=False).outcome == "blocked"


def test_a_service_is_checked_at_construction():
    """A malformed service or outcome fails when the exercise is defined, not when a student checks."""
    with pytest.raises(ValueError, match="NAME=ADDRESS"):
        Service("server-b.example.org")
    with pytest.raises(ValueError, match="'protected' or 'clear'"):
        Service("server-b.example.org=10.1.3.4:80", "exposed")


# ------------------------------------------------------------------ PredictAudit

def test_predict_audit_accepts_the_set_the_audit_finds(capsys):
    """The group-auth example exposes 1a, 1b and 5b; ids are case- and type-tolerant."""
    q = PredictAudit("q1", "t", config=GROUP_AUTH)
    q.check({"1A", "1b", "5b"})
    out = said(capsys)
    assert out.startswith("[q1] Correct. The audit agrees: exposed: 1a, 1b, 5b.") and q.passed
    assert out.count("    ok   ") == 7


def test_predict_audit_explains_each_wrong_problem(capsys):
    """A missed and a wrongly claimed problem each get a FAIL row with the audit's reason."""
    q = PredictAudit("q1", "t", config=GROUP_AUTH)
    q.check(["1a", "5a", "5b"])
    out = said(capsys)
    assert out.startswith("[q1] Not yet. 2 of 7 problems judged wrongly. Try again") and "FAIL" not in out
    q.check(["1a", "5a", "5b"])   # the audit, row by row, only on the second wrong try
    out = said(capsys)
    assert out.startswith("[q1] Not yet. 2 of 7 problems judged wrongly") and q.passed is False
    assert "FAIL 1b  exposed        you said not exposed" in out
    assert "FAIL 5a  not exposed    you said exposed" in out
    assert "simulator: impersonated." in out and "no rule falls back to clear" in out


def test_predict_audit_uses_the_profile_beside_the_config(capsys):
    """The xfrm laptop is audited with its labsim-profile.toml (mobile, stateful): 4 is the only one not exposed."""
    PredictAudit("q1", "t", config=str(XFRM / "policies.txt")).check({"1a", "1b", "2", "3", "5a", "5b"})
    assert said(capsys).startswith("[q1] Correct.")


@pytest.mark.parametrize("answer, words", [(..., "Replace ... with your answer"),
                                           ({"1c"}, "'1c' is not one of the paper's problems"),
                                           (3.5, "give a set of problem ids")])
def test_predict_audit_stubs_and_typos_say_not_yet(answer, words, capsys):
    """The stub, an unknown problem and a non-set each get a clear 'Not yet', never an exception."""
    PredictAudit("q1", "t", config=GROUP_AUTH).check(answer)
    out = said(capsys)
    assert out.startswith("[q1] Not yet.") and words in out


# ------------------------------------------------------------------ FixConfig

def _fix():
    return FixConfig("q3", "t", problems=("1a", "1b", "5b"), services=nb07.SERVICES, settings=nb07.HOST,
                     format="strongswan")


def test_fix_config_accepts_a_fix_that_keeps_every_service(capsys):
    """The worked fix removes 1a, 1b and 5b, exposes nothing else, and all three services still work."""
    q = _fix()
    q.check(load_solutions(SOLUTIONS_TOML)["07.fixed"])
    out = said(capsys)
    assert out.startswith("[q3] Correct. Your configuration meets every requirement:") and q.passed
    assert "FAIL" not in out and out.count("    ok   ") == 7


def test_fix_config_rejects_the_original_with_the_audits_reasons_and_fixes(capsys):
    """The unfixed example fails on each problem, with the run's verdict and the audit's smallest fix."""
    _fix().check(nb07.GROUP_AUTH)
    out = said(capsys)
    assert out.startswith("[q3] Not yet. Some requirements fail")
    for problem in ("1a", "1b", "5b"):
        assert f"FAIL {problem} is still exposed" in out
    assert "the simulator's run: impersonated." in out
    assert "the audit's smallest fix: replace remote.id = %any" in out
    assert "ok   the printer, printer-b.example.org (10.1.9.10, TCP 9100) is reached in clear: got clear" in out


def test_fix_config_rejects_a_fix_that_cuts_a_service_off(capsys):
    """Dropping everything removes 1a but blocks the web: the service row fails with its reason and mistake."""
    q = FixConfig("q2", "t", problems=("1a",), services=nb07.SERVICES, settings=nb07.HOST, others=False)
    q.check(nb07.OPTIONS["drop all other traffic"])
    out = said(capsys)
    assert out.startswith("[q2] Not yet.") and "ok   1a is no longer exposed" in out
    assert "FAIL a web site, www.example.com (198.51.100.80, TCP 80) is reached in clear: got blocked" in out
    assert "likely mistake: the users browse the web in clear" in out


def test_fix_config_rejects_a_fix_that_opens_another_problem(capsys):
    """With others=True, a problem the exercise did not name must not be exposed either."""
    q = FixConfig("q3", "t", problems=("1a",), settings=nb07.HOST)
    q.check(nb07.OPTIONS["protect DNS"])
    out = said(capsys)
    assert out.startswith("[q3] Not yet.") and "FAIL your change exposes 1b, 5b too" in out


def test_fix_config_works_on_xfrm_policies_with_their_profile(capsys):
    """Blocking both NetBIOS broadcasts in the laptop's xfrm listing removes 5a; the file server still works.

    Blocking only the subnet's broadcast (10.1.255.255) is not enough: 255.255.255.255 still
    carries the trigger, and the check says so.
    """
    text = (XFRM / "policies.txt").read_text()
    half = text.replace("dst 10.1.255.255/32 proto udp dport 137 \n\tdir in priority 1000 ptype main \n",
                        "dst 10.1.255.255/32 proto udp dport 137 \n\tdir in priority 1000 ptype main action block\n")
    fixed = half.replace("dst 255.255.255.255/32 proto udp dport 137 \n\tdir in priority 1000 ptype main \n",
                         "dst 255.255.255.255/32 proto udp dport 137 \n\tdir in priority 1000 ptype main action block\n")
    assert text != half != fixed
    q = FixConfig("q4", "t", problems=("5a",), others=False, profile=str(XFRM / "labsim-profile.toml"),
                  services=(Service("server-b.example.org=10.1.3.4:80"),))
    q.check(text)
    assert said(capsys).startswith("[q4] Not yet.")
    q.check(half)
    assert "FAIL 5a is still exposed" in said(capsys)
    q.check(fixed)
    out = said(capsys)
    assert out.startswith("[q4] Correct.") and "ok   5a is no longer exposed: broadcasts from the LAN" in out
    assert "note <your config>:20: warning: level use" in out


def test_fix_config_reports_a_configuration_that_cannot_be_imported(capsys):
    """A typo in the file gets the importer's message with the line, as a 'Not yet'."""
    _fix().check(nb07.GROUP_AUTH.replace("mode = transport", "mode = transprt"))
    out = said(capsys)
    assert out.startswith("[q3] Not yet. Your configuration cannot be imported:")
    assert "<your config>, line" in out and "not 'transprt'" in out


def test_fix_config_names_only_the_papers_problems():
    """An exercise that asks for an unknown problem fails at construction."""
    with pytest.raises(ValueError, match="not one of the paper's"):
        FixConfig("q3", "t", problems=("6",))


# ------------------------------------------------------------------ ChooseFix and notebook 07

def test_choose_fix_audits_every_option_and_accepts_the_one_that_works(capsys):
    """Only 'protect DNS' removes 1a and keeps every service; the others say why they fail."""
    nb07.q2.check("protect DNS")
    out = said(capsys)
    assert out.startswith("[q2] Correct. 'protect DNS' removes problem 1a")
    assert "fails: 'drop all other traffic'" in out and "fails: 'name the server'" in out
    assert "works: 'protect DNS'" in out
    nb07.q2.check("name the server")
    out = said(capsys)
    assert out.startswith("[q2] Not yet. 'name the server' does not") and "FAIL 1a is still exposed" in out
    nb07.q2.check("dnssec")
    assert "'dnssec' is not an option" in said(capsys)


def test_choose_fix_shows_what_each_option_changes(capsys):
    """show() prints each option as removed and added lines against the base configuration."""
    nb07.q2.show()
    out = said(capsys)
    assert "option 'protect DNS':" in out and "+         id = ns.example.org" in out
    assert "-            mode = pass" in out and "+            mode = drop" in out


def test_choose_fix_is_a_fix_config_with_options():
    """Every option of notebook 07's q2 differs from the example it edits."""
    assert isinstance(nb07.q2, ChooseFix)
    assert all(text != nb07.GROUP_AUTH for text in nb07.OPTIONS.values())


def test_notebook_07_predict_exercise_accepts_its_solution(capsys):
    """q1's worked answer is what the audit of the laptop finds."""
    nb07.q1.check({"1a", "1b", "2", "3", "5a", "5b"})
    assert said(capsys).startswith("[q1] Correct.")


def test_summary_prints_one_line_per_problem(capsys):
    """summary() lists the seven problems with their status, and the fixes of exposed ones on request."""
    nb07.summary(audit(GROUP_AUTH), fixes=True)
    lines = said(capsys).splitlines()
    assert [line.split()[0] for line in lines if not line.startswith(" ")][:7] == list(nb07.PROBLEMS)
    assert sum(line.startswith("    smallest fix:") for line in lines) == 3
