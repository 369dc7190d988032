"""The values inside swanctl.conf settings: address lists, traffic selectors, IKE identities.

Traffic selectors follow vici's ``parse_ts``: a subnet, an address, a range ``a-b`` or
``dynamic``, then optionally ``[protocol/port]`` with names or numbers.

>>> traffic_selector("10.1.0.53/32[udp/domain]", print)
([IPv4Network('10.1.0.53/32')], 17, (53, 53))
>>> identity_pattern("%any"), identity_pattern("@server-b.example.org"), identity_pattern("C=CH, O=Corp, CN=pc-c.example.org")
('*', 'server-b.example.org', 'pc-c.example.org')
"""

from __future__ import annotations

import ipaddress

from ..ipsec.spd import PROTOCOLS

SERVICES = {"domain": 53, "http": 80, "https": 443, "netbios-ns": 137, "netbios-dgm": 138, "netbios-ssn": 139,
            "bootps": 67, "bootpc": 68, "isakmp": 500, "ipsec-nat-t": 4500, "ssh": 22, "smtp": 25, "ntp": 123,
            "snmp": 161, "ldap": 389, "microsoft-ds": 445, "printer": 515, "ipp": 631, "mdns": 5353,
            "kerberos": 88, "imap": 143, "imaps": 993, "submission": 587}
EXTRA_PROTOCOLS = {"sctp": 132, "ipv6-icmp": 58, "icmpv6": 58}

def split_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def prefixes(item: str) -> list:
    if "-" in item and not item.startswith("-"):
        first, last = (ipaddress.ip_address(x.strip()) for x in item.split("-", 1))
        return list(ipaddress.summarize_address_range(first, last))
    return [ipaddress.ip_network(item, strict=False)]


def identity_pattern(value: str) -> str:
    """The name pattern an IKE identity stands for: a DNS name, ``*.domain`` or ``*``."""
    text = value.strip()
    low = text.lower()
    if low in ("%any", "%any4", "%any6", "*"):
        return "*"
    for prefix in ("fqdn:", "dns:"):
        if low.startswith(prefix):
            return low[len(prefix):].rstrip(".")
    if low.startswith("@") and not low.startswith("@#"):
        return low[1:].rstrip(".")
    if "=" in text:   # a distinguished name: the host's name is in the CN
        for part in text.replace("asn1dn:", "").split(","):
            key, _, val = part.strip().partition("=")
            if key.strip().upper() == "CN":
                return "*" if val.strip() == "*" else val.strip().lower()
        return "*"
    return low.rstrip(".")


def traffic_selector(item: str, warn):
    """``10.1.0.0/16[tcp/80]`` -> (prefixes or 'dynamic', proto or None, ports or None), as vici's parse_ts."""
    address, proto, ports = item, None, None
    if "[" in item:
        address, _, rest = item.partition("[")
        if not rest.endswith("]"):
            raise ValueError(f"'{item}': a protocol/port selector needs a closing ']'")
        protoport = rest[:-1]
        proto_text, _, port_text = protoport.partition("/")
        proto_text, port_text = proto_text.strip().lower(), port_text.strip().lower()
        if proto_text and proto_text not in ("any", "%any"):
            table = {**PROTOCOLS, **EXTRA_PROTOCOLS}
            if proto_text in table:
                proto = table[proto_text]
            elif proto_text.isdigit() and int(proto_text) <= 255:
                proto = int(proto_text)
            else:
                raise ValueError(f"'{item}': unknown protocol {proto_text!r} (use a name such as tcp or udp, or a "
                                 "number 0-255)")
        if port_text == "opaque":
            warn(f"'{item}': OPAQUE ports are not modelled; the auditor treats them as any port")
        elif port_text and port_text not in ("any", "%any"):
            ports = port_range(item, port_text)
            if proto in (1, 58):
                warn(f"'{item}': ICMP type/code selectors are not modelled; the auditor matches all of {proto_text}")
                ports = None
            elif ports[0] != ports[1]:
                warn(f"'{item}': the kernel backends do not support port ranges (strongSwan's documentation); the "
                     "auditor keeps the range as written")
    address = address.strip()
    if address.lower() == "dynamic":
        return "dynamic", proto, ports
    try:
        return prefixes(address), proto, ports
    except ValueError:
        raise ValueError(f"'{address}' is not a subnet, address, range or 'dynamic'") from None


def port_range(item: str, text: str) -> tuple[int, int]:
    """A service name, a number, or a range of them, as vici reads ``[proto/port]``."""
    if text in SERVICES:
        return (SERVICES[text], SERVICES[text])
    first, sep, last = text.partition("-")
    if sep and not all(p.isdigit() or p in SERVICES for p in (first, last)):
        raise ValueError(f"'{item}': {text!r} is not a port number or a known service name")
    values = []
    for part in (first, last) if sep else (first,):
        if part in SERVICES:
            values.append(SERVICES[part])
        elif part.isdigit() and int(part) <= 65535:
            values.append(int(part))
        else:
            raise ValueError(f"'{item}': {part!r} is not a port number or a known service name")
    if len(values) == 2 and values[0] > values[1]:
        raise ValueError(f"'{item}': the port range {text} runs backwards")
    return (values[0], values[-1])


__all__ = ["split_list", "prefixes", "identity_pattern", "traffic_selector", "SERVICES"]
