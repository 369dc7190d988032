"""The security association database and real ESP through scapy.

SAs come in pairs, one per direction. Outbound SAs are found by the SPD rule and the peer
(or tunnel gateway) they serve; inbound SAs by SPI. Each SA uses the transform IKE
negotiated for it (:data:`TRANSFORMS`):

* ``aes_gcm`` (the default): AES-GCM with a 16-byte key, a 4-byte salt and a 16-byte tag
  (RFC 4106), encrypted and authenticated;
* ``null``: ESP with NULL encryption (RFC 2410) and HMAC-SHA2-256-128 integrity (RFC 4868),
  which RFC 4303 allows: every packet is authenticated, but its payload crosses the network
  as it is, readable by anyone on the path. Deployments choose it so that network monitors
  can inspect the traffic (strongSwan's ``esp_proposals = null-sha256``).

Building and unwrapping ESP is scapy's ``SecurityAssociation``. On the way in, the steps are
ours, one at a time, so each can be seen (and broken) on its own: the sequence-number replay
check, the integrity check (:func:`esp_tag_verifies`: the GCM tag, or the HMAC ICV, over the
ESP header and the rest of the packet), then the decryption itself (for NULL encryption,
only the unwrapping); the selector check after decryption is the host's (RFC 4301 section 5.2).

>>> from labsim.addresses import ip
>>> out, inb = make_pair(0x1001, 0x2002, b"k" * 20, b"K" * 20, ip("1.2.0.5"), ip("1.2.3.4"),
...                      "server-b.example.org", "Example Corp CA", rule_index=0)
>>> out.spi, inb.spi, out.peer_name
(8194, 4097, 'server-b.example.org')
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from scapy.layers.ipsec import ESP
from scapy.layers.ipsec import SecurityAssociation as ScapySA

from ..addresses import Address
from ..errors import UnknownChoice
from ..packets import ip_header

REPLAY_WINDOW = 64
IV_SIZE = 8
ICV_SIZE = 16     # both transforms: the GCM tag, and HMAC-SHA2-256 truncated to 128 bits


@dataclass(frozen=True)
class Transform:
    """An ESP transform: its IKEv2 transform IDs (RFC 7296 section 3.3.2, IANA), the names scapy,
    Wireshark's ``esp_sa`` table and strongSwan's ``esp_proposals`` give it, and its key sizes."""

    name: str               # the course's name (a VPN profile's setting, a toggle's value)
    label: str              # in words, for the trace
    encr_id: int            # transform type 1, ENCR_*
    integ_id: int | None    # transform type 3, AUTH_*; None for a combined-mode (AEAD) cipher
    crypt_algo: str         # scapy's names
    auth_algo: str
    crypt_key_size: int     # bytes of keying material: the cipher's key (and salt), then the integrity key
    auth_key_size: int
    iv_size: int
    wireshark_crypt: str
    wireshark_auth: str
    strongswan: str

    @property
    def encrypts(self) -> bool:
        return self.crypt_algo != "NULL"

    @property
    def key_size(self) -> int:
        return self.crypt_key_size + self.auth_key_size

    def ike_words(self) -> str:
        """The transform as IKEv2 names it: ``ENCR_NULL + AUTH_HMAC_SHA2_256_128``."""
        encr = {20: "ENCR_AES_GCM_16", 11: "ENCR_NULL"}.get(self.encr_id, f"ENCR {self.encr_id}")
        if self.integ_id is None:
            return encr
        return encr + " + " + {12: "AUTH_HMAC_SHA2_256_128"}.get(self.integ_id, f"AUTH {self.integ_id}")


AES_GCM = Transform("aes_gcm", "AES-GCM", 20, None, "AES-GCM", "NULL", 20, 0, IV_SIZE,
                    "AES-GCM with 16 octet ICV [RFC4106]", "NULL", "aes128gcm16")
ESP_NULL = Transform("null", "NULL encryption and HMAC-SHA2-256-128 integrity", 11, 12, "NULL", "SHA2-256-128", 0, 32,
                     0, "NULL", "HMAC-SHA-256-128 [RFC4868]", "null-sha256")
TRANSFORMS = {t.name: t for t in (AES_GCM, ESP_NULL)}


def transforms(names) -> tuple[Transform, ...]:
    """The transforms called ``names``, in order (an ESP proposal list); an unknown name is an error naming the
    valid ones."""
    if isinstance(names, str):
        names = (names,)
    for name in names:
        if name not in TRANSFORMS:
            raise UnknownChoice("ESP transform", name, TRANSFORMS)
    return tuple(TRANSFORMS[name] for name in names)


def esp_tag_verifies(sa: ChildSa, pkt) -> bool:
    """The ESP integrity check: does the packet's 16-byte tag (AES-GCM) or ICV (HMAC) match its header and body?

    An on-path attacker who changes any byte of the SPI, the sequence number, the IV or the
    ciphertext cannot compute a matching tag without the key (RFC 4106); with NULL encryption
    the same holds for the readable payload (RFC 4303 section 2.8, RFC 4868).
    """
    esp = pkt[ESP]
    data = bytes(esp.data)
    if sa.transform.integ_id is not None:
        return _icv_verifies(sa, esp.spi, esp.seq, data)
    iv, body = data[:IV_SIZE], data[IV_SIZE:]
    try:
        AESGCM(sa.key[:16]).decrypt(sa.key[16:] + iv, body, struct.pack("!LL", esp.spi, esp.seq))
    except (InvalidTag, ValueError):
        return False
    return True


def _icv_verifies(sa: ChildSa, spi: int, seq: int, data: bytes) -> bool:
    """HMAC-SHA2-256 over the ESP header and everything up to the ICV, truncated to 16 bytes, compared in
    constant time with the ICV the packet carries (its last 16 bytes)."""
    if len(data) <= ICV_SIZE:
        return False
    body, icv = data[:-ICV_SIZE], data[-ICV_SIZE:]
    expected = hmac.new(sa.auth_key, struct.pack("!LL", spi, seq) + body, hashlib.sha256).digest()[:ICV_SIZE]
    return hmac.compare_digest(icv, expected)


@dataclass(eq=False)
class ChildSa:
    """One direction of a child SA: keys, SPI, sequence numbers and what it may carry."""

    spi: int
    direction: str            # "out" or "in"
    local: Address
    remote: Address           # the peer's address (transport) or the gateway's (tunnel)
    key: bytes                # the cipher's key material, then the integrity key (see Transform)
    peer_name: str
    peer_issuer: str
    rule_index: int
    mode: str = "transport"
    inner_remote: tuple = ()  # tunnel mode: the prefixes reachable through the gateway
    local_name: str = ""      # the name this end authenticated as in the IKE exchange that made the SA
    transform: Transform = AES_GCM
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
        t = self.transform
        if len(self.key) != t.key_size:
            raise ValueError(f"{t.name} needs {t.key_size} bytes of key material, not {len(self.key)}")
        self._scapy = ScapySA(ESP, spi=self.spi, crypt_algo=t.crypt_algo, crypt_key=self.crypt_key or None,
                              auth_algo=t.auth_algo, auth_key=self.auth_key or None, tunnel_header=tunnel)
        # unwraps an ESP packet whose data is already plaintext (the same parsing scapy does after decrypting)
        self._plain = ScapySA(ESP, spi=self.spi, crypt_algo="NULL", crypt_key=None, tunnel_header=tunnel)

    @property
    def crypt_key(self) -> bytes:
        return self.key[:self.transform.crypt_key_size]

    @property
    def auth_key(self) -> bytes:
        return self.key[self.transform.crypt_key_size:]

    def label(self) -> str:
        return f"SA spi=0x{self.spi:08x} {self.mode} with {self.remote} ({self.peer_name})"

    def encrypt(self, pkt, iv: bytes):
        """ESP around ``pkt``; ``iv`` is cut to the transform's IV size (NULL encryption has none)."""
        self.seq += 1
        self.packets += 1
        return self._scapy.encrypt(pkt, seq_num=self.seq, iv=iv[:self.transform.iv_size])

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
        """Decrypt (AES-GCM's counter-mode keystream, blocks 2 onwards) and unwrap; checks nothing.
        With NULL encryption there is nothing to decrypt: the ICV is cut off and the payload unwrapped."""
        data = bytes(pkt[ESP].data)
        if self.transform.encrypts:
            iv, ciphertext = data[:IV_SIZE], data[IV_SIZE:len(data) - ICV_SIZE]
            counter = self.key[16:] + iv + b"\0\0\0\2"
            plain = Cipher(algorithms.AES(self.key[:16]), modes.CTR(counter)).decryptor().update(ciphertext)
        else:
            plain = data[:len(data) - ICV_SIZE]
        copy = pkt.copy()
        copy[ESP].data = plain
        return self._plain.decrypt(copy)

    def wireshark_line(self) -> str:
        """One line of Wireshark's ``esp_sa`` table: addresses, SPI, cipher and its key, integrity and its key."""
        src, dst = (self.local, self.remote) if self.direction == "out" else (self.remote, self.local)
        family = "IPv4" if src.version == 4 else "IPv6"
        t = self.transform
        return (f'"{family}","{src}","{dst}","0x{self.spi:08x}","{t.wireshark_crypt}","{_hex(self.crypt_key)}",'
                f'"{t.wireshark_auth}","{_hex(self.auth_key)}"')


def _hex(key: bytes) -> str:
    return f"0x{key.hex()}" if key else ""


class ReplayError(ValueError):
    pass


class IntegrityError(ValueError):
    pass


def make_pair(spi_in: int, spi_out: int, key_in: bytes, key_out: bytes, local: Address, remote: Address,
              peer_name: str, peer_issuer: str, rule_index: int, mode: str = "transport",
              inner_remote: tuple = (), local_name: str = "",
              transform: Transform = AES_GCM) -> tuple[ChildSa, ChildSa]:
    """(outbound, inbound): we receive on ``spi_in`` (chosen by us) and send on ``spi_out``."""
    common = dict(local=local, remote=remote, peer_name=peer_name, peer_issuer=peer_issuer,
                  rule_index=rule_index, mode=mode, inner_remote=inner_remote, local_name=local_name,
                  transform=transform)
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
