"""The pcap of every scenario reads back with scapy: every packet, ESP (tunnel mode too) included."""

import pytest
from scapy.layers.inet import IP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.ipsec import ESP
from scapy.utils import rdpcap

import labsim
from labsim.pcap import write_pcap

RUNS = [(sid, {}) for sid in labsim.scenario_ids()] + [
    ("fig3", {"dns_server": "home"}),          # tunnel-mode ESP through the VPN
    ("fig3", {"dns_server": "home", "vpn_encryption": "null"}),   # ESP with NULL encryption and an HMAC ICV
    ("fig4", {"split_exclude": "off"}),
    ("fig5", {"attacker_via": "ipv6"}),        # IPv6 multicast and unicast
]


@pytest.mark.parametrize("scenario, toggles", RUNS,
                         ids=[f"{s}-{'-'.join(f'{k}={v}' for k, v in t.items()) or 'default'}" for s, t in RUNS])
def test_pcap_reads_back_packet_for_packet(tmp_path, scenario, toggles):
    """rdpcap returns as many packets as the trace put on the wire, with the same bytes."""
    result = labsim.run(scenario, toggles)
    path, keys, count = write_pcap(result, tmp_path / f"{scenario}.pcap")
    packets = rdpcap(str(path))
    wire = [e.packet for e in result.events if e.is_packet and e.packet]
    assert count == len(packets) == len(wire) > 0
    assert [bytes(p) for p in packets] == wire
    assert all(p.haslayer(IP) or p.haslayer(IPv6) for p in packets)


def test_the_vpn_run_has_esp_and_its_keys(tmp_path):
    """Away with the home DNS, the capture holds tunnel ESP and the key file names both directions."""
    result = labsim.run("fig3", dns_server="home")
    path, keys, _ = write_pcap(result, tmp_path / "vpn.pcap")
    packets = rdpcap(str(path))
    esp = [p for p in packets if p.haslayer(ESP)]
    assert esp and {p[IP].dst for p in esp} == {"1.2.0.1", "7.7.7.23"}
    assert len(keys.read_text().splitlines()) == 2


def test_the_esp_null_run_has_readable_esp_and_hmac_keys(tmp_path):
    """vpn_encryption=null: the request is readable inside the captured ESP, and each key line names NULL
    encryption and HMAC-SHA-256-128 with a 32-byte key, as Wireshark's esp_sa table spells them."""
    result = labsim.run("fig3", dns_server="home", vpn_encryption="null")
    path, keys, _ = write_pcap(result, tmp_path / "null.pcap")
    esp = [bytes(p) for p in rdpcap(str(path)) if p.haslayer(ESP)]
    assert len(esp) == 4 and sum(b"GET /salaries.xlsx" in raw for raw in esp) == 1
    lines = keys.read_text().splitlines()
    assert len(lines) == 2
    for line in lines:
        fields = line.split(",")
        assert fields[4:7] == ['"NULL"', '""', '"HMAC-SHA-256-128 [RFC4868]"'] and len(fields[7]) == len('"0x"') + 64


def test_dhcp_messages_are_in_the_capture(tmp_path):
    """The DHCP exchange of a roaming run is on the wire as real BOOTP messages."""
    result = labsim.run("fig4")
    path, _, _ = write_pcap(result, tmp_path / "fig4.pcap")
    dhcp = [p for p in rdpcap(str(path)) if p.haslayer(UDP) and 67 in (p[UDP].sport, p[UDP].dport)]
    assert len(dhcp) == 4
