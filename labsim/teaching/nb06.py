"""Exercises of notebook 06: the conclusions and the appendix A experiment (paper section 8, appendix A)."""

from .checks import Choose, Predict, Reproduce, Requirement, WritePolicy

q1 = Predict(
    "q1", "Name handles when the user types an address",
    scenario="fig2", toggles={"name_check": "name_handle", "connect_by": "address"},
    hint_text="A name handle remembers the name the resolver looked up. Which call gets the handle: nslookup, "
              "or the telnet that follows it?",
    solution_text="impersonated. nslookup prints an address; the user types it; telnet connects to a plain "
                  "address. No handle reaches the stack, so it has no name to compare with pc-c's certificate.",
    mistakes={"blocked": "the handle only helps if connect() receives it; here connect() receives a typed address.",
              "protected": "pc-c still answers for 1.2.3.4 and holds a good certificate."},
)

q2 = Choose(
    "q2", "Which check still stops pc-c when only an address reaches the stack?",
    scenario="fig2", base={"connect_by": "address"},
    options={"name handles": {"name_check": "name_handle"},
             "the application asks its socket": {"name_check": "application"},
             "a PAD": {"name_check": "pad"}},
    works=lambda r: not r.attack_succeeded,
    goal="keeps pc-c from receiving the data",
    hint_text="Two of the checks compare names; one compares an identity with addresses. Which one does not "
              "need the name the user had in mind?",
    solution_text="the PAD. It says which addresses pc-c.example.org may use, and 1.2.3.4 is not one of them; it "
                  "never needs the intended name. Name handles and the application check need that name, which "
                  "the typed address no longer carries. The PAD's cost is the table itself: someone must keep "
                  "every host's addresses in it (section 5.3).",
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
                    "server-b.example.org needs an entry that allows 1.2.3.4", scenario="fig1"),
    ],
    hint_text="One line per identity: peer NAME ca \"Example Corp CA\" addresses ADDRESS. What should server-b's "
              "line say, and does pc-c need a line at all?",
    solution_text='peer server-b.example.org ca "Example Corp CA" addresses 1.2.3.4 (plus, if you like, '
                  'peer pc-c.example.org ca "Example Corp CA" addresses 1.2.0.7). Names the PAD does not list '
                  "are refused, so pc-c fails either way.",
)

q4 = Reproduce(
    "q4", "Make even solution 1 fail",
    scenario="fig2", problem="1b", outcome="impersonated",
    hint_text="The application check compares the certified name with the name the application started from.",
    solution_text="{'name_check': 'application', 'connect_by': 'address'}: the application was only given an "
                  "address, so it has nothing to compare the certified name with.",
)
