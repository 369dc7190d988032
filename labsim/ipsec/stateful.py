"""Soft SAs: the non-standard stateful extension of the paper's section 7.

Some stacks (Windows' fall-back-to-clear among them) remember peers that the host itself
sent clear packets to, and then admit that peer's clear packets even where the policy says
PROTECT. The idea is a personal firewall's "replies to connections I started"; the flaw
is that the host can be made to send the first packet (a unicast answer to a broadcast).

>>> from labsim.addresses import ip
>>> table = SoftSaTable()
>>> table.open(ip("1.2.0.66"), "answered a NetBIOS broadcast", 0)
>>> table.admits(ip("1.2.0.66")), table.admits(ip("1.2.0.67"))
(True, False)
"""

from __future__ import annotations

from dataclasses import dataclass

from ..addresses import Address

SOFT_SA_LIFETIME_US = 300_000_000   # five minutes of idle time, as Windows' soft SAs


@dataclass(frozen=True, slots=True)
class SoftSa:
    peer: Address
    reason: str
    opened_us: int
    trigger: dict | None = None   # ground truth: what the packet that opened it answered (a broadcast ...)


class SoftSaTable:
    def __init__(self) -> None:
        self._by_peer: dict[Address, SoftSa] = {}

    def open(self, peer: Address, reason: str, now_us: int, trigger: dict | None = None) -> None:
        self._by_peer[peer] = SoftSa(peer, reason, now_us, trigger)

    def get(self, peer: Address) -> SoftSa | None:
        return self._by_peer.get(peer)

    def admits(self, peer: Address, now_us: int = 0) -> bool:
        soft = self._by_peer.get(peer)
        return soft is not None and now_us - soft.opened_us <= SOFT_SA_LIFETIME_US

    def peers(self) -> list[Address]:
        return sorted(self._by_peer, key=lambda a: (a.version, int(a)))
