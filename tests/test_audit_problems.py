"""labsim/audit/checks_*.py, worlds.py and auditor.py: each problem is found where it is, and not where it is not.

Every "exposed" here is backed by the counterexample's run: the assertions read the
simulator's Result (outcome, problem, attack_succeeded), not the auditor's reasoning.
"""

import pytest

from labsim.audit import audit, audit_text
from labsim.audit.auditor import _realise
from labsim.audit.context import resolve_context
from labsim.audit.importers import import_text
from labsim.audit.plan import Plan
from labsim.audit.profile import HostProfile
from labsim.audit.worlds import impersonation

from test_audit_support import EXAMPLES

GROUP_AUTH = EXAMPLES / "strongswan-group-auth" / "swanctl.conf"
BROADCAST = EXAMPLES / "xfrm-broadcast-bypass" / "policies.txt"
HARDENED = EXAMPLES / "strongswan-hardened" / "swanctl.conf"

#: The typical deployment: DNS and nothing else in clear inside, the intranet protected, the rest clear.
TYPICAL = """\
bypass remote 10.1.0.53 proto udp port 53
protect remote 10.1.0.0/16
bypass any
"""
#: DNS under IPsec, the intranet protected, nothing else allowed.
LOCKED = """\
protect remote 10.1.0.53 proto udp port 53
protect remote 10.1.0.0/16
discard any
"""


def attack_shown(finding, problem, outcome="exposed"):
    result = finding.counterexample.result
    assert finding.status == "exposed", finding.why
    assert (result.outcome, result.problem, result.attack_succeeded) == (outcome, problem, True), result.explanation


def refused(finding):
    assert finding.status in ("not exposed", "not applicable"), finding.why
    if finding.counterexample is not None:   # the same attack, tried: the simulator refuses it too
        result = finding.counterexample.result
        assert not result.attack_succeeded and result.problem != finding.problem, result.explanation


# ---------------------------------------------------------------- 1a

def test_1a_dns_spoofing_reaches_a_bypassed_address_on_the_internet():
    """Plain DNS and a clear path to the Internet: a forged answer sends the data there in clear."""
    finding = audit(GROUP_AUTH)["1a"]
    attack_shown(finding, "1a")
    assert finding.counterexample.result.reached_peer == "attacker"
    assert any(e.cite.endswith("swanctl.conf:39") for e in finding.evidence)
    assert "PROTECT" in finding.fix.change and finding.fix.cost


def test_1a_the_attacker_can_also_take_over_a_bypassed_intranet_address():
    """With everything else discarded, a printer's bypassed address is the way round IPsec (section 4.2)."""
    text = LOCKED.replace("protect remote 10.1.0.53", "bypass remote 10.1.0.53") \
        .replace("protect remote 10.1.0.0/16", "bypass remote 10.1.9.0/24\nprotect remote 10.1.0.0/16")
    finding = audit_text(text, "spd")["1a"]
    attack_shown(finding, "1a")
    assert finding.counterexample.result.world.hosts["attacker"].addresses[0].exploded.startswith("10.1.9.")


@pytest.mark.parametrize("text, settings, reason", [
    (TYPICAL, {"dnssec": True}, "fails validation"),
    (LOCKED.replace("discard any", "bypass any"), {}, "must arrive under IPsec"),
    (LOCKED, {}, "no address an attacker could hold is reached in clear"),
])
def test_1a_is_not_found_when_answers_validate_dns_is_protected_or_nothing_is_clear(text, settings, reason):
    """DNSSEC, DNS under IPsec (solution 2), or no clear path: the same attack, run, fails."""
    finding = audit_text(text, "spd", **settings)["1a"]
    refused(finding)
    assert reason in finding.why


# ---------------------------------------------------------------- 1b

def test_1b_an_insider_with_a_certificate_from_the_same_ca_impersonates_the_server():
    """remote.id = %any: any certificate of the CA for any intranet address."""
    finding = audit(GROUP_AUTH)["1b"]
    attack_shown(finding, "1b", outcome="impersonated")
    assert finding.counterexample.result.authenticated_as == "pc-c.example.org"
    assert any(e.cite.endswith("swanctl.conf:20") and "%any" in e.text for e in finding.evidence)


@pytest.mark.parametrize("settings", [{"name_check": "secure_reverse_dns"}, {"name_check": "name_handle"},
                                      {"name_check": "application"}])
def test_1b_is_not_found_when_the_stack_or_the_application_compares_names(settings):
    """Secure reverse DNS, name handles and the application's own check each stop the insider."""
    refused(audit_text(TYPICAL, "spd", **settings)["1b"])


@pytest.mark.parametrize("settings", [{"name_check": "reverse_dns"}, {"name_check": "forward_dns"}])
def test_1b_plain_reverse_or_forward_dns_checks_are_fooled(settings):
    """The insider forges the plain reverse answer, or registers the address under its own name (section 5.2)."""
    attack_shown(audit_text(TYPICAL, "spd", **settings)["1b"], "1b", outcome="impersonated")


def test_1b_is_not_found_with_per_peer_identities_or_a_name_selector():
    """The hardened config names every peer; an SPD rule can name its peer too."""
    refused(audit(HARDENED)["1b"])
    named = TYPICAL.replace("protect remote 10.1.0.0/16",
                            "protect remote 10.1.3.4 name server-b.example.org\nprotect remote 10.1.0.0/16")
    finding = audit_text(named, "spd")["1b"]
    refused(finding)
    assert "names the peer" in finding.why


# ---------------------------------------------------------------- 2

def test_2_the_visited_networks_dns_server_sends_the_laptop_to_its_own_machine():
    """The laptop takes the DNS server DHCP names away from home (the broadcast example is a laptop)."""
    finding = audit(BROADCAST)["2"]
    attack_shown(finding, "2")
    assert "DHCP" in " ".join(finding.counterexample.story)


def test_2_asking_the_home_server_in_clear_is_intercepted():
    """dns_away = home without IPsec: the visited network's transparent proxy answers in its name."""
    finding = audit_text(TYPICAL, "spd", mobile=True, dns_away="home")["2"]
    attack_shown(finding, "2")
    assert "intercepted" in finding.counterexample.result.explanation


@pytest.mark.parametrize("settings, reason, status", [
    ({"mobile": False}, "does not travel", "not applicable"),
    ({"mobile": True, "dns_away": "home", "dns_server": "10.1.0.53"}, "travels under IPsec", "not exposed"),
])
def test_2_is_not_found_for_a_stationary_host_with_dnssec_or_with_home_dns_under_ipsec(settings, reason, status):
    """Solution 2, or a host that never leaves."""
    text = LOCKED.replace("discard any", "bypass any") if settings.get("dns_away") == "home" else TYPICAL
    finding = audit_text(text, "spd", **settings)["2"]
    assert finding.status == status and reason in finding.why
    refused(finding)


# ---------------------------------------------------------------- 3 and 4

def test_3_a_bypassed_private_printer_address_is_someone_else_on_the_hotel_network():
    """The printers' level-use policy is BYPASS; away, 10.1.9.10 is the hotel's machine."""
    finding = audit(BROADCAST)["3"]
    attack_shown(finding, "3")
    assert finding.counterexample.result.reached_peer == "hotel-machine"


def test_3_the_stateful_extension_reopens_problem_3_for_a_protected_private_range():
    """PROTECT with fallback reaches the hotel's machine in clear once IKE with it fails."""
    finding = audit_text(TYPICAL.replace("bypass any", "discard any"), "spd", mobile=True, stateful=True)["3"]
    attack_shown(finding, "3")


def test_4_protecting_the_private_intranet_range_cuts_the_laptop_off_from_the_hotels_hosts():
    """Solution 3's price: the hotel's printer at the same address cannot do IKE; nothing is delivered."""
    report = audit_text(TYPICAL, "spd", mobile=True)
    refused(report["3"])
    finding = report["4"]
    result = finding.counterexample.result
    assert finding.status == "exposed"
    assert (result.outcome, result.problem, result.attack_succeeded) == ("blocked", "4", False)


def test_3_and_4_do_not_apply_to_a_public_intranet_or_a_stationary_host():
    """No private range of the organisation, nothing to confuse; a desktop never meets another network."""
    public = TYPICAL.replace("10.1.", "1.2.")
    report = audit_text(public, "spd", mobile=True, private_ranges=["192.168.0.0/16"])
    refused(report["3"])
    refused(report["4"])
    assert audit(GROUP_AUTH)["3"].status == "not applicable"


def test_4_outside_the_organisations_ranges_is_reported_but_not_claimed():
    """The verdict names problem 4 only for a name of the organisation; the auditor says so and claims nothing."""
    text = "protect remote 192.168.0.0/16\nprotect remote 1.2.0.0/16\nbypass any"
    finding = audit_text(text, "spd", mobile=True, ranges=["1.2.0.0/16"])["4"]
    assert finding.status == "not demonstrated" and "_private_address_cost" in finding.note
    assert finding.counterexample.result.outcome == "blocked"


# ---------------------------------------------------------------- 5a and 5b

def test_5a_a_netbios_broadcast_opens_a_soft_sa_for_the_attacker():
    """Broadcast bypassed, an answer in unicast, fallback to clear: the attacker's clear connection gets in."""
    finding = audit(BROADCAST)["5a"]
    attack_shown(finding, "5a")
    assert any(e.cite.endswith("policies.txt:9") for e in finding.evidence)


@pytest.mark.parametrize("settings, reason", [
    ({"stateful": False}, "no rule falls back to clear"),
    ({"broadcast_responders": ["none"]}, "answers a broadcast"),
])
def test_5a_is_not_found_without_soft_sas_or_without_a_service_that_answers_broadcasts(settings, reason):
    """Standard stateless IPsec, or nothing that answers: no trigger, no soft SA."""
    finding = audit(BROADCAST, **settings)["5a"]
    refused(finding)
    assert reason in finding.why


def test_5a_is_not_found_when_broadcasts_from_the_lan_must_come_through_ipsec():
    """A PROTECT rule for the whole LAN (strongSwan's wildcard trap) covers broadcasts too: no trigger gets in."""
    finding = audit_text(TYPICAL, "spd", stateful=True)["5a"]
    refused(finding)
    assert "broadcasts from the LAN" in finding.why


def test_5a_is_not_found_when_only_bypassed_neighbours_can_broadcast():
    """The printers' subnet may broadcast, but answers to it go in clear without a soft SA."""
    finding = audit(GROUP_AUTH, stateful=True)["5a"]
    refused(finding)
    assert "no soft SA opens" in finding.why


def test_5a_is_found_when_only_the_limited_broadcast_gets_in():
    """Discarding the subnet's broadcast is not enough if 255.255.255.255 is still bypassed."""
    text = ("discard local 10.1.255.255 dir in\nbypass local broadcast dir in\n"
            "bypass remote 10.1.0.53 proto udp port 53\nprotect remote 10.1.0.0/16 fallback\nbypass any\n")
    finding = audit_text(text, "spd", stateful=True)["5a"]
    attack_shown(finding, "5a")
    assert "> 255.255.255.255:137" in finding.counterexample.result.trace_text()


def test_5b_ipv6_is_bypassed_where_ipv4_demands_ipsec():
    """No IPv6 policy at all: the attacker uses the host's link-local address."""
    finding = audit(GROUP_AUTH)["5b"]
    attack_shown(finding, "5b")


@pytest.mark.parametrize("config, settings, reason", [
    (HARDENED, {}, "IPv6 is no laxer"),
    (GROUP_AUTH, {"ipv6": False}, "IPv6 is off"),
])
def test_5b_is_not_found_when_ipv6_is_dropped_or_off(config, settings, reason):
    """The hardened policy drops ::/0; a host without IPv6 has no second path."""
    finding = audit(config, **settings)["5b"]
    refused(finding)
    assert reason in finding.why


def test_5b_is_not_claimed_when_ipv4_is_just_as_open():
    """When IPv4 lets clear packets in too, IPv6 is not the laxer path: a plain BYPASS."""
    finding = audit_text("bypass any", "spd")["5b"]
    refused(finding)
    assert "not the laxer path" in finding.why


# ---------------------------------------------------------------- the auditor's honesty

def test_a_finding_is_exposed_only_if_the_simulators_run_shows_it():
    """A check that claims exposure with a world that does not show it yields 'not demonstrated'."""
    ctx = resolve_context(import_text(LOCKED.replace("protect remote 10.1.0.0/16",
                                                     "protect remote 10.1.3.4 name server-b.example.org\n"
                                                     "protect remote 10.1.0.0/16"), "spd", "x.spd"), HostProfile())
    from labsim.audit.profile import Server
    import ipaddress
    server = Server("server-b.example.org", ipaddress.ip_address("10.1.3.4"), 80)
    wrong = Plan("1b", True, "a claim the run will not support",
                 build=lambda seed: impersonation(ctx, server, ipaddress.ip_address("10.1.0.7"), seed))
    finding = _realise(wrong, ctx, seed=0, run=True)
    assert finding.status == "not demonstrated" and "not claimed" in finding.note
    assert finding.counterexample.result.outcome == "blocked"


def test_static_mode_claims_nothing():
    """Without runs the reasoning is reported, but no finding is 'exposed'."""
    report = audit(GROUP_AUTH, run=False)
    assert report.exposed == []
    assert report["1a"].status == "not demonstrated" and "static analysis only" in report["1a"].note


def test_the_hardened_example_is_exposed_to_nothing_and_says_why_for_each_problem():
    """Acceptance: the hardened policy lists no problem; every finding carries its reason."""
    report = audit(HARDENED)
    assert report.exposed == []
    assert all(f.why for f in report.findings)


def test_audits_are_deterministic():
    """Two audits of the same file give the same JSON, traces included."""
    assert audit(BROADCAST).to_json() == audit(BROADCAST).to_json()


def test_an_audit_opens_no_socket(no_sockets):
    """Counterexamples run in the simulator only: nothing touches a real network."""
    assert audit(BROADCAST).exposed
    assert no_sockets == []


@pytest.mark.parametrize("text", [
    "protect remote 10.1.0.10\nbypass any",                                 # the single IPsec peer
    "protect remote 10.1.0.10\nprotect remote 10.1.0.11\nbypass any",
])
def test_5b_is_not_claimed_when_ipv4_protects_only_a_few_peers_and_lets_the_rest_in(text):
    """Issue 13 item 4: one protected IPv4 peer while 252 neighbours get in clear is plain BYPASS."""
    finding = audit_text(text, "spd")["5b"]
    assert finding.status == "not exposed", finding.why
    assert "plain BYPASS, not problem 5b" in finding.why and "of the 253 other addresses" in finding.why


def test_5b_is_still_found_where_ipv4_protects_the_whole_segment_but_a_printer():
    finding = audit_text("bypass remote 10.1.0.20\nprotect remote 10.1.0.0/16\nbypass any", "spd")["5b"]
    attack_shown(finding, "5b")


def test_5b_a_vpn_clients_link_local_neighbours_are_on_the_physical_network_where_ipv4_is_open():
    """Item 4: a road warrior's virtual address is protected for its whole subnet, but the IPv6
    attacker next to it shares the physical network, where IPv4 lets everyone in."""
    text = ("src 192.0.2.0/24 dst 192.0.2.219/32\n\tdir in priority 1000 ptype main\n"
            "\ttmpl src 192.1.2.23 dst 192.1.3.209\n\t\tproto esp reqid 1 mode tunnel\n"
            "src 192.0.2.219/32 dst 192.0.2.0/24\n\tdir out priority 1000 ptype main\n"
            "\ttmpl src 192.1.3.209 dst 192.1.2.23\n\t\tproto esp reqid 1 mode tunnel\n")
    finding = audit_text(text, "xfrm")["5b"]
    assert finding.status == "not exposed", finding.why
    assert "where its tunnel starts" in finding.why and "plain BYPASS" in finding.why


def test_2_the_dnssec_verdict_rests_on_a_baseline_run_of_the_same_trip():
    """DNSSEC defeats the lie, but the laptop away cannot reach the private intranet at all (no VPN):
    the honest run fails, so the audit does not call it safe; it says why, and what it reasoned."""
    finding = audit_text(TYPICAL, "spd", mobile=True, dnssec=True)["2"]
    assert finding.status == "could not decide"
    assert finding.baseline.result.outcome == "blocked" and "10.1.3.4" in finding.baseline.result.explanation
    assert "signed and validated" in finding.note
    public = audit_text(TYPICAL.replace("10.1.", "1.2."), "spd", mobile=True, dnssec=True)["2"]
    assert public.status == "not exposed" and "signed and validated" in public.why
    assert public.baseline.result.outcome == "protected"
