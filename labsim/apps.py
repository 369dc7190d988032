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
    types the address, so only the address reaches the stack. ``verify_peer`` is solution 1:
    before sending, ask the socket who the peer authenticated as and who certified it.
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
        if self.verify_peer and self.connect_by == "address":
            host.sim.record("app", host.name, f"peer identity of {conn.remote}", "cannot check",
                            f"the socket reports {peer.name if peer else 'no IPsec'}, but the application was "
                            "given only an address: the name is in the user's head", rule="application check")
        elif self.verify_peer:
            problem = None
            if peer is None:
                problem = "the connection is not protected by IPsec"
            elif not name_matches(self.name, peer.name):
                problem = f"the peer authenticated as {peer.name}, not {self.name}"
            elif self.expected_issuer and peer.issuer != self.expected_issuer:
                problem = f"the peer's certificate comes from {peer.issuer}, not {self.expected_issuer}"
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
        host.world.note("sent", flow=self.flow, client=host.name, to=str(conn.remote), protected=peer is not None,
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
    """Accepts connections on ``port``, records what it receives, answers with ``reply``."""

    def __init__(self, host: Host, port: int = 80, reply: bytes = b"200 OK", label: str = "server"):
        self.host, self.port, self.reply, self.label = host, port, reply, label
        self.received: list[bytes] = []
        host.apps.append(self)
        host.listen(port, self._accept)

    def _accept(self, conn: Connection) -> None:
        conn.on_data = self._data

    def _data(self, conn: Connection, data: bytes, packet) -> None:
        host = self.host
        self.received.append(data)
        sa = packet.sa
        host.world.note("received", flow=packet.facts.get("flow"), host=host.name, sender=packet.origin,
                        protected=sa is not None, peer_name=sa.peer_name if sa else None,
                        admitted_by=packet.facts.get("admitted_by"))
        how = f"through an SA with {sa.peer_name}" if sa else "in clear"
        verb = "steals" if host.malicious else "receive"
        host.sim.record("app", host.name, f"{len(data)} bytes from {conn.remote}: {data[:40].decode(errors='replace')!r}",
                        verb, f"{self.label} gets the application data {how}")
        conn.sendall(self.reply)
