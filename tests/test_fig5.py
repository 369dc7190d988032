"""fig5 (paper section 7, problems 5a and 5b): every default and toggle value, with the reason."""

import pytest

from labsim import run
from scenario_table import case_id, check_every_value_alone, check_row

CASES = [
    ({}, "exposed", "5a", True, "a clear packet from 1.2.0.66 matches PROTECT, but a soft SA admits it"),
    ({"stateful": "on"}, "exposed", "5a", True, "soft SA with 1.2.0.66  open"),
    ({"stateful": "off"}, "blocked", None, False,
     "a clear packet matches a PROTECT rule, so it must have come through an SA"),
    ({"broadcast": "bypass"}, "exposed", "5a", True, "[SPD rule 1: bypass local broadcast dir in]"),
    ({"broadcast": "discard"}, "clear", None, False,
     "inbound packet matches SPD rule 1: discard local broadcast dir in"),
    ({"ipv6_policy": "same"}, "exposed", "5a", True, "[soft SA for 1.2.0.66; SPD rule 3: protect remote 1.2.0.0/16 fallback]"),
    ({"ipv6_policy": "bypass"}, "exposed", "5a", True, "this attacker uses IPv4"),
    ({"attacker_via": "ipv4"}, "exposed", "5a", True, "NBNS 1.2.0.5:137 > 1.2.0.66:137 answer HOST-A is 1.2.0.5"),
    ({"attacker_via": "ipv6"}, "exposed", "5a", True, "soft SA with 2001:db8:12::66  open"),
    # Problem 5b: the laxer IPv6 policy, whatever the stateful extension and the broadcast rule.
    ({"ipv6_policy": "bypass", "attacker_via": "ipv6"}, "exposed", "5b", True,
     "[SPD rule 4: bypass remote ::/0]"),
    ({"ipv6_policy": "bypass", "attacker_via": "ipv6", "stateful": "off"}, "exposed", "5b", True,
     "clear traffic from 2001:db8:12::66 is accepted"),
    ({"ipv6_policy": "bypass", "attacker_via": "ipv6", "broadcast": "discard"}, "exposed", "5b", True,
     "nobody answered; connect to 2001:db8:12::5:445 regardless"),
    ({"attacker_via": "ipv6", "stateful": "off"}, "blocked", None, False,
     "a clear packet matches a PROTECT rule"),
    ({"attacker_via": "ipv6", "broadcast": "discard"}, "clear", None, False,
     "discard local multicast dir in"),
]


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_outcome_problem_and_reason(case):
    """The run ends with the outcome the paper's mechanism predicts, and the trace shows why."""
    check_row("fig5", case)


def test_every_toggle_value_is_covered():
    """The table above sets each value of every fig5 toggle on its own."""
    check_every_value_alone("fig5", CASES)


def test_without_the_stateful_extension_there_is_no_attack():
    """The acceptance case: fig5 stateful=off gives the attacker nothing (and the printer too)."""
    data = run("fig5", stateful="off").to_json()
    assert data["attack_succeeded"] is False
    assert not any(e["decision"] == "ADMIT" for e in data["events"])


def test_the_soft_sa_is_opened_by_the_hosts_own_answer():
    """The soft SA for the attacker opens only after host-a answered it and IKE stayed silent."""
    lines = run("fig5").trace_text().splitlines()
    answer = next(i for i, line in enumerate(lines) if "NetBIOS query for HOST-A from 1.2.0.66  answer" in line)
    silent = next(i for i, line in enumerate(lines) if "1.2.0.66 did not complete IKE within 3 s" in line)
    opened = next(i for i, line in enumerate(lines) if "soft SA with 1.2.0.66  open" in line)
    admitted = next(i for i, line in enumerate(lines) if "ADMIT" in line and "from 1.2.0.66" in line)
    assert answer < silent < opened < admitted
