"""Exercises of notebook 01, how IPsec works (paper section 3): the SPD, SAs, IKE and ESP on ``basics``."""

from .checks import Observe, Predict, Requirement, WritePolicy
from .inspect import wire_facts

PRINTER_RULE = "bypass remote 1.2.3.9 proto tcp port 9100"
INTRANET_RULE = "protect remote 1.2.0.0/16"

q1 = Predict(
    "q1", "host-a prints on printer-b, which speaks no IPsec",
    scenario="basics", toggles={"peer": "printer-b"},
    hint_text="Which rule of host-a's SPD does a packet to 1.2.3.9 match, and what must happen before a PROTECT "
              "packet may leave? Who would have to answer?",
    solution_text="blocked. 1.2.3.9 lies in 1.2.0.0/16, so the print job matches 'protect remote 1.2.0.0/16'. host-a "
                  "starts IKE and holds the packet; printer-b runs no IKE and never answers, so after 3 s host-a "
                  "gives up and discards the job.",
    mistakes={
        "clear": "host-a never falls back to clear by itself: its only rule says PROTECT.",
        "protected": "an SA needs IKE at both ends, and the printer has none.",
        "exposed": "nobody but printer-b is on this network, and nothing is sent in clear.",
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
    ],
    hint_text="Both rules match a packet to 1.2.3.9. The SPD reads from the top and stops at the first match. "
              "Which rule must come first, and how narrow can it be?",
    solution_text=f"{PRINTER_RULE} / {INTRANET_RULE}. The narrow printer rule comes first, so the print job "
                  "matches it and leaves in clear; every other intranet packet falls through to the PROTECT rule. "
                  "The more specific rule must come before the more general one.",
)

q3 = Predict(
    "q3", "host-a bypasses IPsec for everyone; server-b keeps its rule",
    scenario="basics", spd={"host-a": "bypass any"},
    hint_text="The SPD applies to inbound packets too (section 3). What does server-b's rule say about a clear "
              "packet arriving from 1.2.0.5?",
    solution_text="blocked. host-a's first (and only) rule says BYPASS, so the SYN leaves in clear. But server-b's "
                  "rule says PROTECT for 1.2.0.0/16 in both directions: a clear packet from 1.2.0.5 did not come "
                  "through an SA, so server-b discards it. host-a waits for an answer that never comes.",
    mistakes={
        "clear": "host-a's side is only half the story: server-b checks inbound packets against its own SPD.",
        "protected": "with BYPASS at host-a, no IKE runs and no SA exists.",
        "exposed": "only server-b is addressed, and it drops the packet before any application sees it.",
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
    solution_text="{'the source address', 'the destination address', 'the SPI', 'the sequence number'}. The IP header "
                  "and the ESP header (SPI and sequence number) travel in clear, because routers and the receiver "
                  "need them before any key is used. The TCP header (ports) and the request are encrypted.",
)
