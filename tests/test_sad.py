"""labsim/ipsec/sad.py: real ESP through scapy, replay and integrity checks."""

import pytest
from scapy.layers.ipsec import ESP

from labsim.addresses import ip
from labsim.ipsec.sad import ReplayError, Sad, make_pair
from labsim.packets import payload_bytes, tcp

KEY_AB, KEY_BA = bytes(range(20)), bytes(range(20, 40))


def pair_for(side):
    if side == "a":
        return make_pair(0x2002, 0x1001, KEY_BA, KEY_AB, ip("1.2.0.5"), ip("1.2.3.4"), "server-b.example.org", "CA", 0)
    return make_pair(0x1001, 0x2002, KEY_AB, KEY_BA, ip("1.2.3.4"), ip("1.2.0.5"), "host-a.example.org", "CA", 0)


def test_esp_round_trip_with_aes_gcm():
    """What one side encrypts on its outbound SA the other decrypts on its inbound SA."""
    a_out, _ = pair_for("a")
    _, b_in = pair_for("b")
    inner = tcp("1.2.0.5", "1.2.3.4", 40000, 80, "PA", b"secret")
    wire = a_out.encrypt(inner, iv=b"\0" * 8)
    assert wire.haslayer(ESP) and wire[ESP].spi == 0x1001 and b"secret" not in bytes(wire)
    assert payload_bytes(b_in.decrypt(wire)) == b"secret"


def test_replayed_packet_is_refused():
    """The same sequence number twice is a replay."""
    a_out, _ = pair_for("a")
    _, b_in = pair_for("b")
    wire = a_out.encrypt(tcp("1.2.0.5", "1.2.3.4", 1, 2, "S"), iv=b"\1" * 8)
    b_in.decrypt(wire)
    with pytest.raises(ReplayError):
        b_in.decrypt(wire)


def test_altered_packet_fails_the_integrity_check():
    """Flipping one ciphertext bit makes decryption fail."""
    a_out, _ = pair_for("a")
    _, b_in = pair_for("b")
    wire = a_out.encrypt(tcp("1.2.0.5", "1.2.3.4", 1, 2, "PA", b"pay me"), iv=b"\2" * 8)
    raw = bytearray(bytes(wire))
    raw[-20] ^= 1
    from scapy.layers.inet import IP
    with pytest.raises(Exception):
        b_in.decrypt(IP(bytes(raw)))


def test_sad_finds_outbound_by_peer_and_inbound_by_spi():
    """The SAD keeps one outbound SA per peer and inbound SAs by SPI."""
    sad = Sad()
    out, inb = pair_for("a")
    sad.install(out, inb)
    assert sad.find_outbound(ip("1.2.3.4")) is out and sad.inbound[0x2002] is inb
    assert sad.remove_peer(ip("1.2.3.4")) == [out, inb] and sad.find_outbound(ip("1.2.3.4")) is None


def test_wireshark_line_has_the_esp_sa_format():
    """One esp_sa UAT line per SA, from its sender's side, key then salt in hex."""
    out, _ = pair_for("a")
    assert out.wireshark_line() == ('"IPv4","1.2.0.5","1.2.3.4","0x00001001","AES-GCM with 16 octet ICV [RFC4106]",'
                                    f'"0x{KEY_AB.hex()}","NULL",""')
