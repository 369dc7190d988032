"""labsim/cli.py: the command line contract shared by tests, notebooks and instructors."""

import json
import subprocess
import sys

import pytest
from scapy.utils import rdpcap

from labsim.cli import main


def cli(*args):
    return subprocess.run([sys.executable, "-m", "labsim", *args], capture_output=True, text=True, timeout=120)


def test_run_json_acceptance():
    """`run fig1 --json` says exposed, problem 1a, attack true; `--set dns=honest` says protected."""
    data = json.loads(cli("run", "fig1", "--json").stdout)
    assert (data["outcome"], data["problem"], data["attack_succeeded"]) == ("exposed", "1a", True)
    assert data["toggles"]["dns"] == "spoofed" and data["events"][0]["kind"]
    assert json.loads(cli("run", "fig1", "--set", "dns=honest", "--json").stdout)["outcome"] == "protected"
    data = json.loads(cli("run", "fig2", "--set", "name_check=pad", "--json").stdout)
    assert data["outcome"] == "blocked"


def test_unknown_scenario_exits_2_and_lists_the_scenarios():
    """`run fig9` exits 2 with one line naming the valid scenarios, and no traceback."""
    proc = cli("run", "fig9")
    assert proc.returncode == 2
    assert "unknown scenario 'fig9'; choose one of: basics, fig1, fig2" in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


@pytest.mark.parametrize("args, words", [
    (["run", "fig1", "--set", "dns=bogus"], "unknown value for fig1 toggle dns 'bogus'; choose one of: honest, spoofed"),
    (["run", "fig1", "--set", "colour=red"], "unknown toggle for fig1 'colour'; choose one of: dns, dnssec"),
    (["run", "fig1", "--set", "dns"], "--set takes NAME=VALUE"),
    (["run", "fig1", "--spd", "host-z=/dev/null"], "unknown host 'host-z'; choose one of: attacker, host-a, ns, server-b"),
    (["run", "fig1", "--spd", "host-a=/no/such/file"], "cannot read SPD file '/no/such/file'"),
])
def test_bad_input_exits_2_with_the_valid_choices(args, words, capsys):
    """Every mistake a person can make is one clear message and status 2."""
    assert main(args) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


def test_malformed_spd_file_names_line_and_column(tmp_path, capsys):
    """A broken SPD file is reported with its line and column, and a correct example."""
    spd = tmp_path / "my.spd"
    spd.write_text("protect remote 1.2.0.0/16\nbypass nme pc-c.example.org\n")
    assert main(["run", "fig1", "--spd", f"host-a={spd}"]) == 2
    err = capsys.readouterr().err
    assert "SPD host-a's SPD, line 2, column 8: unknown word 'nme'" in err and "a correct line looks like" in err


def test_spd_file_replaces_the_hosts_policy(tmp_path, capsys):
    """`--spd host-a=FILE` runs the scenario with that policy."""
    spd = tmp_path / "strict.spd"
    spd.write_text("bypass remote 1.2.0.53 proto udp port 53\nprotect remote 1.2.0.0/16\ndiscard any\n")
    assert main(["run", "fig1", "--spd", f"host-a={spd}", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["outcome"] == "blocked"


def test_human_output_is_an_event_list_and_a_verdict(capsys):
    """Plain `run` prints the trace then the verdict with the paper's problem."""
    assert main(["run", "fig1"]) == 0
    out = capsys.readouterr().out
    assert "verdict: EXPOSED (the attack succeeded): problem 1a (section 4.2)" in out
    assert "host-a      spd     TCP" in out


def test_list_shows_every_scenario_and_its_defaults(capsys):
    """`list` names each scenario and marks each toggle's default."""
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "--set dns=honest/[spoofed]" in out and "basics" in out
    assert main(["list", "--json"]) == 0
    specs = json.loads(capsys.readouterr().out)
    assert specs[1]["id"] == "fig1" and specs[1]["toggles"][0]["default"] == "spoofed"


@pytest.mark.parametrize("scenario", ["basics", "fig1", "fig2"])
def test_pcap_reads_back_with_scapy(scenario, tmp_path, capsys):
    """`pcap` writes raw-IP packets that scapy reads back, ESP included, and the keys beside them."""
    out = tmp_path / f"{scenario}.pcap"
    assert main(["pcap", scenario, str(out)]) == 0
    packets = rdpcap(str(out))
    assert len(packets) > 4 and all(p.version in (4, 6) for p in packets)
    keys = (tmp_path / f"{scenario}.pcap.esp_sa").read_text().splitlines()
    if scenario != "fig1":
        assert any(p.haslayer("ESP") for p in packets)
        assert keys and all(k.endswith('"NULL",""') for k in keys)
