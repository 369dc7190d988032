"""labsim/audit/cli.py: `python -m labsim audit`, its acceptance commands, flags, JSON and errors."""

import json
import subprocess
import sys

import pytest

from labsim.cli import main

from test_audit_support import EXAMPLES

GROUP_AUTH = str(EXAMPLES / "strongswan-group-auth" / "swanctl.conf")
HARDENED = str(EXAMPLES / "strongswan-hardened" / "swanctl.conf")
BROADCAST = str(EXAMPLES / "xfrm-broadcast-bypass" / "policies.txt")


def run(capsys, *argv):
    status = main(["audit", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_acceptance_the_strongswan_example_lists_1a_and_1b_with_runs_that_succeed_as_attacks():
    """`python -m labsim audit <strongSwan example> --json`, in a fresh interpreter, as the issue says."""
    done = subprocess.run([sys.executable, "-m", "labsim", "audit", GROUP_AUTH, "--json"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert {"1a", "1b"} <= set(report["exposed"])
    for problem in ("1a", "1b"):
        finding = next(f for f in report["findings"] if f["problem"] == problem)
        run_json = finding["counterexample"]["run"]
        assert run_json["attack_succeeded"] and run_json["problem"] == problem
        assert run_json["events"], "the trace is there for a notebook to animate"


def test_acceptance_the_hardened_example_lists_none(capsys):
    """The hardened policy passes: no finding is exposed."""
    status, out, _ = run(capsys, HARDENED, "--json", "--no-events")
    assert status == 0
    report = json.loads(out)
    assert report["exposed"] == []
    assert {f["status"] for f in report["findings"]} <= {"not exposed", "not applicable"}


def test_acceptance_a_malformed_config_is_a_clear_error_with_file_and_line_and_exit_2(tmp_path):
    """A fresh interpreter prints one line naming file and line, no traceback, and exits 2."""
    bad = tmp_path / "swanctl.conf"
    bad.write_text("connections {\n   lan {\n      remote_addrs = 10.1.0.0/16\n      children {\n"
                   "         lan { mode = transprot }\n      }\n   }\n}\n")
    done = subprocess.run([sys.executable, "-m", "labsim", "audit", str(bad)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {bad}, line 5: mode must be one of tunnel, transport")
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_the_text_report_cites_the_paper_and_the_config(capsys):
    """The human report has the policy with its lines, the profile with sources, and each section."""
    status, out, _ = run(capsys, BROADCAST)
    assert status == 0
    assert "(Linux ip xfrm policies)" in out and "policies.txt:31" in out
    assert "section 4.2" in out and "section 7" in out and "set in" in out
    assert "Summary: exposed: 1a, 1b, 2, 3, 5a, 5b; not exposed: 4." in out


def test_flags_override_the_profile_beside_the_config(capsys):
    """--no-stateful beats the stateful = true of labsim-profile.toml; the JSON says it was a flag."""
    status, out, _ = run(capsys, BROADCAST, "--json", "--no-events", "--no-stateful", "--dnssec")
    report = json.loads(out)
    facts = {f["name"]: f for f in report["profile"]}
    assert facts["stateful"]["value"] == "no" and facts["stateful"]["source"] == "set by a flag"
    assert "5a" not in report["exposed"] and "1a" not in report["exposed"]


def test_no_profile_ignores_the_file_beside_the_config(capsys):
    """--no-profile audits with defaults: the laptop is then a stationary host."""
    _, out, _ = run(capsys, BROADCAST, "--json", "--no-events", "--no-profile")
    facts = {f["name"]: f for f in json.loads(out)["profile"]}
    assert facts["mobile"]["value"] == "no" and facts["mobile"]["source"] == "default"


def test_fail_on_exposed_exits_1_for_ci(capsys):
    """With --fail-on-exposed an exposed finding makes the exit status 1; a clean audit stays 0."""
    assert run(capsys, GROUP_AUTH, "--fail-on-exposed")[0] == 1
    assert run(capsys, HARDENED, "--fail-on-exposed")[0] == 0


def test_servers_and_ranges_can_be_given_by_flag(capsys):
    """--server names the peer the counterexamples use; --range sets the organisation's addresses."""
    _, out, _ = run(capsys, GROUP_AUTH, "--json", "--no-events", "--server", "files.example.org=10.1.7.7:445",
                    "--range", "10.1.0.0/16")
    finding = next(f for f in json.loads(out)["findings"] if f["problem"] == "1b")
    assert "files.example.org" in finding["why"] and "10.1.7.7" in finding["why"]


@pytest.mark.parametrize("argv, message", [
    (["/nonexistent/swanctl.conf"], "error: /nonexistent/swanctl.conf: no such file"),
    ([GROUP_AUTH, "--range", "10.1.0.0/33"], "error: --range: '10.1.0.0/33' does not appear to be an IPv4 or IPv6"),
    ([GROUP_AUTH, "--server", "server-b"], "error: --server: a server is NAME=ADDRESS[:PORT]"),
    ([GROUP_AUTH, "--format", "spd"], f"error: SPD {GROUP_AUTH}, line 9, column 1: a rule starts with an action"),
])
def test_bad_arguments_are_errors_with_exit_2(capsys, argv, message):
    """Every mistake a user can make on the command line is one clear message and status 2."""
    status, _, err = run(capsys, *argv)
    assert status == 2 and err.startswith(message)


def test_a_bad_profile_file_names_its_line(capsys, tmp_path):
    """--profile FILE with an unknown setting is an error naming the file and line."""
    profile = tmp_path / "p.toml"
    profile.write_text("mobile = true\nmoblie = false\n")
    status, _, err = run(capsys, GROUP_AUTH, "--profile", str(profile))
    assert status == 2 and err.startswith(f"error: {profile}, line 2: unknown setting 'moblie' (did you mean 'mobile'?)")


def test_auditing_loads_no_drawing_or_notebook_package():
    """labsim.audit sits above the model and below viz: an audit imports no matplotlib, ipywidgets, IPython."""
    code = ("import sys\nfrom labsim.audit import audit\n"
            f"audit({GROUP_AUTH!r})\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'ipywidgets', 'IPython')))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_8_a_tunnel_template_whose_address_is_a_name_is_refused_with_file_and_line(capsys, tmp_path):
    """Item 8: `tmpl src 10.1.0.5 dst gw.example.net` used to crash with exit 1; now a clean refusal."""
    config = tmp_path / "policies.txt"
    config.write_text("src 10.1.0.5/32 dst 10.2.0.0/16\n\tdir out priority 1000 ptype main\n"
                      "\ttmpl src 10.1.0.5 dst gw.example.net\n\t\tproto esp reqid 1 mode tunnel\n")
    status, out, err = run(capsys, str(config), "--fail-on-exposed")
    assert status == 2 and out == ""
    assert f"{config}, line 3" in err and "'gw.example.net' is not an address" in err
    assert "Traceback" not in err


def test_8_an_unexpected_error_has_an_exit_status_of_its_own(capsys, monkeypatch):
    """A bug in the auditor must not look like a finding (1) or bad input (2)."""
    import labsim.audit.cli as audit_cli

    def broken(*args, **kwargs):
        raise ValueError("something the auditor did not expect")
    monkeypatch.setattr(audit_cli, "audit_policy", broken)
    status, out, err = run(capsys, HARDENED, "--fail-on-exposed")
    assert status == audit_cli.EXIT_INTERNAL == 3
    assert "internal error" in err and "ValueError: something the auditor did not expect" in err
    assert "Traceback" not in err and out == ""


def test_a_folder_of_hosts_gives_one_line_per_host_and_problem_and_a_progress_bar(capsys, tmp_path):
    """The README's command for an administrator: every host's configuration in one run."""
    import shutil
    for name in ("strongswan-group-auth", "strongswan-hardened"):
        shutil.copytree(EXAMPLES / name, tmp_path / name)
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "policies.txt").write_text("src 10.1.0.5/32 dst 10.1.0.0/16\n\tdir sideways\n")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "swanctl.conf").write_text("# no IPsec on this host yet\n")
    status, out, err = run(capsys, str(tmp_path))
    lines = [line.split("\t") for line in out.splitlines()]
    by_host = {}
    for path, problem, status_word, why in lines:
        by_host.setdefault(path.split("/")[-2], []).append((problem, status_word))
    assert by_host["strongswan-group-auth"] == [("1a", "exposed"), ("1b", "exposed"), ("5b", "exposed")]
    assert by_host["strongswan-hardened"] == [("-", "nothing exposed")]
    assert by_host["broken"] == [("-", "could not read")] and "line 2" in out
    assert by_host["empty"] == [("-", "nothing to audit")]
    assert "[" in err and "4/4" in err and "1 could not be read" in err
    assert status == 2
    status, _, _ = run(capsys, str(tmp_path), "--fail-on-exposed")
    assert status == 1
