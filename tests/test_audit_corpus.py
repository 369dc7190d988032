"""Real configurations (tests/data/audit-corpus: strongSwan and libreswan test trees, GPLv2+).

Every file is audited through the command line: no traceback, exit status 0, 1 or 2 only.
For each file the findings were judged by hand against the file (issue 13's acceptance).
"""

from pathlib import Path

import pytest

from labsim.audit import audit
from labsim.audit.folder import configuration_files
from labsim.cli import main

CORPUS = Path(__file__).resolve().parent / "data" / "audit-corpus"
FILES = configuration_files(str(CORPUS))
SS = CORPUS / "strongswan"
LS = CORPUS / "libreswan"


def test_the_sample_is_there_with_its_licence():
    assert len(FILES) >= 10
    readme = (CORPUS / "README.md").read_text()
    assert "GPL" in readme and "3b902ea59b86a8ac097e27a34db85feb877a00f9" in readme


@pytest.mark.parametrize("path", FILES, ids=lambda p: Path(p).parent.name + "/" + Path(p).name)
def test_every_file_is_audited_without_a_traceback(path, capsys):
    status = main(["audit", path, "--fail-on-exposed"])
    out, err = capsys.readouterr()
    assert status in (0, 1, 2), err
    assert "Traceback" not in out + err and "internal error" not in err
    if status == 2:
        assert err.startswith(f"error: {path}")


def statuses(path):
    report = audit(path)
    return report, {f.problem: f.status for f in report.findings}


def test_libreswan_outbound_only_host_to_host_is_exposed_not_safe():
    """Item 1: one `dir out` policy; clear answers are let in."""
    report, got = statuses(LS / "host-to-host-transport-ondemand-linux__west.txt")
    assert got["1a"] == "exposed" and got["1b"] == "exposed"
    assert "does not say where the DNS server is" in report["1a"].note


def test_libreswan_outbound_only_subnet_transport():
    _, got = statuses(LS / "basic-pluto-13-xfrm-ondemand__west.txt")
    assert got["1a"] == "exposed" and got["1b"] == "exposed"


def test_libreswan_ipcomp_tunnel_keeps_its_gateway_and_is_not_decided_without_one():
    report, got = statuses(LS / "compress-01-ikev2__west.txt")
    assert str(report.context.spd.rules[0].tunnel) == "192.1.2.23"
    assert got["1b"] == "could not decide"     # no gateway in the simulated site: the baseline cannot work


def test_libreswan_ipv6_tunnel_with_neighbour_discovery_bypasses():
    report, got = statuses(LS / "ikev2-frag-02-ipv6__west.txt")
    assert not [a for a in report.anomalies if a.kind == "redundant"]
    assert got["1a"] == "exposed" and got["1b"] == "could not decide"


def test_libreswan_sanitised_listing_is_refused_with_file_and_line(capsys):
    path = str(LS / "basic-pluto-03__east.raw.txt")
    assert main(["audit", path]) == 2
    assert f"{path}, line 2: priority is a number, not 'PRIORITY'" in capsys.readouterr().err


def test_strongswan_host_to_host_with_a_named_peer():
    report, got = statuses(SS / "ikev2-host2host-transport__moon" / "swanctl.conf")
    assert [str(r) for r in report.context.spd.rules] == ["protect local 192.168.0.1 remote 192.168.0.2 name sun.strongswan.org",
                                                          "bypass any"]
    assert got["1a"] == "exposed"
    assert got["1b"] == "not exposed" and report["1b"].baseline.result.outcome == "protected"


def test_strongswan_template_sections_and_placeholders():
    report, got = statuses(SS / "ikev2-net2net-psk-dscp__sun" / "swanctl.conf")
    messages = [n.message for n in report.context.policy.notes]
    assert not any("unknown top-level section" in m for m in messages)
    assert any("'dscp-base' is a template" in m for m in messages)
    assert got["1a"] == got["1b"] == "could not decide"


def test_strongswan_icmp_child_option():
    report, _ = statuses(SS / "ikev2-net2net-icmp-forward__venus" / "swanctl.conf")
    assert not any("'icmp'" in n.message for n in report.context.policy.warnings())


def test_strongswan_road_warrior_with_an_email_identity():
    report, got = statuses(SS / "ikev2-rw-cert-ppk__carol" / "swanctl.conf")
    assert "@" not in report.context.host_name and report.context.profile.domain == "strongswan.org"
    assert got["1a"] == "exposed" and got["1b"] == "could not decide"
    assert "security gateway 192.168.0.1, which the simulated site does not model yet" in report["1b"].why


def test_strongswan_children_without_trap_are_imported_as_installed():
    report, _ = statuses(SS / "ikev2-start-action-start__sun" / "swanctl.conf")
    assert any(r.action == "protect" for r in report.context.spd.rules)


def test_strongswan_comment_only_file_has_nothing_to_audit(capsys):
    assert main(["audit", str(SS / "sql-rw-psk-ipv4__moon" / "swanctl.conf")]) == 0
    assert "nothing to audit" in capsys.readouterr().out
