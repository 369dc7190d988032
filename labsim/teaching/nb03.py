"""Exercises of notebook 03, the identifier mismatch (paper section 5, figure 2, problem 1b).

Besides the exercises, :func:`without_insider` replays figure 2's office with pc-c behaving
itself, so a fix's cost shows up as a run: a check that refuses the *real* server-b is as
broken as one that lets pc-c in. Its ``case`` plays the everyday changes a fix must survive
(section 5.2, 5.3): server-b renumbered, or a new desktop leased from the DHCP pool.
:func:`compare_fixes` prints every check against the attacks and those cases, in one table.

>>> without_insider("secure_reverse_dns").outcome
'protected'
>>> without_insider("secure_reverse_dns", dnssec=False).outcome
'blocked'
>>> without_insider("pad", case="renumbered").outcome
'blocked'
"""

from ..apps import ClientApp, ServerApp
from ..ipsec.identity import NAME_CHECKS
from ..ipsec.pad import parse_pad
from ..result import Result, play, run
from ..scenarios.cast import ADDRESSES, CA_NAME, CORP_SPD, corp_world
from ..scenarios.fig2 import STRICT_PAD
from ..dns import reverse_name
from .checks import Choose, PolicyRow, Predict, Reproduce, Requirement, WritePolicy, bind, pad_allows

#: The everyday cases of :func:`without_insider`: what changed in the office, and whom host-a wants to reach.
CASES = {
    "usual": "nothing changed: host-a asks for server-b at 1.2.3.4",
    "renumbered": "server-b was renumbered to 1.2.3.5 (DNS, forward and reverse, updated; the PAD not)",
    "new_desktop": "host-a asks for desk-9, a new desktop leased 1.2.0.42 from the DHCP pool this morning "
                   "(its reverse record still carries the pool's generic name)",
}


def without_insider(name_check: str = "none", *, dnssec: bool = True, case: str = "usual", seed: int = 0) -> Result:
    """Figure 2's office where pc-c claims nothing: host-a, configured with ``name_check``, asks for its peer.

    ``dnssec=False`` leaves example.org and its reverse zone unsigned, as nearly every
    real network's reverse zone is (paper section 5.2). ``case`` is one of :data:`CASES`.
    """
    if name_check not in NAME_CHECKS:
        from ..errors import UnknownChoice
        raise UnknownChoice("name check", name_check, NAME_CHECKS)
    if case not in CASES:
        from ..errors import UnknownChoice
        raise UnknownChoice("case", case, tuple(CASES))
    corp = corp_world(seed, "Identifier mismatch, nobody cheating", signed=dnssec)
    a = corp.host("host-a", ADDRESSES["host-a"], "client")
    server_address = "1.2.3.5" if case == "renumbered" else ADDRESSES["server-b"]
    b = corp.host("server-b", server_address, "server")
    c = corp.host("pc-c", ADDRESSES["pc-c"], "host")
    hosts = [a, b, c]
    target, name = b, "server-b.example.org"
    if case == "new_desktop":
        target = corp.host("desk-9", "1.2.0.42", "host", register=False)
        corp.zone.add("desk-9.example.org", "A", "1.2.0.42")      # the DHCP server updates the forward zone...
        corp.reverse.add(reverse_name("1.2.0.42"), "PTR", "dhcp-1-2-0-42.example.org.")   # ...not the reverse
        hosts.append(target)
        name = "desk-9.example.org"
    for host in hosts:
        corp.ipsec(host, CORP_SPD.format(default="bypass"))
    a.name_check = name_check
    if name_check == "pad":
        a.pad = parse_pad(STRICT_PAD, source="host-a's PAD")
    corp.resolver(a)
    ServerApp(target, 80, b"200 OK: here are the salaries")
    ClientApp(a, name, 80, verify_peer=name_check == "application", expected_issuer=CA_NAME)
    return play(corp.world, "fig2 without pc-c's tricks",
                {"name_check": name_check, "dnssec": "on" if dnssec else "off", "case": case})


#: The columns of :func:`compare_fixes`: (heading, how to run one name check).
COLUMNS = (
    ("pc-c attacks", lambda check: run("fig2", name_check=check)),
    ("address typed", lambda check: run("fig2", name_check=check, connect_by="address")),
    ("nobody cheats", lambda check: without_insider(check)),
    ("no DNSSEC", lambda check: without_insider(check, dnssec=False)),
    ("server-b renumbered", lambda check: without_insider(check, case="renumbered")),
    ("new DHCP desktop", lambda check: without_insider(check, case="new_desktop")),
)


def compare_fixes() -> None:
    """Print, for every name check, its protection and its cost side by side, each cell from a fresh run.

    The first two columns are attacks (a good check says ``blocked``); the other four are
    everyday cases with nobody cheating (a good check says ``protected``; ``blocked`` there is
    the fix's cost: an honest peer refused).
    """
    header = ("name check", *(title for title, _ in COLUMNS))
    rows = [header] + [(check, *(play_one(check).outcome for _, play_one in COLUMNS)) for check in NAME_CHECKS]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for i, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))


q1 = Predict(
    "q1", "host-a checks the certified name with a forward DNS lookup",
    scenario="fig2", toggles={"name_check": "forward_dns"}, ask_reason=True,
    hint_text="Who writes the forward record of pc-c.example.org, and can it say 1.2.3.4?",
    mistakes={
        "blocked": "the forward check asks pc-c.example.org's own record, and its owner may point it anywhere.",
        "protected": "protected means the peer proved the intended name; pc-c proved a different one.",
        "exposed": "the data does not travel in clear: it goes over an SA.",
        "clear": "1.2.3.4 is inside 1.2.0.0/16, so host-a's PROTECT rule applies.",
    },
)

q2 = Choose(
    "q2", "Which DNS-based check would you ship in host-a's stack?",
    scenario="fig2", base={"connect_by": "name"},
    options={
        "look the certified name up (forward DNS)": {"name_check": "forward_dns"},
        "look the address up (reverse DNS)": {"name_check": "reverse_dns"},
        "look the address up, DNSSEC-validated": {"name_check": "secure_reverse_dns"},
    },
    works=lambda r: not r.attack_succeeded,
    goal="keeps pc-c from receiving the request",
    mistakes={
        "look the certified name up (forward DNS)": "a forward record says what the owner of a NAME wants; pc-c "
                                                    "owns pc-c.example.org and pointed it at 1.2.3.4.",
        "look the address up (reverse DNS)": "the reverse question travels in clear on the office network, and "
                                             "pc-c answers it first.",
    },
    hint_text="Who writes the forward record of pc-c.example.org? Who can answer a plain DNS query that "
              "travels in clear across the office network?",
)

q3 = WritePolicy(
    "q3", "Fix a PAD that still lets any company machine use any company address",
    scenario="fig2", host="host-a", kind="pad",
    requirements=[
        Requirement({}, "pc-c cannot pose as server-b at 1.2.3.4",
                    lambda r: not r.attack_succeeded,
                    "an entry matched first lets pc-c.example.org (as *.example.org) use 1.2.3.4"),
        Requirement({}, "host-a still reaches the real server-b over IPsec",
                    lambda r: r.outcome == "protected",
                    "server-b.example.org also matches *.example.org; if that entry comes first and no longer "
                    "covers 1.2.3.4, server-b is refused", scenario="basics"),
        Requirement({"attacker_at": "protected", "attacker_cert": "same_ca"},
                    "another insider, reached at 1.2.6.6 through a forged DNS answer, is refused too",
                    lambda r: not r.attack_succeeded,
                    "listing pc-c by name stops pc-c only; the desktops' entry must not cover addresses outside "
                    "their pool", scenario="fig1"),
        PolicyRow("a desktop of the DHCP pool, pc-c at its own address 1.2.0.7, is still accepted",
                  pad_allows("pc-c.example.org", "1.2.0.7"),
                  "a PAD that lists only server-b refuses every desktop: the wildcard entry for the pool is what "
                  "keeps desktops working, narrow it rather than delete it"),
        PolicyRow("a new desktop, leased 1.2.0.42 from the pool this morning, is accepted without editing the PAD",
                  pad_allows("desk-9.example.org", "1.2.0.42"),
                  "listing desktops one by one breaks with every new DHCP lease; one wildcard entry limited to the "
                  "pool 1.2.0.0/24 covers them"),
    ],
    hint_text="Two things are wrong, and the PAD, like the SPD, uses the first entry that matches. Which entry "
              "does pc-c.example.org match first, and which addresses does it get? Desktops only ever have "
              "addresses in 1.2.0.0/24.",
)

q4 = Reproduce(
    "q4", "Name handles on: let pc-c pose as server-b again, assuming the system still accepts raw addresses",
    scenario="fig2", problem="1b", outcome="impersonated",
    allowed={"name_check": ("name_handle",)},
    mistakes={"connect_by": "while connect() gets the handle, the stack knows the name and refuses pc-c; something "
                            "must make connect() receive a plain address"},
    hint_text="A name handle is returned by the resolver and passed to connect(). What if the application never "
              "passes a handle to connect()?",
)

bind("03", globals())
