"""Applications: a client that connects by name or by raw address, and servers.

Applications use the host's socket API only (``getaddrinfo``, ``connect``, ``send``,
``peer_identity``). Besides the trace, each writes ground truth to the world's ledger
(what it meant to reach, what it sent, what it received) so the verdict is computed from
what happened, never from the scenario's toggles.
"""

from __future__ import annotations

from .addresses import ip
from .host import Connection, Host, NameHandle
from .ipsec.spd import name_matches


class ClientApp:
    """Connects to ``name`` on ``port`` and sends ``payload`` once connected.

    ``connect_by="address"`` is the paper's appendix A: the user looks the name up, then
    types the address, so only the address reaches the stack. ``verify_peer`` is solution 1
    (sections 5.5 and 8): before sending, ask the socket whether the connection is protected,
    who the peer authenticated as and who certified it, and refuse unless that is the name the
    application started from, certified by ``expected_issuer`` (by default, a CA the host
    trusts), and the SAs encrypt (its request is confidential; section 5.5's socket API reports
    "authenticated and/or encrypted"). It fails closed: given only an address, it has no name
    to compare, and refuses, as a TLS client does when the certificate names no address.
    """

    def __init__(self, host: Host, name: str, port: int = 80, payload: bytes = b"GET /salaries.xlsx",
                 connect_by: str = "name", verify_peer: bool = False, expected_issuer: str | None = None,
                 start_us: int = 1_000, flow: str = "main"):
        self.host, self.name, self.port, self.payload = host, name.lower(), port, payload
        self.connect_by, self.verify_peer, self.expected_issuer = connect_by, verify_peer, expected_issuer
        self.flow = flow
        self.reply: bytes | None = None
        host.apps.append(self)
        host.sim.schedule(start_us, self.start)

    def start(self) -> None:
        host = self.host
        host.world.note("intent", flow=self.flow, client=host.name, name=self.name, connect_by=self.connect_by)
        if self.connect_by == "address":
            host.sim.record("app", host.name, f"nslookup {self.name}", "resolve",
                            "the user looks the name up first, then will type the address (appendix A)")
            host.resolver.lookup(self.name, "A", self._typed_address)
        else:
            host.sim.record("app", host.name, f"getaddrinfo {self.name}", "resolve",
                            f"the application starts from the name {self.name}")
            host.getaddrinfo(self.name, self._resolved)

    def _typed_address(self, answer) -> None:
        if not answer.ok:
            self._give_up(f"{self.name} did not resolve")
            return
        address = ip(answer.values[0])
        self._note_resolution(address, answer)
        self.host.sim.record("app", self.host.name, f"telnet {address} {self.port}", "connect",
                             "the user types the address; the name is now only in the user's head")
        self._connect(address)

    def _resolved(self, target, answer) -> None:
        if target is None:
            self._give_up(f"{self.name} did not resolve")
            return
        address = self.host._handles[target.number][1] if isinstance(target, NameHandle) else target
        self._note_resolution(address, answer)
        self._connect(target)

    def _note_resolution(self, address, answer) -> None:
        self.host.world.note("resolved", flow=self.flow, name=self.name, address=str(address), source=answer.source,
                             secure=answer.secure, forged_by=answer.facts.get("dns_forged_by"))

    def _connect(self, target) -> None:
        conn = self.host.connect(target, self.port, flow=self.flow)
        conn.on_established = self._established
        conn.on_failed = lambda c, reason: self._give_up(reason)
        conn.on_data = self._on_reply

    def _established(self, conn: Connection) -> None:
        host = self.host
        peer = conn.peer_identity()
        if self.verify_peer:
            problem = None
            issuers = [self.expected_issuer] if self.expected_issuer else [ca.name for ca in host.trusted_cas]
            if self.connect_by == "address":
                problem = (f"the socket reports {peer.name if peer else 'no IPsec'}, but the application was given "
                           "only an address, so it has no name to compare (the name is in the user's head)")
            elif peer is None:
                problem = "the connection is not protected by IPsec, so nobody proved who the peer is"
            elif not name_matches(self.name, peer.name):
                problem = f"the peer authenticated as {peer.name}, not {self.name}"
            elif peer.issuer not in issuers:
                problem = f"the peer's certificate comes from {peer.issuer}, not {' or '.join(issuers) or 'a trusted CA'}"
            if peer is not None and not peer.encrypted and self.connect_by != "address":
                unencrypted = ("the socket reports that its SAs authenticate but do not encrypt (ESP with NULL "
                               "encryption), so the request would cross the network readable")
                problem = f"{problem}; besides, {unencrypted}" if problem else unencrypted
            if problem:
                host.sim.record("app", host.name, f"peer identity of {conn.remote}", "refuse",
                                f"{problem}; the application closes without sending", rule="application check")
                host.world.note("refused", flow=self.flow, client=host.name, reason=problem)
                conn.close()
                return
            host.sim.record("app", host.name, f"peer identity of {conn.remote}", "pass",
                            f"the socket says the peer is {peer.name}, certified by {peer.issuer}",
                            rule="application check")
        sa = host.sad.for_destination(conn.remote)
        host.world.note("sent", flow=self.flow, client=host.name, to=str(conn.remote), payload=self.payload,
                        protected=peer is not None,
                        peer_name=peer.name if peer else None, peer_issuer=peer.issuer if peer else None,
                        mode=sa.mode if sa and peer else None,
                        gateway=str(sa.remote) if sa and peer and sa.mode == "tunnel" else None)
        how = f"over IPsec to {peer.name}" if peer else "in clear"
        host.sim.record("app", host.name, f"send {len(self.payload)} bytes to {conn.remote}", "send", how)
        conn.sendall(self.payload)

    def _on_reply(self, conn: Connection, data: bytes, packet) -> None:
        self.reply = data
        self.host.sim.record("app", self.host.name, f"reply from {conn.remote}", "receive",
                             f"{len(data)} bytes: {data[:40].decode(errors='replace')!r}")
        conn.close()

    def _give_up(self, reason: str) -> None:
        self.host.world.note("failed", flow=self.flow, client=self.host.name, reason=reason)
        self.host.sim.record("app", self.host.name, f"connect to {self.name}", "give up", reason)


class ServerApp:
    """Accepts connections on ``port``, records what it receives, answers with ``reply``.

    ``allow_from`` is an address allow list (``hosts.allow``): a service that trusts IPsec to
    vouch for source addresses serves only these peers.
    """

    def __init__(self, host: Host, port: int = 80, reply: bytes = b"200 OK", label: str = "server",
                 allow_from=None):
        self.host, self.port, self.reply, self.label = host, port, reply, label
        self.allow_from = None if allow_from is None else [ip(a) for a in allow_from]
        self.received: list[bytes] = []
        host.apps.append(self)
        host.listen(port, self._accept)

    def _accept(self, conn: Connection) -> None:
        if self.allow_from is not None and conn.remote not in self.allow_from:
            self.host.sim.record("app", self.host.name, f"connection from {conn.remote}", "refuse",
                                 f"{self.label} serves only {', '.join(map(str, self.allow_from))}",
                                 rule="address allow list")
            conn.on_data = lambda c, data, packet: None
            return
        # Ground truth for the verdict (never read by a host): the service took this connection,
        # whatever follows; an attacker's clear SYN accepted here got past the host's inbound policy.
        self.host.world.note("accepted", flow=conn.context.flow, host=self.host.name, source=str(conn.remote),
                             port=self.port, protected=conn.inbound_sa is not None)
        conn.on_data = self._data

    def _data(self, conn: Connection, data: bytes, packet) -> None:
        host = self.host
        self.received.append(data)
        sa = packet.sa
        # Ground truth for the verdict: what arrived, from whom really, and how (never read by a host).
        host.world.note("received", flow=packet.facts.get("flow"), host=host.name, sender=packet.origin,
                        source=str(conn.remote), data=data, protected=sa is not None,
                        peer_name=sa.peer_name if sa else None, own_name=sa.local_name if sa else None,
                        mode=sa.mode if sa else None, decrypted=packet.facts.get("decrypted", []),
                        admitted_by=packet.facts.get("admitted_by"),
                        soft_sa_trigger=packet.facts.get("soft_sa_trigger"))
        how = f"through an SA with {sa.peer_name}" if sa else "in clear"
        verb = "steals" if host.malicious else "receive"
        host.sim.record("app", host.name, f"{len(data)} bytes from {conn.remote}: {data[:40].decode(errors='replace')!r}",
                        verb, f"{self.label} gets the application data {how}")
        conn.sendall(self.reply)
