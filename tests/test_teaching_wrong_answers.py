"""Every exercise of notebooks 01-07 rejects plausible wrong answers, and its feedback names the mistake.

One row per wrong answer: the exercise, the answer, the words its feedback must contain (pinned,
since students read them) and why the answer is wrong, by the paper. A check that accepts an
answer contradicting the paper is a bug (issue 10, section 2). A Predict row is judged on the
first try, where the feedback must name the mistake without giving the right outcome away.
"""

import importlib

import pytest

from labsim.teaching.checks import Predict

DESKTOPS = 'peer *.example.org ca "Example Corp CA" addresses 1.2.0.0/16'
SERVER_B = 'peer server-b.example.org ca "Example Corp CA" addresses 1.2.3.4'
FIG5_HEAD = "bypass local broadcast dir in\nbypass local multicast dir in\nbypass remote 1.2.0.80 proto tcp port 9100\n"
LAPTOP = "bypass proto udp lport 68\n"
GROUP = importlib.import_module("labsim.teaching.nb07").GROUP_AUTH

#: (notebook, exercise, wrong answer, extra args, words the feedback must contain, why it is wrong)
WRONG = [
    # 01: the SPD, first match, inbound checks, what ESP hides
    ("01", "q1", "clear", (), "host-a never falls back to clear by itself", "the only rule says PROTECT"),
    ("01", "q1", "protected", (), "an SA needs IKE at both ends", "the printer runs no IKE"),
    ("01", "q2", "protect remote 1.2.0.0/16\nbypass remote 1.2.3.9 proto tcp port 9100", (),
     "the first matching rule decides", "the printer rule is never reached"),
    ("01", "q2", "protect remote 1.2.3.4\nbypass any", (),
     "FAIL every other intranet peer (here 1.2.0.7, TCP 80) is still protected: BYPASS by rule 2",
     "every other intranet peer goes in clear (issue 10, section 2)"),
    ("01", "q2", "bypass remote 1.2.3.9\nprotect remote 1.2.0.0/16", (),
     "the exception is wider than the printer needs", "section 6.4: keep BYPASS rules specific"),
    ("01", "q2", "bypass proto tcp port 9100\nprotect remote 1.2.0.0/16", (),
     "FAIL nobody else's TCP 9100 escapes", "every host's port 9100 goes in clear"),
    ("01", "q3", "clear", ("host-a sends in clear",), "server-b checks inbound packets against its own SPD",
     "section 3: the SPD applies to inbound packets"),
    ("01", "q3", "protected", ("both hosts use IPsec",), "with BYPASS at host-a, no IKE runs", "no SA exists"),
    ("01", "q4", {"the source address", "the destination address", "the SPI", "the sequence number",
                  "the destination port"}, (), "you picked 'the destination port'", "ports are encrypted"),
    ("01", "q4", {"the request text"}, (), "you picked 'the request text'", "the payload is encrypted"),
    # 02: figure 1, problem 1a
    ("02", "q1", "exposed", (), "1.2.6.6 is inside 1.2.0.0/16", "PROTECT forces IKE"),
    ("02", "q1", "impersonated", (), "needs a certificate the client trusts", "the attacker has none"),
    ("02", "q2", "bypass remote 1.2.0.53 proto udp port 53\nprotect remote 1.2.0.0/16\ndiscard remote 3.4.5.6\n"
                 "bypass any", (), "a rule against the one address you saw (3.4.5.6) is a blacklist",
     "the next forged answer names another address"),
    ("02", "q2", "protect remote 1.2.0.0/16\ndiscard any", (),
     "FAIL with honest DNS, server-b is reached over IPsec", "the DNS query cannot leave"),
    ("02", "q3", "discard everything outside the intranet", (), "it stops the leak by stopping the traffic",
     "host-a reaches nobody"),
    ("02", "q3", "give the attacker no certificate", (), "the attacker never needed one", "BYPASS runs no IKE"),
    ("02", "q4", {"attacker_at": "protected"}, (), "an attacker at a PROTECT address must pass IKE",
     "it has no certificate: blocked"),
    ("02", "q4", {"attacker_cert": "same_ca"}, (), "that is problem 1a", "under BYPASS no certificate is asked"),
    # 03: figure 2, problem 1b, the fixes of section 5
    ("03", "q1", "blocked", ("the forward lookup finds pc-c",), "its owner may point it anywhere",
     "section 5.2: a forward record speaks for the name's owner"),
    ("03", "q1", "protected", ("DNS is signed",), "pc-c proved a different one", "1b"),
    ("03", "q2", "look the certified name up (forward DNS)", (), "pc-c owns pc-c.example.org",
     "section 5.2: forward lookups prove nothing about the address"),
    ("03", "q2", "look the address up (reverse DNS)", (), "pc-c answers it first", "unsigned reverse DNS is forged"),
    ("03", "q3", SERVER_B, (), "a PAD that lists only server-b refuses every desktop",
     "the wildcard was for the desktops (issue 10, section 2)"),
    ("03", "q3", SERVER_B + "\n" + DESKTOPS, (),
     "an entry matched first lets pc-c.example.org (as *.example.org) use 1.2.3.4", "the wildcard covers 1.2.3.4"),
    ("03", "q3", DESKTOPS.replace("1.2.0.0/16", "1.2.0.0/24") + "\n" + SERVER_B, (),
     "server-b.example.org also matches *.example.org", "the first entry refuses server-b"),
    ("03", "q3", 'peer pc-c.example.org ca "Example Corp CA" addresses 1.2.0.7\n' + DESKTOPS, (),
     "listing pc-c by name stops pc-c only", "any other insider still poses"),
    ("03", "q4", {"name_check": "name_handle"}, (), "something must make connect() receive a plain address",
     "with the handle the name check works"),
    ("03", "q4", {"connect_by": "address"}, (), "This question keeps name_check at name_handle",
     "the question is about name handles"),
    # 04: figures 3 and 4, problems 2-4
    ("04", "q1", "protected", (), "choosing the home server is not enough", "the query is intercepted"),
    ("04", "q1", "impersonated", (), "no certificate is involved", "7.7.7.66 is bypassed"),
    ("04", "q2", {"ask the home DNS server, through IPsec"}, (), "1 option that does the job is missing from your set",
     "section 6.1: signed DNS is the stronger fix, even though it blocks"),
    ("04", "q2", {"ask the home DNS server"}, (), "the query still crosses the hotel's network in clear",
     "interception"),
    ("04", "q2", {"put DNS under IPsec, but keep the server DHCP names", "validate signed answers (DNSSEC)"}, (),
     "protects the conversation with the liar", "IPsec to the hotel's server"),
    ("04", "q3", "clear", (), "packets are delivered where the laptop stands", "problem 3"),
    ("04", "q3", "protected", (), "no rule sends 192.168.0.20 through the tunnel", "the private range is bypassed"),
    ("04", "q4", {}, (), "that is problem 3, not 4", "the default policy leaks"),
    ("04", "q4", {"private_policy": "protect", "location": "home"}, (),
     "at the office the laptop visits no other network", "problem 4 is about the visited network's hosts"),
    ("04", "q5", "protect remote 192.168.0.10 name printer-b.example.org", (),
     "accepts every line, so nothing was refused", "names are fine on PROTECT"),
    ("04", "q5", "discard remote 192.168.0.10 name printer-b.example.org", (),
     "The SPD refuses your discard rule, but the goal is a bypass rule with a name selector",
     "a different kind of rule than asked (issue 10, section 3)"),
    ("04", "q5", "bypass remote 192.168.0.10", (), "accepts every line", "no name selector"),
    ("04", "q6", LAPTOP + "protect remote 192.168.0.0/16\nprotect remote 1.2.0.0/16 tunnel 1.2.0.1\nbypass any", (),
     "FAIL printer-b gets the print job and the hotel's machine gets nothing (fig4 defaults): got blocked",
     "PROTECT without the tunnel asks the hotel for IKE"),
    ("04", "q6", LAPTOP + "bypass remote 192.168.0.0/16\nprotect remote 192.168.0.0/24 tunnel 1.2.0.1\n"
                 "protect remote 1.2.0.0/16 tunnel 1.2.0.1\nbypass any", (),
     "(fig4 defaults): got exposed", "the bypass above the tunnel rule wins"),
    # 05: figure 5, problems 5a and 5b
    ("05", "q1", "blocked", (), "the fallback still works for the printer", "the print job flow"),
    ("05", "q1", "exposed", (), "needs host-a to answer a broadcast first", "broadcasts are dropped"),
    ("05", "q2", {"attacker_via": "ipv6"}, (), "that is problem 5a", "same IPv6 policy"),
    ("05", "q2", {"ipv6_policy": "bypass"}, (), "5b is the IPv6 side door", "the attacker comes over IPv4"),
    ("05", "q2", {"ipv6_policy": "bypass", "attacker_via": "printer_address"}, (),
     "takes over the printer's address comes in over IPv4", "section 5.4's hijack, through a soft SA, not 5b"),
    ("05", "q3", "give IPv6 the same policy as IPv4", (), "the soft SA of problem 5a are back", "one door left"),
    ("05", "q3", "same IPv6 policy as IPv4, and stateful off", (), "the printer cannot be reached either",
     "the print job is lost"),
    ("05", "q4", FIG5_HEAD + "protect remote 1.2.0.0/16\ndiscard any", (),
     "FAIL host-a's SPD lets the LLMNR answer out, not DISCARD", "the name-service answers are dropped "
     "(issue 10, section 2)"),
    ("05", "q4", FIG5_HEAD + "protect remote 1.2.0.0/16\ndiscard any", (),
     "FAIL the web is still reachable in clear", "the web is gone"),
    ("05", "q4", FIG5_HEAD + "protect remote 1.2.0.0/16\nbypass any", (), "IPv6 needs the same care as IPv4",
     "problem 5b"),
    ("05", "q4", "bypass local broadcast dir in\nbypass local multicast dir in\nprotect remote 1.2.0.0/16 fallback\n"
                 "protect remote 2001:db8:12::/48 fallback\nbypass any", (),
     "a fallback that covers the whole intranet covers the attacker too", "problem 5a"),
    # 06: appendix A, solution 1, the synthesis
    ("06", "q1", "blocked", (), "the handle only helps if connect() receives it", "appendix A"),
    ("06", "q1", "protected", (), "pc-c still answers for 1.2.3.4", "1b"),
    ("06", "q2", {"name handles"}, (), "You picked 'name handles', which does not", "no handle, no name"),
    ("06", "q2", {"a PAD"}, (), "1 option that does the job is missing from your set",
     "solution 1 fails closed: the application refuses"),
    ("06", "q3", 'peer *.example.org ca "Example Corp CA" addresses 1.2.3.4', (),
     "FAIL pc-c cannot pose as server-b", "the wildcard lets pc-c use 1.2.3.4"),
    ("06", "q3", 'peer server-b.example.org ca "Other CA" addresses 1.2.3.4', (),
     "FAIL host-a still reaches the real server-b", "the wrong CA refuses server-b"),
    ("06", "q4", {}, (), "solution 1 is never switched on", "issue 10, section 2"),
    ("06", "q4", {"name_check": "forward_dns"}, (), "traffic under a BYPASS rule never runs IKE",
     "section 5.4: a stack check cannot see bypassed traffic"),
    ("06", "q4", {"dnssec": "on"}, (), "This question keeps dnssec at off", "signed DNS is another fix"),
    ("06", "q5", "blocked", (), "the check refuses only a peer that proved another name", "server-b proves its own"),
    ("06", "q5", "impersonated", (), "the peer at 1.2.3.4 is server-b itself", "honest DNS"),
    ("06", "q6", {"1a": "a PAD", "1b": "a PAD", "2": "signed DNS", "3": "private ranges through the VPN tunnel",
                  "5a": "discard inbound broadcast and multicast",
                  "5b": ["IPv6 in step with IPv4 (solution 5)", "discard inbound broadcast and multicast"]}, (),
     "FAIL 1a  a PAD", "section 5.4: no PAD is consulted for bypassed traffic"),
    ("06", "q6", {"1a": "signed DNS", "1b": "signed DNS", "2": "signed DNS", "3": "signed DNS", "5a": "no soft SAs",
                  "5b": "no soft SAs"}, (), "'signed DNS' does not apply to fig2's attack",
     "fig2's zone is already signed; DNS is beside the point for 1b"),
    # 07: the audit
    ("07", "q1", {"1a", "1b", "2", "3", "4", "5a", "5b"}, (), "1 of 7 problems judged wrongly", "4 is not exposed"),
    ("07", "q1", {"1a", "1b"}, (), "4 of 7 problems judged wrongly", "2, 3, 5a, 5b are exposed"),
    ("07", "q2", "drop all other traffic", (), "FAIL a web site", "the web is cut off"),
    ("07", "q2", "name the server", (), "FAIL 1a is still exposed", "naming the server fixes 1b, not 1a"),
    ("07", "q3", GROUP, (), "FAIL 1a is still exposed", "the original configuration"),
    ("07", "q3", importlib.import_module("labsim.teaching.nb07").OPTIONS["protect DNS"], (),
     "FAIL 1b is still exposed", "only 1a fixed"),
    ("07", "q3", "DNS_UNDER_ANY", (),
     "FAIL DNS to 10.1.0.53 goes under IPsec to a peer that must prove the DNS server's own name",
     "section 5.1: under id = %any any certified insider answers as the DNS server (issue 10, section 1)"),
]


def _dns_under_any() -> str:
    """Notebook 07's fix with the DNS pass shunt merely removed, so DNS falls under the intranet's %any connection."""
    nb07 = importlib.import_module("labsim.teaching.nb07")
    text = nb07._edit(nb07.GROUP_AUTH, nb07._DNS_SHUNT, "")
    text = nb07._edit(text, nb07._SHUNTS, nb07._connection("server-b", "10.1.3.4", "server-b.example.org",
                                                           "10.1.3.4/32") + nb07._SHUNTS)
    return nb07._edit(text, nb07._PRINTERS, nb07._PRINTERS + "         no-ipv6 {\n            mode = drop\n"
                      "            remote_ts = ::/0\n            start_action = trap\n         }\n")


@pytest.mark.parametrize("notebook, exercise, answer, extra, words, why", WRONG,
                         ids=[f"{r[0]}.{r[1]}-{i}" for i, r in enumerate(WRONG)])
def test_a_wrong_answer_is_rejected_and_its_mistake_named(notebook, exercise, answer, extra, words, why, capsys):
    """The check says Not yet, and names the mistake in the pinned words (the row's `why` says why, by the paper)."""
    module = importlib.import_module(f"labsim.teaching.nb{notebook}")
    q = getattr(module, exercise)
    q.passed, q.wrong, q.attempts = None, 0, 0
    if answer == "DNS_UNDER_ANY":
        answer = _dns_under_any()
    q.check((answer, *extra) if extra else answer)
    out = capsys.readouterr().out
    assert out.startswith(f"[{exercise}] Not yet."), out
    assert words in out, out
    assert q.passed is False
    if isinstance(q, Predict):   # a first wrong try must not give the right outcome away
        assert "the simulator says" not in out


def test_every_exercise_of_notebooks_01_to_07_has_two_wrong_answers():
    """The table covers every exercise the notebook sources check, with at least two wrong answers each."""
    import re
    from pathlib import Path
    for source in sorted(Path("notebooks/source").glob("0[1-7]_*.py")):
        notebook = source.name[:2]
        for exercise in sorted(set(re.findall(r"\b(q\d+)\.check\(", source.read_text()))):
            rows = [r for r in WRONG if r[0] == notebook and r[1] == exercise]
            assert len(rows) >= 2, f"{notebook}.{exercise} has {len(rows)} wrong answers in the table"
