"""A host: addresses, an IPsec-aware IP layer (RFC 4301 section 5), UDP, a small TCP and sockets.

Outbound (section 5.1): every packet is looked up in the SPD. DISCARD drops it; BYPASS sends
it in clear; PROTECT sends it through the SA pair for that peer, or holds it while IKE
negotiates one (and discards it if IKE fails, unless the rule says ``fallback``).

Inbound (section 5.2): IKE (UDP 500) has its own bypass. ESP is found by SPI, decrypted,
checked for replay and checked against the SA's selectors. A clear packet is looked up in
the SPD: DISCARD drops it, BYPASS lets it through, and PROTECT drops it, unless a soft SA
(the stateful extension of the paper's section 7) admits its sender.

Forwarding (a security gateway, ``forwarding = True``): a packet for someone else goes
through the tunnel-mode SA whose inner selectors cover its destination, if there is one,
and is otherwise passed on as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from scapy.layers.inet import TCP, UDP
from scapy.layers.ipsec import ESP

from .addresses import Address, Prefix, destination_class, ip, prefix
from .ipsec import spd as spd_rules
from .ipsec.pad import Pad
from .ipsec.sad import IntegrityError, ReplayError, Sad
from .ipsec.spd import PacketView, Spd, parse_spd
from .ipsec.stateful import SoftSaTable
from .packets import Packet, application_data, ip_header, summary, tcp, transport, udp

IKE_PORTS = (500, 4500)
CONNECT_TIMEOUT_US = 8_000_000


@dataclass
class FlowContext:
    """What the stack knows about the socket a packet came from."""

    expected_name: str | None = None               # the name behind a name handle (section 5.4)
    on_error: Callable[[str], None] | None = None   # tell the socket why its packet was discarded
    flow: str | None = None                         # ground truth for the verdict; hosts never read it


@dataclass(frozen=True)
class NameHandle:
    """An opaque stand-in for an address: the stack remembers which name it came from."""

    number: int

    def __str__(self) -> str:
        return f"handle#{self.number}"


@dataclass(frozen=True)
class PeerIdentity:
    """What a socket can tell its application about the peer (the paper's solution 1): who authenticated, who
    certified it, and whether the SAs carrying the connection encrypt as well as authenticate (section 5.5
    asks for an API that reports both)."""

    name: str
    issuer: str
    spi: int
    encrypted: bool = True


class Host:
    def __init__(self, name: str, role: str = "host", fqdn: str | None = None, malicious: bool = False):
        self.name = name
        self.role = role
        self.fqdn = fqdn
        self.malicious = malicious
        self.world = None
        self.network: str | None = None
        self.addresses: list[Address] = []
        self.spd: Spd = parse_spd("bypass any")
        self.pad: Pad = Pad.permissive()
        self.sad = Sad()
        self.soft_sas = SoftSaTable()
        self.identity = None
        self.trusted_cas: list = []
        self.name_check = "none"
        self.address_families = ("A",)   # what getaddrinfo asks for, in order (("A", "AAAA") for a dual-stack host)
        self.ike = None
        self.resolver = None
        self.forwarding = False
        self.source_routes: list[tuple[Prefix, Address]] = []   # (destinations, source address to use)
        self.apps: list = []
        self._udp: dict[int, Callable] = {}
        self._listeners: dict[int, Callable] = {}
        self._connections: dict[tuple, Connection] = {}
        self._waiting: dict[tuple, list] = {}
        self._handles: dict[int, tuple[str, Address]] = {}

    def __repr__(self) -> str:
        return f"<Host {self.name} {', '.join(map(str, self.addresses))}>"

    @property
    def sim(self):
        return self.world.sim

    # ------------------------------------------------------------ addresses

    def owns(self, address: Address) -> bool:
        return address in self.addresses

    def source_address_for(self, dst: Address) -> Address:
        """The longest ``source_routes`` prefix covering ``dst`` picks the address (a VPN's inner
        address for the ranges it tunnels); otherwise the first address of the right family."""
        routes = [(p, a) for p, a in self.source_routes
                  if dst.version == p.version and dst in p and a in self.addresses]
        if routes:
            return max(routes, key=lambda route: route[0].prefixlen)[1]
        same = [a for a in self.addresses if a.version == dst.version]
        if not same:
            raise ValueError(f"{self.name} has no IPv{dst.version} address to reach {dst}")
        return same[0]

    def directed_broadcasts(self) -> tuple[Address, ...]:
        return self.world.directed_broadcasts(self) if self.world else ()

    def ephemeral_port(self) -> int:
        while True:
            port = self.sim.rng.randrange(49152, 65536)
            if port not in self._udp and all(key[0] != port for key in self._connections):
                return port

    # ------------------------------------------------------------ UDP and TCP endpoints

    def bind_udp(self, port: int, handler: Callable) -> None:
        self._udp[port] = handler

    def unbind_udp(self, port: int) -> None:
        self._udp.pop(port, None)

    def listen(self, port: int, on_accept: Callable[[Connection], None]) -> None:
        self._listeners[port] = on_accept

    def udp_send(self, dst, sport: int, dport: int, payload: bytes, facts: dict | None = None,
                 context: FlowContext | None = None, src=None) -> None:
        dst = ip(dst)
        src = ip(src) if src is not None else self.source_address_for(dst)
        self.output(udp(src, dst, sport, dport, payload), facts, context)

    # ------------------------------------------------------------ name resolution for applications

    def getaddrinfo(self, name: str, on_done: Callable, _families: tuple[str, ...] | None = None) -> None:
        """Resolve ``name`` for ``connect``: an address, or a :class:`NameHandle` on a name-handle host.

        The record types of ``address_families`` are asked in turn until one answers (only A
        by default; a dual-stack host asks A, then AAAA).
        """
        families = self.address_families if _families is None else _families

        def answered(answer) -> None:
            if not answer.ok and len(families) > 1:
                self.getaddrinfo(name, on_done, families[1:])
            elif not answer.ok:
                on_done(None, answer)
            elif self.name_check == "name_handle":
                handle = NameHandle(len(self._handles) + 1)
                self._handles[handle.number] = (answer.qname, ip(answer.values[0]))
                self.sim.record("app", self.name, f"handle for {answer.qname}", "resolve",
                                f"the resolver keeps {answer.values[0]} and hands out {handle}, "
                                "which remembers the name")
                on_done(handle, answer)
            else:
                on_done(ip(answer.values[0]), answer)
        self.resolver.lookup(name, families[0], answered)

    def connect(self, target, port: int, flow: str | None = None, src=None) -> Connection:
        """Open a TCP connection to an address or a name handle; set the callbacks on the result.

        ``src`` binds the connection to one of the host's own addresses first (``bind`` before ``connect``).
        """
        expected = None
        if isinstance(target, NameHandle):
            expected, address = self._handles[target.number]
        else:
            address = ip(target)
        if src is not None and not self.owns(ip(src)):
            raise ValueError(f"{self.name} cannot bind to {src}: not one of its addresses")
        local = ip(src) if src is not None else self.source_address_for(address)
        conn = Connection(self, local, self.ephemeral_port(), address, port,
                          FlowContext(expected_name=expected, flow=flow))
        conn.context.on_error = conn.fail
        self._connections[conn.key] = conn
        self.sim.schedule(0, conn.start)   # like a non-blocking connect: set the callbacks, then it starts
        return conn

    # ------------------------------------------------------------ outbound processing (RFC 4301 5.1)

    def output(self, pkt, facts: dict | None = None, context: FlowContext | None = None) -> None:
        facts = dict(facts or {})
        if context is not None and context.flow:
            facts.setdefault("flow", context.flow)
        proto, sport, dport = transport(pkt)
        dst = ip(pkt.dst)
        if proto == 17 and (sport in IKE_PORTS and dport in IKE_PORTS):
            self._send(Packet(pkt, self.name, facts))   # IKE's own bypass
            return
        view = PacketView.outbound(pkt.src, dst, proto, sport, dport, self.directed_broadcasts())
        expected = context.expected_name if context else None
        match = self.spd.lookup(view, peer_name=expected)
        action = match.action
        self.sim.record("spd", self.name, summary(pkt), action.upper(), _spd_reason("out", action, view),
                        rule=match.label())
        if facts.get("flow"):
            self.world.note("policy", flow=facts["flow"], host=self.name, dst=str(dst), action=action,
                            rule=match.label(), remote=_remote_range(match), holder=self.world.holder(self, dst))
        if action == "discard":
            self._drop(pkt, f"outbound packet matches {match.label()}", context, match=match)
        elif action == "bypass":
            self._send(Packet(pkt, self.name, facts))
        else:
            self._protect(pkt, facts, context, match)

    def _protect(self, pkt, facts: dict, context: FlowContext | None, match) -> None:
        rule = match.rule
        dst = ip(pkt.dst)
        if destination_class(dst, self.directed_broadcasts()) != "unicast":
            self._drop(pkt, "IPsec has no SA for broadcast or multicast destinations", context, match=match)
            return
        peer = rule.tunnel or dst
        required = (context.expected_name if context else None) or rule.name
        sa = self.sad.find_outbound(peer)
        if sa is not None:
            if required and not spd_rules.name_selector_admits(required, sa.peer_name):
                self._drop(pkt, f"the SA with {peer} authenticated {sa.peer_name}, but this packet is for "
                                f"{required}", context, match=match)
                return
            self._send_esp(pkt, facts, sa)
            return
        if rule.fallback and self.soft_sas.admits(dst, self.sim.now):
            self.sim.record("spd", self.name, summary(pkt), "SOFT SA",
                            f"a soft SA with {dst} is open (IKE failed before), so the packet goes in clear "
                            "without asking IKE again", rule=f"soft SA for {dst}; {match.label()}")
            self._send(Packet(pkt, self.name, facts))
            return
        key = (peer, required)
        self._waiting.setdefault(key, []).append((pkt, facts, context, match))
        if len(self._waiting[key]) > 1:
            return
        if self.ike is None:
            self._ike_done(key, None, f"{self.name} has no IKE service", False)
            return
        inner, inner_local = (), None
        if rule.tunnel is not None:   # tunnel mode: one SA carries every range the SPD sends to this gateway
            inner = tunnelled_ranges(self.spd, rule.tunnel, dst.version)
            inner_local = ip(pkt.src)
        self.ike.initiate(peer, match.index, required,
                          lambda sa, reason, silent: self._ike_done(key, sa, reason, silent), inner,
                          inner_local=inner_local)

    def _ike_done(self, key: tuple, sa, reason: str, silent_peer: bool) -> None:
        for pkt, facts, context, match in self._waiting.pop(key, []):
            if sa is not None:
                self._send_esp(pkt, facts, sa)
            elif match.rule.fallback and silent_peer:
                peer = ip(pkt.dst)
                self.sim.record("spd", self.name, summary(pkt), "FALLBACK",
                                f"{peer} did not answer IKE; the rule allows falling back to clear",
                                rule=match.label())
                self._open_soft_sa(peer, "it did not answer IKE and we fell back to clear", facts.get("answers"),
                                   opened_by=summary(pkt))
                self._send(Packet(pkt, self.name, facts))
            else:
                self._drop(pkt, f"no SA could be negotiated ({reason})", context, match=match)

    def _open_soft_sa(self, peer: Address, why: str, trigger: dict | None = None, opened_by: str = "") -> None:
        """Open a soft SA; ``opened_by`` is our own packet that opened it, ``trigger`` (ground truth) what that
        packet answered, if anything."""
        if self.soft_sas.get(peer) is None:
            self.soft_sas.open(peer, why, self.sim.now, trigger)
            cause = ""
            if trigger:
                cause = (f"; the packet that opened it is our {trigger['service']} answer to a {trigger['how']} "
                         f"query from {trigger['asker_address']}")
            self.sim.record("spd", self.name, f"soft SA with {peer}", "open",
                            f"clear packets from {peer} will now be admitted: {why}{cause}", rule="stateful extension")
            self.world.note("soft_sa", host=self.name, peer=str(peer), trigger=trigger, packet=opened_by,
                            holder=self.world.holder(self, peer))

    def send_raw_esp(self, pkt, sa, facts: dict | None = None) -> None:
        """Send ``pkt`` through ``sa`` as it is, past the SPD: what a host whose owner controls its own
        stack can do (the insider of fig2 choosing the inner source address)."""
        self._send_esp(pkt, dict(facts or {}), sa)

    def _send_esp(self, pkt, facts: dict, sa, origin: str | None = None) -> None:
        wire = sa.encrypt(pkt, iv=self.sim.randbytes(8))
        # For the trace and the verdict only (the world checks them against the bytes on the wire): what went
        # inside, its transport header and payload as the stack handed them to ESP, and the application's data.
        carried = dict(esp_inner=summary(pkt), esp_segment=bytes(pkt.payload), esp_data=application_data(pkt))
        self._send(Packet(wire, origin or self.name, dict(facts, **carried)))

    def _forward(self, packet: Packet) -> None:
        """A gateway passes on a packet for someone else: into a tunnel that covers it, or as it is."""
        pkt = packet.ip
        sa = self.sad.tunnel_for(ip(pkt.dst))
        if sa is None:
            self.world.transmit(self, packet, forwarded=True)
            return
        self.sim.record("esp", self.name, summary(pkt), "tunnel",
                        f"forwards it through the tunnel to {sa.remote} ({sa.peer_name}), whose SA covers {pkt.dst}",
                        rule=sa.label(), packet_id=packet.facts.get("packet_id"))
        self._send_esp(pkt, packet.facts, sa, origin=packet.origin)

    def _send(self, packet: Packet) -> None:
        self.world.transmit(self, packet)

    def _drop(self, pkt, reason: str, context: FlowContext | None = None, packet_id=None, flow: str | None = None,
              match=None) -> None:
        self.sim.record("drop", self.name, summary(pkt), "discard", reason, packet_id=packet_id)
        flow = flow or (context.flow if context is not None else None)
        if flow:   # ground truth for the verdict: which flow lost a packet here, and which rule decided
            self.world.note("dropped", flow=flow, host=self.name, reason=reason, packet=summary(pkt),
                            dst=str(pkt.dst), action=match.action if match is not None else None,
                            rule=match.label() if match is not None else None, remote=_remote_range(match),
                            holder=self.world.holder(self, ip(pkt.dst)))
        if context is not None and context.on_error is not None:
            context.on_error(reason)

    # ------------------------------------------------------------ inbound processing (RFC 4301 5.2)

    def receive(self, packet: Packet) -> None:
        pkt = packet.ip
        pid = packet.facts.get("packet_id")
        flow = packet.facts.get("flow")
        dst = ip(pkt.dst)
        cls = destination_class(dst, self.directed_broadcasts())
        if cls == "unicast" and not self.owns(dst):
            if self.forwarding:
                self._forward(Packet(pkt, packet.origin, dict(packet.facts)))
            else:
                self._drop(pkt, f"{dst} is not one of our addresses", packet_id=pid, flow=flow)
            return
        if pkt.haslayer(ESP):
            self._receive_esp(packet, pid)
            return
        proto, sport, dport = transport(pkt)
        if proto == 17 and sport in IKE_PORTS and dport in IKE_PORTS:
            self._deliver(packet, pkt, None)    # IKE's own bypass
            return
        view = PacketView.inbound(pkt.src, dst, proto, sport, dport, self.directed_broadcasts())
        match = self.spd.lookup(view)
        action = match.action
        src = ip(pkt.src)
        # a soft SA stands in for an SA between two unicast addresses: the peer's broadcasts are not on it
        if action == "protect" and cls == "unicast" and self.soft_sas.admits(src, self.sim.now):
            soft = self.soft_sas.get(src)
            self.sim.record("spd", self.name, summary(pkt), "ADMIT",
                            f"a clear packet from {src} matches PROTECT, but a soft SA admits it "
                            f"(opened because {soft.reason})", rule=f"soft SA for {src}; {match.label()}",
                            packet_id=pid)
            packet.facts["admitted_by"] = "soft_sa"
            packet.facts["soft_sa_trigger"] = soft.trigger
            self._deliver(packet, pkt, None)
            return
        self.sim.record("spd", self.name, summary(pkt), action.upper(), _spd_reason("in", action, view),
                        rule=match.label(), packet_id=pid)
        if action == "bypass":
            packet.facts["admitted_by"] = f"bypass:{'ipv4' if view.remote.version == 4 else 'ipv6'}"
            self._deliver(packet, pkt, None)
        elif action == "protect":
            self._drop(pkt, "a clear packet matches a PROTECT rule, so it must have come through an SA",
                       packet_id=pid, flow=flow, match=match)
        else:
            self._drop(pkt, f"inbound packet matches {match.label()}", packet_id=pid, flow=flow, match=match)

    def _receive_esp(self, packet: Packet, pid) -> None:
        pkt = packet.ip
        flow = packet.facts.get("flow")
        spi = pkt[ESP].spi
        sa = self.sad.inbound.get(spi)
        if sa is None:
            self._drop(pkt, f"no SA with spi=0x{spi:08x}", packet_id=pid, flow=flow)
            return
        try:
            inner = sa.decrypt(pkt)
        except ReplayError as exc:
            self._drop(pkt, str(exc), packet_id=pid, flow=flow)
            return
        except IntegrityError:
            self._drop(pkt, "ESP integrity check failed (wrong key or altered packet)", packet_id=pid, flow=flow)
            return
        except Exception:   # an unreadable plaintext: only a broken integrity check lets one through
            self._drop(pkt, "the decrypted ESP payload does not parse", packet_id=pid, flow=flow)
            return
        if not inbound_selectors_admit(sa, ip(inner.src)):
            self._drop(inner, f"the decrypted packet's source {inner.src} is outside the SA's selectors "
                              f"({sa.peer_name}'s SA covers {_sa_sources(sa)})", packet_id=pid, flow=flow)
            return
        self.sim.record("esp", self.name, summary(inner), "decrypt",
                        f"ESP spi=0x{spi:08x} from {sa.peer_name}: integrity and replay checks pass",
                        rule=sa.label(), packet_id=pid)
        decrypted = [*packet.facts.get("decrypted", ()),
                     {"host": self.name, "address": str(sa.local), "mode": sa.mode, "as": sa.local_name,
                      "peer": sa.peer_name}]
        inner_packet = Packet(inner, packet.origin, dict(packet.facts, decrypted=decrypted))
        inner_packet.sa = sa
        if not self.owns(ip(inner.dst)) and self.forwarding:
            self._forward(inner_packet)
            return
        self._deliver(inner_packet, inner, sa)

    def _deliver(self, packet: Packet, pkt, sa) -> None:
        packet.sa = sa
        proto, sport, dport = transport(pkt)
        src, dst = ip(pkt.src), ip(pkt.dst)
        if proto == 17:
            handler = self._udp.get(dport)
            if handler is None:
                self._drop(pkt, f"no service on UDP port {dport}", packet_id=packet.facts.get("packet_id"))
                return
            handler(packet, src, sport, dst, bytes(pkt[UDP].payload))
        elif proto == 6:
            self._tcp_input(packet, pkt, src, sport, dst, dport, sa)
        else:
            self._drop(pkt, f"no handler for protocol {proto}")

    # ------------------------------------------------------------ a small TCP

    def _tcp_input(self, packet, pkt, src, sport, dst, dport, sa) -> None:
        seg = pkt[TCP]
        key = (dport, src, sport)
        conn = self._connections.get(key)
        if conn is not None:
            conn.segment(packet, seg, sa)
            return
        flags = str(seg.flags)
        if flags == "S" and dport in self._listeners:
            conn = Connection(self, dst, dport, src, sport, FlowContext(flow=packet.facts.get("flow")),
                              role="server")
            self._connections[key] = conn
            conn.inbound_sa = sa
            conn.rcv_nxt = seg.seq + 1
            conn.accepted(self._listeners[dport])
            return
        self._drop(pkt, f"no connection or listener for TCP port {dport}", packet_id=packet.facts.get("packet_id"))


class Connection:
    """A socket-like TCP connection: SYN, SYN-ACK, then data segments.

    ``peer_identity()`` is the paper's solution 1: the application asks who the peer
    authenticated as and who certified it, or learns that its data went in clear.
    """

    def __init__(self, host: Host, local: Address, lport: int, remote: Address, rport: int,
                 context: FlowContext, role: str = "client"):
        self.host = host
        self.local, self.lport, self.remote, self.rport = local, lport, remote, rport
        self.context = context
        self.role = role
        self.state = "new"
        self.inbound_sa = None
        self.isn = host.sim.rng.randrange(1, 2**31)
        self.snd_nxt = self.isn
        self.rcv_nxt = 0
        self.on_established: Callable[[Connection], None] = lambda conn: None
        self.on_data: Callable[[Connection, bytes, Packet], None] = lambda conn, data, packet: None
        self.on_failed: Callable[[Connection, str], None] = lambda conn, reason: None

    @property
    def key(self) -> tuple:
        return (self.lport, self.remote, self.rport)

    def _segment(self, flags: str, payload: bytes = b"") -> None:
        if self.state in ("failed", "closed"):
            return
        pkt = tcp(self.local, self.remote, self.lport, self.rport, flags, payload, seq=self.snd_nxt,
                  ack=self.rcv_nxt)
        self.snd_nxt += len(payload) + (1 if "S" in flags else 0)
        self.host.output(pkt, context=self.context)

    def start(self) -> None:
        self.state = "syn_sent"
        self.host.sim.record("app", self.host.name, f"connect {self.remote}:{self.rport}", "connect",
                             "via a name handle for " + self.context.expected_name if self.context.expected_name
                             else "the stack is given only the address, not the name")
        self._segment("S")
        self.host.sim.schedule(CONNECT_TIMEOUT_US, self._timeout)

    def _timeout(self) -> None:
        if self.state == "syn_sent":
            self.fail(f"no answer from {self.remote}:{self.rport}")

    def fail(self, reason: str) -> None:
        if self.state in ("failed", "closed", "established"):
            return
        self.state = "failed"
        self.host._connections.pop(self.key, None)
        self.host.sim.record("app", self.host.name, f"connect {self.remote}:{self.rport}", "failed", reason)
        self.on_failed(self, reason)

    def accepted(self, on_accept) -> None:
        self.state = "established"
        on_accept(self)
        self._segment("SA")

    def segment(self, packet, seg, sa) -> None:
        flags = str(seg.flags)
        if sa is not None:
            self.inbound_sa = sa
        if self.state == "syn_sent" and flags == "SA":
            self.rcv_nxt = seg.seq + 1
            self.state = "established"
            self.on_established(self)
        elif self.state == "established" and bytes(seg.payload):
            self.rcv_nxt = seg.seq + len(bytes(seg.payload))
            self.on_data(self, bytes(seg.payload), packet)

    def sendall(self, data: bytes) -> None:
        """Send ``data`` in one segment (the simulated socket never splits it)."""
        self._segment("PA", data)

    def close(self) -> None:
        self.state = "closed"
        self.host._connections.pop(self.key, None)

    def peer_identity(self) -> PeerIdentity | None:
        """Who the peer authenticated as in IKE, or ``None`` if this connection runs in clear; ``encrypted``
        is false when either direction's SA authenticates only (ESP with NULL encryption).

        Both directions must use the SA: a policy that sends our packets in clear (a BYPASS
        rule above a tunnel rule covering the same address) leaves them unprotected even when
        the replies come back through the tunnel.
        """
        host = self.host
        sa = host.sad.for_destination(self.remote)
        if sa is None or self.inbound_sa is None:
            return None
        view = PacketView.outbound(self.local, self.remote, "tcp", self.lport, self.rport, host.directed_broadcasts())
        if host.spd.lookup(view, peer_name=self.context.expected_name).action != "protect":
            return None
        return PeerIdentity(sa.peer_name, sa.peer_issuer, sa.spi,
                            encrypted=sa.transform.encrypts and self.inbound_sa.transform.encrypts)


def inbound_selectors_admit(sa, src: Address) -> bool:
    """RFC 4301 section 5.2: after decryption, the inner source must lie within the SA's selectors.

    A transport SA carries only its peer's own address; a tunnel SA the inner ranges negotiated
    for it. Without this check any peer with an SA could claim any other host's address inside it.
    """
    if sa.mode == "tunnel":
        return not sa.inner_remote or any(src.version == p.version and src in p for p in sa.inner_remote)
    return src == sa.remote


def _sa_sources(sa) -> str:
    if sa.mode == "tunnel" and sa.inner_remote:
        return ", ".join(map(str, sa.inner_remote))
    return str(sa.remote)


def _remote_range(match) -> str | None:
    """The remote prefix a matched rule selects (None for ANY, a keyword or no rule)."""
    rule = match.rule if match is not None else None
    if rule is None or rule.remote is None or rule.remote.prefix is None:
        return None
    return str(rule.remote.prefix)


def tunnelled_ranges(spd: Spd, gateway: Address, version: int) -> tuple[Prefix, ...]:
    """Every remote range that PROTECT rules send through ``gateway`` (strongSwan's remote_ts list)."""
    found = []
    for rule in spd:
        if rule.action == "protect" and rule.tunnel == gateway:
            net = rule.remote.prefix if rule.remote and rule.remote.prefix else \
                prefix("0.0.0.0/0" if version == 4 else "::/0")
            if net.version == version and net not in found:
                found.append(net)
    return tuple(found)


def _spd_reason(direction: str, action: str, view: PacketView) -> str:
    peer = view.remote if view.remote_class == "unicast" else f"{view.remote} ({view.remote_class})"
    if view.local_class != "unicast":
        peer = f"{view.remote} to {view.local} ({view.local_class})"
    words = {
        ("out", "protect"): f"traffic to {peer} must go through an SA",
        ("out", "bypass"): f"traffic to {peer} goes in clear",
        ("out", "discard"): f"traffic to {peer} is not allowed",
        ("in", "protect"): f"traffic from {peer} must arrive through an SA",
        ("in", "bypass"): f"clear traffic from {peer} is accepted",
        ("in", "discard"): f"traffic from {peer} is refused",
    }
    return words[(direction, action)]


__all__ = ["Host", "Connection", "FlowContext", "NameHandle", "PeerIdentity", "ip_header"]
