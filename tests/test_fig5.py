"""fig5 (paper section 7, problems 5a and 5b): every toggle value, for the attack and for the print job.

Two flows per run: ``attack`` (primary: the attacker's unsolicited connection to host-a's
file sharing, TCP 445) and ``print_job`` (host-a's legitimate print job to a printer that
speaks no IPsec), so that "the attack was blocked" and "the print job was blocked" are
never confused. Each row names trace lines written by the mechanisms that decided it.
"""

import pytest

from labsim import run
from scenario_table import case_id, check_every_flow_in_every_row, check_every_value_alone, check_row, flow_verdict

PRINTED = {"print_job": ("clear", None, False)}
NOT_PRINTED = {"print_job": ("blocked", None, False)}
ADMITTED = "a clear packet from 1.2.0.66 matches PROTECT, but a soft SA admits it"
SYN_REFUSED = ("1.2.0.5:445 [SYN]  PROTECT  traffic from 1.2.0.66 must arrive through an SA",
               "[SYN]  discard  a clear packet matches a PROTECT rule, so it must have come through an SA")
# attacker_via=printer_address: the soft SA host-a's print job opened for 1.2.0.80, then the address taken over
HIJACKED = "claims 1.2.0.80  hijack  the attacker answers ARP requests for 1.2.0.80 (forged ARP replies), " \
           "the address of printer"
PRINT_JOB_SOFT_SA = "soft SA with 1.2.0.80  open  clear packets from 1.2.0.80 will now be admitted: it did not " \
                    "answer IKE and we fell back to clear  [stateful extension]"
HIJACK_ADMITTED = ("1.2.0.5:445 [SYN]  ADMIT  a clear packet from 1.2.0.80 matches PROTECT, but a soft SA admits it",
                   "[SYN-ACK]  SOFT SA  a soft SA with 1.2.0.80 is open")

CASES = [
    # toggles, outcome, problem, attack (the attack flow), trace evidence, the print job's verdict
    ({}, "exposed", "5a", True,
     ("NetBIOS query for HOST-A from 1.2.0.66  answer", "soft SA with 1.2.0.66  open", ADMITTED), PRINTED),
    ({"stateful": "on"}, "exposed", "5a", True, ("soft SA with 1.2.0.80  open", "soft SA with 1.2.0.66  open"),
     PRINTED),
    # Standard IPsec: no soft SA, so the attacker's SYN meets the inbound PROTECT rule; the printer is lost too.
    ({"stateful": "off"}, "blocked", None, False, (*SYN_REFUSED, "!soft SA with", "!ADMIT"), NOT_PRINTED),
    ({"broadcast": "bypass"}, "exposed", "5a", True, "[SPD rule 1: bypass local broadcast dir in]", PRINTED),
    ({"broadcast": "discard"}, "blocked", None, False,
     ("inbound packet matches SPD rule 1: discard local broadcast dir in", *SYN_REFUSED, "!soft SA with 1.2.0.66"),
     PRINTED),
    ({"ipv6_policy": "same"}, "exposed", "5a", True,
     "[soft SA for 1.2.0.66; SPD rule 3: protect remote 1.2.0.0/16 fallback]", PRINTED),
    # The laxer IPv6 rule is there, but no packet of this IPv4 attacker ever matches it.
    ({"ipv6_policy": "bypass"}, "exposed", "5a", True,
     ("[soft SA for 1.2.0.66; SPD rule 3: protect remote 1.2.0.0/16 fallback]", "![SPD rule 4: bypass remote ::/0]"),
     PRINTED),
    ({"attacker_via": "ipv4"}, "exposed", "5a", True, "NBNS 1.2.0.5:137 > 1.2.0.66:137 answer HOST-A is 1.2.0.5",
     PRINTED),
    ({"attacker_via": "ipv6"}, "exposed", "5a", True, "soft SA with 2001:db8:12::66  open", PRINTED),
    # Section 5.4's address hijack against section 7's soft SA: host-a's own print job opened the soft SA for
    # 1.2.0.80, the attacker then answers for that address, and host-a's SYN-ACK goes to it. Not problem 5a: no
    # answer to the attacker's broadcast opened anything (the paper gives the hijack no number).
    ({"attacker_via": "printer_address"}, "exposed", None, True,
     (PRINT_JOB_SOFT_SA, HIJACKED, *HIJACK_ADMITTED, "!NetBIOS query", "!soft SA with 1.2.0.66"), PRINTED),
    # Discarding broadcast removes 5a's trigger, not the soft SA host-a opens itself when it prints.
    ({"attacker_via": "printer_address", "broadcast": "discard"}, "exposed", None, True,
     (PRINT_JOB_SOFT_SA, HIJACKED, *HIJACK_ADMITTED), PRINTED),
    # Standard IPsec: no soft SA for 1.2.0.80, so the hijacked address is just another intranet address.
    ({"attacker_via": "printer_address", "stateful": "off"}, "blocked", None, False,
     (HIJACKED, "1.2.0.5:445 [SYN]  PROTECT  traffic from 1.2.0.80 must arrive through an SA", SYN_REFUSED[1],
      "!soft SA with", "!ADMIT"), NOT_PRINTED),
    # Problem 5b: the laxer IPv6 policy, whatever the stateful extension and the broadcast rule.
    ({"ipv6_policy": "bypass", "attacker_via": "ipv6"}, "exposed", "5b", True,
     "[SPD rule 4: bypass remote ::/0]", PRINTED),
    ({"ipv6_policy": "bypass", "attacker_via": "ipv6", "stateful": "off"}, "exposed", "5b", True,
     "clear traffic from 2001:db8:12::66 is accepted", NOT_PRINTED),
    ({"ipv6_policy": "bypass", "attacker_via": "ipv6", "broadcast": "discard"}, "exposed", "5b", True,
     "nobody answered; connect to 2001:db8:12::5:445 regardless", PRINTED),
    ({"attacker_via": "ipv6", "stateful": "off"}, "blocked", None, False,
     "traffic from 2001:db8:12::66 must arrive through an SA", NOT_PRINTED),
    ({"attacker_via": "ipv6", "broadcast": "discard"}, "blocked", None, False,
     "discard local multicast dir in", PRINTED),
]


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_outcome_problem_and_reason(case):
    """The attack and the print job end as the paper's mechanisms predict, and the trace shows why."""
    check_row("fig5", case)


def test_every_toggle_value_is_covered():
    """The table above sets each value of every fig5 toggle on its own."""
    check_every_value_alone("fig5", CASES)


def test_every_row_judges_the_print_job_too():
    """No row leaves the second flow unstated."""
    check_every_flow_in_every_row("fig5", CASES)


def test_the_attack_is_the_first_flow_and_the_print_job_the_second():
    """fig5 declares its flows in the agreed order; the primary verdict is the attack's."""
    from labsim import scenario
    assert [flow for flow, _ in scenario("fig5").flows] == ["attack", "print_job"]


def test_without_the_stateful_extension_there_is_no_attack():
    """The acceptance case: fig5 stateful=off gives the attacker nothing (and the printer too)."""
    result = run("fig5", stateful="off")
    assert result.attack_succeeded is False
    assert not any(e.decision == "ADMIT" for e in result.events)
    assert flow_verdict(result, "print_job").outcome == "blocked"


def test_with_stateful_off_the_inbound_check_is_what_stops_the_attacker():
    """The attacker's clear SYN reaches host-a's inbound SPD processing, and the PROTECT rule drops it there."""
    result = run("fig5", stateful="off")
    syn = [e for e in result.events if e.host == "host-a" and "1.2.0.66" in e.summary and "[SYN]" in e.summary]
    assert [(e.kind, e.decision) for e in syn] == [("spd", "PROTECT"), ("drop", "discard")]


def test_the_soft_sa_is_opened_by_the_hosts_own_answer():
    """The soft SA for the attacker opens only after host-a answered it and IKE stayed silent."""
    lines = run("fig5").trace_text().splitlines()
    answer = next(i for i, line in enumerate(lines) if "NetBIOS query for HOST-A from 1.2.0.66  answer" in line)
    silent = next(i for i, line in enumerate(lines) if "1.2.0.66 did not complete IKE within 3 s" in line)
    opened = next(i for i, line in enumerate(lines) if "soft SA with 1.2.0.66  open" in line)
    admitted = next(i for i, line in enumerate(lines) if "ADMIT" in line and "from 1.2.0.66" in line)
    assert answer < silent < opened < admitted


def test_the_printer_address_is_taken_over_after_the_print_job_opened_its_soft_sa():
    """attacker_via=printer_address: host-a's own print job opens the soft SA for 1.2.0.80 and prints; only then
    does the attacker answer for 1.2.0.80, so host-a's SYN-ACK to that address reaches the attacker and the
    handshake completes; the attacker's data from 1.2.0.80 is admitted by the print job's soft SA."""
    lines = run("fig5", attacker_via="printer_address").trace_text().splitlines()

    def first(*words):
        return next(i for i, line in enumerate(lines) if all(w in line for w in words))
    opened = first(PRINT_JOB_SOFT_SA)
    printed = first("printer", "21 bytes from 1.2.0.5: '%!PS quarterly report'  receive")
    hijacked = first(HIJACKED)
    syn = first(HIJACK_ADMITTED[0])
    syn_ack = first("TCP 1.2.0.5:445 > 1.2.0.80:", "[SYN-ACK]  send  via host-a > intranet > attacker")
    stolen = first("host-a", "ADMIT  a clear packet from 1.2.0.80", "'SMB: read C$/payroll.xlsx'")
    assert opened < printed < hijacked < syn < syn_ack < stolen
    assert not any("1.2.0.66" in line for line in lines[hijacked:])   # it speaks only from the printer's address


def _inbound_protect_ignored():
    """A stack whose inbound PROTECT check lets clear packets through (the mutant of issue 11)."""
    from unittest import mock
    from labsim.ipsec import spd as spdmod
    real = spdmod.Spd.lookup

    def lookup(self, view, peer_name=None):
        match = real(self, view, peer_name)
        if view.direction == "in" and match.action == "protect":
            return spdmod.Match(match.index, spdmod.Rule("bypass"))
        return match
    return mock.patch.object(spdmod.Spd, "lookup", lookup)


def test_with_stateful_off_the_inbound_protect_check_decides():
    """stateful=off: only host-a's inbound PROTECT check keeps the attacker's clear SYN from its file sharing.
    With that check broken, host-a accepts the connection (its reply still needs an SA), and the attack counts."""
    assert run("fig5", stateful="off").outcome == "blocked"
    with _inbound_protect_ignored():
        broken = run("fig5", stateful="off")
    assert (broken.outcome, broken.attack_succeeded) == ("exposed", True)
    assert "host-a accepted attacker's connection to port 445 in clear" in broken.explanation


def test_the_inbound_protect_check_decides_when_the_broadcast_is_discarded():
    """broadcast=discard: no soft SA for the attacker, so host-a's inbound PROTECT check is what drops its SYN.
    A stack that let clear packets through a PROTECT rule would open a soft SA with its own reply and let the
    attacker in: the verdict turns on that check."""
    assert run("fig5", broadcast="discard").outcome == "blocked"
    with _inbound_protect_ignored():
        broken = run("fig5", broadcast="discard")
    assert (broken.outcome, broken.attack_succeeded) == ("exposed", True)
