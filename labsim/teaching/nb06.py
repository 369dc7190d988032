"""Exercises of notebook 06: the conclusions and the appendix A experiment (paper section 8, appendix A).

Solution 1 (section 5.5) is ranked here as the paper ranks it (section 8): applications in
charge of their own security. Its application check fails closed: handed only an address
(appendix A) it has no name to compare and refuses, a communication failure rather than a
security failure (section 6.3).
"""

from .checks import Choose, Predict, Reproduce, Requirement, WritePolicy, bind
from .matrix import Matrix
from .quiz import QUIZ as quiz

q1 = Predict(
    "q1", "Name handles when the user types an address",
    scenario="fig2", toggles={"name_check": "name_handle", "connect_by": "address"},
    hint_text="A name handle remembers the name the resolver looked up. Which call gets the handle: nslookup, "
              "or the telnet that follows it?",
    mistakes={"blocked": "the handle only helps if connect() receives it; here connect() receives a typed address, "
                         "and this simulator assumes the system still accepts it (the paper expects such a program "
                         "to break, section 5.4).",
              "protected": "pc-c still answers for 1.2.3.4 and holds a good certificate.",
              "exposed": "1.2.3.4 is under a PROTECT rule, so the data goes over an SA, not in clear.",
              "clear": "1.2.3.4 is under a PROTECT rule, so nothing goes in clear."},
)

q2 = Choose(
    "q2", "Which checks still keep pc-c from the data when only an address reaches the stack?",
    scenario="fig2", base={"connect_by": "address"}, multiple=True,
    options={"name handles": {"name_check": "name_handle"},
             "the application asks its socket": {"name_check": "application"},
             "a PAD": {"name_check": "pad"}},
    works=lambda r: not r.attack_succeeded,
    reaches=lambda r: r.outcome in ("protected", "clear"),
    goal="keep pc-c from receiving the data",
    mistakes={"name handles": "a typed address carries no handle, so the stack has no name to compare; this "
                              "simulator assumes the system still accepts the raw address and lets pc-c in (the "
                              "paper expects the program to break instead, section 5.4).",
              "the application asks its socket": "the application refuses when it cannot match the certified name "
                                                 "with a name it was given: it fails closed, like a TLS client given "
                                                 "an address.",
              "a PAD": "it compares the certified identity with addresses and never needs the intended name; its "
                       "cost is the table itself (section 5.3)."},
    hint_text="Security first: in which runs does pc-c not get the data? A refusal to send counts as keeping pc-c "
              "out, even though nobody is reached.",
)

q3 = WritePolicy(
    "q3", "A PAD that refuses pc-c at server-b's address and still lets server-b in",
    scenario="fig2", host="host-a", kind="pad",
    requirements=[
        Requirement({"connect_by": "address"}, "pc-c cannot pose as server-b, even for a typed address",
                    lambda r: not r.attack_succeeded,
                    "an entry that lets pc-c.example.org (or every name) use 1.2.3.4"),
        Requirement({"dns": "honest"}, "host-a still reaches the real server-b over IPsec",
                    lambda r: r.outcome == "protected",
                    "server-b.example.org needs an entry, certified by \"Example Corp CA\", that allows 1.2.3.4",
                    scenario="fig1"),
    ],
    hint_text="One line per identity: peer NAME ca \"Example Corp CA\" addresses ADDRESS. What should server-b's "
              "line say, and does pc-c need a line at all?",
)

q4 = Reproduce(
    "q4", "Solution 1 against problem 1a: stop the spoofing attack with the application's own check",
    scenario="fig1", outcome="blocked",
    allowed={"dns": ("spoofed",), "dnssec": ("off",), "default_action": ("bypass",), "attacker_at": ("bypassed",)},
    mistakes={"name_check=forward_dns": "a check in the stack runs only inside IKE, and traffic under a BYPASS rule "
                                        "never runs IKE (section 5.4); switch on the application's own check",
              "name_check=reverse_dns": "a check in the stack runs only inside IKE, and BYPASS traffic never runs it",
              "name_check=secure_reverse_dns": "a check in the stack runs only inside IKE, and BYPASS traffic never "
                                               "runs it",
              "name_check=pad": "the PAD is consulted only inside IKE, and BYPASS traffic never runs IKE (section 5.4)",
              "name_check=name_handle": "the handle's name is compared only inside IKE, and BYPASS traffic never "
                                        "runs IKE (section 5.4)",
              "name_check": "solution 1 is never switched on: the application's own check is "
                            "name_check='application'"},
    hint_text="The forged address is under a BYPASS rule, so no IKE runs and no check in the stack is ever asked. "
              "Who else could notice that the connection is not protected by server-b.example.org?",
)

q5 = Predict(
    "q5", "Solution 1 on a normal day: honest DNS, the application checks its peer",
    scenario="fig1", toggles={"dns": "honest", "name_check": "application"},
    hint_text="The application asks its socket: is this connection protected, and did the peer prove the name I "
              "asked for? What does the socket say when nobody cheats?",
    mistakes={"blocked": "the check refuses only a peer that proved another name, or no name; server-b proves its own.",
              "clear": "1.2.3.4 is under a PROTECT rule: the connection goes over an SA.",
              "exposed": "with honest DNS nobody else is involved.",
              "impersonated": "with honest DNS, the peer at 1.2.3.4 is server-b itself."},
)

#: The synthesis table: each problem's attack, and the fixes the student may pick from (by scenario).
q6 = Matrix(
    "q6", "Build the course's table: one fix for each problem, judged on security, with its cost",
    rows={"1a": ("fig1", {}), "1b": ("fig2", {}), "2": ("fig3", {}), "3": ("fig4", {}), "5a": ("fig5", {}),
          "5b": ("fig5", {"ipv6_policy": "bypass", "attacker_via": "ipv6"})},
    fixes={
        "signed DNS": {"fig1": {"dnssec": "on"}, "fig3": {"dnssec": "on"}},
        "the application checks its peer (solution 1)": {"fig1": {"name_check": "application"},
                                                         "fig2": {"name_check": "application"},
                                                         "fig3": {"name_check": "application"}},
        "a PAD": {"fig1": {"name_check": "pad"}, "fig2": {"name_check": "pad"}},
        "name handles": {"fig1": {"name_check": "name_handle"}, "fig2": {"name_check": "name_handle"}},
        "signed DNS (solution 2's first choice)": {"fig3": {"dnssec": "on"}},
        "DNS from home, through IPsec (solution 2)": {"fig3": {"dns_server": "home", "dns_protection": "ipsec"}},
        "no BYPASS for private ranges (solution 3)": {"fig4": {"private_policy": "protect"}},
        "private ranges through the VPN tunnel": {"fig4": {"split_exclude": "off"}},
        "no soft SAs": {"fig5": {"stateful": "off"}},
        "discard inbound broadcast and multicast": {"fig5": {"broadcast": "discard"}},
        "IPv6 in step with IPv4 (solution 5)": {"fig5": {"ipv6_policy": "same"}},
    },
    hint_text="Start with the fix the paper proposes for each problem (solutions 1 to 5). A problem may need two "
              "fixes at once: give a list, e.g. ['IPv6 in step with IPv4 (solution 5)', 'no soft SAs'].",
)

bind("06", globals())
