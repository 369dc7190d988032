"""labsim never puts a packet on a real network.

Importing labsim replaces every scapy send and receive function (``send``, ``sendp``,
``sr``, ``sr1``, ``srp``, ``sniff`` and their relatives) and scapy's layer-2 and layer-3
socket classes with stand-ins that raise :class:`~labsim.errors.NetworkSafetyError`.
scapy is then only good for building, encrypting, dissecting and writing packets, which
is all the simulator needs. (An Ethernet header built with no destination makes scapy ARP
for the address through ``srp1``; with the guard that raises instead of sending.)
"""

from __future__ import annotations

import sys

from .errors import NetworkSafetyError

GUARDED_FUNCTIONS = (
    "send", "sendp", "sendpfast", "sr", "sr1", "srp", "srp1", "srloop", "srploop", "sniff",
    "srflood", "sr1flood", "srpflood", "srp1flood", "sndrcv", "sndrcvflood", "bridge_and_sniff",
    "AsyncSniffer",
)
GUARDED_SOCKETS = ("L2socket", "L3socket", "L3socket6", "L2listen")


class _Refused:
    """Raises on call or on instantiation: a guarded scapy network entry point."""

    def __init__(self, name: str):
        self.name = name

    def __call__(self, *args, **kwargs):
        raise NetworkSafetyError(
            f"scapy.{self.name} would touch a real network; labsim only builds, encrypts, "
            "dissects and writes packets (write a pcap with `python -m labsim pcap` instead)"
        )

    def __repr__(self) -> str:
        return f"<labsim guard for scapy {self.name}>"


_installed = False


def install() -> None:
    """Replace scapy's network paths in every scapy module loaded now and in sendrecv itself."""
    global _installed
    import scapy.sendrecv as sendrecv
    from scapy.config import conf

    originals = {}
    for name in GUARDED_FUNCTIONS:
        original = getattr(sendrecv, name, None)
        if original is not None and not isinstance(original, _Refused):
            originals[id(original)] = name
            setattr(sendrecv, name, _Refused(name))
    for module_name, module in list(sys.modules.items()):
        if module is None or not module_name.startswith("scapy"):
            continue
        for attr, value in list(vars(module).items()):
            if id(value) in originals and not isinstance(value, _Refused):
                setattr(module, attr, _Refused(originals[id(value)]))
    for name in GUARDED_SOCKETS:
        if not isinstance(getattr(conf, name, None), _Refused):
            try:
                setattr(conf, name, _Refused(name))
            except Exception:  # a scapy version without that socket slot
                pass
    _installed = True


def installed() -> bool:
    return _installed
