"""labsim never puts a packet on a real network."""

import subprocess
import sys

import pytest

import labsim
from labsim.errors import NetworkSafetyError


@pytest.mark.parametrize("name", ["send", "sendp", "sr", "sr1", "srp", "srp1", "sniff"])
def test_scapy_send_and_receive_paths_raise(name):
    """Every scapy send/receive function is replaced by one that raises."""
    import scapy.sendrecv
    with pytest.raises(NetworkSafetyError, match="would touch a real network"):
        getattr(scapy.sendrecv, name)()


@pytest.mark.parametrize("name", ["L2socket", "L3socket", "L2listen"])
def test_scapy_socket_classes_raise(name):
    """scapy's layer-2 and layer-3 socket classes cannot be opened."""
    from scapy.config import conf
    with pytest.raises(NetworkSafetyError):
        getattr(conf, name)()


def test_scapy_all_gets_the_guarded_functions_too():
    """Importing scapy.all after labsim does not bring the real functions back."""
    import scapy.all
    with pytest.raises(NetworkSafetyError):
        scapy.all.sr1(None)


def test_arp_lookup_for_ether_without_dst_is_guarded():
    """Ether() without dst would make scapy ARP via srp1; that path is guarded."""
    import scapy.layers.l2 as l2
    with pytest.raises(NetworkSafetyError):
        l2.srp1(None)


def test_the_model_never_calls_ether():
    """No labsim module builds an Ether() frame at all (the pcap uses the raw-IP link type)."""
    import re
    from pathlib import Path
    for path in Path(labsim.__file__).parent.rglob("*.py"):
        assert not re.search(r"(?<![`\w])Ether\(", path.read_text()), path


@pytest.mark.parametrize("scenario", labsim.scenario_ids())
def test_running_a_scenario_creates_no_socket(scenario, no_sockets):
    """Running any scenario opens no socket of any kind."""
    labsim.run(scenario)
    assert no_sockets == []


def test_guard_is_installed_in_a_fresh_interpreter():
    """Importing labsim alone installs the guard (checked in a new process)."""
    code = ("import labsim, scapy.sendrecv as s\n"
            "try:\n    s.send(None)\nexcept labsim.errors.NetworkSafetyError:\n    print('guarded')\n")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "guarded"
