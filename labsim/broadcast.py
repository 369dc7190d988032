"""Name services that answer a broadcast or a multicast with a unicast (the paper's section 7).

IPsec has no SAs for broadcast and multicast, so hosts let such packets through (BYPASS) or
drop them (DISCARD). Some services that listen there answer the sender directly:

* :class:`NetbiosResponder`: NetBIOS name service (UDP 137). A name query broadcast on the
  subnet is answered, unicast, by the host that owns the name (RFC 1002 section 4.2.13).
* :class:`LlmnrResponder`: LLMNR (RFC 4795, UDP 5355), the IPv6-era equivalent: a query sent
  to the multicast group ff02::1:3 is answered unicast by the named host.
* DHCP's INFORM is answered unicast too (see :mod:`labsim.dhcp`).

Each answer is an *outbound* unicast packet the attacker caused. A host whose policy opens a
soft SA for peers it sends to (section 7's stateful extension) thereby lets the attacker in.
:class:`NameQueryProbe` is that attacker: it sends the query, then connects to a service
of the host that answered.

>>> from labsim.net import World
>>> from labsim.host import Host
>>> w = World(seed=1)
>>> _ = w.add_network("lan", "an office LAN", ["1.2.0.0/16"])
>>> a = w.add_host(Host("host-a"), "lan", ["1.2.0.5"])
>>> m = w.add_host(Host("attacker", malicious=True), "lan", ["1.2.0.66"])
>>> _ = NetbiosResponder(a)
>>> probe = NameQueryProbe(m, "host-a", target="1.2.0.5", port=445)
>>> w.run()
>>> str(probe.answered_by)
'1.2.0.5'
"""

from __future__ import annotations


from scapy.layers.dns import DNSQR, DNSRR
from scapy.layers.llmnr import LLMNRQuery, LLMNRResponse
from scapy.layers.netbios import NBNS_ADD_ENTRY, NBNSHeader, NBNSQueryRequest, NBNSQueryResponse

from .addresses import Address, destination_class, ip
from .errors import UnknownChoice

NBNS_PORT = 137
LLMNR_PORT = 5355
LLMNR_GROUP = "ff02::1:3"
NBNS_FLAGS_QUERY = 0x11      # recursion desired + broadcast
NBNS_FLAGS_ANSWER = 0x50     # authoritative answer + recursion desired
GIVE_UP_US = 3_500_000       # the probe connects anyway after this long without an answer


def netbios_name(name: str) -> str:
    """A NetBIOS name is the first label of the host name in capitals, at most 15 characters."""
    return name.split(".")[0].upper()[:15]


def describe_nbns(data: bytes) -> str:
    """``query HOST-A id=7`` or ``answer HOST-A is 1.2.0.5 id=7`` for the trace."""
    try:
        msg = NBNSHeader(data)
        if msg.haslayer(NBNSQueryResponse):
            answer = msg[NBNSQueryResponse]
            where = ", ".join(str(e.NB_ADDRESS) for e in answer.ADDR_ENTRY)
            return f"answer {answer.RR_NAME.decode().strip()} is {where} id={msg.NAME_TRN_ID}"
        if msg.haslayer(NBNSQueryRequest):
            return f"query {msg[NBNSQueryRequest].QUESTION_NAME.decode().strip()} id={msg.NAME_TRN_ID}"
    except Exception:  # malformed bytes are described, never raised
        pass
    return "malformed NetBIOS name service message"


def describe_llmnr(data: bytes) -> str:
    """``query host-a AAAA id=5`` or ``answer host-a AAAA 2001:db8::5 id=5``."""
    try:
        msg = LLMNRQuery(data)
        question = msg.qd[0] if msg.qd else None
        name = question.qname.decode().rstrip(".") if question else "?"
        if msg.qr and msg.an:
            return f"answer {name} is {msg.an[0].rdata} id={msg.id}"
        return f"query {name} id={msg.id}"
    except Exception:  # malformed bytes are described, never raised
        return "malformed LLMNR message"


class _Responder:
    """A name service on ``port`` that answers questions for its host's own name, unicast to the asker."""

    port = 0
    service = ""

    def __init__(self, host):
        self.host = host
        host.bind_udp(self.port, self.on_query)

    def _question(self, data: bytes):
        """(message, the name asked for) if ``data`` is a query, else ``None``."""
        raise NotImplementedError

    def _answer(self, msg, asked: str, own: Address) -> bytes:
        raise NotImplementedError

    def on_query(self, packet, src: Address, sport: int, dst: Address, data: bytes) -> None:
        host = self.host
        try:
            question = self._question(data)
        except Exception:  # malformed input is ignored, as a real daemon would
            return
        own = [a for a in host.addresses if a.version == src.version]
        if question is None or not own or netbios_name(question[1]) != netbios_name(host.name):
            return
        msg, asked = question
        how = "by unicast" if dst in host.addresses else f"to {dst}"
        host.sim.record("app", host.name, f"{self.service} query for {asked} from {src}", "answer",
                        f"the name is ours, so {self.service} answers {src} directly (unicast), although the "
                        f"question came {how}")
        # Ground truth for the verdict (no host reads it): this unicast answers someone's question,
        # so a soft SA it opens was opened by that asker (problem 5a).
        answers = {"service": self.service, "how": destination_class(dst, host.directed_broadcasts()),
                   "asker": packet.origin, "asker_address": str(src)}
        host.udp_send(src, self.port, sport, self._answer(msg, asked, own[0]), facts={"answers": answers},
                      src=own[0])


class NetbiosResponder(_Responder):
    """NetBIOS name service: answers name queries (usually broadcast) for the host's own name."""

    port = NBNS_PORT
    service = "NetBIOS"

    def _question(self, data: bytes):
        msg = NBNSHeader(data)
        if msg.RESPONSE or not msg.haslayer(NBNSQueryRequest):
            return None
        return msg, msg[NBNSQueryRequest].QUESTION_NAME.decode().strip()

    def _answer(self, msg, asked: str, own: Address) -> bytes:
        header = NBNSHeader(NAME_TRN_ID=msg.NAME_TRN_ID, RESPONSE=1, NM_FLAGS=NBNS_FLAGS_ANSWER, QDCOUNT=0, ANCOUNT=1)
        entry = NBNS_ADD_ENTRY(NB_ADDRESS=str(own))
        return bytes(header / NBNSQueryResponse(RR_NAME=netbios_name(self.host.name), ADDR_ENTRY=[entry]))


class LlmnrResponder(_Responder):
    """LLMNR: answers queries sent to the multicast group ff02::1:3 for the host's own name."""

    port = LLMNR_PORT
    service = "LLMNR"

    def _question(self, data: bytes):
        msg = LLMNRQuery(data)
        if msg.qr or not msg.qd:
            return None
        return msg, msg.qd[0].qname.decode().rstrip(".")

    def _answer(self, msg, asked: str, own: Address) -> bytes:
        rtype = "AAAA" if own.version == 6 else "A"
        return bytes(LLMNRResponse(id=msg.id, qr=1, qd=DNSQR(qname=asked, qtype=rtype),
                                   an=DNSRR(rrname=asked, type=rtype, rdata=str(own))))


class NameQueryProbe:
    """The attacker of figure 5: ask for a host's name by broadcast (IPv4, NetBIOS) or multicast
    (IPv6, LLMNR), then open a connection to ``target``:``port`` and send ``payload``.

    The question is only a trigger: the attacker already knows ``target`` (it sits on the
    same LAN), but wants the victim to send it a packet first. It connects when the answer
    arrives, or after :data:`GIVE_UP_US` without one, to see whether it gets in anyway.
    """

    def __init__(self, host, name: str, target, port: int = 445, payload: bytes = b"SMB: read C$/payroll.xlsx",
                 via: str = "ipv4", start_us: int = 2_000, flow: str = "attack", group=None):
        if via not in ("ipv4", "ipv6"):
            raise UnknownChoice("way for the probe to ask", via, ("ipv4", "ipv6"))
        self.host, self.name, self.target, self.port, self.payload = host, name, ip(target), port, payload
        self.via, self.flow = via, flow
        self.group = ip(group) if group is not None else None   # IPv4: which broadcast address to ask
        self.answered_by: Address | None = None
        self.connected = False
        host.sim.schedule(start_us, self.start)

    def start(self) -> None:
        host, sim = self.host, self.host.sim
        host.world.note("intent", flow=self.flow, client=host.name, attack=True, target=str(self.target),
                        port=self.port)
        qid = sim.rng.randrange(1, 65536)
        if self.via == "ipv4":
            own = next(a for a in host.addresses if a.version == 4)
            group = self.group or host.directed_broadcasts()[0]
            host.bind_udp(NBNS_PORT, self.on_answer)
            sim.record("app", host.name, f"NetBIOS query for {netbios_name(self.name)}", "broadcast",
                       f"asks the whole subnet ({group}) who is {self.name}, hoping for a unicast answer")
            query = NBNSHeader(NAME_TRN_ID=qid, NM_FLAGS=NBNS_FLAGS_QUERY) / \
                NBNSQueryRequest(QUESTION_NAME=netbios_name(self.name))
            host.udp_send(group, NBNS_PORT, NBNS_PORT, bytes(query), src=own)
        else:
            sport = host.ephemeral_port()
            host.bind_udp(sport, self.on_answer)
            sim.record("app", host.name, f"LLMNR query for {self.name}", "multicast",
                       f"asks the group {LLMNR_GROUP} who is {self.name}, hoping for a unicast answer")
            query = LLMNRQuery(id=qid, qd=DNSQR(qname=self.name, qtype="AAAA"))
            host.udp_send(LLMNR_GROUP, sport, LLMNR_PORT, bytes(query))
        sim.schedule(GIVE_UP_US, self._give_up)

    def on_answer(self, packet, src: Address, sport: int, dst: Address, data: bytes) -> None:
        if self.answered_by is not None:
            return
        self.answered_by = src
        self.host.sim.record("app", self.host.name, f"answer from {src}", "receive",
                             f"{src} answered in person: it has now sent us a unicast packet")
        self._connect()

    def _give_up(self) -> None:
        if not self.connected:
            self.host.sim.record("app", self.host.name, f"no answer about {self.name}", "try anyway",
                                 f"nobody answered; connect to {self.target}:{self.port} regardless")
            self._connect()

    def _connect(self) -> None:
        if self.connected:
            return
        self.connected = True
        conn = self.host.connect(self.target, self.port, flow=self.flow)
        conn.on_established = lambda c: c.sendall(self.payload)


__all__ = ["NetbiosResponder", "LlmnrResponder", "NameQueryProbe", "describe_nbns", "describe_llmnr",
           "NBNS_PORT", "LLMNR_PORT", "LLMNR_GROUP"]
