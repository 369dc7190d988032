"""IKEv2, simulated message by message with real cryptography.

IKE_SA_INIT exchanges X25519 public keys and nonces; IKE_AUTH carries the identity (IDi or
IDr), the X.509 certificate and an Ed25519 signature over the RFC 7296 section 2.15 signed
octets. Every signature and every certificate is really verified. Child SA keys come
from the X25519 secret through an HMAC-SHA256 prf+, so both ends compute the same ESP
keys without ever sending them.

The child SA's transform is negotiated as RFC 7296 section 3.3 says: the initiator's SA
payload carries one proposal per ESP transform its configuration allows for this peer
(ENCR_AES_GCM_16; or ENCR_NULL with AUTH_HMAC_SHA2_256_128, ESP that authenticates but does
not encrypt); the responder picks the first of its own configured transforms that was
offered (strongSwan's default preference) and answers with that one proposal, or refuses
with NO_PROPOSAL_CHOSEN. Each daemon's configuration is :attr:`IkeDaemon.esp_proposals`,
with :attr:`IkeDaemon.peer_proposals` for particular peers (a VPN profile's connection to
its gateway), like strongSwan's per-connection ``esp_proposals``.

Tunnel mode (a remote-access VPN, paper section 3): the initiator's traffic selectors name
its inner address (TSi) and the ranges behind the gateway (TSr). A responder that receives
selectors other than the two IKE endpoints installs a tunnel-mode pair whose inner selectors
are the initiator's TSi, and checks its SPD and PAD against that inner address, the one the
peer's identity claims (RFC 4301 section 4.4.3).

Messages are built with scapy's IKEv2 classes so the capture shows them. Certificates
travel as standard X.509 CERT payloads, but scapy is handed them as opaque DER bytes, both
ways: decoding their ASN.1 field by field would cost ten times the rest of the exchange, and
hosts check certificates with ``cryptography`` (labsim.pki) anyway. One teaching
liberty: real IKEv2 encrypts IKE_AUTH's payloads under SK_e; labsim leaves them readable,
so the certificate a peer presented can be seen in the capture.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from scapy.contrib.ikev2 import (
    IKEv2, IKEv2_AUTH, IKEv2_CERT, IKEv2_Delete, IKEv2_IDi, IKEv2_IDr, IKEv2_KE, IKEv2_Nonce, IKEv2_Notify,
    IKEv2_Payload, IKEv2_Proposal, IKEv2_SA, IKEv2_Transform, IKEv2_TSi, IKEv2_TSr, IKEv2CertificateEncodings,
    IPv4TrafficSelector, IPv6TrafficSelector,
)
from scapy.fields import ByteEnumField, XStrLenField

from ..addresses import Address, Prefix, ip, prefix
from ..packets import stack
from ..pki import SIM_EPOCH, verify_certificate
from .identity import check_peer
from .sad import AES_GCM, TRANSFORMS, Transform, make_pair, transforms
from . import spd as spd_rules
from .spd import PacketView, name_matches

IKE_PORT = 500
IKE_TIMEOUT_US = 3_000_000      # Windows gives up on a silent peer after about 3 s
CRYPTO_US = 300                 # time a peer spends on the Diffie-Hellman and signature work
ID_FQDN = 2
AUTH_DIGITAL_SIGNATURE = 14
NOTIFY_NO_PROPOSAL_CHOSEN = 14
NOTIFY_AUTHENTICATION_FAILED = 24
NOTIFY_TS_UNACCEPTABLE = 38
NOTIFY_NAMES = {NOTIFY_NO_PROPOSAL_CHOSEN: "NO_PROPOSAL_CHOSEN", NOTIFY_AUTHENTICATION_FAILED: "AUTHENTICATION_FAILED",
                NOTIFY_TS_UNACCEPTABLE: "TS_UNACCEPTABLE"}
TRANSFORM_ENCRYPTION, TRANSFORM_INTEGRITY = 1, 3


def prf(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()


def prf_plus(key: bytes, seed: bytes, length: int) -> bytes:
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = prf(key, block + seed + bytes([counter]))
        out += block
        counter += 1
    return out[:length]


def _public(key: X25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass
class _Exchange:
    """One IKE SA being set up, from one side's point of view."""

    role: str
    peer: Address
    local: Address
    spi_i: bytes
    spi_r: bytes = b"\0" * 8
    dh: X25519PrivateKey | None = None
    nonce_i: bytes = b""
    nonce_r: bytes = b""
    msg1: bytes = b""
    msg2: bytes = b""
    sk_d: bytes = b""
    sk_pi: bytes = b""
    sk_pr: bytes = b""
    child_spi_i: int = 0
    child_spi_r: int = 0
    rule_index: int = -1
    expected_name: str | None = None
    tunnel_inner: tuple = ()
    inner_local: Address | None = None
    proposals: tuple[Transform, ...] = (AES_GCM,)   # the initiator's offer, in order
    state: str = "init_sent"
    waiters: list = field(default_factory=list)

    def derive(self, shared: bytes) -> None:
        skeyseed = prf(self.nonce_i + self.nonce_r, shared)
        keys = prf_plus(skeyseed, self.nonce_i + self.nonce_r + self.spi_i + self.spi_r, 96)
        self.sk_d, self.sk_pi, self.sk_pr = keys[:32], keys[32:64], keys[64:]

    def child_keys(self, transform: Transform) -> tuple[bytes, bytes]:
        """(initiator-to-responder keys, responder-to-initiator keys) for ``transform``: each the cipher's key
        (AES-GCM: 16 bytes + a 4-byte salt; NULL: none), then the integrity key (HMAC-SHA2-256: 32 bytes),
        in the order of RFC 7296 section 2.17."""
        size = transform.key_size
        keymat = prf_plus(self.sk_d, self.nonce_i + self.nonce_r, 2 * size)
        return keymat[:size], keymat[size:]


def _signed_octets(message: bytes, peer_nonce: bytes, sk_p: bytes, id_name: str) -> bytes:
    rest_of_id = bytes([ID_FQDN, 0, 0, 0]) + id_name.encode()
    return message + peer_nonce + prf(sk_p, rest_of_id)


def auth_signature_verifies(public_key, signature: bytes, octets: bytes) -> bool:
    """The IKE AUTH check (RFC 7296 section 2.15): the peer signed this exchange with the private key
    of the certificate it presented. A copied certificate without its key fails here."""
    try:
        public_key.verify(signature, octets)
    except InvalidSignature:
        return False
    return True


def _selector(net: Prefix):
    if net.version == 4:
        return IPv4TrafficSelector(starting_address_v4=str(net.network_address),
                                   ending_address_v4=str(net.broadcast_address))
    return IPv6TrafficSelector(starting_address_v6=str(net.network_address),
                               ending_address_v6=str(net.broadcast_address))


CERT_PAYLOAD = 37
CERT_X509_SIGNATURE = 4


class _Certificate(IKEv2_CERT):
    """A CERT payload whose certificate scapy keeps as DER bytes (same bytes on the wire)."""

    fields_desc = IKEv2_Payload.fields_desc[:3] + [
        ByteEnumField("cert_encoding", CERT_X509_SIGNATURE, IKEv2CertificateEncodings),
        XStrLenField("cert_data", b"", length_from=lambda pkt: pkt.length - 5),
    ]


def _message(*payloads) -> bytes:
    """An IKE header and its payloads, chained in place, as bytes."""
    return bytes(stack(*payloads))


def parse_message(data: bytes):
    """scapy's dissection of an IKEv2 message, with each X.509 CERT payload left as DER bytes.

    scapy picks the certificate's decoder by the payload's encoding byte; the copy it is
    given says "reserved" there, so ``cert_data`` stays the bytes that were sent.
    """
    raw = bytearray(data)
    kind, offset = (raw[16], 28) if len(raw) >= 28 else (0, 0)
    while kind and offset + 5 <= len(raw):
        if kind == CERT_PAYLOAD and raw[offset + 4] == CERT_X509_SIGNATURE:
            raw[offset + 4] = 0
        length = int.from_bytes(raw[offset + 2:offset + 4], "big")
        if length < 4:
            break
        kind, offset = raw[offset], offset + length
    return IKEv2(bytes(raw))


def _ranges(payload) -> tuple[Prefix, ...]:
    """The prefixes a TSi/TSr payload names (each selector's address range, summarised)."""
    found = []
    for ts in payload.traffic_selector:
        v4 = isinstance(ts, IPv4TrafficSelector)
        start = ip(ts.starting_address_v4 if v4 else ts.starting_address_v6)
        end = ip(ts.ending_address_v4 if v4 else ts.ending_address_v6)
        found += ipaddress.summarize_address_range(start, end)
    return tuple(found)


def _proposal():
    return IKEv2_SA(prop=IKEv2_Proposal(trans_nb=1, trans=IKEv2_Transform(transform_type="Encryption",
                                                                         transform_id=20)))


def _credentials(own, auth: bytes) -> tuple:
    """The CERT and AUTH payloads that prove ``own``'s identity."""
    return (_Certificate(cert_encoding=CERT_X509_SIGNATURE, cert_data=own.cert_der),
            IKEv2_AUTH(auth_type=AUTH_DIGITAL_SIGNATURE, load=auth))


def _traffic_selectors(ts_i, ts_r) -> tuple:
    return (IKEv2_TSi(number_of_TSs=len(ts_i), traffic_selector=[_selector(p) for p in ts_i]),
            IKEv2_TSr(number_of_TSs=len(ts_r), traffic_selector=[_selector(p) for p in ts_r]))


def _child_sa(spi: int, offer, numbers=None):
    """An SA payload with one ESP proposal per transform of ``offer`` (numbered 1, 2, ... or ``numbers``)."""
    proposals = []
    for number, transform in zip(numbers or range(1, len(offer) + 1), offer):
        parts = [IKEv2_Transform(transform_type="Encryption", transform_id=transform.encr_id)]
        if transform.integ_id is not None:
            parts.append(IKEv2_Transform(transform_type="Integrity", transform_id=transform.integ_id))
        proposals.append(IKEv2_Proposal(proposal=number, proto="ESP", SPIsize=4, SPI=spi.to_bytes(4, "big"),
                                        trans_nb=len(parts), trans=stack(*parts)))
    return IKEv2_SA(prop=stack(*proposals))


def offered_transforms(msg) -> list[tuple[int, Transform | None, str]]:
    """(proposal number, the transform or None if unknown here, its IKEv2 names) of each ESP proposal in the
    message's SA payload."""
    found = []
    proposal = msg[IKEv2_SA].prop if msg.haslayer(IKEv2_SA) else None
    while isinstance(proposal, IKEv2_Proposal):
        ids, part = {}, proposal.trans
        while isinstance(part, IKEv2_Transform):
            ids.setdefault(part.transform_type, part.transform_id)
            part = part.payload
        known = next((t for t in TRANSFORMS.values() if t.encr_id == ids.get(TRANSFORM_ENCRYPTION)
                      and t.integ_id == ids.get(TRANSFORM_INTEGRITY)), None)
        words = known.ike_words() if known else " + ".join(f"type {k} id {v}" for k, v in ids.items())
        found.append((proposal.proposal, known, words))
        proposal = proposal.payload
    return found


def _words(offer) -> str:
    return "; ".join(t.ike_words() for t in offer)


class IkeDaemon:
    """A host's IKE service on UDP 500: initiator and responder."""

    def __init__(self, host, esp_proposals=("aes_gcm",)):
        self.host = host
        self.exchanges: dict[bytes, _Exchange] = {}
        self.pending: dict[tuple, _Exchange] = {}
        #: the ESP transforms this host proposes and accepts, in order of preference
        self.esp_proposals: tuple[Transform, ...] = transforms(esp_proposals)
        #: the same for particular peers (a connection's own esp_proposals, e.g. a VPN profile's gateway)
        self.peer_proposals: dict[Address, tuple[Transform, ...]] = {}
        host.ike = self
        host.bind_udp(IKE_PORT, self.on_message)

    def configure_esp(self, names, peer=None) -> None:
        """Allow the ESP transforms ``names`` (in order of preference) with every peer, or only with ``peer``."""
        chosen = transforms(names)
        if peer is None:
            self.esp_proposals = chosen
        else:
            self.peer_proposals[ip(peer)] = chosen

    def proposals_for(self, peer: Address) -> tuple[Transform, ...]:
        return self.peer_proposals.get(peer, self.esp_proposals)

    # ------------------------------------------------------------ initiator

    def initiate(self, peer: Address, rule_index: int, expected_name: str | None,
                 on_done: Callable, tunnel_inner: tuple = (), inner_local: Address | None = None) -> None:
        """Negotiate an SA pair with ``peer``; ``on_done(sa_or_None, reason)`` when finished.

        ``tunnel_inner`` (the ranges behind a gateway) asks for tunnel mode; ``inner_local`` is
        then our address inside the tunnel (a VPN's inner address), sent as TSi.
        """
        key = (peer, expected_name)
        if key in self.pending:
            self.pending[key].waiters.append(on_done)
            return
        host, sim = self.host, self.host.sim
        local = host.source_address_for(peer)
        ex = _Exchange("initiator", peer, local, sim.randbytes(8), rule_index=rule_index,
                       expected_name=expected_name, tunnel_inner=tunnel_inner, inner_local=inner_local,
                       proposals=self.proposals_for(peer), waiters=[on_done])
        ex.dh = X25519PrivateKey.from_private_bytes(sim.randbytes(32))
        ex.nonce_i = sim.randbytes(32)
        ex.msg1 = _message(IKEv2(init_SPI=ex.spi_i, exch_type="IKE_SA_INIT", flags="Initiator"), _proposal(),
                           IKEv2_KE(group=31, ke=_public(ex.dh)), IKEv2_Nonce(nonce=ex.nonce_i))
        self.exchanges[ex.spi_i] = ex
        self.pending[key] = ex
        sim.record("ike", host.name, f"IKE with {peer}", "start", "no SA exists yet, so the packet waits for IKE")
        host.udp_send(peer, IKE_PORT, IKE_PORT, ex.msg1, src=local)
        sim.schedule(IKE_TIMEOUT_US, lambda: self._timeout(ex))

    def _timeout(self, ex: _Exchange) -> None:
        if ex.state != "done":
            self._finish(ex, None, f"{ex.peer} did not complete IKE within 3 s", silent_peer=ex.state == "init_sent")

    def _finish(self, ex: _Exchange, sa, reason: str, silent_peer: bool = False) -> None:
        if ex.state == "done":
            return
        ex.state = "done"
        self.pending.pop((ex.peer, ex.expected_name), None)
        if sa is None:
            self.host.sim.record("ike", self.host.name, f"IKE with {ex.peer}", "fail", reason)
        for waiter in ex.waiters:
            waiter(sa, reason, silent_peer)

    def _on_init_response(self, ex: _Exchange, msg, data: bytes) -> None:
        host, sim = self.host, self.host.sim
        if msg.haslayer(IKEv2_Notify) and not msg.haslayer(IKEv2_KE):
            self._finish(ex, None, f"{ex.peer} refused IKE_SA_INIT")
            return
        ex.spi_r, ex.nonce_r, ex.msg2 = msg.resp_SPI, msg[IKEv2_Nonce].nonce, data
        ex.derive(ex.dh.exchange(X25519PublicKey.from_public_bytes(msg[IKEv2_KE].ke)))
        if host.identity is None:
            self._finish(ex, None, f"{host.name} has no certificate to authenticate with")
            return
        ex.child_spi_i = sim.rng.randrange(0x100, 0xFFFFFFFF)
        ex.state = "auth_sent"
        own = host.identity
        auth = own.sign(_signed_octets(ex.msg1, ex.nonce_r, ex.sk_pi, own.name))
        remote_ts = ex.tunnel_inner or (prefix(ex.peer),)
        out = _message(IKEv2(init_SPI=ex.spi_i, resp_SPI=ex.spi_r, exch_type="IKE_AUTH", flags="Initiator", id=1),
                       IKEv2_IDi(IDtype=ID_FQDN, ID=own.name.encode()), *_credentials(own, auth),
                       _child_sa(ex.child_spi_i, ex.proposals),
                       *_traffic_selectors((prefix(ex.inner_local or ex.local),), remote_ts))
        sim.schedule(CRYPTO_US, lambda: host.udp_send(ex.peer, IKE_PORT, IKE_PORT, out, src=ex.local))

    def _on_auth_response(self, ex: _Exchange, msg) -> None:
        host = self.host
        if msg.haslayer(IKEv2_Notify):
            code = msg[IKEv2_Notify].type
            why = f" (we proposed {_words(ex.proposals)})" if code == NOTIFY_NO_PROPOSAL_CHOSEN else ""
            self._finish(ex, None, f"{ex.peer} refused us: {NOTIFY_NAMES.get(code, code)}{why}")
            return
        proven = self._verify_peer(ex, msg, IKEv2_IDr, ex.msg2, ex.nonce_i, ex.sk_pr)
        if isinstance(proven, str):
            self._finish(ex, None, proven)
            self._send_delete(ex)
            return
        name, issuer = proven
        ex.child_spi_r = int.from_bytes(bytes(msg[IKEv2_SA].prop.SPI), "big")
        chosen = offered_transforms(msg)
        transform = chosen[0][1] if len(chosen) == 1 else None
        if transform not in ex.proposals:
            words = chosen[0][2] if len(chosen) == 1 else f"{len(chosen)} proposals"
            self._finish(ex, None, f"the responder chose {words}, which we did not propose")
            self._send_delete(ex)
            return
        if ex.expected_name and host.name_check != "name_handle" and not spd_rules.name_selector_admits(ex.expected_name, name):
            # An SPD name selector is a requirement on the authenticated identity (RFC 4301 4.4.1.1).
            host.sim.record("ike", host.name, f"name selector {ex.expected_name}", "fail",
                            f"the SPD rule requires {ex.expected_name}, but the peer authenticated as {name}",
                            rule="SPD name selector")
            self._finish(ex, None, f"the peer is {name}, not {ex.expected_name} as the SPD rule requires")
            self._send_delete(ex)
            return

        def decided(ok: bool, reason: str) -> None:
            if not ok:
                self._finish(ex, None, f"identity check failed: {reason}")
                self._send_delete(ex)
                return
            i2r, r2i = ex.child_keys(transform)
            out, inb = make_pair(ex.child_spi_i, ex.child_spi_r, r2i, i2r, ex.local, ex.peer, name, issuer,
                                 ex.rule_index, "tunnel" if ex.tunnel_inner else "transport", ex.tunnel_inner,
                                 local_name=host.identity.name, transform=transform)
            host.sad.install(out, inb)
            inside = f"; tunnel mode for {', '.join(map(str, ex.tunnel_inner))} behind {ex.peer}" \
                if ex.tunnel_inner else ""
            host.sim.record("esp", host.name, f"SA pair with {ex.peer}", "installed",
                            f"peer authenticated as {name} (certificate from {issuer}); "
                            f"out spi=0x{out.spi:08x}, in spi=0x{inb.spi:08x}{inside}{_unencrypted(transform)}")
            self._finish(ex, out, f"authenticated as {name}")

        check_peer(host, ex.peer, name, issuer, ex.expected_name, decided)

    def _send_delete(self, ex: _Exchange) -> None:
        msg = _message(IKEv2(init_SPI=ex.spi_i, resp_SPI=ex.spi_r, exch_type="INFORMATIONAL", flags="Initiator", id=2),
                       IKEv2_Delete(proto=1, SPIsize=0, SPInum=0))
        self.host.udp_send(ex.peer, IKE_PORT, IKE_PORT, msg, src=ex.local)

    # ------------------------------------------------------------ both sides

    def _verify_peer(self, ex: _Exchange, msg, id_layer, peer_message: bytes, own_nonce: bytes, sk_p: bytes):
        """(name, issuer) if the peer's certificate and AUTH signature hold, else the reason as a string."""
        host, sim = self.host, self.host.sim
        if not msg.haslayer(id_layer) or not msg.haslayer(IKEv2_CERT) or not msg.haslayer(IKEv2_AUTH):
            return "the peer sent no identity, certificate or signature"
        claimed = bytes(msg[id_layer].ID).decode(errors="replace").lower()
        now = SIM_EPOCH + datetime.timedelta(microseconds=sim.now)
        cert = verify_certificate(bytes(msg[IKEv2_CERT].cert_data), host.trusted_cas, now)
        sim.record("ike", host.name, f"certificate of {claimed}", "pass" if cert.ok else "fail", cert.reason,
                   rule="certificate check")
        if not cert.ok:
            return f"certificate rejected: {cert.reason}"
        if not any(name_matches(n, claimed) for n in cert.names):
            return f"the peer claims {claimed} but its certificate names {', '.join(cert.names)}"
        if not auth_signature_verifies(cert.public_key, bytes(msg[IKEv2_AUTH].load),
                                       _signed_octets(peer_message, own_nonce, sk_p, claimed)):
            sim.record("ike", host.name, f"AUTH of {claimed}", "fail", "signature does not verify", rule="AUTH")
            return "the AUTH signature does not verify: the peer does not hold the certificate's key"
        sim.record("ike", host.name, f"AUTH of {claimed}", "pass",
                   "signature verifies with the certificate's key", rule="AUTH")
        return claimed, cert.issuer

    def on_message(self, packet, src: Address, sport: int, dst: Address, data: bytes) -> None:
        try:
            msg = parse_message(data)
        except Exception:  # a malformed message is dropped, as a real daemon would
            self.host.sim.record("drop", self.host.name, "IKE", "discard", "malformed IKE message")
            return
        exch = msg.sprintf("%IKEv2.exch_type%")
        is_response = bool(msg.flags & 0x20)
        spi_i = bytes(msg.init_SPI)
        if is_response:
            ex = self.exchanges.get(spi_i)
            if ex is None or ex.role != "initiator" or ex.state == "done":
                return
            if exch == "IKE_SA_INIT" and ex.state == "init_sent":
                self._on_init_response(ex, msg, data)
            elif exch == "IKE_AUTH" and ex.state == "auth_sent":
                self._on_auth_response(ex, msg)
            return
        if exch == "IKE_SA_INIT":
            self._respond_init(msg, src, dst, data)
        elif exch == "IKE_AUTH":
            ex = self.exchanges.get(spi_i)
            if ex is not None and ex.role == "responder":
                self._respond_auth(ex, msg)
        elif exch == "INFORMATIONAL":
            ex = self.exchanges.get(spi_i)
            if ex is not None and ex.role == "responder":
                gone = self.host.sad.remove_peer(ex.peer)
                self.host.sim.record("esp", self.host.name, f"SA pair with {ex.peer}", "deleted",
                                     f"the peer deleted the IKE SA ({len(gone)} SAs removed)")

    # ------------------------------------------------------------ responder

    def _respond_init(self, msg, src: Address, dst: Address, data: bytes) -> None:
        host, sim = self.host, self.host.sim
        ex = _Exchange("responder", src, dst, bytes(msg.init_SPI), sim.randbytes(8), state="init_received")
        ex.dh = X25519PrivateKey.from_private_bytes(sim.randbytes(32))
        ex.nonce_i, ex.nonce_r, ex.msg1 = msg[IKEv2_Nonce].nonce, sim.randbytes(32), data
        ex.msg2 = _message(IKEv2(init_SPI=ex.spi_i, resp_SPI=ex.spi_r, exch_type="IKE_SA_INIT", flags="Response"),
                           _proposal(), IKEv2_KE(group=31, ke=_public(ex.dh)), IKEv2_Nonce(nonce=ex.nonce_r))
        ex.derive(ex.dh.exchange(X25519PublicKey.from_public_bytes(msg[IKEv2_KE].ke)))
        self.exchanges[ex.spi_i] = ex
        sim.schedule(CRYPTO_US, lambda: host.udp_send(src, IKE_PORT, IKE_PORT, ex.msg2, src=dst))

    def _respond_auth(self, ex: _Exchange, msg) -> None:
        host, sim = self.host, self.host.sim

        def refuse(code: int, reason: str) -> None:
            sim.record("ike", host.name, f"IKE from {ex.peer}", "refuse", reason)
            reply = _message(IKEv2(init_SPI=ex.spi_i, resp_SPI=ex.spi_r, exch_type="IKE_AUTH", flags="Response", id=1),
                             IKEv2_Notify(type=code))
            host.udp_send(ex.peer, IKE_PORT, IKE_PORT, reply, src=ex.local)

        proven = self._verify_peer(ex, msg, IKEv2_IDi, ex.msg1, ex.nonce_r, ex.sk_pi)
        if isinstance(proven, str):
            refuse(NOTIFY_AUTHENTICATION_FAILED, proven)
            return
        if host.identity is None:
            refuse(NOTIFY_AUTHENTICATION_FAILED, f"{host.name} has no certificate to answer with")
            return
        name, issuer = proven
        ts_i, ts_r = _ranges(msg[IKEv2_TSi]), _ranges(msg[IKEv2_TSr])
        tunnel = ts_i != (prefix(ex.peer),) or ts_r != (prefix(ex.local),)
        claimed = ts_i[0].network_address if tunnel and ts_i else ex.peer   # the address the identity speaks for
        # The initiator's traffic selectors cover every protocol and port: any traffic the SPD
        # protects with this peer is enough to accept the SA (each packet is still checked later).
        match = host.spd.protected_traffic_with(ex.local, claimed) or host.spd.lookup(
            PacketView.outbound(ex.local, claimed, "tcp", 0, 0))
        if match.action != "protect":
            refuse(NOTIFY_TS_UNACCEPTABLE, f"our SPD does not protect traffic with {claimed} ({match.label()})")
            return
        ex.rule_index = match.index
        ex.child_spi_i = int.from_bytes(bytes(msg[IKEv2_SA].prop.SPI), "big")
        offered = offered_transforms(msg)
        ours = self.proposals_for(ex.peer)
        number, transform = next(((n, t) for t in ours for n, known, _ in offered if known == t), (None, None))
        if transform is None:
            refuse(NOTIFY_NO_PROPOSAL_CHOSEN,
                   f"none of the ESP proposals ({'; '.join(w for _, _, w in offered) or 'none'}) is one our "
                   f"configuration allows ({_words(ours)})")
            return

        def decided(ok: bool, reason: str) -> None:
            if not ok:
                refuse(NOTIFY_AUTHENTICATION_FAILED, f"identity check failed: {reason}")
                return
            ex.child_spi_r = sim.rng.randrange(0x100, 0xFFFFFFFF)
            i2r, r2i = ex.child_keys(transform)
            out, inb = make_pair(ex.child_spi_r, ex.child_spi_i, i2r, r2i, ex.local, ex.peer, name, issuer,
                                 ex.rule_index, "tunnel" if tunnel else "transport", ts_i if tunnel else (),
                                 local_name=host.identity.name, transform=transform)
            host.sad.install(out, inb)
            inside = f"; tunnel mode for {', '.join(map(str, ts_i))} behind {ex.peer}" if tunnel else ""
            sim.record("esp", host.name, f"SA pair with {ex.peer}", "installed",
                       f"peer authenticated as {name} (certificate from {issuer}); "
                       f"out spi=0x{out.spi:08x}, in spi=0x{inb.spi:08x}{inside}{_unencrypted(transform)}")
            own = host.identity
            auth = own.sign(_signed_octets(ex.msg2, ex.nonce_i, ex.sk_pr, own.name))
            ex.state = "done"
            reply = _message(IKEv2(init_SPI=ex.spi_i, resp_SPI=ex.spi_r, exch_type="IKE_AUTH", flags="Response", id=1),
                             IKEv2_IDr(IDtype=ID_FQDN, ID=own.name.encode()), *_credentials(own, auth),
                             _child_sa(ex.child_spi_r, (transform,), (number,)), *_traffic_selectors(ts_i, ts_r))
            sim.schedule(CRYPTO_US, lambda: host.udp_send(ex.peer, IKE_PORT, IKE_PORT, reply, src=ex.local))

        check_peer(host, claimed, name, issuer, None, decided)


def _unencrypted(transform: Transform) -> str:
    """What the installed-SA line adds when the SA authenticates but does not encrypt (AES-GCM adds nothing)."""
    if transform.encrypts:
        return ""
    return f"; ESP with {transform.label}: every packet is authenticated, but its payload is not encrypted"


def describe_ike(data: bytes) -> str:
    """``IKE_AUTH request IDi=host-a.example.org CERT AUTH`` and the like."""
    try:
        msg = parse_message(data)
    except Exception:
        return "malformed"
    exch = msg.sprintf("%IKEv2.exch_type%")
    words = [exch, "response" if msg.flags & 0x20 else "request"]
    for layer, label in ((IKEv2_IDi, "IDi"), (IKEv2_IDr, "IDr")):
        if msg.haslayer(layer):
            words.append(f"{label}={bytes(msg[layer].ID).decode(errors='replace')}")
    if msg.haslayer(IKEv2_CERT):
        words.append("CERT")
    if msg.haslayer(IKEv2_AUTH):
        words.append("AUTH")
    if msg.haslayer(IKEv2_KE):
        words.append("KE Ni" if not msg.flags & 0x20 else "KE Nr")
    if msg.haslayer(IKEv2_Notify):
        code = msg[IKEv2_Notify].type
        words.append(f"Notify {NOTIFY_NAMES.get(code, code)}")
    if msg.haslayer(IKEv2_Delete):
        words.append("Delete")
    return " ".join(words)


__all__ = ["IkeDaemon", "describe_ike", "IKE_PORT", "IKE_TIMEOUT_US", "ip"]
