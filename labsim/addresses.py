"""Address values: parsing, private ranges, broadcast and multicast.

>>> is_private(ip("192.168.0.10")), is_private(ip("1.2.3.4"))
(True, False)
>>> destination_class(ip("255.255.255.255")), destination_class(ip("ff02::1:3"))
('broadcast', 'multicast')
"""

from __future__ import annotations

import ipaddress
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

Address = IPv4Address | IPv6Address
Prefix = IPv4Network | IPv6Network

LIMITED_BROADCAST = IPv4Address("255.255.255.255")

#: RFC 1918 private IPv4 ranges and IPv6 site-local / unique-local ranges (paper section 6.2).
PRIVATE_RANGES: tuple[Prefix, ...] = (
    IPv4Network("10.0.0.0/8"),
    IPv4Network("172.16.0.0/12"),
    IPv4Network("192.168.0.0/16"),
    IPv6Network("fec0::/10"),
    IPv6Network("fc00::/7"),
)


def ip(text: str | Address) -> Address:
    """Parse one address (IPv4 or IPv6)."""
    if isinstance(text, (IPv4Address, IPv6Address)):
        return text
    return ipaddress.ip_address(text)


def prefix(text: str | Prefix) -> Prefix:
    """Parse a prefix; a bare address becomes a /32 or /128."""
    if isinstance(text, (IPv4Network, IPv6Network)):
        return text
    return ipaddress.ip_network(text, strict=False)


def is_private(address: Address) -> bool:
    return any(address.version == net.version and address in net for net in PRIVATE_RANGES)


def is_multicast(address: Address) -> bool:
    return address.is_multicast


def destination_class(address: Address, directed_broadcasts: tuple[Address, ...] = ()) -> str:
    """``unicast``, ``broadcast`` (limited or the attached network's directed broadcast) or ``multicast``."""
    if address == LIMITED_BROADCAST or address in directed_broadcasts:
        return "broadcast"
    if address.is_multicast:
        return "multicast"
    return "unicast"


def family(address: Address | Prefix) -> str:
    return "ipv4" if address.version == 4 else "ipv6"
