"""labsim/ipsec/ike.py: IKEv2 with real certificates, signatures and derived keys."""

from dataclasses import replace

from labsim.addresses import ip
from labsim.apps import ClientApp, ServerApp
from labsim.pki import CertificateAuthority
from labsim.result import play, run
from labsim.scenarios.cast import corp_world


def two_hosts(seed=0):
    corp = corp_world(seed, "test", with_internet=False)
    a = corp.host("host-a", "1.2.0.5", "client")
    b = corp.host("server-b", "1.2.3.4", "server")
    for h in (a, b):
        corp.ipsec(h, "protect remote 1.2.0.0/16")
    corp.resolver(a, hosts_file={"server-b.example.org": "1.2.3.4"})
    ServerApp(b, 80)
    ClientApp(a, "server-b.example.org", 80)
    return corp, a, b


def test_both_ends_derive_the_same_keys_without_sending_them():
    """After IKE, host-a's outbound SA and server-b's inbound SA share SPI and key, and the keys never crossed the wire."""
    corp, a, b = two_hosts()
    result = play(corp.world, "t")
    assert result.outcome == "protected"
    a_out = a.sad.find_outbound(ip("1.2.3.4"))
    b_in = b.sad.inbound[a_out.spi]
    assert a_out.key == b_in.key and len(a_out.key) == 20
    b_out = b.sad.find_outbound(ip("1.2.0.5"))
    assert a.sad.inbound[b_out.spi].key == b_out.key != a_out.key
    wire = b"".join(e.packet for e in result.events if e.is_packet)
    assert a_out.key[:16] not in wire and b_out.key[:16] not in wire


def test_a_stolen_certificate_without_its_key_fails_auth():
    """pc-c presents server-b's certificate but signs with its own key: the AUTH signature does not verify."""
    corp, a, b = two_hosts()
    c = corp.host("pc-c", "1.2.0.7", "insider", malicious=True)
    corp.ipsec(c, "protect remote 1.2.0.0/16")
    c.identity = replace(corp.ca.issue("server-b.example.org"), key=corp.ca.issue("pc-c.example.org").key)
    ServerApp(c, 80)
    corp.world.hijack(c, "1.2.3.4", "test")
    result = play(corp.world, "t")
    assert result.outcome == "blocked"
    assert "AUTH of server-b.example.org  fail  signature does not verify" in result.trace_text()


def test_a_certificate_from_an_untrusted_ca_is_rejected():
    """A peer certified by a CA host-a does not trust cannot complete IKE."""
    corp, a, b = two_hosts()
    b.identity = CertificateAuthority.create("Rogue CA", 0).issue("server-b.example.org")
    result = play(corp.world, "t")
    assert result.outcome == "blocked"
    assert "issuer 'Rogue CA' is not a trusted CA" in result.trace_text()


def test_responder_refuses_traffic_its_spd_does_not_protect():
    """A responder whose SPD says BYPASS for the initiator answers TS_UNACCEPTABLE."""
    corp, a, b = two_hosts()
    from labsim.ipsec.spd import parse_spd
    b.spd = parse_spd("bypass any")
    result = play(corp.world, "t")
    assert result.outcome == "blocked"
    assert "refused us: TS_UNACCEPTABLE" in result.trace_text()


def test_a_silent_peer_times_out_after_three_seconds():
    """No IKE daemon at the peer: IKE fails after 3 s and the waiting packet is discarded."""
    result = run("basics", server_ipsec="off")
    fail = next(e for e in result.events if e.kind == "ike" and e.decision == "fail")
    assert fail.time_us == 1_000 + 3_000_000 and "did not complete IKE within 3 s" in fail.reason


def test_ike_messages_carry_identity_certificate_and_signature():
    """IKE_AUTH shows IDi/IDr, CERT and AUTH in the capture summaries."""
    text = run("basics").trace_text()
    assert "IKE_AUTH request IDi=host-a.example.org CERT AUTH" in text
    assert "IKE_AUTH response IDr=server-b.example.org CERT AUTH" in text


def test_a_name_selector_is_enforced_on_the_first_packet():
    """A PROTECT rule naming server-b refuses pc-c's SA before any packet goes out, whatever the name check."""
    spd = ("bypass remote 1.2.0.53 proto udp port 53\nprotect remote 1.2.3.4 name server-b.example.org\n"
           "protect remote 1.2.0.0/16\nbypass any")
    result = run("fig2", spd={"host-a": spd})
    assert result.outcome == "blocked"
    assert "the SPD rule requires server-b.example.org, but the peer authenticated as pc-c.example.org" in result.trace_text()
    assert not any(e.kind == "esp" and e.is_packet and e.host == "host-a" for e in result.events)
    assert run("fig2", spd={"host-a": spd}, name_check="name_handle").outcome == "blocked"


# ---------------------------------------------------------------- negotiating the ESP transform (RFC 7296 3.3)

def _ike_auth(result, direction: str):
    """The first IKE_AUTH message of ``direction`` ("request" or "response") on the wire, dissected."""
    from scapy.layers.inet import IP, UDP
    from labsim.ipsec.ike import parse_message
    event = next(e for e in result.events if e.kind == "ike" and e.packet and f"IKE_AUTH {direction}" in e.summary)
    return parse_message(bytes(IP(event.packet)[UDP].payload))


def test_both_ends_configured_for_esp_null_negotiate_it_and_derive_integrity_keys():
    """ENCR_NULL + AUTH_HMAC_SHA2_256_128 offered and chosen; each direction gets its own 32-byte HMAC key."""
    from labsim.ipsec.ike import offered_transforms
    from labsim.ipsec.sad import ESP_NULL
    corp, a, b = two_hosts()
    for h in (a, b):
        h.ike.configure_esp(["null"])
    result = play(corp.world, "t")
    assert result.outcome == "protected", result.text()   # the intranet is trusted: no one there reads it
    a_out, b_out = a.sad.find_outbound(ip("1.2.3.4")), b.sad.find_outbound(ip("1.2.0.5"))
    assert a_out.transform is b.sad.inbound[a_out.spi].transform is ESP_NULL
    assert a_out.key == b.sad.inbound[a_out.spi].key and len(a_out.key) == 32 and a_out.key != b_out.key
    assert [(n, t) for n, t, _ in offered_transforms(_ike_auth(result, "request"))] == [(1, ESP_NULL)]
    assert [(n, t) for n, t, _ in offered_transforms(_ike_auth(result, "response"))] == [(1, ESP_NULL)]
    text = result.trace_text()
    assert "ESP with NULL encryption and HMAC-SHA2-256-128 integrity: every packet is authenticated, but its " \
           "payload is not encrypted" in text
    assert "'GET /salaries.xlsx' in ESP with NULL encryption: readable" in text


def test_the_responder_picks_the_first_of_its_own_transforms_that_was_offered():
    """host-a offers AES-GCM then NULL (proposals 1 and 2); server-b prefers NULL, so answers with proposal 2."""
    from labsim.ipsec.ike import offered_transforms
    from labsim.ipsec.sad import AES_GCM, ESP_NULL
    corp, a, b = two_hosts()
    a.ike.configure_esp(["aes_gcm", "null"])
    b.ike.configure_esp(["null", "aes_gcm"])
    result = play(corp.world, "t")
    assert [(n, t) for n, t, _ in offered_transforms(_ike_auth(result, "request"))] == [(1, AES_GCM), (2, ESP_NULL)]
    assert [(n, t) for n, t, _ in offered_transforms(_ike_auth(result, "response"))] == [(2, ESP_NULL)]
    assert a.sad.find_outbound(ip("1.2.3.4")).transform is ESP_NULL


def test_no_common_transform_is_no_proposal_chosen():
    """host-a allows only ESP with NULL encryption, server-b only AES-GCM: server-b answers NO_PROPOSAL_CHOSEN,
    no SA is installed and the request is discarded."""
    corp, a, b = two_hosts()
    a.ike.configure_esp("null")
    result = play(corp.world, "t")
    assert result.outcome == "blocked" and not a.sad.history and not b.sad.history
    text = result.trace_text()
    assert ("server-b    ike     IKE from 1.2.0.5  refuse  none of the ESP proposals (ENCR_NULL + "
            "AUTH_HMAC_SHA2_256_128) is one our configuration allows (ENCR_AES_GCM_16)") in text
    assert ("IKE with 1.2.3.4  fail  1.2.3.4 refused us: NO_PROPOSAL_CHOSEN (we proposed ENCR_NULL + "
            "AUTH_HMAC_SHA2_256_128)") in text
    assert "Notify NO_PROPOSAL_CHOSEN" in text
    assert "NO_PROPOSAL_CHOSEN" in result.explanation


def test_a_peer_specific_proposal_applies_to_that_peer_only():
    """A connection's own esp_proposals (a VPN profile's, say) override the host's for that peer alone."""
    from labsim.ipsec.sad import AES_GCM, ESP_NULL
    corp, a, b = two_hosts()
    a.ike.configure_esp("null", peer="1.2.0.1")
    assert a.ike.proposals_for(ip("1.2.0.1")) == (ESP_NULL,) and a.ike.proposals_for(ip("1.2.3.4")) == (AES_GCM,)
    assert play(corp.world, "t").outcome == "protected"
    assert a.sad.find_outbound(ip("1.2.3.4")).transform is AES_GCM


def test_a_responder_answer_with_a_transform_never_offered_is_refused(monkeypatch):
    """The initiator checks the responder's choice: a transform it did not propose fails IKE. (server-b is made to
    misread host-a's offer as including ESP with NULL encryption, which it prefers.)"""
    import labsim.ipsec.ike as ike
    corp, a, b = two_hosts()
    b.ike.configure_esp("null")
    original, calls = ike.offered_transforms, []

    def misread(msg):
        calls.append(msg)
        extra = [(2, ike.TRANSFORMS["null"], "ENCR_NULL + AUTH_HMAC_SHA2_256_128")] if len(calls) == 1 else []
        return original(msg) + extra
    monkeypatch.setattr(ike, "offered_transforms", misread)
    result = play(corp.world, "t")
    assert result.outcome == "blocked" and len(calls) == 2
    assert "the responder chose ENCR_NULL + AUTH_HMAC_SHA2_256_128, which we did not propose" in result.trace_text()


def test_an_unknown_transform_name_is_an_error_naming_the_valid_ones():
    import pytest
    from labsim.errors import UnknownChoice
    corp, a, b = two_hosts()
    with pytest.raises(UnknownChoice, match="unknown ESP transform 'aes_cbc'; choose one of: aes_gcm, null"):
        a.ike.configure_esp(["aes_cbc"])
