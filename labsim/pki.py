"""Real X.509 certificates for the simulated organisation, made with ``cryptography``.

One certification authority signs host certificates whose subjectAltName holds the host's
DNS name (RFC 5280 section 4.2.1.6). Keys are Ed25519, derived from the scenario seed so
every run makes byte-identical certificates; signatures are real and really verified.

>>> ca = CertificateAuthority.create("Example Corp CA", seed=7)
>>> server = ca.issue("server-b.example.org")
>>> check = verify_certificate(server.cert_der, [ca], SIM_EPOCH)
>>> check.ok, check.names, check.issuer
(True, ('server-b.example.org',), 'Example Corp CA')
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from functools import lru_cache

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.x509.oid import NameOID

#: Simulated time zero: the world of the paper (2005). Certificates are valid around it.
SIM_EPOCH = datetime.datetime(2005, 6, 1, tzinfo=datetime.timezone.utc)
NOT_BEFORE = SIM_EPOCH - datetime.timedelta(days=30)
NOT_AFTER = SIM_EPOCH + datetime.timedelta(days=365)


def derived_key(seed: int, label: str) -> Ed25519PrivateKey:
    """An Ed25519 key that depends only on (seed, label): deterministic, and distinct per label."""
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(f"labsim/{seed}/{label}".encode()).digest())


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class Identity:
    """A host's certificate and private key: what it presents and signs with in IKE."""

    name: str
    cert_der: bytes
    key: Ed25519PrivateKey
    issuer: str

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_der_x509_certificate(self.cert_der)

    def sign(self, data: bytes) -> bytes:
        return self.key.sign(data)


@dataclass(frozen=True)
class CertificateAuthority:
    name: str
    seed: int
    cert_der: bytes
    key: Ed25519PrivateKey

    @classmethod
    def create(cls, name: str, seed: int = 0) -> CertificateAuthority:
        return _make_ca(name, seed)

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.key.public_key()

    def issue(self, dns_name: str) -> Identity:
        """A host certificate for ``dns_name`` (SAN dNSName), signed by this CA."""
        return _issue(self, dns_name)


@lru_cache(maxsize=64)
def _make_ca(name: str, seed: int) -> CertificateAuthority:
    key = derived_key(seed, f"ca/{name}")
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
                         x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(int.from_bytes(hashlib.sha256(f"{seed}/{name}".encode()).digest()[:8], "big"))
        .not_valid_before(NOT_BEFORE).not_valid_after(NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, None)
    )
    return CertificateAuthority(name, seed, cert.public_bytes(serialization.Encoding.DER), key)


@lru_cache(maxsize=4096)
def _issue(ca: CertificateAuthority, dns_name: str) -> Identity:
    key = derived_key(ca.seed, f"host/{ca.name}/{dns_name}")
    ca_cert = x509.load_der_x509_certificate(ca.cert_der)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, dns_name)]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(int.from_bytes(hashlib.sha256(f"{ca.name}/{dns_name}".encode()).digest()[:8], "big"))
        .not_valid_before(NOT_BEFORE).not_valid_after(NOT_AFTER)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(dns_name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca.key, None)
    )
    return Identity(dns_name, cert.public_bytes(serialization.Encoding.DER), key, ca.name)


@dataclass(frozen=True)
class CertificateCheck:
    ok: bool
    reason: str
    names: tuple[str, ...] = ()
    issuer: str = ""
    public_key: Ed25519PublicKey | None = None


def trusted_issuer(trusted, issuer_name: str) -> CertificateAuthority | None:
    """The issuer check: the CA the certificate names as its issuer must be one the host trusts."""
    return next((ca for ca in trusted if ca.name == issuer_name), None)


def ca_signature_verifies(ca: CertificateAuthority, cert: x509.Certificate) -> bool:
    """The signature check: the certificate was really signed with that CA's private key."""
    try:
        ca.public_key.verify(cert.signature, cert.tbs_certificate_bytes)
    except InvalidSignature:
        return False
    return True


def verify_certificate(cert_der: bytes, trusted: list[CertificateAuthority] | tuple,
                       now: datetime.datetime) -> CertificateCheck:
    """Check a host certificate: issued by a trusted CA (real signature), valid now, with DNS names."""
    try:
        cert = x509.load_der_x509_certificate(cert_der)
    except ValueError as exc:
        return CertificateCheck(False, f"certificate does not parse: {exc}")
    issuer = cert.issuer.get_attributes_for_oid(NameOID.COMMON_NAME)
    issuer_name = issuer[0].value if issuer else cert.issuer.rfc4514_string()
    ca = trusted_issuer(trusted, issuer_name)
    if ca is None:
        known = ", ".join(ca.name for ca in trusted) or "none"
        return CertificateCheck(False, f"issuer {issuer_name!r} is not a trusted CA (trusted: {known})",
                                issuer=issuer_name)
    if not ca_signature_verifies(ca, cert):
        return CertificateCheck(False, f"the certificate names {ca.name} as its issuer, but its signature does not "
                                       f"verify with {ca.name}'s key: some other CA signed it", issuer=issuer_name)
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        return CertificateCheck(False, "certificate is not valid at this time", issuer=issuer_name)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = tuple(san.get_values_for_type(x509.DNSName))
    except x509.ExtensionNotFound:
        names = ()
    if not names:
        return CertificateCheck(False, "certificate names no DNS name (subjectAltName dNSName)", issuer=issuer_name)
    key = cert.public_key()
    if not isinstance(key, Ed25519PublicKey):
        return CertificateCheck(False, "unsupported key type", names, issuer_name)
    return CertificateCheck(True, f"signed by {ca.name}, valid, names {', '.join(names)}", names, issuer_name, key)


def public_key_bytes(key: Ed25519PublicKey) -> bytes:
    return _raw_public(key)
