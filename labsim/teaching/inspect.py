"""Look inside a run: a host's X.509 certificate, the packet that carried the request, the trace.

Notebooks call these so that a student's cell holds one line, and the looking is done by
real tools: ``cryptography`` reads the certificate, scapy dissects the packet bytes and, with
the SA's key, decrypts the ESP payload.

>>> from labsim import run
>>> result = run("basics")
>>> certificate_facts(result, "server-b")["names (subjectAltName dNSName)"]
'server-b.example.org'
>>> wire_facts(result)["the request text"][0]
False
"""

from __future__ import annotations

from cryptography import x509
from scapy.layers.inet import IP, TCP
from scapy.layers.ipsec import ESP
from scapy.layers.ipsec import SecurityAssociation as ScapySA

from ..errors import LabsimError
from ..packets import dissect

REQUEST = b"GET /salaries.xlsx"


def certificate_facts(result, host: str) -> dict[str, str]:
    """What ``host``'s certificate says, field by field, read with ``cryptography``."""
    identity = result.world.host(host).identity
    if identity is None:
        raise LabsimError(f"{host} has no certificate in this run (it speaks no IPsec)")
    cert = identity.certificate
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    addresses = [str(a) for a in san.get_values_for_type(x509.IPAddress)]
    return {
        "subject": cert.subject.rfc4514_string(),
        "names (subjectAltName dNSName)": ", ".join(san.get_values_for_type(x509.DNSName)),
        "IP addresses (subjectAltName iPAddress)": ", ".join(addresses) or "none",
        "issuer": cert.issuer.rfc4514_string(),
        "valid from": f"{cert.not_valid_before_utc:%Y-%m-%d}",
        "valid until": f"{cert.not_valid_after_utc:%Y-%m-%d}",
        "public key": type(cert.public_key()).__name__.removesuffix("PublicKey"),
        "serial number": f"{cert.serial_number:x}",
    }


def show_certificate(result, host: str = "server-b") -> None:
    """Print ``host``'s certificate as the peer receives it in IKE."""
    facts = certificate_facts(result, host)
    width = max(map(len, facts))
    print(f"The certificate {host} presents in IKE:")
    for field, value in facts.items():
        print(f"  {field:<{width}}  {value}")


def request_event(result, sender: str = "host-a"):
    """The trace record of the first packet on the wire that carried ``sender``'s application data."""
    for event in result.events:
        if event.packet and event.host == sender and event.kind in ("esp", "clear") \
                and "[data]" in f"{event.summary} {event.reason}":
            return event
    raise LabsimError(f"{sender} sent no application data in this run (outcome {result.outcome})")


def _sa_for(result, sender: str, spi: int):
    for sa in result.world.host(sender).sad.history:
        if sa.spi == spi:
            return sa
    raise LabsimError(f"{sender} has no SA with spi=0x{spi:08x}")


def decrypt(result, raw: bytes, sender: str = "host-a"):
    """The inner packet of an ESP packet ``sender`` sent, decrypted with a copy of its SA's key."""
    pkt = IP(raw)
    sa = _sa_for(result, sender, pkt[ESP].spi)
    t = sa.transform
    return ScapySA(ESP, spi=sa.spi, crypt_algo=t.crypt_algo, crypt_key=sa.crypt_key or None, auth_algo=t.auth_algo,
                   auth_key=sa.auth_key or None).decrypt(pkt)


def show_request(result, sender: str = "host-a") -> None:
    """Print the packet that carried the request as it looked on the wire, and, for ESP, decrypted."""
    event = request_event(result, sender)
    pkt = IP(event.packet)
    print(f"On the wire ({len(event.packet)} bytes), as scapy dissects it:")
    print(dissect(event.packet).rstrip())
    print(f"\nDoes the text {REQUEST.decode()!r} appear in these bytes? {'yes' if REQUEST in event.packet else 'no'}.")
    if ESP not in pkt:
        return
    sa = _sa_for(result, sender, pkt[ESP].spi)
    inner = decrypt(result, event.packet, sender)
    how = "decrypted" if sa.transform.encrypts else "unwrapped (NULL encryption: nothing to decrypt; its ICV checked)"
    print(f"\nThe ESP data {how} with {sender}'s outbound SA (spi=0x{sa.spi:08x}, {sa.transform.label}, a key "
          f"that only {sender} and {sa.peer_name} hold) is this TCP segment:")
    print(inner[TCP].show(dump=True).rstrip())


def wire_facts(result, sender: str = "host-a") -> dict[str, tuple[bool, str]]:
    """Which parts of the request packet an eavesdropper can read, judged from its real bytes."""
    event = request_event(result, sender)
    pkt = IP(event.packet)
    facts = {
        "the source address": (True, f"the IP header is in clear: src={pkt[IP].src}"),
        "the destination address": (True, f"the IP header is in clear: dst={pkt[IP].dst}"),
    }
    if ESP in pkt:
        esp = pkt[ESP]
        facts["the SPI"] = (True, f"the ESP header is in clear: spi=0x{esp.spi:08x} (it tells the receiver which SA)")
        facts["the sequence number"] = (True, f"the ESP header is in clear: seq={esp.seq} (for the replay check)")
    else:
        facts["the SPI"] = (False, "this packet has no ESP header, so there is no SPI")
        facts["the sequence number"] = (False, "this packet has no ESP header, so there is no ESP sequence number")
    if TCP in pkt:
        facts["the destination port"] = (True, f"the TCP header is in clear: dport={pkt[TCP].dport}")
    elif not _sa_for(result, sender, pkt[ESP].spi).transform.encrypts:
        facts["the destination port"] = (True, "the TCP header is inside the ESP payload, but the SA uses NULL "
                                               "encryption: its bytes are on the wire as they are")
    else:
        facts["the destination port"] = (False, "the TCP header is inside the encrypted part: scapy finds no TCP "
                                                "layer in the bytes")
    if REQUEST in event.packet:
        facts["the request text"] = (True, f"the bytes contain {REQUEST.decode()!r}")
    else:
        facts["the request text"] = (False, f"the bytes do not contain {REQUEST.decode()!r}: it is encrypted")
    return facts


def show_policy(result, host: str = "host-a") -> None:
    """Print ``host``'s SPD and PAD as they were in the run, one rule or entry a line, in order."""
    h = result.world.host(host)
    for title, table in (("SPD", h.spd), ("PAD", h.pad)):
        lines = table.text().splitlines() if table is not None else []
        print(f"{host}'s {title} (first match wins):" if lines else f"{host} has no {title}.")
        for number, line in enumerate(lines, start=1):
            print(f"  {number}  {line}")


def show_sas(result, host: str = "host-a") -> None:
    """Print every SA ``host`` installed in the run: direction, SPI, peer, the name it proved, packets."""
    history = result.world.host(host).sad.history
    if not history:
        print(f"{host} installed no SA in this run.")
        return
    print(f"{host}'s security associations (one per direction):")
    for sa in history:
        arrow = f"{host} -> {sa.remote}" if sa.direction == "out" else f"{sa.remote} -> {host}"
        print(f"  {sa.direction:<3}  spi=0x{sa.spi:08x}  {arrow:<22}  {sa.mode}, {sa.transform.label}, peer proved "
              f"{sa.peer_name} (issuer {sa.peer_issuer}), {sa.packets} packets")


def trace_lines(result, *words: str, host: str | None = None) -> None:
    """Print the trace lines that contain any of ``words`` (all lines, without words) from ``host``, if given."""
    for event in result.events:
        line = event.line()
        if (host is None or event.host == host) and (not words or any(w in line for w in words)):
            print(line.rstrip())


__all__ = ["certificate_facts", "show_certificate", "request_event", "decrypt", "show_request", "wire_facts",
           "show_policy", "show_sas", "trace_lines"]
