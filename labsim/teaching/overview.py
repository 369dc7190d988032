"""The course in one table: each problem of the paper, its attack, and what each fix does.

Every row is computed by running the simulator, so the table cannot disagree with the
notebooks.

>>> rows = overview_rows()
>>> rows[0][:3]
('1a', 'fig1', 'exposed')
"""

from __future__ import annotations

from ..result import run

#: (scenario, toggles of the attack, the fix to try, its toggles, where the paper discusses the fix).
#: Solution 1 comes first wherever it applies: the paper's conclusion (section 8) ranks applications in
#: charge of their own security above every fix inside IPsec.
CASES = (
    ("fig1", {}, "the application checks its peer", {"name_check": "application"}, "solution 1 (sections 5.5, 8)"),
    ("fig1", {}, "signed DNS", {"dnssec": "on"}, "secure DNS (sections 4.2, 5.2)"),
    ("fig2", {}, "the application checks its peer", {"name_check": "application"}, "solution 1 (sections 5.5, 8)"),
    ("fig2", {}, "a PAD", {"name_check": "pad"}, "PAD (section 5.3): the table is the cost"),
    ("fig2", {"connect_by": "address"}, "the application checks its peer", {"name_check": "application"},
     "solution 1, given a typed address: it refuses (appendix A)"),
    ("fig3", {}, "the application checks its peer", {"name_check": "application"}, "solution 1 (sections 5.5, 8)"),
    ("fig3", {}, "signed DNS", {"dnssec": "on"},
     "solution 2, first choice (section 6.1): signatures hold whichever server answers"),
    ("fig3", {}, "DNS at home, under IPsec", {"dns_server": "home", "dns_protection": "ipsec"},
     "solution 2, second choice (section 6.1): trusts the home server"),
    ("fig4", {}, "PROTECT the private range", {"private_policy": "protect"}, "solution 3 (section 6.2)"),
    ("fig5", {}, "discard inbound broadcast", {"broadcast": "discard"},
     "section 7; cost: hosts that rely on broadcast (NetBIOS, DHCP) lose it"),
    ("fig5", {}, "no soft SAs", {"stateful": "off"},
     "section 7; cost: a BYPASS rule per printer, tedious in a large network"),
    ("fig5", {"attacker_via": "ipv6", "ipv6_policy": "bypass"}, "IPv6 policy as for IPv4, broadcast discarded",
     {"ipv6_policy": "same", "broadcast": "discard"}, "solution 5 (section 7); same broadcast cost"),
    ("fig5", {"attacker_via": "ipv6", "ipv6_policy": "bypass"}, "IPv6 policy as for IPv4, no soft SAs",
     {"ipv6_policy": "same", "stateful": "off"}, "solution 5 (section 7); same per-printer cost"),
)


def overview_rows() -> list[tuple]:
    """(problem the attack shows, scenario, attack outcome, fix, outcome with it, any problem left, source).

    A run with several flows (fig4, fig5) reports, with the fix, the problem of whichever flow shows one
    (fig4's problem 4 is on the hotel printer's flow).
    """
    rows = []
    for scenario, attack, fix_name, fix, source in CASES:
        before = run(scenario, attack)
        after = run(scenario, {**attack, **fix})
        left = next((v.problem for v in (getattr(after, "verdicts", None) or {"main": after.verdict}).values()
                     if v.problem), "")
        rows.append((before.problem or "", scenario, before.outcome, fix_name, after.outcome, left, source))
    return rows


def overview() -> None:
    """Print the table: problem, scenario, attack outcome, fix, outcome with the fix, and any problem left."""
    header = ("problem", "scenario", "attack", "fix", "with the fix", "problem left", "in the paper")
    rows = [header] + overview_rows()
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(header))]
    for i, row in enumerate(rows):
        print("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
