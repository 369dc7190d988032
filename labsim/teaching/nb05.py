"""Exercises of notebook 05, IPsec as a firewall (paper section 7, figure 5, problems 5a and 5b, solution 5)."""

from ..result import Result, run
from .checks import Choose, PolicyRow, Predict, Reproduce, Requirement, WritePolicy, bind, flow_verdict, spd_decides


def answers_name_queries(result: Result) -> bool:
    """Whether host-a's name service answered a broadcast or multicast query in this run."""
    return any(e.host == "host-a" and e.kind == "app" and e.decision == "answer" for e in result.events)


def prints(result: Result) -> bool:
    """Whether host-a's print job reached the printer (the run's ``print_job`` flow)."""
    return flow_verdict(result, "print_job").reached_peer == "printer"


def safe_and_prints(result: Result) -> bool:
    """The attack failed and the print job still reached the printer."""
    return not flow_verdict(result, "attack").attack_succeeded and prints(result)


def _answer_event(result: Result):
    for e in result.events:
        if e.host == "host-a" and e.kind == "spd" and e.summary.startswith(("NBNS", "LLMNR")) and " answer " in e.summary:
            return e
    return None


def answer_may_leave(result: Result) -> bool:
    """Whether host-a's SPD lets its name-service answer out: PROTECT or BYPASS (sent to a querier who can do
    IPsec, or in clear), not DISCARD. The application answering is not enough; the SPD decides (issue 10)."""
    e = _answer_event(result)
    return e is not None and e.decision.lower() != "discard"


def answer_fate(result: Result) -> str:
    """What host-a's SPD did with its own answer to the name query."""
    e = _answer_event(result)
    if e is None:
        return "host-a never answered the query"
    return f"host-a's SPD said {e.decision} to its {e.summary.split(' ', 1)[0]} answer [{e.rule}]"


def name_query_fate(result: Result) -> str:
    """What host-a's SPD did with the attacker's name query (NetBIOS broadcast or LLMNR multicast)."""
    for e in result.events:
        query = e.summary.startswith(("NBNS", "LLMNR")) and " query " in e.summary
        if e.host == "host-a" and e.kind == "spd" and query:
            return f"host-a's SPD said {e.decision} to the {e.summary.split(' ', 1)[0]} query [{e.rule}]"
    return "the query never reached host-a's SPD"


def feature_interaction() -> None:
    """Print fig5 for each mix of the two features: the stateful extension and the broadcast bypass.

    Each run has two verdicts (paper figure 5 tells two stories): the attack on host-a's file
    sharing and the print job. Where the model gives one verdict per run, the print-job column
    is read from that verdict.
    """
    print(f"{'stateful':<10}{'broadcast':<11}{'attack':<22}print job")
    for stateful in ("off", "on"):
        for broadcast in ("discard", "bypass"):
            r = run("fig5", stateful=stateful, broadcast=broadcast)
            job, attack = flow_verdict(r, "print_job"), flow_verdict(r, "attack")
            got_in = "attacker got in" if attack.attack_succeeded else "attacker kept out"
            printed = f"{job.outcome} ({'printed' if job.reached_peer == 'printer' else 'nothing printed'})"
            print(f"{stateful:<10}{broadcast:<11}{got_in:<22}{printed}")


q1 = Predict(
    "q1", "host-a keeps its soft SAs but discards inbound broadcast and multicast: the print job",
    scenario="fig5", toggles={"broadcast": "discard"}, flow="print_job",
    hint_text="The printer cannot do IKE. What does a rule with 'fallback' do when IKE gets no answer, and does "
              "the broadcast rule have anything to do with the print job?",
    mistakes={
        "blocked": "the fallback still works for the printer: discarding broadcast removes the attacker's trigger, "
                   "not the soft SA host-a opens itself when it prints.",
        "protected": "the printer speaks no IPsec, so no SA can be made with it.",
        "exposed": "the attacker's trick needs host-a to answer a broadcast first, and broadcasts are now dropped.",
        "impersonated": "nobody authenticates as anyone: the printer has no certificate.",
    },
)

q2 = Reproduce(
    "q2", "Reproduce problem 5b: the IPv6 side door",
    scenario="fig5", problem="5b", outcome="exposed",
    mistakes={"attacker_via=printer_address": "an attacker that takes over the printer's address comes in over IPv4, "
                                              "through the soft SA host-a's print job opened; 5b is the IPv6 side door",
              "ipv6_policy": "with IPv6 under the same rules as IPv4 the attacker needs the broadcast trick: that "
                             "is problem 5a",
              "attacker_via": "an attacker over IPv4 uses the broadcast trick (5a); 5b is the IPv6 side door"},
    hint_text="Two toggles are about IPv6: one sets host-a's policy for it, the other decides how the attacker "
              "comes in.",
)

q3 = Choose(
    "q3", "Which change closes both doors and still lets host-a print?",
    scenario="fig5", base={"ipv6_policy": "bypass", "attacker_via": "ipv6"},
    options={
        "switch the stateful extension off": {"stateful": "off"},
        "discard inbound broadcast and multicast": {"broadcast": "discard"},
        "give IPv6 the same policy as IPv4": {"ipv6_policy": "same"},
        "same IPv6 policy as IPv4, and stateful off": {"ipv6_policy": "same", "stateful": "off"},
        "same IPv6 policy as IPv4, and discard broadcast and multicast": {"ipv6_policy": "same",
                                                                          "broadcast": "discard"},
    },
    works=safe_and_prints,
    goal="stops the attacker and still lets host-a print",
    mistakes={
        "switch the stateful extension off": "the IPv6 bypass needs no soft SA: the attacker walks in over IPv6.",
        "discard inbound broadcast and multicast": "the IPv6 bypass needs no trigger at all.",
        "give IPv6 the same policy as IPv4": "with IPv6 under the same fallback rule, the multicast trigger and the "
                                             "soft SA of problem 5a are back, now over IPv6.",
        "same IPv6 policy as IPv4, and stateful off": "both doors are shut, but without the fallback the printer "
                                                      "cannot be reached either.",
    },
    costs={"same IPv6 policy as IPv4, and discard broadcast and multicast":
           "its cost: NetBIOS and LLMNR no longer hear anyone, so name lookups by broadcast stop (and on a real "
           "network DHCP too); exercise 4 does better"},
    hint_text="Close the IPv6 bypass first, then run the panel again: the attacker still has the trick of "
              "problem 5a. Which of its two ingredients can go without losing the printer?",
)

q4 = WritePolicy(
    "q4", "A policy for host-a: no soft SA for the attacker, but the printer and the name services still work",
    scenario="fig5", host="host-a", kind="spd",
    requirements=[
        Requirement({}, "the attacker gets nothing and host-a still prints",
                    safe_and_prints,
                    "a broadcast can make host-a send to anyone, so a fallback that covers the whole intranet covers "
                    "the attacker too"),
        Requirement({}, "host-a still answers NetBIOS name queries broadcast on the local network",
                    answers_name_queries, "the office's name service needs inbound broadcast; do not discard it",
                    explain=name_query_fate),
        Requirement({}, "host-a's SPD lets the NetBIOS answer out (to a querier that does IPsec), not DISCARD",
                    answer_may_leave, "the answer is a unicast packet to an intranet address; a rule that discards "
                    "it silences the name service however the query got in", explain=answer_fate),
        Requirement({"attacker_via": "ipv6"}, "over IPv6 too, the attacker gets nothing and host-a still prints",
                    safe_and_prints,
                    "IPv6 needs the same care as IPv4: the intranet's prefix 2001:db8:12::/48 needs a rule of its "
                    "own, without a fallback that covers everyone, above 'bypass any'"),
        Requirement({"attacker_via": "ipv6"}, "host-a still answers LLMNR name queries multicast on the local network",
                    answers_name_queries, "LLMNR needs inbound multicast; do not discard it", explain=name_query_fate),
        Requirement({"attacker_via": "ipv6"}, "host-a's SPD lets the LLMNR answer out, not DISCARD",
                    answer_may_leave, "without a rule for the intranet's IPv6 prefix the answer falls to the last "
                    "rule; 'discard any' drops it, so LLMNR is dead: protect 2001:db8:12::/48 instead",
                    explain=answer_fate),
        PolicyRow("IPv6 peers of the intranet (here 2001:db8:12::7, TCP 445) are protected, not dropped or in clear",
                  spd_decides("protect", "2001:db8:12::7", local="2001:db8:12::5", port=445),
                  "the intranet's IPv6 prefix 2001:db8:12::/48 needs its own PROTECT rule (solution 5: keep the new "
                  "protocol's policy in step with the old one)"),
        PolicyRow("the web is still reachable in clear (here 198.51.100.80, TCP 80)",
                  spd_decides("bypass", "198.51.100.80", port=80),
                  "'discard any' as the last rule cuts host-a off from everything outside the intranet; keep "
                  "'bypass any' last"),
    ],
    hint_text="The printer is one address (1.2.0.80) and one port (TCP 9100). Give it an exemption of its own, "
              "above the intranet rule, and let the intranet rules demand IPsec without falling back.",
)

bind("05", globals())
