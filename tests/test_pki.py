"""labsim/pki.py: real X.509 certificates, really verified."""

import datetime

from cryptography import x509

from labsim.pki import SIM_EPOCH, CertificateAuthority, verify_certificate


def test_host_certificate_names_the_host_in_subject_alt_name():
    """Host certificates carry the DNS name as a SAN dNSName, signed by the CA."""
    ca = CertificateAuthority.create("Example Corp CA", seed=1)
    cert = ca.issue("server-b.example.org").certificate
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["server-b.example.org"]
    check = verify_certificate(ca.issue("server-b.example.org").cert_der, [ca], SIM_EPOCH)
    assert check.ok and check.issuer == "Example Corp CA"


def test_certificates_are_deterministic_per_seed():
    """The same seed makes byte-identical certificates; another seed other keys."""
    a = CertificateAuthority.create("Example Corp CA", seed=1).issue("pc-c.example.org").cert_der
    b = CertificateAuthority.create("Example Corp CA", seed=1).issue("pc-c.example.org").cert_der
    c = CertificateAuthority.create("Example Corp CA", seed=2).issue("pc-c.example.org").cert_der
    assert a == b != c


def test_a_certificate_from_an_untrusted_ca_fails():
    """Only CAs in the trusted list count."""
    rogue = CertificateAuthority.create("Rogue CA", seed=1)
    ca = CertificateAuthority.create("Example Corp CA", seed=1)
    check = verify_certificate(rogue.issue("server-b.example.org").cert_der, [ca], SIM_EPOCH)
    assert not check.ok and "is not a trusted CA" in check.reason


def test_a_forged_ca_name_fails_the_signature_check():
    """A CA that calls itself 'Example Corp CA' but holds another key is caught by the real signature check."""
    real = CertificateAuthority.create("Example Corp CA", seed=1)
    impostor = CertificateAuthority.create("Example Corp CA", seed=99)
    check = verify_certificate(impostor.issue("server-b.example.org").cert_der, [real], SIM_EPOCH)
    assert not check.ok and "does not verify" in check.reason


def test_an_expired_certificate_fails():
    """Certificates are checked against simulated time."""
    ca = CertificateAuthority.create("Example Corp CA", seed=1)
    later = SIM_EPOCH + datetime.timedelta(days=3650)
    assert "not valid at this time" in verify_certificate(ca.issue("a.example.org").cert_der, [ca], later).reason
