"""Exercises of notebook 04, mobile hosts (paper section 6, figures 3 and 4, problems 2-4, solutions 2-4)."""

from .checks import Choose, ExpectRefusal, Predict, Reproduce, Requirement, WritePolicy, bind

q1 = Predict(
    "q1", "The laptop asks its home DNS server, and the hotel intercepts",
    scenario="fig3", toggles={"dns_server": "home", "interception": "on"},
    hint_text="Which SPD rule does the query to 1.2.0.53 match, and which network carries it on its way home?",
    mistakes={
        "protected": "choosing the home server is not enough: the query still leaves in clear under the DNS "
                     "bypass rule, and the hotel's network carries it. Its proxy can answer in the home server's name.",
        "blocked": "nothing refuses a forged answer here: plain DNS takes any answer that seems to come from the "
                   "server asked.",
        "clear": "'clear' means the intended peer got the data in clear; follow where the request really went.",
        "impersonated": "no certificate is involved: the address the laptop is given is under 'bypass any', so IKE "
                        "never runs.",
    },
)

q2 = Choose(
    "q2", "Which defences stop the hotel's forgery?",
    scenario="fig3", base={"interception": "on"}, multiple=True,
    options={
        "ask the home DNS server": {"dns_server": "home"},
        "put DNS under IPsec, but keep the server DHCP names": {"dns_protection": "ipsec"},
        "ask the home DNS server, through IPsec": {"dns_server": "home", "dns_protection": "ipsec"},
        "validate signed answers (DNSSEC)": {"dnssec": "on"},
    },
    works=lambda r: not r.attack_succeeded,
    reaches=lambda r: r.outcome in ("protected", "clear"),
    goal="keep the hotel from receiving the request (security first; whether the laptop still reaches server-b "
         "is the cost, shown beside it)",
    mistakes={
        "ask the home DNS server": "the query still crosses the hotel's network in clear, and its proxy answers "
                                   "in the home server's name.",
        "put DNS under IPsec, but keep the server DHCP names": "IPsec to the hotel's own server protects the "
                                                               "conversation with the liar.",
        "ask the home DNS server, through IPsec": "inside the tunnel the hotel sees only ESP: nothing to redirect "
                                                  "or forge (solution 2, the weaker of the two fixes of section 6.1).",
        "validate signed answers (DNSSEC)": "a forged record fails its signature whichever server delivers it: "
                                            "the stronger fix of section 6.1. That the name then does not resolve is "
                                            "a communication failure, which section 6.3 prefers to a security "
                                            "failure.",
    },
    hint_text="Judge security first: in which runs does the hotel NOT get the request? Whether the laptop then "
              "reaches server-b is a second question, about cost.",
)

q3 = Predict(
    "q3", "printer-b's address comes from the laptop's DNS cache",
    scenario="fig4", toggles={"resolution": "stale_cache"},
    hint_text="The cache still holds 192.168.0.20, printer-b's address at the office before it was renumbered. "
              "Which rule matches 192.168.0.20, and who holds that address on the hotel's network?",
    mistakes={
        "clear": "'clear' means the intended peer got the data; the cached address no longer belongs to printer-b, "
                 "and packets are delivered where the laptop stands.",
        "protected": "no rule sends 192.168.0.20 through the tunnel: the private range is bypassed and stays local.",
        "blocked": "without a DNS query nothing has to wait; the SYN leaves at once under the private-range bypass, "
                   "and in the hotel someone does hold 192.168.0.20.",
        "impersonated": "no IKE runs for 192.168.0.20: its rule says BYPASS.",
    },
)

q4 = Reproduce(
    "q4", "Reproduce problem 4: safe, but cut off from the hotel's own hosts",
    scenario="fig4", problem="4", outcome="blocked",
    mistakes={"location=home": "at the office the laptop visits no other network, so it cannot be cut off from a "
                               "visited network's hosts",
              "private_policy": "with BYPASS for private ranges the hotel's machine gets the job in clear: that is "
                                "problem 3, not 4"},
    hint_text="Problem 4 is the price of solution 3 (and of any rule that claims a private range for the company). "
              "Which rule for private addresses does solution 3 ask for, and where must the laptop be for that rule "
              "to cost it the hotel's own printer?",
)

q5 = ExpectRefusal(
    "q5", "A BYPASS rule that names its peer",
    goal="a bypass rule with a name selector",
    accepted="A name on a protect rule is fine: IKE compares it with the peer's certificate. The rule printer-b "
             "needs is the other kind, since it speaks no IPsec.",
    hint_text="The name selector is written 'name' followed by the host's full name. Start from the rule printer-b "
              "needs today (which action, which address?) and add the selector to it.",
)

_REACHES_PRINTER_B = "printer-b gets the print job and the hotel's machine gets nothing"

q6 = WritePolicy(
    "q6", "A laptop policy that prints to the office printer safely from the hotel",
    scenario="fig4", host="laptop", kind="spd",
    requirements=[
        Requirement({}, _REACHES_PRINTER_B,
                    lambda r: r.reached_peer == "printer-b" and not r.attack_succeeded,
                    "192.168.0.10 must not be sent in clear on the hotel's network, nor left to an IKE that no hotel "
                    "host can answer. Which host can carry it to the office, and authenticate itself on the way?"),
        Requirement({"resolution": "stale_cache"},
                    "with a stale cached address (192.168.0.20, printer-b's old one), no hotel host gets the job",
                    lambda r: not r.attack_succeeded and r.reached_peer in (None, "printer-b"),
                    "where the address comes from does not matter; which rule matches a private address does: "
                    "the whole office subnet 192.168.0.0/24 must go through the tunnel, not only 192.168.0.10"),
        Requirement({"dns_server": "home", "interception": "on"},
                    "the same policy still reaches server-b safely when the hotel intercepts DNS",
                    lambda r: r.outcome == "protected",
                    "keep the VPN rule for 1.2.0.0/16, and let DNS to 1.2.0.53 go inside it, not around it",
                    scenario="fig3"),
    ],
    hint_text="The VPN gateway 1.2.0.1 authenticates with a certificate and stands in the office, next to "
              "printer-b. A rule 'protect remote RANGE tunnel 1.2.0.1' sends RANGE through it. Rule order matters: "
              "the first match wins.",
)

bind("04", globals())
