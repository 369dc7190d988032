"""The peer authorization database (RFC 4301 section 4.4.3).

An ordered list: the first entry whose identity pattern matches the name a peer proved in
IKE says which CA must have issued its certificate and which addresses that identity may
claim. Text syntax, one entry a line::

    peer server-b.example.org ca "Example Corp CA" addresses 1.2.3.4
    peer *.example.org ca "Example Corp CA" addresses 1.2.0.0/16
    peer * addresses any        # what deployed stacks effectively do (paper section 5.1)

``*.example.org`` matches any name that ends in ``.example.org``; ``*`` matches every name.

>>> pad = parse_pad('peer server-b.example.org addresses 1.2.3.4')
>>> pad.authorize("server-b.example.org", "Example Corp CA", ip("1.2.3.4")).ok
True
>>> print(pad.authorize("pc-c.example.org", "Example Corp CA", ip("1.2.3.4")).reason)
no PAD entry for pc-c.example.org: the PAD does not know this identity
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from ..addresses import Address, Prefix, ip
from ..errors import PadSyntaxError

EXAMPLE = 'peer server-b.example.org ca "Example Corp CA" addresses 1.2.3.4'


@dataclass(frozen=True, slots=True)
class PadEntry:
    pattern: str
    ca: str | None = None
    addresses: tuple[Prefix, ...] | None = None  # None: any address
    line_no: int = 0

    def matches(self, name: str) -> bool:
        name = name.lower().rstrip(".")
        if self.pattern == "*":
            return True
        if self.pattern.startswith("*."):
            return name.endswith(self.pattern[1:])
        return name == self.pattern

    def __str__(self) -> str:
        text = f"peer {self.pattern}"
        if self.ca:
            text += f' ca "{self.ca}"'
        if self.addresses is None:
            return text + " addresses any"
        return text + " addresses " + ",".join(_show(p) for p in self.addresses)


@dataclass(frozen=True, slots=True)
class Authorization:
    ok: bool
    reason: str
    entry: PadEntry | None = None
    index: int | None = None

    def label(self) -> str:
        return f"PAD entry {self.index + 1}: {self.entry}" if self.entry is not None else "PAD"


@dataclass(frozen=True)
class Pad:
    entries: tuple[PadEntry, ...] = ()

    @classmethod
    def permissive(cls) -> Pad:
        """Any certificate from a trusted CA may claim any address: group authentication."""
        return cls((PadEntry("*"),))

    def authorize(self, name: str, issuer: str, address: Address) -> Authorization:
        for i, entry in enumerate(self.entries):
            if not entry.matches(name):
                continue
            if entry.ca and entry.ca != issuer:
                return Authorization(False, f"{name} must be certified by {entry.ca}, not {issuer}", entry, i)
            if entry.addresses is not None and not any(
                    address.version == p.version and address in p for p in entry.addresses):
                allowed = ", ".join(_show(p) for p in entry.addresses)
                return Authorization(False, f"{name} may only use {allowed}, not {address}", entry, i)
            return Authorization(True, f"{name} may use {address}", entry, i)
        return Authorization(False, f"no PAD entry for {name}: the PAD does not know this identity")

    def text(self) -> str:
        return "\n".join(str(e) for e in self.entries)


def _show(p: Prefix) -> str:
    return str(p.network_address) if p.prefixlen == p.max_prefixlen else str(p)


def parse_pad(text: str, source: str = "") -> Pad:
    entries = []
    for line_no, raw in enumerate(text.splitlines(), start=1):
        code = raw.split("#", 1)[0]
        if code.strip():
            entries.append(_parse_entry(code, line_no, raw.rstrip(), source))
    return Pad(tuple(entries))


def _parse_entry(code: str, line_no: int, raw: str, source: str) -> PadEntry:
    tokens = _tokens(code, line_no, raw, source)

    def fail(col: int, problem: str):
        raise PadSyntaxError(line_no, col, raw, problem, EXAMPLE, source)

    if tokens[0][1].lower() != "peer":
        fail(tokens[0][0], f"a PAD entry starts with 'peer', not {tokens[0][1]!r}")
    if len(tokens) < 2:
        fail(len(raw) + 1, "'peer' needs the identity: a host name, *.domain or *")
    col, pattern = tokens[1]
    pattern = pattern.lower().rstrip(".")
    body = pattern[2:] if pattern.startswith("*.") else pattern
    if pattern != "*" and not all(part and all(c.isalnum() or c == "-" for c in part) for part in body.split(".")):
        fail(col, f"{tokens[1][1]!r} is not a host name, *.domain or *")
    ca, addresses, seen = None, "missing", set()
    pos = 2
    while pos < len(tokens):
        col, word = tokens[pos]
        key = word.lower()
        if key not in ("ca", "addresses"):
            fail(col, f"unknown word {word!r}; expected 'ca' or 'addresses'")
        if key in seen:
            fail(col, f"{key!r} is given twice")
        seen.add(key)
        if pos + 1 >= len(tokens):
            fail(len(raw) + 1, f"{key!r} needs a value")
        vcol, value = tokens[pos + 1]
        if key == "ca":
            ca = value
        else:
            addresses = _addresses(value, lambda problem: fail(vcol, problem))
        pos += 2
    if addresses == "missing":
        fail(len(raw) + 1, "say which addresses this identity may use: 'addresses 1.2.3.4' (or 'addresses any')")
    return PadEntry(pattern, ca, addresses, line_no)


def _addresses(value: str, fail):
    if value.lower() == "any":
        return None
    out = []
    for part in value.split(","):
        try:
            out.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            fail(f"{part!r} is not an address or range such as 1.2.3.4 or 1.2.0.0/16")
    return tuple(out)


def _tokens(code: str, line_no: int, raw: str, source: str) -> list[tuple[int, str]]:
    """Split on spaces, keeping "quoted strings" whole (CA names have spaces)."""
    tokens, i = [], 0
    while i < len(code):
        if code[i].isspace():
            i += 1
            continue
        start = i
        if code[i] == '"':
            end = code.find('"', i + 1)
            if end < 0:
                raise PadSyntaxError(line_no, start + 1, raw, "a quoted name is not closed", EXAMPLE, source)
            tokens.append((start + 1, code[i + 1:end]))
            i = end + 1
        else:
            while i < len(code) and not code[i].isspace():
                i += 1
            tokens.append((start + 1, code[start:i]))
    return tokens


__all__ = ["Pad", "PadEntry", "Authorization", "parse_pad", "ip"]
