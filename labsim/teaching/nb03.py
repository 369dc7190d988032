"""Exercises of notebook 03, the identifier mismatch (paper section 5, figure 2, problem 1b).

Besides the exercises, :func:`without_insider` replays figure 2's office with pc-c behaving
itself, so a fix's cost shows up as a run: a check that refuses the *real* server-b is as
broken as one that lets pc-c in. :func:`compare_fixes` prints every check against both.

>>> without_insider("secure_reverse_dns").outcome
'protected'
>>> without_insider("secure_reverse_dns", dnssec=False).outcome
'blocked'
"""

from ..apps import ClientApp, ServerApp
from ..ipsec.identity import NAME_CHECKS
from ..ipsec.pad import parse_pad
from ..result import Result, play, run
from ..scenarios.cast import ADDRESSES, CA_NAME, CORP_SPD, corp_world
from ..scenarios.fig2 import STRICT_PAD
from .checks import Choose, Predict, Reproduce, Requirement, WritePolicy


def without_insider(name_check: str = "none", *, dnssec: bool = True, seed: int = 0) -> Result:
    """Figure 2's office where pc-c claims nothing: host-a, configured with ``name_check``, asks for server-b.

    ``dnssec=False`` leaves example.org and its reverse zone unsigned, as nearly every
    real network's reverse zone is (paper section 5.2).
    """
    if name_check not in NAME_CHECKS:
        from ..errors import UnknownChoice
        raise UnknownChoice("name check", name_check, NAME_CHECKS)
    corp = corp_world(seed, "Identifier mismatch, nobody cheating", signed=dnssec)
    a = corp.host("host-a", ADDRESSES["host-a"], "client")
    b = corp.host("server-b", ADDRESSES["server-b"], "server")
    c = corp.host("pc-c", ADDRESSES["pc-c"], "host")
    for host in (a, b, c):
        corp.ipsec(host, CORP_SPD.format(default="bypass"))
    a.name_check = name_check
    if name_check == "pad":
        a.pad = parse_pad(STRICT_PAD, source="host-a's PAD")
    corp.resolver(a)
    ServerApp(b, 80, b"200 OK: here are the salaries")
    ClientApp(a, "server-b.example.org", 80, verify_peer=name_check == "application", expected_issuer=CA_NAME)
    return play(corp.world, "fig2 without pc-c's tricks",
                {"name_check": name_check, "dnssec": "on" if dnssec else "off"})


#: The columns of :func:`compare_fixes`: (heading, how to run one name check).
COLUMNS = (
    ("pc-c attacks", lambda check: run("fig2", name_check=check)),
    ("pc-c attacks, address typed", lambda check: run("fig2", name_check=check, connect_by="address")),
    ("nobody cheats", lambda check: without_insider(check)),
    ("nobody cheats, no DNSSEC", lambda check: without_insider(check, dnssec=False)),
)


def compare_fixes() -> None:
    """Print, for every name check, the outcome with pc-c attacking and without, each from a fresh run.

    A good check says ``blocked`` in the attack columns and ``protected`` where nobody cheats.
    """
    header = ("name check", *(title for title, _ in COLUMNS))
    rows = [header] + [(check, *(play_one(check).outcome for _, play_one in COLUMNS)) for check in NAME_CHECKS]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for i, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))


q1 = Predict(
    "q1", "pc-c answers for server-b's address with its own, valid certificate",
    scenario="fig2", toggles={"name_check": "none"},
    hint_text="IKE checks that the certificate was signed by a CA host-a trusts and that the peer holds its key. "
              "Is either of those false for pc-c? And what does host-a's stack compare the name with?",
    solution_text="impersonated. pc-c's certificate is genuine and issued by Example Corp's CA, and pc-c signs with "
                  "its own key, so every IKE check passes. The stack knows only the address 1.2.3.4 and has no "
                  "name to compare pc-c.example.org with, so it installs the SA and sends the request to pc-c.",
    mistakes={
        "blocked": "IKE does not know which name host-a wanted: the application handed the stack an address.",
        "protected": "protected means the peer proved the intended name; pc-c proved a different one.",
        "exposed": "the data does not travel in clear: it goes over an SA, just to the wrong peer.",
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
    hint_text="Who writes the forward record of pc-c.example.org? Who can answer a plain DNS query that "
              "travels in clear across the office network?",
    solution_text="the DNSSEC-validated reverse lookup. The forward lookup asks pc-c's own record, which pc-c "
                  "filled with 1.2.3.4. The plain reverse lookup is answered first by pc-c's forgery on the LAN. "
                  "Only a signed PTR record, written by whoever owns 1.2.3.4, says server-b. Its cost: every "
                  "reverse zone must be signed and kept current, which almost no network does.",
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
    ],
    hint_text="Two things are wrong, and the PAD, like the SPD, uses the first entry that matches. Which entry "
              "does pc-c.example.org match first, and which addresses does it get? Desktops only ever have "
              "addresses in 1.2.0.0/24.",
    solution_text='peer server-b.example.org ca "Example Corp CA" addresses 1.2.3.4 / '
                  'peer *.example.org ca "Example Corp CA" addresses 1.2.0.0/24. The server line comes first, so '
                  "server-b is judged by its own entry; the wildcard for desktops covers only their DHCP pool, so "
                  "no desktop may use a server's address. What is left: inside the pool, any desktop may still pose "
                  "as any other, and someone must keep one line per server up to date. That is the reverse-DNS "
                  "table of section 5.2 under another name (section 5.3).",
)

q4 = Reproduce(
    "q4", "Bring problem 1b back with name handles switched on",
    scenario="fig2", problem="1b", outcome="impersonated",
    allowed={"name_check": ("name_handle",)},
    hint_text="A name handle is returned by the resolver and passed to connect(). What if the application never "
              "passes a handle to connect()?",
    solution_text="{'name_check': 'name_handle', 'connect_by': 'address'}: the user looks the name up and types "
                  "the address (the paper's appendix A). connect() receives a plain address, no handle, so the "
                  "stack has no name to compare with pc-c's certificate.",
)
