"""The host profile: what the policy file does not say but the paper's problems depend on.

Who the organisation is (its DNS domain, its CA, its address ranges), how the host resolves
names (which DNS server, whether answers are signed and validated), whether it travels
(mobile), whether its stack has the fall-back-to-clear extension of section 7, whether it
speaks IPv6, and which private ranges it may meet away from home. Every value has a
default; a small TOML file (``labsim-profile.toml``) or command-line flags override it;
what is left is inferred from the policy where it can be. The report says where each
value came from.

>>> profile = HostProfile.from_mapping({"mobile": True, "ranges": ["10.1.0.0/16"]}, "p.toml")
>>> profile.mobile, profile.ranges
(True, (IPv4Network('10.1.0.0/16'),))
>>> HostProfile.from_mapping({"mobil": True}, "p.toml")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
labsim.errors.ConfigError: p.toml: unknown setting 'mobil' (did you mean 'mobile'?); the settings are: ...
"""

from __future__ import annotations

import dataclasses
import difflib
import ipaddress
import re
from dataclasses import dataclass, field

from ..addresses import PRIVATE_RANGES, Address, Prefix
from ..errors import ConfigError
from ..ipsec.identity import NAME_CHECKS

PROFILE_FILE = "labsim-profile.toml"
DNS_AWAY = ("dhcp", "home")
RESPONDERS = {"netbios": 137, "none": 0}


@dataclass(frozen=True, slots=True)
class Server:
    """A peer the host talks to: its name, its address, the port of the service."""

    name: str
    address: Address
    port: int = 80

    @classmethod
    def parse(cls, text: str, default_port: int = 80) -> Server:
        """``server-b.example.org=10.1.3.4:443`` (the port is optional)."""
        name, sep, rest = text.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"a server is NAME=ADDRESS[:PORT], such as server-b.example.org=10.1.3.4:443; "
                             f"got {text!r}")
        address, port = rest.strip(), default_port
        if address.count(":") == 1 or (address.startswith("[") and "]:" in address):
            address, _, port_text = address.rpartition(":")
            port = _port(port_text)
        return cls(name.strip().lower().rstrip("."), ipaddress.ip_address(address.strip("[]")), port)


@dataclass(frozen=True)
class HostProfile:
    """Facts about the audited host; ``None`` means "infer it from the policy, or use the default"."""

    domain: str = "example.org"
    ca: str = "Example Corp CA"
    ranges: tuple[Prefix, ...] = ()
    host_name: str | None = None
    host_address: Address | None = None
    host_address6: Address | None = None
    ipv6: bool = True
    dns_server: Address | None = None
    dnssec: bool = False
    mobile: bool = False
    dns_away: str = "dhcp"
    stateful: bool = False
    name_check: str | None = None
    pad: str | None = None
    port: int = 80
    service_port: int = 445
    broadcast_responders: tuple[str, ...] = ("netbios",)
    private_ranges: tuple[Prefix, ...] = PRIVATE_RANGES
    servers: tuple[Server, ...] = ()
    given: frozenset = field(default=frozenset(), compare=False)   # the fields someone set, and where

    def __post_init__(self) -> None:
        if self.dns_away not in DNS_AWAY:
            raise ValueError(f"dns_away is {' or '.join(DNS_AWAY)}, not {self.dns_away!r}")
        if self.name_check is not None and self.name_check not in NAME_CHECKS:
            raise ValueError(f"name_check is one of {', '.join(NAME_CHECKS)}, not {self.name_check!r}")
        for responder in self.broadcast_responders:
            if responder not in RESPONDERS:
                raise ValueError(f"a broadcast responder is one of {', '.join(RESPONDERS)}, not {responder!r}")

    @property
    def responder_ports(self) -> tuple[int, ...]:
        return tuple(RESPONDERS[r] for r in self.broadcast_responders if RESPONDERS[r])

    def source_of(self, name: str) -> str | None:
        """Where a field was set (a file, ``flag``, or ``the profile``), or None if it is the default."""
        recorded = dict(self.given).get(name)
        if recorded:
            return recorded
        default = next(f for f in dataclasses.fields(self) if f.name == name).default
        return "the profile" if getattr(self, name) != default else None

    def with_values(self, values: dict, source: str) -> HostProfile:
        """A copy with ``values`` (already converted) set, remembering ``source`` for each."""
        given = dict(self.given)
        given.update({k: source for k in values})
        try:
            return dataclasses.replace(self, **values, given=frozenset(given.items()))
        except ValueError as exc:
            raise ConfigError(source, None, str(exc)) from None

    @classmethod
    def from_mapping(cls, data: dict, source: str, text: str = "", base: HostProfile | None = None) -> HostProfile:
        """Read the settings of a TOML profile (or any mapping); errors name the file and line."""
        base = base or cls()
        values = {}
        for key, raw in data.items():
            line = _line_of(text, key)
            if key not in FIELDS:
                close = difflib.get_close_matches(key, FIELDS, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ConfigError(source, line, f"unknown setting {key!r}{hint}; the settings are: {', '.join(FIELDS)}")
            try:
                values[key] = convert(key, raw, base.port)
            except (ValueError, TypeError) as exc:
                raise ConfigError(source, line, f"{key}: {exc}") from None
        return base.with_values(values, source)

    @classmethod
    def from_toml(cls, path: str, base: HostProfile | None = None) -> HostProfile:
        try:
            import tomllib
        except ModuleNotFoundError:   # Python 3.10
            raise ConfigError(path, None, "reading a TOML profile needs Python 3.11 or later; use flags instead") \
                from None
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(path, None, f"cannot read the profile: {exc}") from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            match = re.search(r"line (\d+)", str(exc))
            raise ConfigError(path, int(match.group(1)) if match else None, f"not valid TOML: {exc}") from None
        return cls.from_mapping(data, path, text, base)


FIELDS = tuple(f.name for f in dataclasses.fields(HostProfile) if f.name != "given")


def convert(key: str, raw, default_port: int = 80):
    """Turn a TOML or flag value into the field's type (ValueError with a plain message if it cannot)."""
    if key in ("ranges", "private_ranges"):
        return tuple(ipaddress.ip_network(str(r), strict=False) for r in _listed(raw))
    if key in ("host_address", "host_address6", "dns_server"):
        return ipaddress.ip_address(str(raw))
    if key in ("ipv6", "dnssec", "mobile", "stateful"):
        if not isinstance(raw, bool):
            raise ValueError(f"true or false, not {raw!r}")
        return raw
    if key in ("port", "service_port"):
        return _port(raw)
    if key == "broadcast_responders":
        return tuple(str(r) for r in _listed(raw))
    if key == "servers":
        out = []
        for item in _listed(raw):
            if isinstance(item, str):
                out.append(Server.parse(item, default_port))
            elif isinstance(item, dict) and set(item) <= {"name", "address", "port"} and "name" in item \
                    and "address" in item:
                out.append(Server(str(item["name"]).lower(), ipaddress.ip_address(str(item["address"])),
                                  _port(item.get("port", default_port))))
            else:
                raise ValueError("each server is {name = ..., address = ..., port = ...} or 'NAME=ADDRESS[:PORT]'")
        return tuple(out)
    if key in ("domain", "ca", "host_name", "dns_away", "name_check", "pad"):
        if not isinstance(raw, str) or not raw:
            raise ValueError(f"a non-empty string, not {raw!r}")
        return raw.lower().rstrip(".") if key in ("domain", "host_name") else raw
    raise AssertionError(key)


def _listed(raw) -> list:
    return list(raw) if isinstance(raw, (list, tuple)) else [raw]


def _port(raw) -> int:
    text = str(raw)
    if not text.isdigit() or not 0 < int(text) <= 65535:
        raise ValueError(f"a port is a number 1-65535, not {raw!r}")
    return int(text)


def _line_of(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"\s*{re.escape(key)}\s*=", line) or re.match(rf"\s*\[\[?\s*{re.escape(key)}\s*\]", line):
            return number
    return None


__all__ = ["HostProfile", "Server", "FIELDS", "PROFILE_FILE", "convert"]
