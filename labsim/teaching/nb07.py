"""Exercises of notebook 07, the capstone: audit real configurations for the paper's problems, fix them, re-audit.

The configurations are the ones in ``examples/`` (see its README). Every check audits the
student's answer with :mod:`labsim.audit`, whose verdicts come from simulator runs, and
plays the traffic the host needs (:func:`~labsim.teaching.audit_checks.reach`).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..audit.plan import PROBLEMS
from .audit_checks import ChooseFix, FixConfig, PredictAudit, Service, reach
from .checks import PolicyRow, bind, spd_names_peer

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def example(name: str) -> str:
    """The path of ``examples/NAME`` relative to the working directory (a notebook's folder), as it would be typed.

    Relative, so that reports cite ``../examples/...`` rather than where the course happens to be installed.
    """
    path = EXAMPLES / name
    try:
        return os.path.relpath(path)
    except ValueError:   # another drive, on Windows
        return str(path)


def _config(name: str) -> str:
    """An example's configuration, from ``connections {`` on (its header comment is about the command line)."""
    text = (EXAMPLES / name).read_text()
    return text[text.index("connections {"):]


def _edit(text: str, old: str, new: str) -> str:
    """``text`` with ``old`` replaced by ``new``; fails loudly if the example no longer contains ``old``."""
    if text.count(old) != 1:
        raise ValueError(f"nb07: the example no longer contains exactly one {old.splitlines()[0]!r}")
    return text.replace(old, new)


#: The strongSwan example students fix: a desktop that trusts any company certificate for the intranet.
GROUP_AUTH = _config("strongswan-group-auth/swanctl.conf")

#: The host profile of the fixing exercises, pinned so that an edit cannot move the host or its DNS server.
HOST = dict(host_name="host-a.example.org", host_address="10.1.0.5", ranges=["10.1.0.0/16"],
            dns_server="10.1.0.53", servers=["server-b.example.org=10.1.3.4:80"])

#: What host-a's users need, whatever the fix: the file server over IPsec, the printer and the web in clear.
SERVICES = (
    Service("server-b.example.org=10.1.3.4:80", "protected", "the file server",
            "server-b speaks IPsec with a certificate for server-b.example.org: some connection must cover "
            "10.1.3.4 and accept that identity"),
    Service("printer-b.example.org=10.1.9.10:9100", "clear", "the printer",
            "the printer speaks no IPsec: keep a pass shunt that covers 10.1.9.10, TCP 9100"),
    Service("www.example.com=198.51.100.80:80", "clear", "a web site",
            "the users browse the web in clear; a drop shunt for 0.0.0.0/0 cuts the whole Internet off"),
)


def _connection(name: str, address: str, peer: str, ts: str) -> str:
    return f"""   {name} {{
      remote_addrs = {address}
      local {{
         auth = pubkey
         certs = host-a.pem
         id = host-a.example.org
      }}
      remote {{
         auth = pubkey
         id = {peer}
         cacerts = corp-ca.pem
      }}
      children {{
         {name} {{
            mode = transport
            remote_ts = {ts}
            start_action = trap
         }}
      }}
   }}

"""


_DNS_SHUNT = """         dns {
            mode = pass
            remote_ts = 10.1.0.53/32[udp/53]
            start_action = trap
         }
"""
_SHUNTS = "   # Shunts: what must stay in clear."
_PRINTERS = """         printers {
            mode = pass
            remote_ts = 10.1.9.0/24     # the printers speak no IPsec
            start_action = trap
         }
"""

#: The three fixes for problem 1a that exercise 2 compares.
OPTIONS = {
    "drop all other traffic": _edit(_edit(GROUP_AUTH, _PRINTERS, """         everything-else {
            mode = drop
            remote_ts = 0.0.0.0/0, ::/0
            start_action = trap
         }
""" + _PRINTERS), "remote_ts = 10.1.9.0/24     # the printers speak no IPsec",
                                    "remote_ts = 10.1.9.10/32[tcp/9100]   # one printer, one port"),
    "protect DNS": _edit(_edit(GROUP_AUTH, _DNS_SHUNT, ""), _SHUNTS,
                         _connection("dns", "10.1.0.53", "ns.example.org", "10.1.0.53/32[udp/53]") + _SHUNTS),
    "name the server": _edit(GROUP_AUTH, _SHUNTS,
                             _connection("server-b", "10.1.3.4", "server-b.example.org", "10.1.3.4/32") + _SHUNTS),
}

q1 = PredictAudit(
    "q1", "Which problems does the laptop's xfrm policy expose?",
    config=str(EXAMPLES / "xfrm-broadcast-bypass" / "policies.txt"),
    hint_text="Go through the problems one by one with the profile in mind. Is DNS plain, and is there a clear "
              "way out (1a)? Does anything name the peer (1b)? It is a laptop that takes the hotel's DNS (2) and "
              "meets private addresses (3, 4). Its agent falls back to clear and it answers NetBIOS (5a). IPv6 is "
              "on and no policy mentions it (5b). For 4: away from home, can the laptop still reach a hotel "
              "printer at a private address, given the fallback?",
)

q2 = ChooseFix(
    "q2", "Which fix for problem 1a does host-a's office accept?",
    problems=("1a",), others=False, services=SERVICES, settings=HOST, base=GROUP_AUTH, options=OPTIONS,
    goal="removes problem 1a while the file server, the printer and the web still work",
    hint_text="Read each option's change with q2.show(). Which one keeps the forged answer from being "
              "believed, rather than only narrowing where it can send the connection? And which one solves "
              "a different problem?",
)

q3 = FixConfig(
    "q3", "Fix host-a's strongSwan configuration: no 1a, 1b or 5b, and everything still works",
    problems=("1a", "1b", "5b"), services=SERVICES, settings=HOST, format="strongswan",
    rows=(PolicyRow("DNS to 10.1.0.53 goes under IPsec to a peer that must prove the DNS server's own name",
                    spd_names_peer("10.1.0.53", local="10.1.0.5"),
                    "DNS under the intranet's id = %any connection keeps outsiders out, but any host with a company "
                    "certificate can answer as the DNS server (section 5.1): give DNS a connection whose remote id "
                    "is ns.example.org"),),
    hint_text="Three changes, one per problem. 1a: exercise 2's answer, and let the DNS connection name its server "
              "rather than accept any company certificate. 1b: a connection of its own for the file server whose "
              "remote id names it; a narrower traffic selector takes priority over the intranet's. 5b: a drop "
              "shunt that covers all of IPv6 (drop shunts rank below every IPsec policy). The hardened example "
              "(examples/strongswan-hardened/swanctl.conf) has blocks to copy.",
)


bind("07", globals())


def summary(report, fixes: bool = False) -> None:
    """One line per problem of the paper: its status and title; with ``fixes``, the smallest fix of each exposed one."""
    for f in report.findings:
        print(f"{f.problem:<3} {f.status:<15} {f.title} (section {f.section})")
        if fixes and f.exposed and f.fix:
            print(f"    smallest fix: {f.fix.change}")
            print(f"    its cost:     {f.fix.cost}")
    print(f"anomalies: {len(report.anomalies)} shadowed or redundant rule(s)")


__all__ = ["q1", "q2", "q3", "reach", "summary", "example", "EXAMPLES", "GROUP_AUTH", "OPTIONS", "SERVICES", "HOST",
           "PROBLEMS"]
