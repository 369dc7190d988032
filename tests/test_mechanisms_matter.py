"""Every security mechanism decides a verdict a student can reach with toggles (issue 11, section 2).

Each test breaks one mechanism (a mutant, made with monkeypatch) and shows that a scenario
run changes its verdict: the intact mechanism blocks the attack, the broken one lets it
through. A test named after the mechanism thus kills that mechanism's mutant.
"""

import labsim.apps
import labsim.host
import labsim.ipsec.ike
import labsim.ipsec.sad
import labsim.ipsec.spd
import labsim.pki
from labsim import run


def _outcome(scenario, flow="main", **toggles):
    result = run(scenario, toggles)
    verdict = result.verdicts[flow]
    return verdict.outcome, verdict.attack_succeeded, result


def test_certificate_signature_check(monkeypatch):
    """fig1 attacker_at=protected attacker_cert=other_ca: a certificate from the attacker's own CA, which calls
    itself Example Corp CA. The CA signature check refuses it; without the check, the attacker passes for server-b."""
    toggles = {"attacker_at": "protected", "attacker_cert": "other_ca"}
    outcome, attack, result = _outcome("fig1", **toggles)
    assert (outcome, attack) == ("blocked", False)
    assert "its signature does not verify with Example Corp CA's key: some other CA signed it" in result.trace_text()
    monkeypatch.setattr(labsim.pki, "ca_signature_verifies", lambda ca, cert: True)
    outcome, attack, result = _outcome("fig1", **toggles)
    assert (outcome, attack, result.authenticated_as) == ("exposed", True, "server-b.example.org"), result.text()


def test_certificate_issuer_check(monkeypatch):
    """The issuer check finds the trusted CA that must have signed the certificate: broken (no CA found), every
    honest exchange fails, and fig1 dns=honest goes from protected to blocked."""
    assert _outcome("fig1", dns="honest")[0] == "protected"
    monkeypatch.setattr(labsim.pki, "trusted_issuer", lambda trusted, name: None)
    outcome, attack, result = _outcome("fig1", dns="honest")
    assert outcome == "blocked", result.text()
    assert "is not a trusted CA" in result.trace_text()


def test_certificate_issuer_check_refuses_an_untrusted_issuer(monkeypatch):
    """fig1 attacker_at=protected attacker_cert=untrusted_ca: a certificate naming server-b from the attacker's own
    CA under its own name, 'Attacker CA'. The issuer check refuses it (blocked); with the issuer check broken (the
    mutant of tools/mutate.py), the unknown issuer's certificate is taken on its own word and the attacker passes
    for server-b."""
    from mutants import apply_in_process

    toggles = {"attacker_at": "protected", "attacker_cert": "untrusted_ca"}
    outcome, attack, result = _outcome("fig1", **toggles)
    assert (outcome, attack) == ("blocked", False)
    assert ("certificate of server-b.example.org  fail  issuer 'Attacker CA' is not a trusted CA (trusted: Example "
            "Corp CA)  [certificate check]") in result.trace_text()
    apply_in_process("certificate issuer check", monkeypatch)
    # ike.py imported verify_certificate by name: point it at the mutated function too
    monkeypatch.setattr(labsim.ipsec.ike, "verify_certificate", labsim.pki.verify_certificate)
    outcome, attack, result = _outcome("fig1", **toggles)
    assert (outcome, attack, result.reached_peer, result.authenticated_as) == \
        ("exposed", True, "attacker", "server-b.example.org"), result.text()


def test_ike_auth_signature_check(monkeypatch):
    """fig1 attacker_cert=stolen: server-b's real certificate, but not its key. The AUTH signature check refuses;
    without it the attacker passes for server-b."""
    toggles = {"attacker_at": "protected", "attacker_cert": "stolen"}
    outcome, attack, result = _outcome("fig1", **toggles)
    assert (outcome, attack) == ("blocked", False)
    assert "AUTH of server-b.example.org  fail  signature does not verify" in result.trace_text()
    monkeypatch.setattr(labsim.ipsec.ike, "auth_signature_verifies", lambda key, signature, octets: True)
    outcome, attack, result = _outcome("fig1", **toggles)
    assert (outcome, attack, result.reached_peer) == ("exposed", True, "attacker"), result.text()


def test_esp_integrity_tag_check(monkeypatch):
    """basics tamper=on: an on-path attacker flips a bit of the ESP data packet. The tag check drops it (blocked);
    without the check, server-b accepts altered data (exposed)."""
    outcome, attack, result = _outcome("basics", tamper="on")
    assert (outcome, attack) == ("blocked", False)
    assert "server-b    drop    ESP 1.2.0.5 > 1.2.3.4 spi=" in result.trace_text()
    assert "discard  ESP integrity check failed (wrong key or altered packet)" in result.trace_text()
    monkeypatch.setattr(labsim.ipsec.sad, "esp_tag_verifies", lambda sa, pkt: True)
    outcome, attack, result = _outcome("basics", tamper="on")
    assert (outcome, attack) == ("exposed", True), result.text()
    assert "'FET /salaries.xlsx'" in result.trace_text()


def test_spd_name_selector(monkeypatch):
    """fig2 name_selector=on: IKE demands that whoever answers for 1.2.3.4 is server-b.example.org; pc-c is
    refused (blocked). Without the check, pc-c impersonates server-b again."""
    outcome, attack, result = _outcome("fig2", name_selector="on")
    assert (outcome, attack) == ("blocked", False)
    assert ("name selector server-b.example.org  fail  the SPD rule requires server-b.example.org, but the peer "
            "authenticated as pc-c.example.org  [SPD name selector]") in result.trace_text()
    monkeypatch.setattr(labsim.ipsec.spd, "name_selector_admits", lambda required, authenticated: True)
    outcome, attack, result = _outcome("fig2", name_selector="on")
    assert (outcome, attack, result.problem) == ("impersonated", True, "1b"), result.text()


def test_inbound_selector_check(monkeypatch):
    """fig2 insider=inner_source: pc-c sends, through its own SA with host-a, packets whose inner source is
    1.2.3.4. The check after decryption (RFC 4301 section 5.2) drops them; without it, host-a's file sharing
    takes pc-c's data as server-b's."""
    outcome, attack, result = _outcome("fig2", "attack", insider="inner_source")
    assert (outcome, attack) == ("blocked", False)
    assert "discard  the decrypted packet's source 1.2.3.4 is outside the SA's selectors (pc-c.example.org's SA " \
           "covers 1.2.0.7)" in result.trace_text()
    monkeypatch.setattr(labsim.host, "inbound_selectors_admit", lambda sa, src: True)
    outcome, attack, result = _outcome("fig2", "attack", insider="inner_source")
    assert (outcome, attack) == ("exposed", True), result.text()
    assert result.verdicts["attack"].problem == "1b"
    assert "host-a's file sharing gets the application data through an SA with pc-c.example.org" in result.trace_text()


def test_application_peer_check_solution_1(monkeypatch):
    """fig2 name_check=application: the application refuses pc-c; an application that does not ask its socket
    (verify_peer off) sends its data to pc-c."""
    outcome, attack, result = _outcome("fig2", name_check="application")
    assert (outcome, attack) == ("blocked", False)
    original = labsim.apps.ClientApp.__init__

    def careless(self, *args, **kwargs):
        kwargs["verify_peer"] = False
        original(self, *args, **kwargs)
    monkeypatch.setattr(labsim.apps.ClientApp, "__init__", careless)
    assert _outcome("fig2", name_check="application")[0] == "impersonated"

