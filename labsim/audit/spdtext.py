"""Import labsim's own SPD text: the rules are already in the model; only their lines are kept.

The syntax is :func:`labsim.ipsec.spd.parse_spd`'s. An SPD that ends without a catch-all
rule discards what no rule matches (RFC 4301), so the importer says so.

>>> policy = import_spd_text("bypass remote 10.1.0.53 proto udp port 53\\nprotect remote 10.1.0.0/16\\n", "a.spd")
>>> [o.cite() for o in policy.origins]
['a.spd:1', 'a.spd:2']
>>> print(policy.notes[0].message)
no rule matches every packet: what the last rule leaves out is discarded (RFC 4301 section 4.4.1)
"""

from __future__ import annotations

from ..ipsec.spd import parse_spd
from .policy import ImportedPolicy, ImportNote, Origin


def import_spd_text(text: str, path: str) -> ImportedPolicy:
    """Parse labsim SPD text; a bad line raises :class:`~labsim.errors.SpdSyntaxError` naming file and line."""
    spd = parse_spd(text, source=path)
    lines = text.splitlines()
    origins = tuple(Origin(path, rule.line_no, lines[rule.line_no - 1].strip()) for rule in spd.rules)
    notes = []
    if not any(_catch_all(rule) for rule in spd.rules):
        notes.append(ImportNote(path, None, "info", "no rule matches every packet: what the last rule leaves "
                                                    "out is discarded (RFC 4301 section 4.4.1)"))
    return ImportedPolicy(path, "spd", spd, origins, notes=tuple(notes))


def _catch_all(rule) -> bool:
    return (rule.local is None and rule.remote is None and rule.proto is None and rule.lport is None
            and rule.rport is None and rule.direction == "both")


__all__ = ["import_spd_text"]
