"""labsim/ipsec/ike.py on the wire: certificates stay DER bytes through scapy, and the bytes are standard."""

from scapy.contrib.ikev2 import IKEv2, IKEv2_AUTH, IKEv2_CERT, IKEv2_IDi

from labsim.ipsec.ike import CERT_X509_SIGNATURE, _Certificate, _message, describe_ike, parse_message
from labsim.pki import CertificateAuthority


def _auth_message(cert_class):
    der = CertificateAuthority.create("Wire CA", 3).issue("a.example.org").cert_der
    head = IKEv2(init_SPI=b"12345678", resp_SPI=b"87654321", exch_type="IKE_AUTH", flags="Initiator", id=1)
    return der, _message(head, IKEv2_IDi(IDtype=2, ID=b"a.example.org"),
                         cert_class(cert_encoding=CERT_X509_SIGNATURE, cert_data=der),
                         IKEv2_AUTH(auth_type=14, load=b"s" * 64))


def test_the_certificate_payload_is_the_standard_one():
    """Built with the DER-bytes payload class, the message is byte for byte what scapy's own class builds."""
    assert _auth_message(_Certificate)[1] == _auth_message(IKEv2_CERT)[1]


def test_parsing_keeps_the_certificate_as_sent_and_the_wire_untouched():
    """parse_message hands back the DER bytes that were sent, and leaves the message bytes alone."""
    der, data = _auth_message(_Certificate)
    before = bytes(data)
    msg = parse_message(data)
    assert bytes(msg[IKEv2_CERT].cert_data) == der and data == before
    assert describe_ike(data) == "IKE_AUTH request IDi=a.example.org CERT AUTH"


def test_truncated_messages_end_in_words_not_loops():
    """A message cut short, or with a zero payload length, is described (maybe as malformed), never hangs."""
    _, data = _auth_message(_Certificate)
    broken = bytearray(data)
    broken[30:32] = b"\x00\x00"
    for sample in (data[:10], data[:29], data[:40], data[: len(data) // 2], bytes(broken)):
        assert isinstance(describe_ike(sample), str)
