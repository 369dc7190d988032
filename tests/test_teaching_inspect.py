"""labsim/teaching/inspect.py and the demo helper of nb03: real certificates, real packets, real runs."""

import pytest

from labsim import LabsimError, run
from labsim.teaching import inspect
from labsim.teaching.nb03 import without_insider


def said(capsys):
    return capsys.readouterr().out


def test_a_certificate_names_a_host_not_an_address():
    """server-b's certificate carries its DNS name, the CA as issuer, a validity period, and no IP address."""
    facts = inspect.certificate_facts(run("basics"), "server-b")
    assert facts["subject"] == "CN=server-b.example.org"
    assert facts["names (subjectAltName dNSName)"] == "server-b.example.org"
    assert facts["IP addresses (subjectAltName iPAddress)"] == "none"
    assert "Example Corp CA" in facts["issuer"]
    assert (facts["valid from"], facts["valid until"]) == ("2005-05-02", "2006-06-01")


def test_a_host_without_ipsec_has_no_certificate_to_show():
    """Asking for the printer's certificate says why there is none."""
    with pytest.raises(LabsimError, match="printer-b has no certificate"):
        inspect.certificate_facts(run("basics"), "printer-b")


def test_the_esp_request_hides_ports_and_payload_but_not_addresses_spi_or_sequence():
    """Read from the real ESP bytes: IP and ESP headers in clear, TCP and the request encrypted."""
    facts = inspect.wire_facts(run("basics"))
    visible = {name for name, (holds, _) in facts.items() if holds}
    assert visible == {"the source address", "the destination address", "the SPI", "the sequence number"}


def test_the_clear_request_shows_everything():
    """With BYPASS, the port and the request text are on the wire, and there is no ESP header."""
    facts = inspect.wire_facts(run("basics", policy="bypass"))
    visible = {name for name, (holds, _) in facts.items() if holds}
    assert visible == {"the source address", "the destination address", "the destination port", "the request text"}


def test_decrypting_with_the_sas_key_gives_back_the_request():
    """A copy of host-a's outbound SA decrypts the ESP packet to TCP carrying 'GET /salaries.xlsx'."""
    result = run("basics")
    inner = inspect.decrypt(result, inspect.request_event(result).packet)
    assert bytes(inner["Raw"].load) == b"GET /salaries.xlsx" and inner["TCP"].dport == 80


def test_show_request_prints_the_wire_view_then_the_decrypted_one(capsys):
    """The printout has scapy's ESP layer with spi and seq, says the text is absent, then the decrypted TCP."""
    inspect.show_request(run("basics"))
    out = said(capsys)
    assert "###[ ESP ]###" in out and "spi       = 0x" in out and "seq       = 2" in out
    assert "appear in these bytes? no." in out
    assert out.index("decrypted with host-a's outbound SA") < out.index("load      = b'GET /salaries.xlsx'")


def test_no_request_no_packet_to_show():
    """A blocked run sent no application data; the helper says so instead of failing obscurely."""
    with pytest.raises(LabsimError, match="sent no application data"):
        inspect.request_event(run("basics", policy="discard"))


def test_trace_lines_filters_by_words_and_host(capsys):
    """Only lines with one of the words, from the given host."""
    inspect.trace_lines(run("basics"), "certificate of", host="host-a")
    lines = said(capsys).splitlines()
    assert len(lines) == 1 and "host-a" in lines[0] and "certificate of server-b.example.org  pass" in lines[0]


@pytest.mark.parametrize("name_check", ["none", "forward_dns", "reverse_dns", "secure_reverse_dns", "pad",
                                        "name_handle", "application"])
def test_without_the_insider_every_check_lets_the_real_server_in(name_check):
    """Figure 2's office with pc-c behaving: each name check accepts server-b when DNS is signed."""
    result = without_insider(name_check)
    assert (result.outcome, result.authenticated_as) == ("protected", "server-b.example.org")


def test_secure_reverse_dns_refuses_the_real_server_when_the_reverse_zone_is_unsigned():
    """Section 5.2's cost: without signed reverse records, the validated lookup fails for everyone."""
    result = without_insider("secure_reverse_dns", dnssec=False)
    assert result.outcome == "blocked"
    assert "no validated reverse record for 1.2.3.4" in result.trace_text()
    assert without_insider("reverse_dns", dnssec=False).outcome == "protected"


def test_without_insider_names_the_valid_checks():
    """A typo in the check's name lists the valid ones."""
    with pytest.raises(LabsimError, match="unknown name check 'reverse'; choose one of: none, forward_dns"):
        without_insider("reverse")


def test_show_policy_numbers_the_spd_and_pad_in_order(capsys):
    """fig2 with name_check=pad: host-a's three SPD rules and three PAD entries, numbered from the top."""
    inspect.show_policy(run("fig2", name_check="pad"), "host-a")
    out = said(capsys)
    assert "host-a's SPD (first match wins):\n  1  bypass remote 1.2.0.53 proto udp port 53\n" in out
    assert '  2  peer pc-c.example.org ca "Example Corp CA" addresses 1.2.0.7' in out
