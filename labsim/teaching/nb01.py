"""Exercises of notebook 01, how IPsec works (paper section 3): the SPD, SAs, IKE and ESP on ``basics``."""

from .checks import Observe, PolicyRow, Predict, Requirement, WritePolicy, bind, spd_decides
from .inspect import wire_facts

q1 = Predict(
    "q1", "host-a prints on printer-b, which speaks no IPsec",
    scenario="basics", toggles={"peer": "printer-b"},
    hint_text="Which rule of host-a's SPD does a packet to 1.2.3.9 match, and what must happen before a PROTECT "
              "packet may leave? Who would have to answer?",
    mistakes={
        "clear": "host-a never falls back to clear by itself: its only rule says PROTECT, and 1.2.3.9 is inside "
                 "1.2.0.0/16.",
        "protected": "an SA needs IKE at both ends, and the printer has none.",
        "exposed": "nobody but printer-b is on this network, and nothing leaves in clear under a PROTECT rule.",
        "impersonated": "impersonation needs a peer that completes IKE with some certificate; the printer completes "
                        "nothing.",
    },
)

q2 = WritePolicy(
    "q2", "Put host-a's rules in an order that lets it print and still protects server-b",
    scenario="basics", host="host-a", kind="spd",
    requirements=[
        Requirement({"peer": "printer-b"}, "the print job reaches printer-b (in clear: it has no IPsec)",
                    lambda r: r.outcome == "clear",
                    "the first matching rule decides; a printer rule placed after the intranet rule is never reached"),
        Requirement({"peer": "server-b"}, "the request reaches server-b over IPsec",
                    lambda r: r.outcome == "protected",
                    "a BYPASS rule that also covers 1.2.3.4 sends the request in clear, and server-b discards it"),
        Requirement({"peer": "server-b", "server_ipsec": "off"},
                    "if server-b loses its IPsec, host-a still refuses to talk to it in clear",
                    lambda r: r.outcome == "blocked",
                    "the BYPASS rule is wider than the printer: it also lets server-b's traffic go in clear"),
        PolicyRow("every other intranet peer (here 1.2.0.7, TCP 80) is still protected",
                  spd_decides("protect", "1.2.0.7", port=80),
                  "a PROTECT rule for server-b alone, followed by 'bypass any', sends every other intranet host's "
                  "traffic in clear; keep the rule for the whole intranet, 1.2.0.0/16"),
        PolicyRow("only the print port bypasses: another port on the printer (TCP 22) is not sent in clear",
                  spd_decides(("protect", "discard"), "1.2.3.9", port=22),
                  "the exception is wider than the printer needs; a BYPASS rule should name the address, the "
                  "protocol and the port (section 6.4: keep bypass rules as specific as you can)"),
        PolicyRow("nobody else's TCP 9100 escapes: server-b on TCP 9100 is still protected",
                  spd_decides("protect", "1.2.3.4", port=9100),
                  "the exception names the port but not the printer's address, so every intranet host's port 9100 "
                  "goes in clear"),
    ],
    hint_text="Both rules match a packet to 1.2.3.9. The SPD reads from the top and stops at the first match. "
              "Which rule must come first, and how narrow can it be?",
)

q3 = Predict(
    "q3", "host-a bypasses IPsec for everyone; server-b keeps its rule",
    scenario="basics", spd={"host-a": "bypass any"}, ask_reason=True,
    hint_text="The SPD applies to inbound packets too (section 3). What does server-b's rule say about a clear "
              "packet arriving from 1.2.0.5?",
    mistakes={
        "clear": "host-a's side is only half the story: server-b checks inbound packets against its own SPD.",
        "protected": "with BYPASS at host-a, no IKE runs and no SA exists.",
        "exposed": "only server-b is addressed, and nobody else receives the packet.",
        "impersonated": "no IKE runs, so nobody proves any name.",
    },
)

q4 = Observe(
    "q4", "What can someone on the wire read from host-a's ESP packet?",
    scenario="basics",
    options=("the source address", "the destination address", "the SPI", "the sequence number",
             "the destination port", "the request text"),
    facts=wire_facts,
    goal="the parts an eavesdropper can read",
    hint_text="Look at the dissection above: which layers could scapy parse without the key? In transport mode the "
              "IP header stays outside; everything after the ESP header is encrypted.",
)

bind("01", globals())
