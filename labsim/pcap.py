"""Write a run's packets to a pcap file (raw-IP link type) and the ESP keys Wireshark needs.

Every packet the run put on the wire goes in, ESP included, stamped with simulated time
(counted from the simulated epoch, 1 June 2005). Beside ``run.pcap`` comes
``run.pcap.esp_sa``: one line per SA in Wireshark's ``esp_sa`` table format, so Wireshark or
tshark can decrypt the ESP packets::

    tshark -r run.pcap -o esp.enable_encryption_decode:TRUE -o "uat:esp_sa:$(head -1 run.pcap.esp_sa)"
"""

from __future__ import annotations

from pathlib import Path

from scapy.utils import RawPcapWriter

from .pki import SIM_EPOCH

LINKTYPE_RAW = 101


def write_pcap(result, path: str | Path) -> tuple[Path, Path, int]:
    """Write ``path`` and ``path.esp_sa``; return both paths and the number of packets."""
    path = Path(path)
    epoch = int(SIM_EPOCH.timestamp())
    packets = [e for e in result.events if e.is_packet and e.packet]
    writer = RawPcapWriter(str(path), linktype=LINKTYPE_RAW, sync=True)
    try:
        writer._write_header(None)   # write_packet() alone leaves the global header out
        for event in packets:
            writer.write_packet(event.packet, sec=epoch + event.time_us // 1_000_000, usec=event.time_us % 1_000_000)
    finally:
        writer.close()
    keys = path.with_name(path.name + ".esp_sa")
    lines = []
    for host in sorted(result.world.hosts.values(), key=lambda h: h.name):
        for sa in host.sad.history:
            if sa.direction == "out":   # each SA once, from its sender's side
                lines.append(sa.wireshark_line())
    keys.write_text("".join(line + "\n" for line in lines))
    return path, keys, len(packets)
