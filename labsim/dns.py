"""Name resolution: zones (optionally DNSSEC-signed), servers, stub resolvers and spoofers.

Answers travel as real DNS messages (dnspython builds and parses them; scapy carries and
dissects them). Signed zones carry RRSIG records made with a real Ed25519 zone key; a
validating resolver checks them against its trust anchor with ``dns.dnssec.validate``, so
a forged answer fails for the reason it fails in life: its signature does not verify.

>>> zone = Zone("example.org", seed=1, signed=True)
>>> zone.add("server-b.example.org", "A", "1.2.3.4")
>>> rrset, sigs = zone.lookup("server-b.example.org", "A")
>>> [r.to_text() for r in rrset], len(sigs)
(['1.2.3.4'], 1)
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

import dns.dnssec
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset
import dns.reversename

from .addresses import Address, ip
from .pki import SIM_EPOCH, derived_key

TTL = 3600
SERVER_DELAY_US = 2_000        # an authoritative server takes 2 ms to answer
RESOLVER_TIMEOUT_US = 2_000_000
SIG_INCEPTION = int((SIM_EPOCH - datetime.timedelta(days=1)).timestamp())
SIG_EXPIRATION = int((SIM_EPOCH + datetime.timedelta(days=30)).timestamp())


def fqdn(name: str) -> dns.name.Name:
    return dns.name.from_text(name if name.endswith(".") else name + ".")


def plain(name: dns.name.Name | str) -> str:
    return str(name).rstrip(".").lower()


def reverse_name(address: Address | str) -> str:
    """``1.2.3.4`` -> ``4.3.2.1.in-addr.arpa``."""
    return plain(dns.reversename.from_address(str(address)))


class Zone:
    """An authoritative zone: what each name's owner registered, optionally signed."""

    def __init__(self, origin: str, seed: int = 0, signed: bool = False):
        self.origin = fqdn(origin)
        self.signed = signed
        self.key = derived_key(seed, f"zone/{plain(self.origin)}")
        self.dnskey = dns.dnssec.make_dnskey(self.key.public_key(), dns.dnssec.Algorithm.ED25519)
        self.records: dict[tuple[str, str], list[str]] = {}
        self._signatures: dict[tuple[str, str], dns.rrset.RRset] = {}

    def covers(self, name: str) -> bool:
        return fqdn(name).is_subdomain(self.origin)

    def add(self, name: str, rdtype: str, value: str) -> None:
        key = (plain(name), rdtype.upper())
        self.records.setdefault(key, []).append(str(value))
        self._signatures.pop(key, None)

    def replace(self, name: str, rdtype: str, values: list[str]) -> None:
        key = (plain(name), rdtype.upper())
        self.records[key] = [str(v) for v in values]
        self._signatures.pop(key, None)

    def dnskey_rrset(self) -> dns.rrset.RRset:
        return dns.rrset.from_rdata(self.origin, TTL, self.dnskey)

    def lookup(self, name: str, rdtype: str):
        """(RRset or None, RRSIG RRset or None)."""
        key = (plain(name), rdtype.upper())
        values = self.records.get(key)
        if not values:
            return None, None
        rrset = dns.rrset.from_text_list(fqdn(key[0]), TTL, "IN", key[1], values)
        if not self.signed:
            return rrset, None
        if key not in self._signatures:
            rrsig = dns.dnssec.sign(rrset, self.key, self.origin, self.dnskey,
                                    inception=SIG_INCEPTION, expiration=SIG_EXPIRATION)
            self._signatures[key] = dns.rrset.from_rdata(rrset.name, TTL, rrsig)
        return rrset, self._signatures[key]


class Directory:
    """Every zone in the world: the truth that an honest recursive server passes on."""

    def __init__(self, zones: list[Zone] | tuple = ()):
        self.zones = list(zones)

    def zone_for(self, name: str) -> Zone | None:
        found = [z for z in self.zones if z.covers(name)]
        return max(found, key=lambda z: len(z.origin), default=None)

    def lookup(self, name: str, rdtype: str):
        zone = self.zone_for(name)
        return zone.lookup(name, rdtype) if zone else (None, None)

    def truth(self, name: str, rdtype: str = "A") -> list[str]:
        rrset, _ = self.lookup(name, rdtype)
        return sorted(r.to_text() for r in rrset) if rrset else []


def make_query(qname: str, rdtype: str, qid: int) -> bytes:
    query = dns.message.make_query(fqdn(qname), rdtype, want_dnssec=True)
    query.id = qid
    return query.to_wire()


def make_answer(query: dns.message.Message, rrset, rrsigs=None) -> bytes:
    response = dns.message.make_response(query)
    response.flags |= dns.flags.AA
    if rrset is None:
        response.set_rcode(dns.rcode.NXDOMAIN)
    else:
        response.answer.append(rrset)
        if rrsigs is not None:
            response.answer.append(rrsigs)
    # dnspython would shuffle each RRset with the unseeded global RNG: keep runs byte-identical
    return response.to_wire(want_shuffle=False)


def describe_message(wire: bytes) -> str:
    """``query A server-b.example.org`` or ``answer server-b.example.org A 1.2.3.4 (signed)``."""
    try:
        msg = dns.message.from_wire(wire)
    except dns.exception.DNSException:
        return "malformed DNS message"
    question = msg.question[0] if msg.question else None
    qtext = f"{dns.rdatatype.to_text(question.rdtype)} {plain(question.name)}" if question is not None else "?"
    if not msg.flags & dns.flags.QR:
        return f"query {qtext} id={msg.id}"
    data = [r for r in msg.answer if r.rdtype != dns.rdatatype.RRSIG]
    if not data:
        return f"answer {qtext}: {dns.rcode.to_text(msg.rcode())} id={msg.id}"
    signed = any(r.rdtype == dns.rdatatype.RRSIG for r in msg.answer)
    values = ", ".join(r.to_text() for rr in data for r in rr)
    return (f"answer {plain(data[0].name)} {dns.rdatatype.to_text(data[0].rdtype)} {values} "
            f"({'signed' if signed else 'unsigned'}) id={msg.id}")


# ---------------------------------------------------------------- servers

class DnsServer:
    """A DNS server on a host (UDP port 53).

    ``zones``: the zones it is authoritative for. ``directory``: if given, it also answers
    for any other name, as an honest recursive server would, passing signatures on.
    ``lies``: names it answers falsely (a malicious server, paper figure 3). The liar has no
    zone key, so ``forge`` says what it puts beside a lie: ``unsigned`` (no RRSIG),
    ``own_key`` (an RRSIG that names the zone's key but is made with the liar's own), or
    ``replayed`` (a genuine RRSIG the zone made for another record of the same type, copied
    under the lied-about name). A validating resolver rejects all three, each because the
    signature does not verify for that record with the zone's key. ``delay_us``: how long it
    takes to answer (a caching server that must first ask the authoritative servers is
    slower than one that knows).
    """

    FORGERIES = ("unsigned", "own_key", "replayed")

    def __init__(self, host, zones=(), directory: Directory | None = None,
                 lies: dict[str, list[str]] | None = None, delay_us: int = SERVER_DELAY_US,
                 forge: str = "unsigned"):
        if forge not in self.FORGERIES:
            raise ValueError(f"forge must be one of {self.FORGERIES}, not {forge!r}")
        self.host = host
        self.delay_us = delay_us
        self.zones = list(zones)
        self.directory = directory
        self.lies = {plain(k): v for k, v in (lies or {}).items()}
        self.forge = forge
        self.key = derived_key(0, f"liar/{host.name}")
        host.bind_udp(53, self.on_query)
        for name, values in sorted(self.lies.items()):
            host.sim.record("dns", host.name, f"{name} A {', '.join(values)}", "setup",
                            "this DNS server is configured to answer that name with this false record"
                            + {"unsigned": "", "own_key": "; it signs its lies with a key of its own",
                               "replayed": "; beside it, it puts a genuine signature copied from another record of "
                                           "the zone, when the zone is signed"}[forge])

    def _lookup(self, name: str, rdtype: str):
        for zone in self.zones:
            if zone.covers(name):
                return zone.lookup(name, rdtype)
        if self.directory is not None:
            return self.directory.lookup(name, rdtype)
        return None, None

    def on_query(self, packet, src: Address, sport: int, dst: Address, data: bytes) -> None:
        try:
            query = dns.message.from_wire(data)
        except dns.exception.DNSException:
            self.host.sim.record("drop", self.host.name, "DNS", "discard", "malformed DNS query")
            return
        if query.flags & dns.flags.QR or not query.question:
            return
        question = query.question[0]
        name, rdtype = plain(question.name), dns.rdatatype.to_text(question.rdtype)
        if name in self.lies and rdtype in ("A", "AAAA"):
            rrset = dns.rrset.from_text_list(question.name, TTL, "IN", rdtype, self.lies[name])
            sigs, signed = self._forged_signature(name, rdtype, rrset)
            wire, how = make_answer(query, rrset, sigs), "answers with its own false record" + signed
            facts = {"dns_forged_by": self.host.name}
        else:
            rrset, sigs = self._lookup(name, rdtype)
            wire = make_answer(query, rrset, sigs)
            how = "answers from the zone" if rrset is not None else "has no such name"
            facts = {}
        self.host.sim.record("dns", self.host.name, f"{rdtype} {name}", "answer", f"DNS server {how}")
        self.host.sim.schedule(self.delay_us, lambda: self.host.udp_send(src, 53, sport, wire, facts=facts))

    def _forged_signature(self, name: str, rdtype: str, rrset):
        """The RRSIG a liar can put beside its false ``rrset`` (or none), and words for the trace."""
        zone = self.directory.zone_for(name) if self.directory is not None else None
        if self.forge == "unsigned" or zone is None:
            return None, " (unsigned)"
        if self.forge == "own_key":
            # It names the zone and the zone's key (tag and algorithm), but only the liar's key signs.
            rrsig = dns.dnssec.sign(rrset, self.key, zone.origin, zone.dnskey,
                                    inception=SIG_INCEPTION, expiration=SIG_EXPIRATION)
            return (dns.rrset.from_rdata(rrset.name, TTL, rrsig),
                    f", signed with its own key under {plain(zone.origin)}'s name")
        # replayed: a genuine signature over another name's record of the same type
        for (other, other_type) in sorted(zone.records):
            if other_type != rdtype or other == name:
                continue
            _, genuine = zone.lookup(other, other_type)
            if genuine is None:
                break    # the zone is not signed: there is no signature to copy
            copied = dns.rrset.from_rdata(rrset.name, TTL, *genuine)
            return copied, f", with the genuine RRSIG of {other} {other_type} copied beside it"
        return None, f" (unsigned: {plain(zone.origin)} is not signed, so there is no signature to copy)"


class DnsSpoofer:
    """An attacker that sees DNS queries (a tap on the victim's path) and races a forged answer.

    The forged answer carries the real server's address as its source and the query's id
    and port, so a resolver that only matches those accepts it. Where the real zone is
    signed, the forgery carries a signature too, made with the attacker's own key; a
    validating resolver finds that it does not verify.
    """

    def __init__(self, attacker, world, tap_node: str, victims: list[str], targets: dict[str, str],
                 sign_with_own_key: bool = True, reaction_us: int = 100):
        self.attacker = attacker
        self.world = world
        self.victims = {ip(v) for v in victims}
        self.targets = {plain(k): v for k, v in targets.items()}
        self.sign = sign_with_own_key
        self.reaction_us = reaction_us
        self.key = derived_key(0, f"attacker/{attacker.name}")
        world.add_tap(tap_node, self.on_packet)

    def on_packet(self, packet) -> None:
        from scapy.layers.inet import UDP
        pkt = packet.ip
        if ip(pkt.src) not in self.victims or not pkt.haslayer(UDP) or pkt[UDP].dport != 53:
            return
        try:
            query = dns.message.from_wire(bytes(pkt[UDP].payload))
        except dns.exception.DNSException:
            return
        if query.flags & dns.flags.QR or not query.question:
            return
        question = query.question[0]
        name, rdtype = plain(question.name), dns.rdatatype.to_text(question.rdtype)
        wanted = "PTR" if name.endswith((".in-addr.arpa", ".ip6.arpa")) else "A"
        if name not in self.targets or rdtype != wanted:
            return
        value = self.targets[name] + ("." if wanted == "PTR" else "")
        rrset = dns.rrset.from_text(question.name, TTL, "IN", wanted, value)
        sigs = None
        zone = self.world.directory.zone_for(name)
        if self.sign and zone is not None and zone.signed:
            # Real answers carry signatures, so the forgery imitates one: it names the zone's
            # key, but the attacker can only sign with a key of its own.
            rrsig = dns.dnssec.sign(rrset, self.key, zone.origin, zone.dnskey,
                                    inception=SIG_INCEPTION, expiration=SIG_EXPIRATION)
            sigs = dns.rrset.from_rdata(rrset.name, TTL, rrsig)
        wire = make_answer(query, rrset, sigs)
        self.attacker.sim.record("dns", self.attacker.name, f"sees query {wanted} {name}", "forge",
                                 f"races a forged answer {name} {wanted} {self.targets[name]} "
                                 f"from {pkt.dst}'s address")
        forged = (pkt.dst, pkt.src, pkt[UDP].dport, pkt[UDP].sport, wire)
        self.attacker.sim.schedule(self.reaction_us, lambda: self.world.inject(
            self.attacker, *forged, facts={"dns_forged_by": self.attacker.name}))


# ---------------------------------------------------------------- the stub resolver

@dataclass(frozen=True)
class Answer:
    """What a resolver hands back: the values, how it knows them, and whether they validated."""

    qname: str
    rdtype: str
    values: tuple[str, ...]
    source: str
    secure: bool = False
    facts: dict = field(default_factory=dict, compare=False)

    @property
    def ok(self) -> bool:
        return bool(self.values)


class Resolver:
    """A host's stub resolver: hosts file, then cache, then a query to its DNS server.

    With ``validate`` on it checks DNSSEC signatures against its trust anchors and keeps
    waiting for a valid answer when a bogus one arrives. ``lookup(..., secure=True)``
    demands a validated answer even when ``validate`` is off for ordinary lookups.
    """

    def __init__(self, host, servers=(), hosts_file: dict[str, str] | None = None, validate: bool = False,
                 trust_anchors: list[Zone] | tuple = ()):
        self.host = host
        self.servers = [ip(s) for s in servers]
        self.hosts_file = {plain(k): v for k, v in (hosts_file or {}).items()}
        self.validate = validate
        self.trust_anchors = {z.origin: z.dnskey_rrset() for z in trust_anchors}
        self.cache: dict[tuple[str, str], Answer] = {}
        host.resolver = self

    def set_servers(self, servers, why: str) -> None:
        """Ask ``servers`` from now on (``why``: who said so); the trace shows the change as it happens."""
        before = list(self.servers)
        self.servers = [ip(s) for s in servers]
        now = ", ".join(map(str, self.servers)) or "no server"
        if self.servers == before:
            words = f"keeps asking {now} ({why})"
        else:
            words = f"now asks {now} ({why}); before it asked {', '.join(map(str, before)) or 'no server'}"
        self.host.sim.record("dns", self.host.name, "resolver", "configure", words)

    def remember(self, name: str, rdtype: str, values, learnt: str) -> None:
        """A cache entry brought from elsewhere (``learnt``: where from); it is never checked again."""
        name = plain(name)
        self.cache[(name, rdtype)] = Answer(name, rdtype, tuple(values), learnt)
        self.host.sim.record("dns", self.host.name, f"cache: {name} {rdtype} {', '.join(values)}", "remember",
                             f"the resolver's cache holds this, learnt from {learnt}")

    def lookup(self, qname: str, rdtype: str, on_done: Callable[[Answer], None], secure: bool = False) -> None:
        sim, host = self.host.sim, self.host
        name = plain(qname)
        if rdtype == "A" and name in self.hosts_file and not secure:
            answer = Answer(name, rdtype, (self.hosts_file[name],), "hosts file")
            sim.record("dns", host.name, f"A {name}", "hosts file",
                       f"{name} is {self.hosts_file[name]} in the hosts file; no query sent")
            on_done(answer)
            return
        cached = self.cache.get((name, rdtype))
        if cached is not None and (cached.secure or not secure):
            sim.record("dns", host.name, f"{rdtype} {name}", "cache",
                       f"{name} is {', '.join(cached.values)} in the cache (learnt from {cached.source})")
            on_done(Answer(name, rdtype, cached.values, f"cache ({cached.source})", cached.secure, cached.facts))
            return
        if not self.servers:
            sim.record("dns", host.name, f"{rdtype} {name}", "fail", "no DNS server configured")
            on_done(Answer(name, rdtype, (), "no server"))
            return
        server = self.servers[0]
        sport = host.ephemeral_port()
        qid = sim.rng.randrange(1, 65536)
        state = {"done": False}
        must_validate = self.validate or secure

        def finish(answer: Answer) -> None:
            if state["done"]:
                return
            state["done"] = True
            host.unbind_udp(sport)
            if answer.ok:
                self.cache[(name, rdtype)] = answer
            on_done(answer)

        def on_response(packet, src, port, dst, data) -> None:
            if state["done"]:
                return
            try:
                msg = dns.message.from_wire(data)
            except dns.exception.DNSException:
                sim.record("drop", host.name, "DNS", "discard", "malformed DNS answer")
                return
            if msg.id != qid or src != server or port != 53 or not msg.question \
                    or plain(msg.question[0].name) != name:
                sim.record("drop", host.name, f"DNS answer id={msg.id}", "ignore",
                           "does not match the outstanding query (id, server, port or name)")
                return
            rrset = next((r for r in msg.answer if r.rdtype == dns.rdatatype.from_text(rdtype)), None)
            if rrset is None:
                sim.record("dns", host.name, f"{rdtype} {name}", "no answer", f"server says {dns.rcode.to_text(msg.rcode())}")
                finish(Answer(name, rdtype, (), f"server {server}", facts=dict(packet.facts)))
                return
            values = tuple(sorted(r.to_text().rstrip(".").lower() if rdtype == "PTR" else r.to_text() for r in rrset))
            secure_ok = False
            if must_validate:
                verdict, why = self._validate(msg, rrset)
                if not verdict:
                    sim.record("dns", host.name, f"answer {name} {rdtype} {', '.join(values)}", "reject",
                               f"DNSSEC validation failed: {why}; still waiting for a valid answer",
                               rule="DNSSEC", packet_id=packet.facts.get("packet_id"))
                    return
                secure_ok = True
            how = "signature verified with the zone key" if secure_ok else "accepted without validation (plain DNS)"
            sim.record("dns", host.name, f"answer {name} {rdtype} {', '.join(values)}", "accept", how,
                       rule="DNSSEC" if secure_ok else "", packet_id=packet.facts.get("packet_id"))
            finish(Answer(name, rdtype, values, f"server {server}", secure_ok, dict(packet.facts)))

        def on_timeout() -> None:
            if not state["done"]:
                sim.record("dns", host.name, f"{rdtype} {name}", "fail", f"no valid answer from {server} within 2 s")
                finish(Answer(name, rdtype, (), f"server {server}"))

        host.bind_udp(sport, on_response)
        sim.record("dns", host.name, f"{rdtype} {name}", "query",
                   f"asks {server}" + (" and will check DNSSEC signatures" if must_validate else ""))
        host.udp_send(server, sport, 53, make_query(name, rdtype, qid))
        sim.schedule(RESOLVER_TIMEOUT_US, on_timeout)

    def _validate(self, msg: dns.message.Message, rrset) -> tuple[bool, str]:
        anchor = max((o for o in self.trust_anchors if rrset.name.is_subdomain(o)), key=len, default=None)
        if anchor is None:
            return False, f"no trust anchor covers {plain(rrset.name)}"
        sigs = next((r for r in msg.answer if r.rdtype == dns.rdatatype.RRSIG and r.covers == rrset.rdtype), None)
        if sigs is None:
            return False, "the answer carries no RRSIG"
        now = (SIM_EPOCH + datetime.timedelta(microseconds=self.host.sim.now)).timestamp()
        try:
            dns.dnssec.validate(rrset, sigs, {anchor: self.trust_anchors[anchor]}, now=now)
        except dns.dnssec.ValidationFailure as exc:
            return False, f"RRSIG does not verify with {plain(anchor)}'s key ({exc})"
        return True, ""

