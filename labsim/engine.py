"""The deterministic event engine and the trace every decision is written to.

Time is simulated and counted in whole microseconds. Events are ordered by
``(time, priority, sequence)`` as in SimPy, so two events due at the same moment run in a
fixed order. All randomness (ports, DNS ids, SPIs, keys, nonces) comes from one
``random.Random`` seeded by the scenario; nothing reads the wall clock.

>>> sim = Simulator(seed=1)
>>> sim.schedule(5, lambda: sim.record("app", "host-a", "hello", "ok", "a greeting"))
>>> sim.run()
>>> print(sim.trace[0].line())
     0.005 ms  host-a      app     hello  ok  a greeting
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field

#: Every kind of record in a trace. Packet records (``path`` non-empty) use the first five.
KINDS = (
    "dns",    # a DNS packet on the wire, or a resolver's decision about an answer
    "ike",    # an IKE packet on the wire, or an IKE check (certificate, identity, PAD)
    "esp",    # an ESP packet on the wire, or an SA being used or created
    "clear",  # an unprotected application or transport packet on the wire
    "dhcp",   # a DHCP packet or decision
    "spd",    # an SPD lookup and the rule that decided it
    "drop",   # a packet discarded, with the reason
    "app",    # an application step: resolve, connect, send, receive, refuse
    "route",  # a routing or link-layer fact: delivery, hijacked address, no route
    "note",   # scenario narration: what the attacker has set up before the run
)

PRIORITY_NORMAL = 10


@dataclass(frozen=True, slots=True)
class Event:
    """One record of the trace.

    ``path`` is the list of nodes a packet crosses (empty for a decision taken inside one
    host) and ``duration_us`` how long it takes; ``packet_id`` ties a packet on the wire to
    the decisions taken about it; ``packet`` holds the raw IP bytes (for pcap and
    dissection), never printed.
    """

    seq: int
    time_us: int
    host: str
    kind: str
    summary: str
    decision: str
    reason: str
    rule: str = ""
    path: tuple[str, ...] = ()
    packet_id: int | None = None
    duration_us: int = 0
    packet: bytes | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown trace kind {self.kind!r}; one of {', '.join(KINDS)}")

    @property
    def time_ms(self) -> float:
        return self.time_us / 1000

    @property
    def is_packet(self) -> bool:
        """True for a packet crossing the network, False for a decision inside a host."""
        return bool(self.path)

    def line(self) -> str:
        """One line of the human-readable trace; stable, so golden files can compare it."""
        text = f"{self.time_us / 1000:10.3f} ms  {self.host:<10}  {self.kind:<6}  {self.summary}  {self.decision}"
        if self.reason:
            text += f"  {self.reason}"
        if self.rule:
            text += f"  [{self.rule}]"
        if self.path:
            text += f"  via {' > '.join(self.path)}"
        return text

    def to_dict(self) -> dict:
        return {
            "seq": self.seq,
            "time_ms": round(self.time_us / 1000, 3),
            "host": self.host,
            "kind": self.kind,
            "summary": self.summary,
            "decision": self.decision,
            "reason": self.reason,
            "rule": self.rule,
            "path": list(self.path),
            "packet_id": self.packet_id,
            "duration_ms": round(self.duration_us / 1000, 3),
        }


class Simulator:
    """Event queue, simulated clock, the one RNG and the trace."""

    def __init__(self, seed: int = 0, limit_us: int = 60_000_000):
        self.now = 0
        self.rng = random.Random(seed)
        self.trace: list[Event] = []
        self.limit_us = limit_us
        self._queue: list[tuple[int, int, int, Callable[[], None]]] = []
        self._seq = 0
        self._packet_ids = 0

    def schedule(self, delay_us: int, action: Callable[[], None], priority: int = PRIORITY_NORMAL) -> None:
        if delay_us < 0:
            raise ValueError("cannot schedule an event in the past")
        self._seq += 1
        heapq.heappush(self._queue, (self.now + int(delay_us), priority, self._seq, action))

    def run(self) -> None:
        while self._queue:
            time_us, _, _, action = heapq.heappop(self._queue)
            if time_us > self.limit_us:
                break
            self.now = time_us
            action()

    def next_packet_id(self) -> int:
        self._packet_ids += 1
        return self._packet_ids

    def record(self, kind: str, host: str, summary: str, decision: str, reason: str = "", rule: str = "",
               path: tuple[str, ...] = (), packet_id: int | None = None, packet: bytes | None = None,
               duration_us: int = 0) -> Event:
        event = Event(len(self.trace), self.now, host, kind, summary, decision, reason, rule,
                      tuple(path), packet_id, duration_us, packet)
        self.trace.append(event)
        return event

    def randbytes(self, n: int) -> bytes:
        return self.rng.getrandbits(8 * n).to_bytes(n, "big")
