"""fig4 (paper sections 6.2-6.3, problems 3 and 4): every toggle value, for both print jobs, with the reason.

Two flows: ``main``, the board minutes for printer-b at the office (192.168.0.10), and
``hotel_printer``, a harmless page for the hotel's own printer (192.168.0.20, from the card
at the front desk). Each row names trace lines written by the mechanisms that decided it:
the SPD rule, the rules the VPN client installed or left out, the resolver's cache, IKE,
and where the network delivered the packet.
"""

from unittest import mock

import pytest

from labsim import run
from labsim.vpn import VpnClient
from scenario_table import case_id, check_every_flow_in_every_row, check_every_value_alone, check_row, flow_verdict

HOTEL_CLEAR = {"hotel_printer": ("clear", None, False)}
HOTEL_CUT_OFF = {"hotel_printer": ("blocked", "4", False)}          # a PROTECT rule for the private range
HOTEL_DISCARDED = {"hotel_printer": ("blocked", None, False)}       # a DISCARD rule: cut off, not problem 4
HOTEL_UNREACHABLE = {"hotel_printer": ("blocked", None, False)}     # at the office nobody holds 192.168.0.20
OFFICE_HAS_NO_20 = "discard  no host answers for 192.168.0.20 in Example Corp intranet 1.2.0.0/16"
EXCLUDED = "VPN split exclusion 192.168.0.0/16  exclude  the VPN profile keeps 192.168.0.0/16 out of the tunnel"
TUNNELS_PRIVATE = "SPD rule 2: protect remote 192.168.0.0/24 tunnel 1.2.0.1  install"
FROM_CACHE = "printer-b.example.org is 192.168.0.20 in the cache"
NO_IKE_AT_20 = "192.168.0.20:500 IKE_SA_INIT request KE Ni  discard  no service on UDP port 500"

CASES = [
    # toggles, outcome, problem, attack (print job to printer-b), trace evidence, the hotel printer's verdict
    ({}, "exposed", "3", True,
     ("BYPASS  traffic to 192.168.0.10 goes in clear  [SPD rule 2: bypass remote 192.168.0.0/16]",
      "via laptop > visited > attacker"), HOTEL_CLEAR),
    ({"location": "visited"}, "exposed", "3", True,
     ("answer printer-b.example.org A 192.168.0.10  accept", "via laptop > visited > hotel-printer"), HOTEL_CLEAR),
    ({"location": "home"}, "clear", None, False,
     ("via laptop > intranet > printer-b", OFFICE_HAS_NO_20, "!VPN to 1.2.0.1"), HOTEL_UNREACHABLE),
    ({"private_policy": "bypass"}, "exposed", "3", True, "[SPD rule 2: bypass remote 192.168.0.0/16]", HOTEL_CLEAR),
    ({"private_policy": "protect"}, "blocked", None, False,
     ("no SA could be negotiated (192.168.0.10 did not complete IKE within 3 s)",
      "no SA could be negotiated (192.168.0.20 did not complete IKE within 3 s)", NO_IKE_AT_20), HOTEL_CUT_OFF),
    # DISCARD cuts the hotel printer off too, but safely and by no PROTECT rule: not problem 4 (section 6.3).
    ({"private_policy": "discard"}, "blocked", None, False,
     ("outbound packet matches SPD rule 2: discard remote 192.168.0.0/16",), HOTEL_DISCARDED),
    ({"split_exclude": "on"}, "exposed", "3", True,
     (EXCLUDED, "inner address 1.2.254.9 for 1.2.0.0/16;", "!tunnel 1.2.0.1  install  the VPN client sends 192.168"),
     HOTEL_CLEAR),
    # The VPN client tunnels the office's private subnet: printer-b is reached through the gateway,
    # and the hotel's printer is carried to the office, where nobody holds 192.168.0.20.
    ({"split_exclude": "off"}, "protected", None, False,
     (TUNNELS_PRIVATE, "tunnel mode for 192.168.0.0/24, 1.2.0.0/16 behind 1.2.0.1", OFFICE_HAS_NO_20), HOTEL_CUT_OFF),
    ({"resolution": "home_dns"}, "exposed", "3", True, "answer printer-b.example.org A 192.168.0.10  accept",
     HOTEL_CLEAR),
    # The cache holds printer-b's address from before it was renumbered: the hotel's printer gets the minutes.
    ({"resolution": "stale_cache"}, "exposed", None, False,
     (FROM_CACHE, "!A printer-b.example.org  query",
      "32 bytes from 7.7.7.23: '%!PS board minutes, confidential'  receive  the hotel's printer"), HOTEL_CLEAR),
    # Solution 3 at the office: printer-b speaks no IPsec.
    ({"location": "home", "private_policy": "protect"}, "blocked", None, False,
     ("[SPD rule 3: protect remote 192.168.0.0/16]",
      "192.168.0.10:500 IKE_SA_INIT request KE Ni  discard  no service on UDP port 500"), HOTEL_UNREACHABLE),
    # Where the stale cache decides: at the office, and through a tunnel that reaches the office.
    ({"location": "home", "resolution": "stale_cache"}, "blocked", None, False,
     (FROM_CACHE, OFFICE_HAS_NO_20), HOTEL_UNREACHABLE),
    # The stale address is the hotel printer's here: the PROTECT (tunnel) rule cuts the laptop off from it.
    ({"split_exclude": "off", "resolution": "stale_cache"}, "blocked", "4", False,
     (FROM_CACHE, TUNNELS_PRIVATE, OFFICE_HAS_NO_20), HOTEL_CUT_OFF),
    ({"split_exclude": "off", "private_policy": "protect"}, "protected", None, False,
     (TUNNELS_PRIVATE + "  the VPN client sends 192.168.0.0/24 through the tunnel to 1.2.0.1 "
                        "(above protect remote 192.168.0.0/16)"), HOTEL_CUT_OFF),
    ({"private_policy": "protect", "resolution": "stale_cache"}, "blocked", "4", False,
     (FROM_CACHE, NO_IKE_AT_20), HOTEL_CUT_OFF),
    ({"location": "home", "split_exclude": "off"}, "clear", None, False,
     ("via laptop > intranet > printer-b", "!VPN to 1.2.0.1"), HOTEL_UNREACHABLE),
]


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_outcome_problem_and_reason(case):
    """Both print jobs end as the paper's mechanisms predict, and the trace shows why."""
    check_row("fig4", case)


def test_every_toggle_value_is_covered():
    """The table above sets each value of every fig4 toggle on its own."""
    check_every_value_alone("fig4", CASES)


def test_every_row_judges_the_hotel_printer_too():
    """No row leaves the second flow unstated."""
    check_every_flow_in_every_row("fig4", CASES)


def test_the_same_address_reaches_the_office_printer_at_home_and_the_hotel_machine_away():
    """Routing decides by where the sender stands: 192.168.0.10 is printer-b at home, the attacker away."""
    assert run("fig4", location="home").reached_peer == "printer-b"
    assert run("fig4").reached_peer == "attacker"


def test_problem_four_is_the_hotel_printer_cut_off():
    """Protecting private ranges stops the leak and cuts the laptop off from the hotel's printer: no attack."""
    result = run("fig4", private_policy="protect")
    v = flow_verdict(result, "hotel_printer")
    assert (v.outcome, v.problem, v.attack_succeeded) == ("blocked", "4", False)
    assert result.attack_succeeded is False


def test_the_stale_cache_holds_what_dns_no_longer_says():
    """The cached address differs from the zone's truth, and that difference decides a verdict."""
    result = run("fig4", resolution="stale_cache")
    cached = result.world.host("laptop").resolver.cache[("printer-b.example.org", "A")].values
    assert cached == ("192.168.0.20",) and result.world.directory.truth("printer-b.example.org") == ["192.168.0.10"]
    assert run("fig4", location="home").outcome != run("fig4", location="home", resolution="stale_cache").outcome


def test_the_resolvers_cache_decides_at_the_office():
    """A resolver that did not answer from its cache would ask DNS and reach printer-b: the cache decides."""
    from labsim.dns import Resolver
    assert run("fig4", location="home", resolution="stale_cache").outcome == "blocked"
    with mock.patch.object(Resolver, "remember", lambda self, *args, **kwargs: None):
        assert run("fig4", location="home", resolution="stale_cache").outcome == "clear"


def test_the_split_exclusion_acts_through_the_vpn_client():
    """A VPN client that ignored its profile's exclusions would tunnel printer-b's address, changing both verdicts."""
    tunnel_all = VpnClient.tunnelled
    with mock.patch.object(VpnClient, "tunnelled", lambda self: tunnel_all(type("P", (), {
            "tunnel": self.tunnel, "exclude": []})())):
        broken = run("fig4")
        assert broken.outcome == "protected"
        assert flow_verdict(broken, "hotel_printer").outcome == "blocked"


def test_the_tunnel_needs_the_vpn_clients_routes():
    """Without the routes that give tunnelled ranges the inner address, the gateway refuses the tunnel's selectors."""
    import labsim.vpn
    with mock.patch.object(labsim.vpn, "source_routes", lambda spd, gateway, inner, outer: []):
        broken = run("fig4", split_exclude="off")
    assert broken.outcome == "blocked"
    assert "IKE_AUTH response Notify TS_UNACCEPTABLE" in broken.trace_text()


def test_a_bypass_above_the_tunnel_rule_sends_the_print_job_in_clear():
    """Replies may come back through the tunnel, but a BYPASS rule that matches first sends our data in clear."""
    spd = ("bypass proto udp lport 68\nbypass remote 192.168.0.0/16\n"
           "protect remote 192.168.0.0/24 tunnel 1.2.0.1\nprotect remote 1.2.0.0/16 tunnel 1.2.0.1\nbypass any\n")
    result = run("fig4", spd={"laptop": spd})
    assert (result.outcome, result.problem, result.data_in_clear) == ("exposed", "3", True)
    assert result.explanation.startswith("The data went in clear to attacker")


def test_at_the_office_solution_3_loses_printer_b_and_says_why():
    """location=home private_policy=protect: the explanation names the PROTECT rule for the private range and that
    printer-b speaks no IPsec, not only an IKE time-out."""
    result = run("fig4", location="home", private_policy="protect")
    assert (result.outcome, result.problem) == ("blocked", None)
    assert ("SPD rule 3: protect remote 192.168.0.0/16 demands IPsec for 192.168.0.10, and printer-b, which holds "
            "that address where the client stands, speaks no IPsec (it runs no IKE)") in result.explanation
