"""The course in one table: each problem of the paper, its attack, and what each fix does.

Every row is computed by running the simulator, so the table cannot disagree with the
notebooks.

>>> rows = overview_rows()
>>> rows[0][:3]
('1a', 'fig1', 'exposed')
"""

from __future__ import annotations

from ..result import run

#: (scenario, toggles of the attack, the fix to try, its toggles, where the paper discusses the fix)
CASES = (
    ("fig1", {}, "signed DNS", {"dnssec": "on"}, "secure DNS (section 4.2)"),
    ("fig2", {}, "application checks the peer", {"name_check": "application"}, "solution 1 (section 5.5)"),
    ("fig2", {"connect_by": "address"}, "application checks the peer", {"name_check": "application"},
     "solution 1, when the user typed an address (appendix A)"),
    ("fig3", {}, "DNS at home, under IPsec", {"dns_server": "home", "dns_protection": "ipsec"},
     "solution 2 (section 6.1)"),
    ("fig4", {}, "PROTECT the private range", {"private_policy": "protect"}, "solution 3 (section 6.2)"),
    ("fig5", {}, "no soft SAs", {"stateful": "off"}, "solution 5 (section 7)"),
    ("fig5", {"attacker_via": "ipv6", "ipv6_policy": "bypass"}, "same policy for IPv6",
     {"ipv6_policy": "same", "stateful": "off"}, "solution 5 (section 7)"),
)


def overview_rows() -> list[tuple]:
    """(problem the attack shows, scenario, attack outcome, fix, outcome with it, problem with it, source)."""
    rows = []
    for scenario, attack, fix_name, fix, source in CASES:
        before = run(scenario, attack)
        after = run(scenario, {**attack, **fix})
        rows.append((before.problem or "", scenario, before.outcome, fix_name, after.outcome,
                     after.problem or "", source))
    return rows


def overview() -> None:
    """Print the table: problem, scenario, attack outcome, fix, outcome with the fix (and any new problem)."""
    header = ("problem", "scenario", "attack", "fix", "with the fix", "new problem", "in the paper")
    rows = [header] + overview_rows()
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(header))]
    for i, row in enumerate(rows):
        print("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
