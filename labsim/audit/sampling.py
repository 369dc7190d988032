"""Finding addresses where the SPD does something: the witnesses every counterexample starts from.

The rules' prefixes cut the address line into intervals on which a lookup with fixed ports
and protocol gives one answer. Trying one address in each interval therefore tries them
all; the auditor asks the real :meth:`~labsim.ipsec.spd.Spd.lookup` at each, so a witness
is never a guess. Readable addresses come first (``203.0.113.66`` for an attacker on the
Internet, ``10.1.3.4`` for a server in ``10.1.0.0/16``).

>>> from labsim.ipsec.spd import parse_spd, PacketView
>>> spd = parse_spd("protect remote 10.1.0.0/16\\nbypass any")
>>> wants_bypass = lambda a: spd.lookup(PacketView.outbound("10.1.0.5", a, "tcp", 50000, 80)).action == "bypass"
>>> str(pick(spd, wants_bypass, is_public, version=4))
'203.0.113.66'
>>> str(pick(spd, lambda a: not wants_bypass(a), within([ipaddress.ip_network("10.1.0.0/16")])))
'10.1.3.4'
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Iterator

from ..addresses import Address, Prefix, is_private
from ..ipsec.spd import Spd

EPHEMERAL_PORT = 50_000
PUBLIC_SAMPLES = tuple(ipaddress.ip_address(a) for a in ("203.0.113.66", "198.51.100.66", "192.0.2.66", "3.4.5.6",
                                                         "2001:db8:66::66"))
OFFSETS = (3 * 256 + 4, 6 * 256 + 6, 9 * 256 + 10, 10, 66, 7, 1)
NOT_PUBLIC = tuple(ipaddress.ip_network(p) for p in ("0.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
                                                     "224.0.0.0/3", "255.255.255.255/32"))


def is_public(address: Address) -> bool:
    """An address an attacker on the Internet could hold: globally routed unicast, not private."""
    if is_private(address) or address.is_multicast or address.is_loopback or address.is_unspecified:
        return False
    if address.version == 6:
        return address in ipaddress.ip_network("2000::/3")
    return not any(address in p for p in NOT_PUBLIC)


def within(prefixes: Iterable[Prefix]) -> Callable[[Address], bool]:
    nets = tuple(prefixes)
    return lambda a: any(a.version == p.version and a in p for p in nets)


def candidates(spd: Spd, regions: Iterable[Prefix]) -> Iterator[Address]:
    """Readable addresses in every interval the SPD's prefixes cut out of ``regions``."""
    for region in regions:
        lo, hi = int(region.network_address), int(region.broadcast_address)
        cuts = {lo, hi + 1}
        for rule in spd.rules:
            for term in (rule.remote, rule.local):
                if term is not None and term.prefix is not None and term.prefix.version == region.version:
                    for point in (int(term.prefix.network_address), int(term.prefix.broadcast_address) + 1):
                        if lo < point <= hi:
                            cuts.add(point)
        points = sorted(cuts)
        for start, end in zip(points, points[1:]):
            for offset in OFFSETS:
                if start + offset < end:
                    yield ipaddress.ip_address(start + offset) if region.version == 4 else \
                        ipaddress.IPv6Address(start + offset)
            yield ipaddress.ip_address(start) if region.version == 4 else ipaddress.IPv6Address(start)


def pick(spd: Spd, predicate: Callable[[Address], bool], where: Callable[[Address], bool],
         regions: Iterable[Prefix] | None = None, version: int | None = None,
         avoid: Iterable[Address] = (), preferred: Iterable[Address] = ()) -> Address | None:
    """The first readable address that lies ``where`` and satisfies ``predicate`` (a real SPD lookup)."""
    avoid = set(avoid)
    if regions is None:
        regions = [ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")]
    regions = [r for r in regions if version is None or r.version == version]
    pool = [*preferred, *(a for a in PUBLIC_SAMPLES if version is None or a.version == version)]
    seen = set()
    for address in (*pool, *candidates(spd, regions)):
        if address in seen or address in avoid or (version is not None and address.version != version):
            continue
        seen.add(address)
        if _usable(address) and where(address) and predicate(address):
            return address
    return None


def _usable(address: Address) -> bool:
    if address.version == 4:
        last = int(address) & 0xFF
        return 0 < last < 255 and not address.is_multicast and address != ipaddress.ip_address("255.255.255.255")
    return not address.is_multicast and not address.is_unspecified


__all__ = ["pick", "candidates", "is_public", "within", "EPHEMERAL_PORT"]
