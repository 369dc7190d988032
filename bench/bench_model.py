"""Benchmarks of the simulator model: scenario runs, IKE+ESP connections, SPD lookups.

``python bench/run.py`` discovers this module. The figures are measured on the machine that
runs them; no test asserts them.

* ``scenario_ms``: the median wall time of one run of each scenario (after the import and
  one warm-up run), in milliseconds.
* ``ike_esp_connections_per_s``: a generated intranet of 10,000 hosts (each with its own
  certificate, SPD and IKE daemon) and one server. A host opens one connection to the server
  through IPsec: a full IKEv2 exchange with real X25519, real Ed25519 signatures and real
  certificate checks, then real AES-GCM ESP for the SYN, the SYN-ACK, one data segment and
  its reply. At about a hundred connections a second all 10,000 would take minutes, so a
  sample connects: every tenth host, 1,000 connections (``LABSIM_BENCH_CONNECTIONS`` changes
  it; ``ike_esp_connections_measured`` reports it). They start 1 ms apart in one simulation;
  the figure is connections divided by the wall time of ``world.run()``. Building the world
  and issuing the 10,000 certificates (the PKI's work, done once) is timed apart as
  ``ike_esp_setup_s``.
* ``spd_lookups_per_s``: a 1,000-rule SPD (specific hosts, subnets, ports, broadcast and
  multicast, IPv6) and a mixed stream of inbound and outbound packet views; the indexed
  ``Spd.lookup`` against the linear scan that defines it (``spd_linear_lookups_per_s``).
"""

from __future__ import annotations

import ipaddress
import os
import random
import statistics
import time

import labsim
from labsim.addresses import ip
from labsim.apps import ServerApp
from labsim.host import Host
from labsim.ipsec.ike import IkeDaemon
from labsim.ipsec.spd import PacketView, parse_spd
from labsim.net import World
from labsim.pki import CertificateAuthority

TINY = os.environ.get("LABSIM_BENCH_TINY") == "1"    # a tiny sample: the test that keeps the bench runnable
HOSTS = int(os.environ.get("LABSIM_BENCH_HOSTS", "20" if TINY else "10000"))
CONNECTIONS = int(os.environ.get("LABSIM_BENCH_CONNECTIONS", "4" if TINY else "1000"))
SCENARIO_REPEATS = 1 if TINY else 15
SPD_RULES = 50 if TINY else 1000
SPD_PACKETS = 200 if TINY else 20_000


# ---------------------------------------------------------------- scenarios

def scenario_ms() -> dict[str, float]:
    """Median milliseconds of one run of each scenario with its default toggles."""
    result = {}
    for sid in labsim.scenario_ids():
        labsim.run(sid)   # warm-up: caches (certificates, zone signatures, parsed messages) fill here
        times = []
        for _ in range(SCENARIO_REPEATS):
            started = time.perf_counter()
            labsim.run(sid)
            times.append((time.perf_counter() - started) * 1000)
        result[sid] = round(statistics.median(times), 2)
    return result


# ---------------------------------------------------------------- IKE + ESP at scale

_MEASURED: dict[str, float] = {}


def _intranet(hosts: int) -> tuple[World, list[Host]]:
    started = time.perf_counter()
    world = World(seed=11, title=f"{hosts} hosts, one server")
    world.add_network("intranet", "a large intranet", ["10.0.0.0/8"])
    ca = CertificateAuthority.create("Bench CA", 11)
    spd = parse_spd("protect remote 10.0.0.0/8\nbypass any")
    server = world.add_host(Host("server", fqdn="server.example.org"), "intranet", ["10.0.0.1"])
    clients = []
    for n in range(hosts):
        address = ipaddress.IPv4Address(int(ipaddress.IPv4Address("10.1.0.0")) + n)
        clients.append(world.add_host(Host(f"h{n}", fqdn=f"h{n}.example.org"), "intranet", [address]))
    for host in [server, *clients]:
        host.spd = spd
        host.trusted_cas = [ca]
        host.identity = ca.issue(host.fqdn)
        IkeDaemon(host)
    ServerApp(server, 80, b"200 OK")
    _MEASURED["ike_esp_setup_s"] = round(time.perf_counter() - started, 2)
    return world, clients


def _connect_all(world: World, clients: list[Host]) -> None:
    server = ip("10.0.0.1")
    for n, host in enumerate(clients):
        def start(host=host):
            conn = host.connect(server, 80, flow=f"c{host.name}")
            conn.on_established = lambda c: c.sendall(b"GET /")
        world.sim.schedule(1_000 * n, start)


def ike_esp_connections_per_s() -> float:
    world, hosts = _intranet(HOSTS)
    clients = hosts[::max(1, len(hosts) // CONNECTIONS)][:CONNECTIONS]
    _MEASURED["ike_esp_connections_measured"] = len(clients)
    _connect_all(world, clients)
    started = time.perf_counter()
    world.run()
    elapsed = time.perf_counter() - started
    done = sum(1 for e in world.ledger if e["fact"] == "received")
    if done != len(clients):
        raise RuntimeError(f"only {done} of {len(clients)} connections delivered their data")
    return round(done / elapsed, 1)


def ike_esp_setup_s() -> float:
    """Seconds spent building the intranet above (issuing its certificates), measured with it."""
    if "ike_esp_setup_s" not in _MEASURED:
        ike_esp_connections_per_s()
    return _MEASURED["ike_esp_setup_s"]


def ike_esp_connections_measured() -> int:
    """How many of the hosts connected in the measurement above."""
    if "ike_esp_connections_measured" not in _MEASURED:
        ike_esp_connections_per_s()
    return int(_MEASURED["ike_esp_connections_measured"])


# ---------------------------------------------------------------- SPD lookups

def _spd_text(rules: int, rng: random.Random) -> str:
    lines = ["bypass local broadcast dir in", "discard local multicast dir in",
             "bypass remote 10.0.0.53 proto udp port 53"]
    while len(lines) < rules - 1:
        kind = rng.random()
        net = f"10.{rng.randrange(256)}.{rng.randrange(256)}"
        action = rng.choice(["protect", "protect", "bypass", "discard"])
        if kind < 0.4:
            lines.append(f"{action} remote {net}.{rng.randrange(1, 255)}")
        elif kind < 0.6:
            lines.append(f"{action} remote {net}.0/24")
        elif kind < 0.8:
            lines.append(f"{action} remote {net}.0/24 proto tcp port {rng.choice([22, 80, 139, 443, 445, 9100])}")
        elif kind < 0.9:
            lines.append(f"{action} remote 2001:db8:{rng.randrange(65536):x}::/48")
        else:
            lines.append(f"{action} remote 10.{rng.randrange(256)}.0.0/16 proto udp lport {rng.randrange(1, 1024)}")
    lines.append("bypass any")
    return "\n".join(lines)


def _views(count: int, rng: random.Random) -> list[PacketView]:
    local, local6 = "10.0.0.5", "2001:db8::5"
    views = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.1:
            remote, here = f"2001:db8:{rng.randrange(65536):x}::{rng.randrange(1, 999)}", local6
        elif kind < 0.15:
            remote, here = "3.4.5.6", local
        else:
            remote, here = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}", local
        proto = rng.choice(["tcp", "udp"])
        sport, dport = rng.randrange(1024, 65536), rng.choice([22, 53, 80, 137, 443, 445, 9100])
        if rng.random() < 0.5:
            views.append(PacketView.outbound(here, remote, proto, sport, dport))
        elif rng.random() < 0.1 and here == local:
            views.append(PacketView.inbound(remote, "10.255.255.255", "udp", 137, 137, ("10.255.255.255",)))
        else:
            views.append(PacketView.inbound(remote, here, proto, dport, sport))
    return views


def _lookups_per_s(linear: bool) -> float:
    rng = random.Random(5)
    spd = parse_spd(_spd_text(SPD_RULES, rng))
    views = _views(SPD_PACKETS if not linear else SPD_PACKETS // 10, rng)
    lookup = spd.lookup_linear if linear else spd.lookup
    started = time.perf_counter()
    for view in views:
        lookup(view)
    return round(len(views) / (time.perf_counter() - started), 1)


def spd_lookups_per_s() -> float:
    return _lookups_per_s(linear=False)


def spd_linear_lookups_per_s() -> float:
    return _lookups_per_s(linear=True)


BENCHMARKS = [
    ("scenario_ms", "ms", "<= 20", scenario_ms),
    ("ike_esp_connections_per_s", "conn/s", ">= 1000", ike_esp_connections_per_s),
    ("ike_esp_connections_measured", "conn", "", ike_esp_connections_measured),
    ("ike_esp_setup_s", "s", "", ike_esp_setup_s),
    ("spd_lookups_per_s", "lookups/s", ">= 200000", spd_lookups_per_s),
    ("spd_linear_lookups_per_s", "lookups/s", "", spd_linear_lookups_per_s),
]
