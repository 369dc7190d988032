"""The security association database and real ESP (AES-GCM) through scapy.

SAs come in pairs, one per direction. Outbound SAs are found by the SPD rule and the peer
(or tunnel gateway) they serve; inbound SAs by SPI. Encryption and decryption are
scapy's ``SecurityAssociation`` with a 16-byte AES-GCM key and 4-byte salt (RFC 4106).
On the way in, the steps are ours, one at a time, so each can be seen (and broken) on its
own: the sequence-number replay check, the integrity tag check (:func:`esp_tag_verifies`,
the GCM tag over the ESP header and ciphertext), then the decryption itself; the selector
check after decryption is the host's (RFC 4301 section 5.2).

>>> from labsim.addresses import ip
>>> out, inb = make_pair(0x1001, 0x2002, b"k" * 20, b"K" * 20, ip("1.2.0.5"), ip("1.2.3.4"),
...                      "server-b.example.org", "Example Corp CA", rule_index=0)
>>> out.spi, inb.spi, out.peer_name
(8194, 4097, 'server-b.example.org')
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from scapy.layers.ipsec import ESP
from scapy.layers.ipsec import SecurityAssociation as ScapySA

from ..addresses import Address
from ..packets import ip_header

ALGORITHM = "AES-GCM"
WIRESHARK_ALGORITHM = "AES-GCM with 16 octet ICV [RFC4106]"
REPLAY_WINDOW = 64
IV_SIZE = 8
ICV_SIZE = 16


def esp_tag_verifies(sa: ChildSa, pkt) -> bool:
    """The ESP integrity check: does the packet's 16-byte GCM tag match its header and ciphertext?

    An on-path attacker who changes any byte of the SPI, the sequence number, the IV or the
    ciphertext cannot compute a matching tag without the key (RFC 4106).
    """
    esp = pkt[ESP]
    data = bytes(esp.data)
    iv, body = data[:IV_SIZE], data[IV_SIZE:]
    try:
        AESGCM(sa.key[:16]).decrypt(sa.key[16:] + iv, body, struct.pack("!LL", esp.spi, esp.seq))
    except (InvalidTag, ValueError):
        return False
    return True


@dataclass(eq=False)
class ChildSa:
    """One direction of a child SA: keys, SPI, sequence numbers and what it may carry."""

    spi: int
    direction: str            # "out" or "in"
    local: Address
    remote: Address           # the peer's address (transport) or the gateway's (tunnel)
    key: bytes                # 16-byte AES key + 4-byte salt
    peer_name: str
    peer_issuer: str
    rule_index: int
    mode: str = "transport"
    inner_remote: tuple = ()  # tunnel mode: the prefixes reachable through the gateway
    local_name: str = ""      # the name this end authenticated as in the IKE exchange that made the SA
    seq: int = 0
    highest_seen: int = 0
    packets: int = 0
    _seen: set = field(default_factory=set, repr=False)
    _scapy: ScapySA = field(default=None, repr=False)
    _plain: ScapySA = field(default=None, repr=False)

    def __post_init__(self) -> None:
        tunnel = None
        if self.mode == "tunnel":
            src, dst = (self.local, self.remote) if self.direction == "out" else (self.remote, self.local)
            tunnel = ip_header(src, dst)
        self._scapy = ScapySA(ESP, spi=self.spi, crypt_algo=ALGORITHM, crypt_key=self.key, tunnel_header=tunnel)
        # unwraps an ESP packet whose data is already plaintext (the same parsing scapy does after GCM)
        self._plain = ScapySA(ESP, spi=self.spi, crypt_algo="NULL", crypt_key=None, tunnel_header=tunnel)

    def label(self) -> str:
        return f"SA spi=0x{self.spi:08x} {self.mode} with {self.remote} ({self.peer_name})"

    def encrypt(self, pkt, iv: bytes):
        self.seq += 1
        self.packets += 1
        return self._scapy.encrypt(pkt, seq_num=self.seq, iv=iv)

    def decrypt(self, pkt):
        """The inner packet, or raise :class:`IntegrityError` (bad tag) / :class:`ReplayError`."""
        seq = pkt[ESP].seq
        if seq <= self.highest_seen - REPLAY_WINDOW or seq in self._seen:
            raise ReplayError(f"sequence number {seq} was already seen or is too old (replay)")
        if not esp_tag_verifies(self, pkt):
            raise IntegrityError("ESP integrity check failed: the tag does not match (wrong key or altered packet)")
        inner = self._open(pkt)
        self.highest_seen = max(self.highest_seen, seq)
        self._seen = {s for s in self._seen | {seq} if s > self.highest_seen - REPLAY_WINDOW}
        self.packets += 1
        return inner

    def _open(self, pkt):
        """Decrypt (AES-GCM's counter-mode keystream, blocks 2 onwards) and unwrap; checks nothing."""
        data = bytes(pkt[ESP].data)
        iv, ciphertext = data[:IV_SIZE], data[IV_SIZE:len(data) - ICV_SIZE]
        counter = self.key[16:] + iv + b"\0\0\0\2"
        plain = Cipher(algorithms.AES(self.key[:16]), modes.CTR(counter)).decryptor().update(ciphertext)
        copy = pkt.copy()
        copy[ESP].data = plain
        return self._plain.decrypt(copy)

    def wireshark_line(self) -> str:
        src, dst = (self.local, self.remote) if self.direction == "out" else (self.remote, self.local)
        family = "IPv4" if src.version == 4 else "IPv6"
        return (f'"{family}","{src}","{dst}","0x{self.spi:08x}","{WIRESHARK_ALGORITHM}",'
                f'"0x{self.key.hex()}","NULL",""')


class ReplayError(ValueError):
    pass


class IntegrityError(ValueError):
    pass


def make_pair(spi_in: int, spi_out: int, key_in: bytes, key_out: bytes, local: Address, remote: Address,
              peer_name: str, peer_issuer: str, rule_index: int, mode: str = "transport",
              inner_remote: tuple = (), local_name: str = "") -> tuple[ChildSa, ChildSa]:
    """(outbound, inbound): we receive on ``spi_in`` (chosen by us) and send on ``spi_out``."""
    common = dict(local=local, remote=remote, peer_name=peer_name, peer_issuer=peer_issuer,
                  rule_index=rule_index, mode=mode, inner_remote=inner_remote, local_name=local_name)
    return (ChildSa(spi_out, "out", key=key_out, **common), ChildSa(spi_in, "in", key=key_in, **common))


class Sad:
    """A host's SAs: outbound ones by peer (or tunnel gateway), inbound ones by SPI.

    Host-to-host stacks keep one SA pair per peer; the SPD rule that asked for it is kept on
    the SA for the record.
    """

    def __init__(self) -> None:
        self.outbound: dict[Address, ChildSa] = {}
        self.inbound: dict[int, ChildSa] = {}
        self.history: list[ChildSa] = []

    def install(self, out: ChildSa, inb: ChildSa) -> None:
        self.outbound[out.remote] = out
        self.inbound[inb.spi] = inb
        self.history += [out, inb]

    def find_outbound(self, remote: Address) -> ChildSa | None:
        return self.outbound.get(remote)

    def tunnel_for(self, destination: Address) -> ChildSa | None:
        """The outbound tunnel-mode SA whose inner selectors cover ``destination`` (first installed wins)."""
        for sa in self.outbound.values():
            if sa.mode == "tunnel" and any(destination.version == p.version and destination in p
                                           for p in sa.inner_remote):
                return sa
        return None

    def for_destination(self, destination: Address) -> ChildSa | None:
        """The SA that carries packets to ``destination``: a transport SA with it, else a tunnel covering it."""
        return self.find_outbound(destination) or self.tunnel_for(destination)

    def remove_peer(self, remote: Address) -> list[ChildSa]:
        gone = [sa for sa in self.outbound.values() if sa.remote == remote]
        gone += [sa for sa in self.inbound.values() if sa.remote == remote]
        self.outbound.pop(remote, None)
        self.inbound = {k: v for k, v in self.inbound.items() if v.remote != remote}
        return gone
