"""Exercises of notebook 04, mobile hosts (paper section 6, figures 3 and 4, problems 2-4, solutions 2-4)."""

from .checks import Choose, ExpectRefusal, Predict, Reproduce, Requirement, WritePolicy

q1 = Predict(
    "q1", "The laptop asks its home DNS server, and the hotel intercepts",
    scenario="fig3", toggles={"dns_server": "home", "interception": "on"},
    hint_text="Which SPD rule does the query to 1.2.0.53 match, and which network carries it on its way home?",
    solution_text="exposed. The query matches 'bypass remote 1.2.0.53 proto udp port 53', so it leaves in clear "
                  "and crosses the hotel's network. The hotel's transparent proxy sends it to its own server, "
                  "which answers 7.7.7.66 with ns.example.org's address as the source. Plain DNS cannot tell, "
                  "and 7.7.7.66 falls under 'bypass any'.",
    mistakes={
        "protected": "choosing the home server is not enough: the query still leaves in clear under the DNS "
                     "bypass rule, and the hotel's network carries it. Its proxy can answer in the home server's name.",
        "blocked": "nothing refuses the forged answer: plain DNS takes any answer that seems to come from the "
                   "server asked.",
        "clear": "'clear' means the intended peer got the data in clear; here someone else got it.",
        "impersonated": "no certificate is involved: 7.7.7.66 is under 'bypass any', so IKE never runs.",
    },
)

q2 = Choose(
    "q2", "Which defence works on a hotel network that intercepts DNS?",
    scenario="fig3", base={"interception": "on"},
    options={
        "ask the home DNS server": {"dns_server": "home"},
        "put DNS under IPsec, but keep the server DHCP names": {"dns_protection": "ipsec"},
        "ask the home DNS server, through IPsec": {"dns_server": "home", "dns_protection": "ipsec"},
        "validate signed answers (DNSSEC)": {"dnssec": "on"},
    },
    goal="stops the forgery and still reaches server-b",
    hint_text="Run each option in the panel with interception on. Two of them still believe a forged answer; "
              "one stops the forgery but reaches nobody.",
    solution_text="ask the home DNS server, through IPsec. The query travels inside the VPN tunnel, so the hotel "
                  "sees only ESP and has nothing to redirect or forge. Asking the home server in clear is "
                  "intercepted. IPsec for DNS is useless while the laptop still asks the hotel's server. DNSSEC "
                  "rejects the forged answer, but the hotel never lets a genuine one through, so the name does "
                  "not resolve: the forgery fails, and so does the connection (a denial of service).",
)

q3 = Predict(
    "q3", "printer-b's address comes from the laptop's DNS cache",
    scenario="fig4", toggles={"resolution": "stale_cache"},
    hint_text="The cached address is the right one, for the office. Where does a packet to 192.168.0.10 go when "
              "the sender stands in the hotel?",
    solution_text="exposed. No query is sent: the cache says 192.168.0.10, which was true at the office. The SYN "
                  "matches 'bypass remote 192.168.0.0/16' and is delivered on the hotel's network, where that "
                  "address is the hotel's machine. A correct address is not enough when it is private.",
    mistakes={
        "clear": "the cached address is right for the office, but packets are delivered where the laptop stands.",
        "protected": "no rule sends 192.168.0.10 through the tunnel: the private range is bypassed and stays local.",
        "blocked": "without a DNS query nothing has to wait; the SYN leaves at once under the private-range bypass.",
        "impersonated": "no IKE runs for 192.168.0.10: its rule says BYPASS.",
    },
)

q4 = Reproduce(
    "q4", "Reproduce problem 4: safe, but cut off",
    scenario="fig4", problem="4", outcome="blocked",
    hint_text="Problem 4 is the price of solution 3. Which rule for private addresses does solution 3 ask for, and "
              "where must the laptop be for that rule to cost something?",
    solution_text="{'private_policy': 'protect'} (with the defaults location=visited and split_exclude=on). The SYN "
                  "to 192.168.0.10 now waits for IKE; the hotel's machine speaks no IPsec, so after 3 s nothing "
                  "has been sent. No leak, and no way to reach any hotel host that uses those addresses.",
)

q5 = ExpectRefusal(
    "q5", "A BYPASS rule that names its peer",
    goal="a bypass rule with a name selector",
    accepted="A name on a protect rule is fine: IKE compares it with the peer's certificate. Put the name on a "
             "bypass rule, the rule printer-b really needs, since it speaks no IPsec.",
    hint_text="The selector is written 'name HOST', for example: bypass remote 192.168.0.10 name "
              "printer-b.example.org",
    solution_text="bypass remote 192.168.0.10 name printer-b.example.org. The parser refuses it: a peer's name is "
                  "known only once the peer has proved it in IKE, and bypassed traffic never runs IKE. So names "
                  "cannot say who may skip IPsec (section 6.4).",
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
        Requirement({"resolution": "stale_cache"}, _REACHES_PRINTER_B + ", with the address from the cache",
                    lambda r: r.reached_peer == "printer-b" and not r.attack_succeeded,
                    "where the address comes from does not matter; which rule matches 192.168.0.10 does"),
        Requirement({"dns_server": "home", "interception": "on"},
                    "the same policy still reaches server-b safely when the hotel intercepts DNS",
                    lambda r: r.outcome == "protected",
                    "keep the VPN rule for 1.2.0.0/16, and let DNS to 1.2.0.53 go inside it, not around it",
                    scenario="fig3"),
    ],
    hint_text="The VPN gateway 1.2.0.1 authenticates with a certificate and stands in the office, next to "
              "printer-b. A rule 'protect remote RANGE tunnel 1.2.0.1' sends RANGE through it. Rule order matters: "
              "the first match wins.",
    solution_text="bypass proto udp lport 68 / protect remote 192.168.0.0/24 tunnel 1.2.0.1 / protect remote "
                  "1.2.0.0/16 tunnel 1.2.0.1 / bypass any. The office's private subnet now goes through the tunnel, "
                  "so 192.168.0.10 means printer-b wherever the laptop is, and the gateway it reaches has proved its "
                  "name. You may add 'name vpn.example.org' to the tunnel rules: a name selector works on PROTECT. "
                  "The cost is problem 4 again: no hotel host in 192.168.0.0/24 is reachable while this rule is on.",
)
