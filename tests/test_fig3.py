"""fig3 (paper section 6.1, problem 2): every default and toggle value, with the reason in the trace.

The outcome comes from labsim/verdict.py; each case also names a line of the trace that shows
the mechanism which decided it (the SPD rule, the DNS answer, the proxy, the validation).
"""

import pytest

from labsim import run
from scenario_table import case_id, check_every_value_alone, check_row

LEASE_APPLIED = "resolver  configure  now asks 7.7.7.1 (the DNS server the lease from 7.7.7.1 names)"
LEASE_KEPT_OUT = ("lease 7.7.7.23  keep DNS  the lease names DNS server 7.7.7.1, but this host's DHCP client is set "
                  "to keep its own; the resolver still asks 1.2.0.53")
FORGED_ACCEPTED = "answer server-b.example.org A 7.7.7.66  accept  accepted without validation (plain DNS)"
NULL_PROPOSAL = "(the profile's ESP proposal: ENCR_NULL + AUTH_HMAC_SHA2_256_128)"
NULL_SA = ("SA pair with 1.2.0.1  installed  peer authenticated as vpn.example.org (certificate from Example Corp CA); "
           "out spi=0x12e0c9b2, in spi=0xbad641fb; tunnel mode for 1.2.0.0/16 behind 1.2.0.1; ESP with NULL encryption "
           "and HMAC-SHA2-256-128 integrity: every packet is authenticated, but its payload is not encrypted")
WRONG_SIGNATURE = ("answer server-b.example.org A 7.7.7.66  reject  DNSSEC validation failed: RRSIG does not verify "
                   "with example.org's key")

CASES = [
    # toggles, outcome, problem, attack, trace lines of the mechanisms that decided it
    ({}, "exposed", "2", True, (LEASE_APPLIED, FORGED_ACCEPTED)),
    ({"location": "visited"}, "exposed", "2", True, (LEASE_APPLIED, "send 18 bytes to 7.7.7.66  send  in clear")),
    ({"location": "home"}, "protected", None, False,
     ("keeps asking 1.2.0.53 (the DNS server the lease from 1.2.0.53 names)",
      "SA pair with 1.2.3.4  installed  peer authenticated as server-b.example.org")),
    ({"dns_server": "dhcp"}, "exposed", "2", True, "DHCP 7.7.7.1:67 > 255.255.255.255:68 ACK 7.7.7.23 dns=7.7.7.1"),
    ({"dns_server": "home"}, "protected", None, False, (LEASE_KEPT_OUT, "!resolver  configure")),
    ({"dns_protection": "none"}, "exposed", "2", True, "[SPD rule 4: bypass any]"),
    # IPsec would cover DNS to the home server, but the lease sent the laptop to the hotel's server.
    ({"dns_protection": "ipsec"}, "exposed", "2", True,
     (LEASE_APPLIED, "BYPASS  traffic to 7.7.7.1 goes in clear  [SPD rule 3: bypass any]")),
    ({"interception": "off"}, "exposed", "2", True,
     ("DNS server answers with its own false record (unsigned)", "!transparent DNS proxy")),
    # The proxy is there, but the query already goes to the hotel's server: nothing is redirected.
    ({"interception": "on"}, "exposed", "2", True,
     ("transparent DNS proxy  setup", LEASE_APPLIED, "!redirects a DNS query")),
    ({"dnssec": "off"}, "exposed", "2", True, FORGED_ACCEPTED),
    ({"dnssec": "on"}, "blocked", None, False, "reject  DNSSEC validation failed: the answer carries no RRSIG"),
    ({"forgery": "unsigned"}, "exposed", "2", True, "answers with its own false record (unsigned)"),
    ({"forgery": "own_key"}, "exposed", "2", True,
     ("answers with its own false record, signed with its own key under example.org's name", FORGED_ACCEPTED)),
    ({"forgery": "replayed"}, "exposed", "2", True,
     ("(unsigned: example.org is not signed, so there is no signature to copy)", FORGED_ACCEPTED)),
    ({"name_check": "none"}, "exposed", "2", True, "send 18 bytes to 7.7.7.66  send  in clear"),
    ({"name_check": "application"}, "blocked", None, False,
     ("peer identity of 7.7.7.66  refuse", "!send 18 bytes")),
    # Signed answers: a signature must verify for that record with example.org's key.
    ({"dnssec": "on", "forgery": "own_key"}, "blocked", None, False,
     ("signed with its own key under example.org's name", WRONG_SIGNATURE)),
    ({"dnssec": "on", "forgery": "replayed"}, "blocked", None, False,
     ("with the genuine RRSIG of laptop.example.org A copied beside it", WRONG_SIGNATURE)),
    ({"dns_server": "home", "interception": "on", "dnssec": "on", "forgery": "replayed"}, "blocked", None, False,
     ("visited redirects a DNS query meant for 1.2.0.53 to its own server 7.7.7.1", WRONG_SIGNATURE)),
    # Solution 1: the application asks its socket who the peer is.
    ({"name_check": "application", "location": "home"}, "protected", None, False,
     "peer identity of 1.2.3.4  pass"),
    ({"name_check": "application", "dns_server": "home"}, "blocked", None, False,
     ("peer identity of 1.2.3.4  refuse", "the peer authenticated as vpn.example.org, not server-b.example.org")),
    # Solution 2 and its caveats, in combination.
    ({"dns_server": "home", "interception": "on"}, "exposed", "2", True,
     (LEASE_KEPT_OUT, "visited redirects a DNS query meant for 1.2.0.53 to its own server 7.7.7.1")),
    ({"dns_server": "home", "interception": "on", "dns_protection": "ipsec"}, "protected", None, False,
     ("carries DNS 1.2.254.9:", "!redirects a DNS query")),
    ({"dns_server": "home", "interception": "on", "dnssec": "on"}, "blocked", None, False,
     "DNSSEC validation failed: the answer carries no RRSIG"),
    ({"dns_server": "home", "dnssec": "on"}, "protected", None, False,
     "answer server-b.example.org A 1.2.3.4  accept  signature verified with the zone key"),
    # At home the hotel's proxy is set up, but the laptop's queries never cross its network.
    ({"location": "home", "interception": "on"}, "protected", None, False,
     ("transparent DNS proxy  setup", "DNS 1.2.0.9:61775 > 1.2.0.53:53 query A server-b.example.org id=49674  send  "
      "via laptop > intranet > ns", "!redirects a DNS query")),
    ({"location": "home", "dns_protection": "ipsec"}, "protected", None, False,
     "SA pair with 1.2.0.53  installed"),
    # The VPN's ESP transform: AES-GCM, or NULL encryption with HMAC-SHA2-256-128 integrity (RFC 4303, 2410, 4868).
    ({"vpn_encryption": "aes_gcm"}, "exposed", "2", True,
     ("the tunnel is negotiated when the first packet needs it (the profile's ESP proposal: ENCR_AES_GCM_16)",
      FORGED_ACCEPTED)),
    # The hotel's forged answer sends the request outside the tunnel: the tunnel's transform never matters.
    ({"vpn_encryption": "null"}, "exposed", "2", True,
     (NULL_PROPOSAL, "send 18 bytes to 7.7.7.66  send  in clear", "!SA pair with 1.2.0.1")),
    # The request reaches server-b through the tunnel, but readable: the hotel, which runs the network, reads it.
    ({"vpn_encryption": "null", "dns_server": "home"}, "exposed", None, True,
     (NULL_PROPOSAL, NULL_SA, "laptop      app     send 18 bytes to 1.2.3.4  send  over IPsec to vpn.example.org",
      "[data] 'GET /salaries.xlsx' in ESP with NULL encryption: readable  via laptop > visited",
      "decrypt  ESP spi=0x12e0c9b2 from laptop.example.org: integrity and replay checks pass")),
    # Solution 1: the socket reports the SA does not encrypt (besides naming the gateway, not server-b).
    ({"vpn_encryption": "null", "dns_server": "home", "name_check": "application"}, "blocked", None, False,
     ("peer identity of 1.2.3.4  refuse  the peer authenticated as vpn.example.org, not server-b.example.org; "
      "besides, the socket reports that its SAs authenticate but do not encrypt (ESP with NULL encryption)",
      "!send 18 bytes")),
    # Solution 2 needs integrity only: DNS through the NULL tunnel is readable, but the proxy cannot redirect it
    # and the answer is the true one; the request itself is still read on the way.
    ({"vpn_encryption": "null", "dns_server": "home", "dns_protection": "ipsec", "interception": "on"},
     "exposed", None, True,
     ("query A server-b.example.org id=49674 in ESP with NULL encryption: readable", "!redirects a DNS query",
      "answer server-b.example.org A 1.2.3.4  accept", "'GET /salaries.xlsx' in ESP with NULL encryption: readable")),
    # At home there is no VPN: the host-to-host SA with server-b keeps the laptop's own transform, AES-GCM.
    ({"vpn_encryption": "null", "location": "home"}, "protected", None, False,
     ("SA pair with 1.2.3.4  installed", "!NULL encryption", "!VPN to 1.2.0.1")),
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


def test_breaking_signature_verification_would_let_a_signed_forgery_through():
    """The validator checks the signature itself: a signature that is present but wrong changes the verdict."""
    import dns.dnssec
    from unittest import mock
    assert run("fig3", dnssec="on", forgery="own_key").outcome == "blocked"
    with mock.patch.object(dns.dnssec, "validate", lambda *a, **k: None):
        assert run("fig3", dnssec="on", forgery="own_key").outcome == "exposed"
        assert run("fig3", dnssec="on", forgery="unsigned").outcome == "blocked"   # presence is still checked


def test_through_the_vpn_the_gateway_is_the_authenticated_peer():
    """Away, the SA authenticates the gateway, and the verdict counts the tunnel as protection."""
    data = run("fig3", dns_server="home").to_json()
    assert data["authenticated_as"] == "vpn.example.org" and data["reached_peer"] == "server-b"
    assert "through the tunnel to the gateway 1.2.0.1" in data["explanation"]


def test_the_lease_decides_which_server_is_asked_and_the_trace_follows_it():
    """If the lease's DNS server were not applied, the laptop would ask ns.example.org, and the trace would not
    claim otherwise: the resolver's line is written only when its server list changes."""
    from unittest import mock
    from labsim.dns import Resolver
    with mock.patch.object(Resolver, "set_servers", lambda self, servers, why: None):
        result = run("fig3")
    assert result.outcome == "protected"
    assert "resolver  configure" not in result.trace_text()
    assert "A server-b.example.org  query  asks 1.2.0.53" in result.trace_text()


def test_esp_null_through_the_vpn_is_read_on_the_wire_though_the_stack_sent_it_through_an_sa():
    """vpn_encryption=null dns_server=home: the laptop's stack sent the request through an SA (it counts it as
    protected), but its bytes crossed the hotel network readable, so the verdict, read from the wire, is exposed."""
    result = run("fig3", dns_server="home", vpn_encryption="null")
    data = result.to_json()
    assert (data["outcome"], data["problem"], data["attack_succeeded"], data["data_in_clear"]) == \
        ("exposed", None, True, True)
    assert (data["reached_peer"], data["authenticated_as"]) == ("server-b", "vpn.example.org")
    sent = [e for e in result.world.ledger if e["fact"] == "sent"][-1]
    assert sent["protected"] is True and sent["peer_name"] == "vpn.example.org"
    assert "(where hotspot can read it) in clear: ESP 7.7.7.23 > 1.2.0.1 spi=0x12e0c9b2 seq=2 with NULL " \
           "encryption, carrying TCP 1.2.254.9:62933 > 1.2.3.4:80 [data] 'GET /salaries.xlsx'" in data["explanation"]
    assert "laptop's stack believed it was sending through an SA with vpn.example.org" in data["explanation"]
    request = next(e for e in result.events if e.kind == "esp" and e.host == "laptop" and "[data]" in e.reason)
    assert b"GET /salaries.xlsx" in request.packet


def test_the_same_run_with_aes_gcm_never_shows_the_request_on_the_wire():
    result = run("fig3", dns_server="home")
    assert result.outcome == "protected"
    assert not any(b"GET /salaries.xlsx" in e.packet for e in result.events
                   if e.kind == "esp" and e.packet)
    assert not [e for e in result.world.ledger if e["fact"] == "crossed"]
