"""labsim/audit/auditor.py and context.py: no "not exposed" on a guess, on a run that did not work, or on open answers.

Each test is built from a minimal file of the shape that misled the audit on real
configurations (issue 13): outbound-only policies, an unstated DNS server, a
group-authentication file whose identities name another domain than the default.
"""

import pytest

from labsim.audit import audit_text

#: Outbound-only protection, as libreswan's on-demand and opportunistic dumps show it.
OUT_ONLY = """\
src 10.1.0.5/32 dst 10.1.0.0/16
\tdir out priority 1000 ptype main
\ttmpl src 0.0.0.0 dst 0.0.0.0
\t\tproto esp reqid 1 mode transport
"""

#: Group authentication for a company whose names are under corp.example.
GROUP = """\
connections {
  corp {
    remote_addrs = %any
    local { certs = pc-a.pem
            id = pc-a.corp.example }
    remote { id = *.corp.example
             cacerts = corp-ca.pem }
    children { corp { mode = transport
                      remote_ts = 10.1.0.0/16
                      start_action = trap } }
  }
}
"""


def test_1_open_answers_are_never_not_exposed_even_when_queries_are_protected():
    """Item 1: the query leaves under IPsec, but a clear answer is let in: forging needs only that."""
    finding = audit_text(OUT_ONLY, "xfrm", dns_server="10.1.0.53")["1a"]
    assert finding.status == "not demonstrated", finding.why
    assert "clear answers from its address are let in" in finding.why
    assert any("answers from 10.1.0.53: bypass any" in e.text for e in finding.evidence)
    assert "dir in" in finding.fix.change
    # Item 10: a finding that is not demonstrated states the attack as a possibility, not as fact.
    assert "if one is accepted" in finding.why and "would go" in finding.why
    # The run behind it worked: the honest baseline reached the server under IPsec.
    assert finding.baseline.result.outcome == "protected"


def test_1_answers_that_must_arrive_under_ipsec_are_not_exposed():
    text = OUT_ONLY + OUT_ONLY.replace("src 10.1.0.5/32 dst 10.1.0.0/16", "src 10.1.0.0/16 dst 10.1.0.5/32") \
        .replace("dir out", "dir in")
    finding = audit_text(text, "xfrm", dns_server="10.1.0.53")["1a"]
    assert finding.status == "not exposed" and "must arrive under IPsec" in finding.why
    assert finding.baseline.result.outcome == "protected"


def test_2_an_unstated_dns_server_is_placed_where_it_hurts_and_the_assumption_is_named():
    """Item 2: no rule names the DNS server: each plausible place is tried, the worst reported."""
    report = audit_text(OUT_ONLY, "xfrm")
    finding = report["1a"]
    assert finding.status == "exposed"
    assert finding.counterexample.result.problem == "1a" and finding.counterexample.result.attack_succeeded
    assert "assumes the worst case: it is on the Internet, reached in clear" in finding.note
    assert "inside the organisation's range, reached under IPsec (10.1.0.53): not demonstrated" in finding.note
    assert report.context.fact("dns_server").source.startswith("assumed")


def test_2_a_stated_dns_server_is_taken_at_its_word():
    finding = audit_text(OUT_ONLY, "xfrm", dns_server="10.1.0.53")["1a"]
    assert "worst case" not in finding.note


def test_2_a_typical_policy_with_its_dns_rule_tries_no_other_place():
    finding = audit_text("bypass remote 10.1.0.53 proto udp port 53\nprotect remote 10.1.0.0/16\nbypass any",
                         "spd")["1a"]
    assert finding.status == "exposed" and "DNS server" not in finding.note


def test_3_the_domain_is_inferred_from_the_files_identities():
    """Item 3: ids under corp.example make the simulated insider pc-c.corp.example, and 1b shows."""
    report = audit_text(GROUP, "strongswan")
    assert report.context.profile.domain == "corp.example"
    assert report.context.fact("domain").source.startswith("inferred from the identities")
    finding = report["1b"]
    assert finding.status == "exposed"
    assert finding.counterexample.result.authenticated_as == "pc-c.corp.example"


def test_3_a_verdict_on_a_run_whose_baseline_failed_is_could_not_decide():
    """Item 3: with the wrong domain the honest host cannot even reach its server: nothing is decided."""
    finding = audit_text(GROUP, "strongswan", domain="example.org")["1b"]
    assert finding.status == "could not decide"
    assert finding.baseline.result.outcome == "blocked"
    assert "baseline run ended blocked" in finding.why and "the static analysis" in finding.note


@pytest.mark.parametrize("settings", [{}, {"dnssec": True}])
def test_3_every_not_exposed_rests_on_a_working_baseline(settings):
    report = audit_text(OUT_ONLY + OUT_ONLY.replace(
        "src 10.1.0.5/32 dst 10.1.0.0/16", "src 10.1.0.0/16 dst 10.1.0.5/32").replace("dir out", "dir in"),
        "xfrm", dns_server="10.1.0.53", **settings)
    judged = [f for f in report.findings if f.status == "not exposed" and f.counterexample is not None]
    assert judged and all(f.baseline is not None for f in judged if f.problem in ("1a", "1b"))
    for finding in judged:
        if finding.baseline is not None:
            assert finding.baseline.result.outcome in ("protected", "clear"), finding.problem


FACTUAL = ("sends the application's data", "hijacks the address and the host accepts", "is then admitted",
           "simply uses IPv6", "sends the data in clear", "it cannot talk to them", "it can map")


@pytest.mark.parametrize("settings", [{}, {"mobile": True, "stateful": True}])
def test_10_not_demonstrated_findings_never_state_the_attack_as_fact(settings):
    """Item 10: with --static every expected problem is 'not demonstrated', and its why is a possibility."""
    text = "bypass remote 10.1.0.53 proto udp port 53\nbypass remote 10.1.9.0/24\nprotect remote 10.1.0.0/16\nbypass any"
    report = audit_text(text, "spd", run=False, **settings)
    unproven = [f for f in report.findings if f.status == "not demonstrated"]
    assert {f.problem for f in unproven} >= {"1a", "1b", "5b"} | ({"2", "3"} if settings else set())
    for finding in unproven:
        assert not any(phrase in finding.why for phrase in FACTUAL), (finding.problem, finding.why)
    shown = audit_text(text, "spd", **settings)
    for finding in shown.findings:
        if finding.status == "not demonstrated":
            assert not any(phrase in finding.why for phrase in FACTUAL), (finding.problem, finding.why)


def test_10_the_broadcast_example_unproven_says_may_not_is():
    from labsim.audit import audit
    from test_audit_support import EXAMPLES
    report = audit(EXAMPLES / "xfrm-broadcast-bypass" / "policies.txt", run=False)
    assert report["5a"].status == "not demonstrated" and "if the host answered it" in report["5a"].why


#: A laptop's full tunnel: everything through the gateway, except its own network (a pass shunt).
FULL_TUNNEL = """\
connections {
  vpn {
    remote_addrs = 192.0.2.1
    local { id = laptop.corp.example }
    remote { id = gw.corp.example }
    children {
      all { remote_ts = 0.0.0.0/0
            start_action = trap }
    }
  }
  lan {
    children {
      lan { mode = pass
            remote_ts = 192.168.1.0/24
            start_action = trap }
    }
  }
}
"""


def test_7_a_full_tunnel_with_a_pass_shunt_for_the_local_network_is_the_textbook_1a():
    """Item 7: DNS on the local network in clear, a forged answer pointing to a local address."""
    report = audit_text(FULL_TUNNEL, "strongswan")
    ctx = report.context
    assert [str(r) for r in ctx.ranges] == ["192.168.1.0/24"] and str(ctx.host_address) == "192.168.1.5"
    assert "full tunnel" in ctx.fact("ranges").source
    assert str(ctx.spd.rules[1].tunnel) == "192.0.2.1"       # the /0 tunnel keeps its gateway
    finding = report["1a"]
    assert finding.status == "exposed"
    result = finding.counterexample.result
    assert (result.outcome, result.problem, result.attack_succeeded) == ("exposed", "1a", True)
    assert result.world.hosts[result.reached_peer].addresses[0] in ctx.ranges[0]


#: An IPv6 host-to-host policy and nothing else: the peers are IPv6 hosts.
IPV6_ONLY = """\
src 2001:db8:1::5/128 dst 2001:db8:1::/64
\tdir out priority 1000 ptype main
\ttmpl src :: dst ::
\t\tproto esp reqid 1 mode transport
src 2001:db8:1::/64 dst 2001:db8:1::5/128
\tdir in priority 1000 ptype main
\ttmpl src :: dst ::
\t\tproto esp reqid 1 mode transport
"""


def test_5_ipv6_peers_are_audited_end_to_end():
    """Item 5: the server is an IPv6 peer (AAAA record, IKE and ESP over IPv6), and 1b shows over IPv6."""
    report = audit_text(IPV6_ONLY, "xfrm")
    finding = report["1b"]
    assert "no server" not in finding.why
    assert finding.status == "exposed"
    result = finding.counterexample.result
    assert result.outcome == "impersonated"
    assert "answer for 2001:db8:1::" in finding.why
    assert report["1a"].status == "exposed"


def test_5_with_an_ipv6_server_given_the_counterexample_is_built():
    finding = audit_text(IPV6_ONLY, "xfrm", servers=["files.example.org=2001:db8:1::10"])["1b"]
    assert finding.status == "exposed" and finding.counterexample.result.intended_peer is not None


def test_2_a_gateways_subnet_policy_is_audited_for_a_host_in_its_subnet_not_an_assumed_elsewhere():
    """An assumed host address must not decide 'not exposed': a subnet-to-subnet dump names no host."""
    text = ("src 192.0.2.0/24 dst 198.18.66.0/24\n\tdir out priority 1000 ptype main\n"
            "\ttmpl src 192.1.2.23 dst 192.1.3.33\n\t\tproto esp reqid 1 mode tunnel\n"
            "src 198.18.66.0/24 dst 192.0.2.0/24\n\tdir in priority 1000 ptype main\n"
            "\ttmpl src 192.1.3.33 dst 192.1.2.23\n\t\tproto esp reqid 1 mode tunnel\n")
    report = audit_text(text, "xfrm")
    assert str(report.context.host_address) == "192.0.2.5"
    assert "covers on this side" in report.context.fact("host_address").source
    assert report["1a"].status != "not exposed"


def test_3_a_file_whose_ipsec_policies_could_not_be_imported_is_not_called_safe():
    """A tunnel to whichever peer connects names no address: nothing imported is no evidence of safety."""
    report = audit_text("""connections { rw { remote_addrs = %any
        children { net { remote_ts = 10.1.0.0/16 } } } }""", "strongswan")
    assert report.context.policy.left_out
    for problem in ("1a", "1b", "5b"):
        assert report[problem].status == "could not decide", problem
        assert "could not be imported" in report[problem].why


def test_3_an_assumed_dns_server_sits_on_the_hosts_segment_when_the_policy_names_single_peers():
    report = audit_text("""connections { h { local_addrs = 192.168.0.1
          remote_addrs = 192.168.0.2
          remote { id = sun.example.org }
          children { h { mode = transport } } } }""", "strongswan")
    assert str(report.context.dns_server) == "192.168.0.53"
    assert report["1b"].status == "not exposed"
    assert report["1b"].baseline.result.outcome == "protected"


def test_3_the_ca_name_is_inferred_from_the_organisation_in_distinguished_name_ids():
    report = audit_text("""connections { h { remote_addrs = 10.1.3.4
          local { id = "C=CH, O=Corp Example Ltd, CN=pc-a.corp.example" }
          remote { id = "C=CH, O=Corp Example Ltd, CN=server-b.corp.example" }
          children { h { mode = transport
                         start_action = trap } } } }""", "strongswan", run=False)
    assert report.context.profile.ca == "Corp Example Ltd CA"
    assert report.context.fact("ca").source.startswith("inferred from the organisation")
    assert report.context.profile.domain == "corp.example"
