"""Exercises of notebook 02, the classic DNS vulnerability (paper section 4, figure 1, problem 1a)."""

from .checks import Choose, Predict, Reproduce, Requirement, WritePolicy

q1 = Predict(
    "q1", "The attacker moves inside the intranet",
    scenario="fig1", toggles={"attacker_at": "protected"},
    hint_text="The forged address 1.2.6.6 now falls under host-a's PROTECT rule. What must happen before "
              "host-a sends anything to a PROTECT peer, and can an attacker without a certificate do it?",
    solution_text="blocked. The SYN to 1.2.6.6 matches 'protect remote 1.2.0.0/16', so host-a starts IKE. "
                  "The attacker has no certificate from Example Corp's CA and no IKE service, so after 3 s "
                  "IKE fails and the packet is discarded. The spoofing still denies service: host-a never "
                  "reaches server-b either.",
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
    ],
    hint_text="Keep the DNS rule and the intranet rule. Which action should the last rule have so that no "
              "address outside 1.2.0.0/16 is ever sent application data in clear?",
    solution_text="bypass remote 1.2.0.53 proto udp port 53 / protect remote 1.2.0.0/16 / discard any. "
                  "The price: host-a can no longer reach anything outside the intranet at all, which is why "
                  "deployed host-to-host policies end with BYPASS (paper section 4.2).",
)

q3 = Choose(
    "q3", "Which mitigation stops the spoofing and still reaches server-b?",
    scenario="fig1", base={"dns": "spoofed"},
    options={
        "DNSSEC on host-a": {"dnssec": "on"},
        "discard everything outside the intranet": {"default_action": "discard"},
        "give the attacker no certificate": {"attacker_cert": "none"},
    },
    hint_text="Run each option in the panel. Stopping the leak is not enough: host-a also has to reach server-b.",
    solution_text="DNSSEC on host-a. The forged answer's signature does not verify with example.org's key, so the "
                  "resolver waits for the real answer and IPsec protects the connection to 1.2.3.4. Discarding "
                  "the rest of the world stops the leak but leaves host-a connected to nobody; the attacker "
                  "never needed a certificate, because 3.4.5.6 is under a BYPASS rule.",
)

q4 = Reproduce(
    "q4", "Turn the spoofing into an insider attack (problem 1b)",
    scenario="fig1", problem="1b", outcome="impersonated",
    hint_text="Section 4.2 says an attacker at a PROTECT address must authenticate. What would it need for that?",
    solution_text="{'attacker_at': 'protected', 'attacker_cert': 'same_ca'}: the forged address is inside "
                  "1.2.0.0/16, the attacker completes IKE with its own Example Corp certificate, and host-a never "
                  "compares attacker.example.org with server-b.example.org (section 5.1).",
)
