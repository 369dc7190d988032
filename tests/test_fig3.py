"""fig3 (paper section 6.1, problem 2): every default and toggle value, with the reason in the trace.

The outcome comes from labsim/verdict.py; each case also names a line of the trace that shows
the mechanism which decided it (the SPD rule, the DNS answer, the proxy, the validation).
"""

import pytest

from labsim import run
from scenario_table import case_id, check_every_value_alone, check_row

CASES = [
    # toggles, outcome, problem, attack, words that must appear in the trace
    ({}, "exposed", "2", True, "answer server-b.example.org A 7.7.7.66  accept  accepted without validation"),
    ({"location": "visited"}, "exposed", "2", True, "uses the DNS server the lease names: 7.7.7.1"),
    ({"location": "home"}, "protected", None, False,
     "SA pair with 1.2.3.4  installed  peer authenticated as server-b.example.org"),
    ({"dns_server": "dhcp"}, "exposed", "2", True, "DHCP 7.7.7.1:67 > 255.255.255.255:68 ACK 7.7.7.23 dns=7.7.7.1"),
    ({"dns_server": "home"}, "protected", None, False,
     "keeps its configured DNS server 1.2.0.53 (ns.example.org) and ignores the lease's 7.7.7.1"),
    ({"dns_protection": "none"}, "exposed", "2", True, "[SPD rule 4: bypass any]"),
    ({"dns_protection": "ipsec"}, "exposed", "2", True,
     "IPsec covers DNS to the home server 1.2.0.53; the laptop asks the hotel's server 7.7.7.1"),
    ({"interception": "off"}, "exposed", "2", True, "DNS server answers with its own false record"),
    ({"interception": "on"}, "exposed", "2", True, "the laptop already asks the hotel's server 7.7.7.1"),
    ({"dnssec": "off"}, "exposed", "2", True, "accepted without validation (plain DNS)"),
    ({"dnssec": "on"}, "blocked", None, False, "reject  DNSSEC validation failed: the answer carries no RRSIG"),
    # Solution 2 and its caveats, in combination.
    ({"dns_server": "home", "interception": "on"}, "exposed", "2", True,
     "visited redirects a DNS query meant for 1.2.0.53 to its own server 7.7.7.1"),
    ({"dns_server": "home", "interception": "on", "dns_protection": "ipsec"}, "protected", None, False,
     "carries DNS 1.2.254.9:"),
    ({"dns_server": "home", "interception": "on", "dnssec": "on"}, "blocked", None, False,
     "DNSSEC validation failed: the answer carries no RRSIG"),
    ({"dns_server": "home", "dnssec": "on"}, "protected", None, False,
     "answer server-b.example.org A 1.2.3.4  accept  signature verified with the zone key"),
    ({"location": "home", "interception": "on"}, "protected", None, False,
     "the laptop is at home and its queries never cross it"),
    ({"location": "home", "dns_protection": "ipsec"}, "protected", None, False,
     "SA pair with 1.2.0.53  installed"),
]


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_outcome_problem_and_reason(case):
    """The run ends with the outcome the paper's mechanism predicts, and the trace shows why."""
    check_row("fig3", case)


def test_every_toggle_value_is_covered():
    """The table above sets each value of every fig3 toggle on its own."""
    check_every_value_alone("fig3", CASES)


def test_the_default_is_the_papers_attack():
    """fig3's default is exposed with problem 2, the hotel's server having forged the answer."""
    data = run("fig3").to_json()
    assert (data["outcome"], data["problem"], data["reached_peer"]) == ("exposed", "2", "attacker")
    assert "hotspot on the visited network" in data["explanation"]


def test_interception_is_named_in_the_verdict():
    """When the hotel intercepts a query sent home, the verdict says so rather than blaming DHCP."""
    result = run("fig3", dns_server="home", interception="on")
    assert "intercepted the query the laptop sent to 1.2.0.53" in result.verdict.explanation


def test_through_the_vpn_the_gateway_is_the_authenticated_peer():
    """Away, the SA authenticates the gateway, and the verdict counts the tunnel as protection."""
    data = run("fig3", dns_server="home").to_json()
    assert data["authenticated_as"] == "vpn.example.org" and data["reached_peer"] == "server-b"
    assert "through the tunnel to the gateway 1.2.0.1" in data["explanation"]
