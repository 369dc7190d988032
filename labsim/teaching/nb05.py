"""Exercises of notebook 05, IPsec as a firewall (paper section 7, figure 5, problems 5a and 5b, solution 5)."""

from ..result import Result, run
from .checks import Choose, Predict, Reproduce, Requirement, WritePolicy


def answers_name_queries(result: Result) -> bool:
    """Whether host-a's name service answered a broadcast or multicast query in this run."""
    return any(e.host == "host-a" and e.kind == "app" and e.decision == "answer" for e in result.events)


def name_query_fate(result: Result) -> str:
    """What host-a's SPD did with the attacker's name query (NetBIOS broadcast or LLMNR multicast)."""
    for e in result.events:
        query = e.summary.startswith(("NBNS", "LLMNR")) and " query " in e.summary
        if e.host == "host-a" and e.kind == "spd" and query:
            return f"host-a's SPD said {e.decision} to the {e.summary.split(' ', 1)[0]} query [{e.rule}]"
    return "the query never reached host-a's SPD"


def feature_interaction() -> None:
    """Print fig5 for each mix of the two features: the stateful extension and the broadcast bypass."""
    print(f"{'stateful':<10}{'broadcast':<11}{'verdict':<10}{'attack':<8}printer")
    for stateful in ("off", "on"):
        for broadcast in ("discard", "bypass"):
            r = run("fig5", stateful=stateful, broadcast=broadcast)
            printed = "printed" if r.reached_peer == "printer" else "nothing printed"
            attack = "yes" if r.attack_succeeded else "no"
            print(f"{stateful:<10}{broadcast:<11}{r.outcome:<10}{attack:<8}{printed}")


q1 = Predict(
    "q1", "Standard, stateless IPsec on host-a",
    scenario="fig5", toggles={"stateful": "off"},
    hint_text="Without the extension, a PROTECT rule means an SA or nothing. Which peers of host-a can do IKE: the "
              "printer, the attacker?",
    solution_text="blocked. The attacker fails: host-a's NetBIOS answer waits for IKE, the attacker cannot "
                  "authenticate, and the answer is dropped; its clear SYN to port 445 then matches PROTECT and is "
                  "refused. But the printer cannot do IKE either, so the print job is dropped too. That is why "
                  "administrators wanted the extension.",
    mistakes={
        "clear": "without the extension nothing falls back to clear: the printer never answers IKE, so the job is "
                 "dropped.",
        "exposed": "the attacker's trick needs a soft SA, and with stateful=off host-a opens none.",
        "protected": "the printer speaks no IPsec, so no SA can be made with it.",
        "impersonated": "the attacker holds no certificate; nobody authenticates as anyone.",
    },
)

q2 = Reproduce(
    "q2", "Reproduce problem 5b: the IPv6 side door",
    scenario="fig5", problem="5b", outcome="exposed",
    hint_text="Two toggles are about IPv6: one sets host-a's policy for it, the other decides how the attacker "
              "comes in.",
    solution_text="{'ipv6_policy': 'bypass', 'attacker_via': 'ipv6'}. host-a bypasses IPsec for all of IPv6, so the "
                  "attacker's SYN to port 445 over IPv6 is accepted in clear. It needs no broadcast and no soft SA, "
                  "which is why stateful=off does not help here.",
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
    goal="stops the attacker and still lets host-a print",
    hint_text="Close the IPv6 bypass first, then run the panel again: the attacker still has the trick of "
              "problem 5a. Which of its two ingredients can go without losing the printer?",
    solution_text="same IPv6 policy as IPv4, and discard broadcast and multicast. A single change leaves one door "
                  "open: the IPv6 bypass (5b), or, once IPv6 is protected, the multicast trigger and the soft SA "
                  "(5a). Switching the extension off closes 5a but also stops the printer. The working option has a "
                  "cost too: name services that rely on broadcast stop working. Exercise 4 does better.",
)

q4 = WritePolicy(
    "q4", "A policy for host-a: no soft SA for the attacker, but the printer and the name services still work",
    scenario="fig5", host="host-a", kind="spd",
    requirements=[
        Requirement({}, "the attacker gets nothing and host-a still prints",
                    lambda r: not r.attack_succeeded and r.reached_peer == "printer",
                    "a broadcast can make host-a send to anyone, so a fallback that covers the whole intranet covers "
                    "the attacker too"),
        Requirement({}, "host-a still answers NetBIOS name queries broadcast on the local network",
                    answers_name_queries, "the office's name service needs inbound broadcast; do not discard it",
                    explain=name_query_fate),
        Requirement({"attacker_via": "ipv6"}, "over IPv6 too, the attacker gets nothing and host-a still prints",
                    lambda r: not r.attack_succeeded and r.reached_peer == "printer",
                    "IPv6 needs the same care as IPv4: the intranet's prefix 2001:db8:12::/48 needs a rule of its "
                    "own, without a fallback that covers everyone, above 'bypass any'"),
        Requirement({"attacker_via": "ipv6"}, "host-a still answers LLMNR name queries multicast on the local network",
                    answers_name_queries, "LLMNR needs inbound multicast; do not discard it", explain=name_query_fate),
    ],
    hint_text="The printer is one address (1.2.0.80) and one port (TCP 9100). Give it an exemption of its own, "
              "above the intranet rule, and let the intranet rules demand IPsec without falling back.",
    solution_text="bypass local broadcast dir in / bypass local multicast dir in / bypass remote 1.2.0.80 proto tcp "
                  "port 9100 / protect remote 1.2.0.0/16 / protect remote 2001:db8:12::/48 / bypass any. A narrow "
                  "BYPASS for the one device without IPsec replaces the fallback for everyone. (A fallback limited "
                  "to the printer, 'protect remote 1.2.0.80 fallback', also passes.) Whoever takes over the "
                  "printer's address still gets print jobs in clear: narrow rules shrink a hole, they do not "
                  "close it (section 6.4).",
)
