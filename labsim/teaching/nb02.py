"""Exercises of notebook 02, the classic DNS vulnerability (paper section 4, figure 1, problem 1a)."""

from .checks import Choose, PolicyRow, Predict, Reproduce, Requirement, WritePolicy, bind, spd_decides

q1 = Predict(
    "q1", "The attacker moves inside the intranet",
    scenario="fig1", toggles={"attacker_at": "protected"},
    hint_text="The forged address 1.2.6.6 now falls under host-a's PROTECT rule. What must happen before "
              "host-a sends anything to a PROTECT peer, and can an attacker without a certificate do it?",
    mistakes={
        "exposed": "the data would only go in clear under a BYPASS rule; 1.2.6.6 is inside 1.2.0.0/16.",
        "impersonated": "impersonation needs a certificate the client trusts; this attacker has none.",
        "protected": "the forged answer still wins the race, so host-a never talks to server-b.",
        "clear": "clear needs a BYPASS rule and the intended peer; neither holds here.",
    },
)

q2 = WritePolicy(
    "q2", "An SPD that does not leak to a spoofed address",
    scenario="fig1", host="host-a", kind="spd",
    requirements=[
        Requirement({"dns": "spoofed"}, "the spoofed run gives the attacker nothing",
                    lambda r: not r.attack_succeeded,
                    "the last rule still lets traffic to 3.4.5.6 leave in clear"),
        Requirement({"dns": "honest"}, "with honest DNS, server-b is reached over IPsec",
                    lambda r: r.outcome == "protected",
                    "host-a must still be able to ask ns (1.2.0.53) in clear and reach 1.2.0.0/16 through IPsec"),
        Requirement({"attacker_at": "protected"}, "an attacker inside the intranet without a certificate gets nothing",
                    lambda r: not r.attack_succeeded),
        PolicyRow("no other Internet address (here 5.6.7.8, TCP 80) is sent application data in clear",
                  spd_decides(("discard", "protect"), "5.6.7.8", port=80),
                  "a rule against the one address you saw (3.4.5.6) is a blacklist: the next forged answer names "
                  "another address, still under 'bypass any'"),
    ],
    hint_text="Keep the DNS rule and the intranet rule. Which action should the last rule have so that no "
              "address outside 1.2.0.0/16 is ever sent application data in clear?",
)

q3 = Choose(
    "q3", "Which mitigation stops the spoofing and still reaches server-b?",
    scenario="fig1", base={"dns": "spoofed"},
    options={
        "DNSSEC on host-a": {"dnssec": "on"},
        "discard everything outside the intranet": {"default_action": "discard"},
        "give the attacker no certificate": {"attacker_cert": "none"},
    },
    mistakes={
        "discard everything outside the intranet": "it stops the leak by stopping the traffic: host-a, given the "
                                                   "forged address, now reaches nobody.",
        "give the attacker no certificate": "the attacker never needed one: 3.4.5.6 is under a BYPASS rule, so IKE "
                                            "never runs.",
    },
    hint_text="Run each option in the panel. Stopping the leak is not enough: host-a also has to reach server-b.",
)

q4 = Reproduce(
    "q4", "Turn the spoofing into an insider attack (problem 1b)",
    scenario="fig1", problem="1b", outcome="impersonated",
    mistakes={"attacker_at": "at 3.4.5.6 the attacker is under a BYPASS rule: no IKE runs and no certificate is "
                             "ever asked for (that is problem 1a)",
              "attacker_cert": "an attacker at a PROTECT address must pass IKE, which takes a certificate host-a's "
                               "CA signed"},
    hint_text="Section 4.2 says an attacker at a PROTECT address must authenticate. What would it need for that?",
)

bind("02", globals())
