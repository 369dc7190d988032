"""What an importer hands the auditor: labsim's SPD and PAD, each rule traced to its source line.

A real configuration is translated into the model the simulator runs (an ordered
:class:`~labsim.ipsec.spd.Spd`, a PAD, a name-check mode), and every rule remembers the
file and line it came from, so a finding can say "the BYPASS at swanctl.conf:31". What
the translation could not express, or chose to approximate, is kept as a note beside it:
nothing is dropped without a word.

>>> from labsim.ipsec.spd import parse_spd
>>> spd = parse_spd("protect remote 10.1.0.0/16\\nbypass any")
>>> policy = ImportedPolicy("host.spd", "spd", spd, (Origin("host.spd", 1, "protect remote 10.1.0.0/16"),
...                                                  Origin("host.spd", 2, "bypass any")))
>>> policy.origin_of(1).cite()
'host.spd:2'
>>> print(policy.spd_text())
protect remote 10.1.0.0/16   # host.spd:1
bypass any                   # host.spd:2
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..addresses import Address, Prefix
from ..ipsec.pad import Pad, PadEntry
from ..ipsec.spd import Spd

FORMATS = ("strongswan", "xfrm", "spd")


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a rule came from: a file and line, and the source text (or what stood in for it)."""

    path: str
    line: int | None
    text: str

    def cite(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def to_json(self) -> dict:
        return {"file": self.path, "line": self.line, "text": self.text}


@dataclass(frozen=True, slots=True)
class ImportNote:
    """Something the importer could not express exactly, or chose to approximate.

    ``severity`` is ``warning`` (the audit may differ from the real system here) or
    ``info`` (understood, and without effect on the paper's problems).
    """

    path: str
    line: int | None
    severity: str
    message: str

    def __post_init__(self) -> None:
        if self.severity not in ("warning", "info"):
            raise ValueError(f"severity is warning or info, not {self.severity!r}")

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.message}"

    def to_json(self) -> dict:
        return {"file": self.path, "line": self.line, "severity": self.severity, "message": self.message}


@dataclass(frozen=True, slots=True)
class PadSpec:
    """A PAD entry before the organisation's CA name is known (the config names a CA *file*)."""

    pattern: str
    requires_ca: bool
    addresses: tuple[Prefix, ...] | None
    origin: Origin

    def entry(self, ca_name: str) -> PadEntry:
        return PadEntry(self.pattern, ca_name if self.requires_ca else None, self.addresses, self.origin.line or 0)


@dataclass(frozen=True, slots=True)
class HostHints:
    """What the configuration itself says about the audited host (its identity and addresses)."""

    name: str | None = None
    name_origin: Origin | None = None
    addresses: tuple[Address, ...] = ()
    addresses_origin: Origin | None = None
    organisation: str | None = None            # the O= of a distinguished-name identity: whose CA certifies
    organisation_origin: Origin | None = None
    outer: tuple[Address, ...] = ()            # our tunnel endpoint addresses (the physical network's side)


@dataclass(frozen=True)
class ImportedPolicy:
    """One host's policy in labsim's terms, with the source of every rule.

    ``pad`` is ``None`` when the configuration says nothing about identities (ip xfrm,
    labsim SPD text): the host profile then decides the identity check.
    """

    path: str
    format: str
    spd: Spd
    origins: tuple[Origin, ...]
    pad: tuple[PadSpec, ...] | None = None
    name_check: str | None = None
    notes: tuple[ImportNote, ...] = ()
    hints: HostHints = field(default_factory=HostHints)
    own_address_rules: frozenset[int] = frozenset()   # rules whose local selector is "this host's address"
    approximate: frozenset[int] = frozenset()   # rules with a selector labsim does not model (ICMP type, GRE key)
    left_out: tuple[str, ...] = ()   # where IPsec policies exist that could not be imported (file:line)

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ValueError(f"format is one of {FORMATS}, not {self.format!r}")
        if len(self.origins) != len(self.spd.rules):
            raise ValueError("every SPD rule needs an origin")

    def origin_of(self, index: int) -> Origin:
        return self.origins[index]

    def build_pad(self, ca_name: str) -> Pad | None:
        return None if self.pad is None else Pad(tuple(spec.entry(ca_name) for spec in self.pad))

    def warnings(self) -> tuple[ImportNote, ...]:
        return tuple(n for n in self.notes if n.severity == "warning")

    def spd_text(self, with_origins: bool = True) -> str:
        """The SPD as labsim text (it parses back to the same decisions), each rule citing its source."""
        lines = [str(rule) for rule in self.spd.rules]
        if not with_origins:
            return "\n".join(lines)
        width = max((len(line) for line in lines), default=0) + 3
        return "\n".join(f"{line:<{width}}# {origin.cite()}" for line, origin in zip(lines, self.origins))


__all__ = ["ImportedPolicy", "Origin", "ImportNote", "PadSpec", "HostHints", "FORMATS"]
