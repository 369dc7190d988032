"""basics, fig1 and fig2: every default and every toggle value, with the reason in the trace.

Each case states the outcome, the paper's problem and a line of the trace that shows the
mechanism which decided it. The outcome is computed by labsim/verdict.py from what
happened; these tests pin that the mechanisms behave as the paper describes.
"""

import pytest

from labsim import run

CASES = [
    # scenario, toggles, outcome, problem, attack, words that must appear in the trace
    ("basics", {}, "protected", None, False, "SA pair with 1.2.3.4  installed"),
    ("basics", {"policy": "bypass"}, "clear", None, False, "BYPASS  traffic to 1.2.3.4 goes in clear"),
    ("basics", {"policy": "discard"}, "blocked", None, False, "outbound packet matches SPD rule 1: discard remote 1.2.0.0/16"),
    ("basics", {"server_ipsec": "off"}, "blocked", None, False, "did not complete IKE within 3 s"),
    ("basics", {"peer": "server-b"}, "protected", None, False, "SA pair with 1.2.3.4  installed"),
    # printer-b speaks no IPsec: the one intranet rule either cuts it off or lets everything go in clear.
    ("basics", {"peer": "printer-b"}, "blocked", None, False, "1.2.3.9 did not complete IKE within 3 s"),
    ("basics", {"peer": "printer-b", "policy": "bypass"}, "clear", None, False,
     "BYPASS  traffic to 1.2.3.9 goes in clear"),
    # tamper: an on-path attacker flips a bit of each data packet; the ESP tag check drops altered ESP.
    ("basics", {"tamper": "off"}, "protected", None, False, "integrity and replay checks pass"),
    ("basics", {"tamper": "on"}, "blocked", None, False,
     "server-b    drop    ESP 1.2.0.5 > 1.2.3.4 spi=0x4f65d5d9 seq=2  discard  ESP integrity check failed"),
    ("basics", {"tamper": "on", "policy": "bypass"}, "exposed", None, True,
     "server-b    app     18 bytes from 1.2.0.5: 'FET /salaries.xlsx'  receive"),
    ("fig1", {}, "exposed", "1a", True, "answer server-b.example.org A 3.4.5.6  accept  accepted without validation"),
    ("fig1", {"dns": "honest"}, "protected", None, False, "answer server-b.example.org A 1.2.3.4  accept"),
    ("fig1", {"dns": "spoofed"}, "exposed", "1a", True, "[SPD rule 3: bypass any]"),
    ("fig1", {"dnssec": "off"}, "exposed", "1a", True, "accepted without validation (plain DNS)"),
    ("fig1", {"dnssec": "on"}, "protected", None, False, "reject  DNSSEC validation failed: RRSIG does not verify"),
    ("fig1", {"attacker_at": "bypassed"}, "exposed", "1a", True, "> 3.4.5.6:80 [SYN]  BYPASS"),
    ("fig1", {"attacker_at": "protected"}, "blocked", None, False, "no SA could be negotiated (1.2.6.6 did not complete IKE within 3 s)"),
    ("fig1", {"attacker_cert": "none"}, "exposed", "1a", True, "steals"),
    ("fig1", {"attacker_cert": "same_ca"}, "exposed", "1a", True, "steals  the attacker's fake server-b gets the application data in clear"),
    ("fig1", {"attacker_at": "protected", "attacker_cert": "same_ca"}, "impersonated", "1b", True,
     "peer authenticated as attacker.example.org"),
    ("fig1", {"default_action": "bypass"}, "exposed", "1a", True, "[SPD rule 3: bypass any]"),
    ("fig1", {"default_action": "discard"}, "blocked", None, False, "outbound packet matches SPD rule 3: discard any"),
    # attacker_cert: each certificate meets host-a's IKE checks where the forged address is protected.
    ("fig1", {"attacker_cert": "other_ca"}, "exposed", "1a", True, "> 3.4.5.6:80 [SYN]  BYPASS"),
    ("fig1", {"attacker_cert": "stolen"}, "exposed", "1a", True, "> 3.4.5.6:80 [SYN]  BYPASS"),
    ("fig1", {"attacker_cert": "untrusted_ca"}, "exposed", "1a", True, "> 3.4.5.6:80 [SYN]  BYPASS"),
    ("fig1", {"attacker_at": "protected", "attacker_cert": "untrusted_ca"}, "blocked", None, False,
     "certificate of server-b.example.org  fail  issuer 'Attacker CA' is not a trusted CA (trusted: Example Corp CA)"
     "  [certificate check]"),
    ("fig1", {"attacker_at": "protected", "attacker_cert": "other_ca"}, "blocked", None, False,
     "certificate of server-b.example.org  fail  the certificate names Example Corp CA as its issuer, but its "
     "signature does not verify with Example Corp CA's key: some other CA signed it  [certificate check]"),
    ("fig1", {"attacker_at": "protected", "attacker_cert": "stolen"}, "blocked", None, False,
     "certificate of server-b.example.org  pass"),
    ("fig1", {"attacker_at": "protected", "attacker_cert": "stolen"}, "blocked", None, False,
     "AUTH of server-b.example.org  fail  signature does not verify  [AUTH]"),
    # name_check on fig1: at a BYPASS address nothing is authenticated, so only solution 1 helps (section 5.4).
    ("fig1", {"name_check": "none"}, "exposed", "1a", True, "[SPD rule 3: bypass any]"),
    ("fig1", {"name_check": "forward_dns"}, "exposed", "1a", True, "[SPD rule 3: bypass any]"),
    ("fig1", {"name_check": "reverse_dns"}, "exposed", "1a", True, "[SPD rule 3: bypass any]"),
    ("fig1", {"name_check": "secure_reverse_dns"}, "exposed", "1a", True, "[SPD rule 3: bypass any]"),
    ("fig1", {"name_check": "pad"}, "exposed", "1a", True, "[SPD rule 3: bypass any]"),
    ("fig1", {"name_check": "name_handle"}, "exposed", "1a", True,
     "the resolver keeps 3.4.5.6 and hands out handle#1, which remembers the name"),
    ("fig1", {"name_check": "application"}, "blocked", None, False,
     "peer identity of 3.4.5.6  refuse  the connection is not protected by IPsec, so nobody proved who the peer is"),
    # ... while against the certified insider of attacker_at=protected every check refuses.
    ("fig1", {"attacker_at": "protected", "attacker_cert": "same_ca", "name_check": "forward_dns"}, "blocked", None,
     False, "name check forward_dns: attacker.example.org at 1.2.6.6  fail  attacker.example.org does not resolve"),
    ("fig1", {"attacker_at": "protected", "attacker_cert": "same_ca", "name_check": "pad"}, "blocked", None, False,
     "PAD refused"),
    ("fig1", {"attacker_at": "protected", "attacker_cert": "same_ca", "name_check": "name_handle"}, "blocked", None,
     False, "the application resolved server-b.example.org but the peer is certified as attacker.example.org"),
    ("fig1", {"attacker_at": "protected", "attacker_cert": "same_ca", "name_check": "application"}, "blocked", None,
     False, "refuse  the peer authenticated as attacker.example.org, not server-b.example.org"),
    # name_selector: the rule for 1.2.3.4 names server-b; the forged address is not 1.2.3.4 (section 6.4's caveat).
    ("fig1", {"name_selector": "off"}, "exposed", "1a", True, "[SPD rule 3: bypass any]"),
    ("fig1", {"name_selector": "on"}, "exposed", "1a", True, "[SPD rule 4: bypass any]"),
    ("fig1", {"attacker_at": "protected", "attacker_cert": "same_ca", "name_selector": "on"}, "impersonated", "1b",
     True, "TCP 1.2.0.5:62933 > 1.2.6.6:80 [SYN]  PROTECT  traffic to 1.2.6.6 must go through an SA  "
           "[SPD rule 3: protect remote 1.2.0.0/16]"),
    ("fig2", {}, "impersonated", "1b", True, "name check none: pc-c.example.org at 1.2.3.4  pass"),
    ("fig2", {"name_check": "none"}, "impersonated", "1b", True, "deployed stacks skip the comparison"),
    ("fig2", {"name_check": "forward_dns"}, "impersonated", "1b", True,
     "pc-c.example.org resolves to 1.2.0.7, 1.2.3.4, which includes 1.2.3.4"),
    ("fig2", {"name_check": "reverse_dns"}, "impersonated", "1b", True,
     "1.2.3.4 points back to pc-c.example.org (not validated, so it could be forged)"),
    ("fig2", {"name_check": "secure_reverse_dns"}, "blocked", None, False,
     "1.2.3.4 points back to server-b.example.org, not pc-c.example.org"),
    ("fig2", {"name_check": "pad"}, "blocked", None, False, "PAD refused: pc-c.example.org may only use 1.2.0.7, not 1.2.3.4"),
    ("fig2", {"name_check": "name_handle"}, "blocked", None, False,
     "the application resolved server-b.example.org but the peer is certified as pc-c.example.org"),
    ("fig2", {"name_check": "application"}, "blocked", None, False,
     "the peer authenticated as pc-c.example.org, not server-b.example.org; the application closes without sending"),
    ("fig2", {"connect_by": "name"}, "impersonated", "1b", True, "getaddrinfo server-b.example.org"),
    ("fig2", {"connect_by": "address"}, "impersonated", "1b", True, "the name is now only in the user's head"),
    # Appendix A: with only an address, name-based checks cannot work; address-based ones still can.
    ("fig2", {"connect_by": "address", "name_check": "name_handle"}, "impersonated", "1b", True,
     "cannot check: the application connected to a raw address"),
    # Solution 1 fails closed: given only an address, the application has no name to compare and refuses.
    ("fig2", {"connect_by": "address", "name_check": "application"}, "blocked", None, False,
     "the application was given only an address, so it has no name to compare"),
    ("fig2", {"connect_by": "address", "name_check": "pad"}, "blocked", None, False, "PAD refused"),
    # Section 6.4: a name selector on the PROTECT rule for 1.2.3.4 stops pc-c, even given only an address.
    ("fig2", {"name_selector": "off"}, "impersonated", "1b", True, "[SPD rule 2: protect remote 1.2.0.0/16]"),
    ("fig2", {"name_selector": "on"}, "blocked", None, False,
     "name selector server-b.example.org  fail  the SPD rule requires server-b.example.org, but the peer "
     "authenticated as pc-c.example.org  [SPD name selector]"),
    ("fig2", {"name_selector": "on", "connect_by": "address"}, "blocked", None, False,
     "the SPD rule requires server-b.example.org, but the peer authenticated as pc-c.example.org"),
    # insider: how pc-c passes for server-b. inner_source: host-a's own request is fine (primary verdict), and
    # pc-c's packets with 1.2.3.4 inside its own SA are dropped (the attack flow, see ATTACK_CASES).
    ("fig2", {"insider": "arp"}, "impersonated", "1b", True, "claims 1.2.3.4  hijack"),
    ("fig2", {"insider": "inner_source"}, "protected", None, False,
     "the decrypted packet's source 1.2.3.4 is outside the SA's selectors (pc-c.example.org's SA covers 1.2.0.7)"),
    ("fig2", {"connect_by": "address", "name_check": "secure_reverse_dns"}, "blocked", None, False,
     "points back to server-b.example.org"),
]


@pytest.mark.parametrize("scenario, toggles, outcome, problem, attack, words", CASES,
                         ids=[f"{c[0]}-{'-'.join(f'{k}={v}' for k, v in c[1].items()) or 'default'}" for c in CASES])
def test_outcome_problem_and_reason(scenario, toggles, outcome, problem, attack, words):
    """The run ends with the outcome the paper's mechanism predicts, and the trace shows why."""
    result = run(scenario, toggles)
    assert (result.outcome, result.problem, result.attack_succeeded) == (outcome, problem, attack), result.text()
    assert words in result.trace_text()


#: Runs with several flows: (scenario, toggles, flow, outcome, problem, attack, words in the trace).
ATTACK_CASES = [
    ("fig2", {"insider": "inner_source"}, "attack", "blocked", None, False,
     "host-a      drop    TCP 1.2.3.4:49189 > 1.2.0.5:445 [SYN]  discard  the decrypted packet's source 1.2.3.4 "
     "is outside the SA's selectors"),
    ("fig2", {"insider": "inner_source", "name_check": "pad"}, "attack", "blocked", None, False,
     "PAD: pc-c.example.org at 1.2.0.7  pass"),
]


@pytest.mark.parametrize("scenario, toggles, flow, outcome, problem, attack, words", ATTACK_CASES,
                         ids=[f"{c[0]}-{c[2]}-{'-'.join(f'{k}={v}' for k, v in c[1].items())}" for c in ATTACK_CASES])
def test_each_flow_of_a_run_has_its_own_verdict(scenario, toggles, flow, outcome, problem, attack, words):
    """A run's second flow is judged on its own, from its own packets."""
    result = run(scenario, toggles)
    verdict = result.verdicts[flow]
    assert (verdict.outcome, verdict.problem, verdict.attack_succeeded) == (outcome, problem, attack), result.text()
    assert words in result.trace_text()


def test_every_toggle_value_of_the_core_scenarios_is_covered():
    """The table above exercises each value of every toggle of basics, fig1 and fig2."""
    import labsim
    for sid in ("basics", "fig1", "fig2"):
        for toggle in labsim.scenario(sid).toggles:
            for value in toggle.values:
                assert any(c[0] == sid and c[1].get(toggle.name, toggle.default) == value and
                           (toggle.name in c[1] or value == toggle.default) for c in CASES), (sid, toggle.name, value)


def test_acceptance_figures():
    """The issue's acceptance cases, through the Python API."""
    fig1 = run("fig1").to_json()
    assert (fig1["outcome"], fig1["problem"], fig1["attack_succeeded"]) == ("exposed", "1a", True)
    assert run("fig1", dns="honest").outcome == "protected"
    assert (run("fig2").outcome, run("fig2").problem) == ("impersonated", "1b")
    assert run("fig2", name_check="pad").outcome == "blocked"


def test_verdict_facts_are_reported():
    """The JSON carries the facts behind the outcome."""
    data = run("fig1").to_json()
    assert data["intended_peer"] == "server-b" and data["reached_peer"] == "attacker"
    assert data["data_in_clear"] is True and data["authenticated_as"] is None
    data = run("fig2").to_json()
    assert data["authenticated_as"] == "pc-c.example.org" and data["data_in_clear"] is False


def test_students_can_replace_a_hosts_spd():
    """An SPD given as text replaces host-a's: discarding non-intranet traffic stops the fig1 leak."""
    spd = "bypass remote 1.2.0.53 proto udp port 53\nprotect remote 1.2.0.0/16\ndiscard any"
    assert run("fig1", spd={"host-a": spd}).outcome == "blocked"
    assert run("fig1", dns="honest", spd={"host-a": spd}).outcome == "protected"


PRINTER_RULE = "bypass remote 1.2.3.9 proto tcp port 9100   # printer-b speaks no IPsec"
INTRANET_RULE = "protect remote 1.2.0.0/16"


@pytest.mark.parametrize("peer, outcome", [("printer-b", "clear"), ("server-b", "protected")])
def test_a_specific_bypass_before_the_intranet_rule_serves_both_peers(peer, outcome):
    """basics: with the printer's BYPASS rule first, host-a prints in clear and still reaches server-b over IPsec."""
    spd = f"{PRINTER_RULE}\n{INTRANET_RULE}"
    result = run("basics", peer=peer, spd={"host-a": spd})
    assert result.outcome == outcome, result.text()


def test_first_match_decides_so_the_printer_rule_after_the_intranet_rule_is_never_used():
    """basics: the same two rules in the other order send the print job to IKE, which the printer never answers."""
    result = run("basics", peer="printer-b", spd={"host-a": f"{INTRANET_RULE}\n{PRINTER_RULE}"})
    assert result.outcome == "blocked"
    assert "[SPD rule 1: protect remote 1.2.0.0/16]" in result.trace_text()


def test_inbound_policy_discards_clear_packets_the_sender_chose_to_bypass():
    """basics: host-a bypasses IPsec for server-b, but server-b's own PROTECT rule discards the clear SYN (section 3)."""
    result = run("basics", spd={"host-a": "bypass any"})
    assert result.outcome == "blocked"
    assert "server-b    drop    TCP 1.2.0.5:61775 > 1.2.3.4:80 [SYN]  discard  a clear packet matches a PROTECT " \
           "rule, so it must have come through an SA" in result.trace_text()


def test_students_can_replace_a_hosts_pad():
    """A PAD given as text applies to host-a; a strict one stops pc-c even with name_check=none."""
    pad = 'peer server-b.example.org ca "Example Corp CA" addresses 1.2.3.4'
    assert run("fig2", pad={"host-a": pad}).outcome == "blocked"
