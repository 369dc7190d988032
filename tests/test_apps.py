"""labsim/apps.py: the client application (solution 1 fails closed) and the server's record of what arrived."""

from labsim import run
from labsim.pki import CertificateAuthority
from labsim.result import play
from labsim.scenarios import get


def test_solution_1_refuses_a_connection_that_is_not_protected():
    """fig1 name_check=application: the forged address is bypassed; the socket says no IPsec, so nothing is sent."""
    result = run("fig1", name_check="application")
    assert (result.outcome, result.attack_succeeded) == ("blocked", False)
    assert "refuse  the connection is not protected by IPsec, so nobody proved who the peer is; the application " \
           "closes without sending  [application check]" in result.trace_text()
    assert "GET /salaries.xlsx" not in result.trace_text()


def test_solution_1_given_only_an_address_has_no_name_to_compare_and_refuses():
    """Appendix A with solution 1: the user typed the address; the application fails closed, even for server-b."""
    result = run("fig2", connect_by="address", name_check="application")
    assert result.outcome == "blocked"
    assert "the application was given only an address, so it has no name to compare" in result.trace_text()


def test_solution_1_refuses_a_certificate_from_another_ca_than_expected():
    """A peer certified as server-b by a CA the host trusts for something else is refused by the application."""
    spec = get("fig1")
    values = spec.resolve_toggles({"attacker_at": "protected", "attacker_cert": "same_ca",
                                   "name_check": "application"})
    world = spec.build(values)
    partner = CertificateAuthority.create("Partner CA", 3)
    world.host("host-a").trusted_cas.append(partner)
    world.host("attacker").identity = partner.issue("server-b.example.org")
    result = play(world, "fig1", values)
    assert result.outcome == "blocked", result.text()
    assert "refuse  the peer's certificate comes from Partner CA, not Example Corp CA" in result.trace_text()


def test_solution_1_passes_the_real_server():
    result = run("fig1", dns="honest", name_check="application")
    assert result.outcome == "protected"
    assert "pass  the socket says the peer is server-b.example.org, certified by Example Corp CA" in result.trace_text()


def test_the_server_records_what_arrived_and_how():
    """The received record is the receiver's account: the bytes, the SA and the name its own end proved."""
    result = run("basics")
    record = next(e for e in result.world.ledger if e["fact"] == "received")
    assert (record["data"], record["protected"], record["own_name"], record["peer_name"]) == \
        (b"GET /salaries.xlsx", True, "server-b.example.org", "host-a.example.org")


def _honest_fig1_with_esp_null(name_check: str):
    """fig1 dns=honest, with host-a and server-b allowing only ESP with NULL encryption."""
    spec = get("fig1")
    values = spec.resolve_toggles({"dns": "honest", "name_check": name_check})
    world = spec.build(values)
    for host in ("host-a", "server-b"):
        world.host(host).ike.configure_esp("null")
    return play(world, "fig1", values)


def test_the_socket_reports_whether_its_sas_encrypt():
    """Section 5.5: the socket API says whether the data is authenticated and/or encrypted. With ESP-NULL on both
    ends the peer is server-b, authenticated, but not encrypted; the checking application refuses to send."""
    result = _honest_fig1_with_esp_null("application")
    assert result.outcome == "blocked", result.text()
    assert ("refuse  the socket reports that its SAs authenticate but do not encrypt (ESP with NULL encryption), so "
            "the request would cross the network readable; the application closes without sending") \
        in result.trace_text()
    assert "GET /salaries.xlsx" not in result.trace_text()


def test_without_the_application_check_esp_null_inside_the_intranet_is_protected():
    """Nobody reads the intranet, so the same run without the check delivers the request: protected (the verdict
    counts readers on the networks crossed, and the intranet has none)."""
    result = _honest_fig1_with_esp_null("none")
    assert result.outcome == "protected", result.text()
    assert "in ESP with NULL encryption: readable" in result.trace_text()
