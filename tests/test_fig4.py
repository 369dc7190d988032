"""fig4 (paper sections 6.2-6.3, problems 3 and 4): every default and toggle value, with the reason."""

import pytest

from labsim import run
from scenario_table import case_id, check_every_value_alone, check_row

CASES = [
    ({}, "exposed", "3", True, "TCP 7.7.7.23:"),
    ({"location": "visited"}, "exposed", "3", True, "via laptop > visited > attacker"),
    ({"location": "home"}, "clear", None, False, "via laptop > intranet > printer-b"),
    ({"private_policy": "bypass"}, "exposed", "3", True, "[SPD rule 2: bypass remote 192.168.0.0/16]"),
    # The office printer is out of reach, safely; problem 4 is about the hotel's own hosts (section 6.3).
    ({"private_policy": "protect"}, "blocked", None, False,
     "no SA could be negotiated (192.168.0.10 did not complete IKE within 3 s)"),
    ({"split_exclude": "on"}, "exposed", "3", True, "192.168.0.0/16"),
    ({"split_exclude": "off"}, "protected", None, False,
     "[SPD rule 3: protect remote 192.168.0.0/24 tunnel 1.2.0.1]"),
    ({"resolution": "home_dns"}, "exposed", "3", True,
     "answer printer-b.example.org A 192.168.0.10  accept"),
    ({"resolution": "stale_cache"}, "exposed", "3", True,
     "printer-b.example.org is 192.168.0.10 in the cache"),
    # The cost of solution 3 at home, and combinations where one toggle decides.
    ({"location": "home", "private_policy": "protect"}, "blocked", None, False,
     "192.168.0.10 did not complete IKE within 3 s"),
    ({"split_exclude": "off", "private_policy": "protect"}, "protected", None, False,
     "the rule for other private addresses never sees printer-b's"),
    ({"split_exclude": "off", "resolution": "stale_cache"}, "protected", None, False,
     "tunnel mode for 1.2.0.0/16, 192.168.0.0/24 behind 1.2.0.1"),
    ({"location": "home", "split_exclude": "off"}, "clear", None, False, "no VPN, so nothing is tunnelled"),
]


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_outcome_problem_and_reason(case):
    """The run ends with the outcome the paper's mechanism predicts, and the trace shows why."""
    check_row("fig4", case)


def test_every_toggle_value_is_covered():
    """The table above sets each value of every fig4 toggle on its own."""
    check_every_value_alone("fig4", CASES)


def test_the_same_address_reaches_the_office_printer_at_home_and_the_hotel_machine_away():
    """Routing decides by where the sender stands: 192.168.0.10 is printer-b at home, the attacker away."""
    assert run("fig4", location="home").reached_peer == "printer-b"
    assert run("fig4").reached_peer == "attacker"


def test_problem_four_names_the_cost_not_an_attack():
    """Protecting private ranges blocks the laptop's print job to 192.168.0.10: no data, no attack; and not
    problem 4, which the verdict gives only for a host of the visited network the laptop meant to reach."""
    data = run("fig4", private_policy="protect").to_json()
    assert (data["outcome"], data["problem"], data["attack_succeeded"]) == ("blocked", None, False)


def test_a_bypass_above_the_tunnel_rule_sends_the_print_job_in_clear():
    """Replies may come back through the tunnel, but a BYPASS rule that matches first sends our data in clear."""
    spd = ("bypass proto udp lport 68\nbypass remote 192.168.0.0/16\n"
           "protect remote 192.168.0.0/24 tunnel 1.2.0.1\nprotect remote 1.2.0.0/16 tunnel 1.2.0.1\nbypass any\n")
    result = run("fig4", spd={"laptop": spd})
    assert (result.outcome, result.problem, result.data_in_clear) == ("exposed", "3", True)
    assert result.explanation.startswith("The data went in clear to attacker")
