"""labsim/ipsec/sad.py: real ESP through scapy, replay and integrity checks."""

import pytest
from scapy.layers.ipsec import ESP

from labsim.addresses import ip
from labsim.addresses import prefix as ip_prefix
from labsim.errors import UnknownChoice
from labsim.ipsec.sad import (
    AES_GCM, ESP_NULL, IntegrityError, ReplayError, Sad, esp_tag_verifies, make_pair, transforms,
)
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


# ---------------------------------------------------------------- ESP with NULL encryption (RFC 2410, RFC 4868)

AUTH_AB, AUTH_BA = bytes(range(100, 132)), bytes(range(140, 172))


def null_pair_for(side, mode="transport"):
    inner = (ip_prefix("1.2.0.0/16"),) if mode == "tunnel" else ()
    if side == "a":
        return make_pair(0x2002, 0x1001, AUTH_BA, AUTH_AB, ip("1.2.0.5"), ip("1.2.3.4"), "server-b.example.org", "CA",
                         0, mode=mode, inner_remote=inner, transform=ESP_NULL)
    return make_pair(0x1001, 0x2002, AUTH_AB, AUTH_BA, ip("1.2.3.4"), ip("1.2.0.5"), "host-a.example.org", "CA", 0,
                     mode=mode, inner_remote=inner, transform=ESP_NULL)


@pytest.mark.parametrize("mode", ["transport", "tunnel"])
def test_esp_null_round_trip_leaves_the_payload_readable_on_the_wire(mode):
    """NULL encryption: the receiver gets the packet back, and the plaintext lies in the bytes on the wire."""
    a_out, _ = null_pair_for("a", mode)
    _, b_in = null_pair_for("b", mode)
    inner = tcp("1.2.0.5", "1.2.3.4", 40000, 80, "PA", b"GET /salaries.xlsx")
    wire = a_out.encrypt(inner, iv=b"\0" * 8)
    raw = bytes(wire)
    assert wire.haslayer(ESP) and wire[ESP].spi == 0x1001
    assert b"GET /salaries.xlsx" in raw and bytes(inner.payload) in raw
    assert payload_bytes(b_in.decrypt(wire)) == b"GET /salaries.xlsx"


def test_esp_null_icv_is_hmac_sha256_truncated_over_header_and_payload():
    """The last 16 bytes are HMAC-SHA2-256(integrity key, SPI | seq | payload and trailer), cut to 128 bits."""
    import hashlib
    import hmac
    a_out, _ = null_pair_for("a")
    wire = a_out.encrypt(tcp("1.2.0.5", "1.2.3.4", 1, 2, "PA", b"x"), iv=b"")
    data = bytes(wire[ESP].data)
    header = bytes(wire[ESP])[:8]
    assert data[-16:] == hmac.new(AUTH_AB, header + data[:-16], hashlib.sha256).digest()[:16]


@pytest.mark.parametrize("where", [-1, -20, -30, 4])
def test_a_flipped_byte_fails_the_null_sas_hmac_check(where):
    """Flip one byte of the ICV, the trailer, the readable payload or the ESP header's sequence number: the
    HMAC check fails, and the receiver refuses the packet before unwrapping it."""
    from scapy.layers.inet import IP
    a_out, _ = null_pair_for("a")
    _, b_in = null_pair_for("b")
    wire = a_out.encrypt(tcp("1.2.0.5", "1.2.3.4", 1, 2, "PA", b"pay me 100"), iv=b"")
    assert esp_tag_verifies(b_in, wire)
    raw = bytearray(bytes(wire))
    raw[20 + where if where > 0 else where] ^= 1
    altered = IP(bytes(raw))
    assert not esp_tag_verifies(b_in, altered)
    with pytest.raises(IntegrityError):
        b_in.decrypt(altered)


def test_a_null_sa_with_the_wrong_integrity_key_fails_and_replays_are_refused():
    a_out, _ = null_pair_for("a")
    _, b_in = null_pair_for("b")
    wrong = make_pair(0x1001, 0x2002, AUTH_BA, AUTH_AB, ip("1.2.3.4"), ip("1.2.0.5"), "host-a.example.org", "CA", 0,
                      transform=ESP_NULL)[1]
    wire = a_out.encrypt(tcp("1.2.0.5", "1.2.3.4", 1, 2, "S"), iv=b"")
    with pytest.raises(IntegrityError):
        wrong.decrypt(wire)
    b_in.decrypt(wire)
    with pytest.raises(ReplayError):
        b_in.decrypt(wire)


def test_aes_gcm_never_shows_the_payload():
    a_out, _ = pair_for("a")
    wire = a_out.encrypt(tcp("1.2.0.5", "1.2.3.4", 1, 2, "PA", b"GET /salaries.xlsx"), iv=b"\3" * 8)
    assert b"GET /salaries.xlsx" not in bytes(wire)


def test_key_material_must_fit_the_transform():
    with pytest.raises(ValueError, match="null needs 32 bytes of key material, not 20"):
        make_pair(1, 2, KEY_AB, KEY_BA, ip("1.2.0.5"), ip("1.2.3.4"), "x", "CA", 0, transform=ESP_NULL)


def test_wireshark_line_for_esp_null_names_null_encryption_and_the_hmac_key():
    """Wireshark's esp_sa table: "NULL" encryption with no key, "HMAC-SHA-256-128 [RFC4868]" with the 32-byte key."""
    out, _ = null_pair_for("a")
    assert out.wireshark_line() == ('"IPv4","1.2.0.5","1.2.3.4","0x00001001","NULL","",'
                                    f'"HMAC-SHA-256-128 [RFC4868]","0x{AUTH_AB.hex()}"')


def test_transforms_are_named_and_an_unknown_one_is_an_error():
    assert transforms(("null", "aes_gcm")) == (ESP_NULL, AES_GCM)
    assert (ESP_NULL.encr_id, ESP_NULL.integ_id, AES_GCM.encr_id, AES_GCM.integ_id) == (11, 12, 20, None)
    assert ESP_NULL.ike_words() == "ENCR_NULL + AUTH_HMAC_SHA2_256_128" and not ESP_NULL.encrypts
    with pytest.raises(UnknownChoice, match="unknown ESP transform 'des'; choose one of: aes_gcm, null"):
        transforms("des")
