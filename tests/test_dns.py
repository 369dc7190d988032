"""labsim/dns.py: zones, DNSSEC signatures, resolvers and spoofing."""

import dns.message

from labsim.dns import Directory, Zone, describe_message, make_answer, make_query, reverse_name
from labsim.result import run


def test_signed_zone_answers_carry_a_verifiable_rrsig():
    """A signed zone's RRsets carry an RRSIG that validates with the zone key."""
    import dns.dnssec
    zone = Zone("example.org", seed=1, signed=True)
    zone.add("server-b.example.org", "A", "1.2.3.4")
    rrset, sigs = zone.lookup("server-b.example.org", "A")
    dns.dnssec.validate(rrset, sigs, {zone.origin: zone.dnskey_rrset()}, now=1117584000)


def test_unsigned_zone_has_no_signatures_and_unknown_names_nothing():
    """Unsigned zones answer without RRSIG; unknown names give nothing."""
    zone = Zone("example.org")
    zone.add("a.example.org", "A", "1.2.0.1")
    assert zone.lookup("a.example.org", "A")[1] is None
    assert zone.lookup("b.example.org", "A") == (None, None)


def test_directory_picks_the_most_specific_zone():
    """The reverse zone answers PTR queries for its addresses."""
    fwd, rev = Zone("example.org"), Zone("2.1.in-addr.arpa")
    rev.add(reverse_name("1.2.3.4"), "PTR", "server-b.example.org.")
    directory = Directory([fwd, rev])
    assert directory.zone_for("4.3.2.1.in-addr.arpa") is rev
    assert directory.truth("4.3.2.1.in-addr.arpa", "PTR") == ["server-b.example.org."]


def test_messages_are_described_in_one_line():
    """Queries and answers have short stable summaries."""
    q = make_query("server-b.example.org", "A", 7)
    assert describe_message(q) == "query A server-b.example.org id=7"
    zone = Zone("example.org")
    zone.add("server-b.example.org", "A", "1.2.3.4")
    answer = make_answer(dns.message.from_wire(q), *zone.lookup("server-b.example.org", "A"))
    assert describe_message(answer) == "answer server-b.example.org A 1.2.3.4 (unsigned) id=7"
    assert describe_message(b"\x00") == "malformed DNS message"


def test_plain_resolver_takes_the_first_matching_answer():
    """Without DNSSEC the forged answer arrives first and wins; the real one is too late."""
    text = run("fig1").trace_text()
    assert "answer server-b.example.org A 3.4.5.6  accept  accepted without validation (plain DNS)" in text
    assert "discard  no service on UDP port" in text   # the real answer, after the port closed


def test_validating_resolver_rejects_the_forgery_and_waits_for_the_real_answer():
    """With DNSSEC the forged RRSIG does not verify; the signed real answer is accepted."""
    text = run("fig1", dnssec="on").trace_text()
    assert "answer server-b.example.org A 3.4.5.6  reject  DNSSEC validation failed: RRSIG does not verify" in text
    assert "answer server-b.example.org A 1.2.3.4  accept  signature verified with the zone key" in text


def test_hosts_file_answers_without_a_query():
    """A hosts-file entry is used before any DNS query."""
    text = run("basics").trace_text()
    assert "hosts file  server-b.example.org is 1.2.3.4 in the hosts file; no query sent" in text
    assert "DNS " not in text


def _forged(forge, signed=True):
    """A lying server's answer for server-b, as the laptop of fig3 receives it, validated against example.org."""
    from labsim.dns import DnsServer, Resolver
    from labsim.host import Host
    from labsim.net import World
    w = World(seed=3)
    w.add_network("lan", "lan", ["7.7.7.0/24"])
    zone = Zone("example.org", seed=3, signed=signed)
    zone.add("server-b.example.org", "A", "1.2.3.4")
    zone.add("ns.example.org", "A", "1.2.0.53")
    w.directory = Directory([zone])
    liar = w.add_host(Host("liar"), "lan", ["7.7.7.1"])
    DnsServer(liar, directory=w.directory, lies={"server-b.example.org": ["7.7.7.66"]}, forge=forge)
    laptop = w.add_host(Host("laptop"), "lan", ["7.7.7.23"])
    Resolver(laptop, ["7.7.7.1"], validate=True, trust_anchors=[zone])
    answers = []
    laptop.resolver.lookup("server-b.example.org", "A", answers.append)
    w.run()
    return w, answers[0]


def test_a_lie_signed_with_the_liars_own_key_does_not_verify():
    """own_key: the RRSIG names example.org's key, but the signature does not verify with it."""
    w, answer = _forged("own_key")
    assert not answer.ok
    rejected = next(e for e in w.sim.trace if e.decision == "reject")
    assert "RRSIG does not verify with example.org's key" in rejected.reason


def test_a_genuine_signature_copied_from_another_record_does_not_verify():
    """replayed: a real example.org RRSIG, made for ns.example.org, does not verify for server-b's false record."""
    w, answer = _forged("replayed")
    assert not answer.ok
    assert any("with the genuine RRSIG of ns.example.org A copied beside it" in e.reason for e in w.sim.trace)
    rejected = next(e for e in w.sim.trace if e.decision == "reject")
    assert "RRSIG does not verify with example.org's key" in rejected.reason


def test_an_unsigned_zone_leaves_nothing_to_copy():
    """replayed against an unsigned zone: the lie goes out unsigned, and the trace says why."""
    w, answer = _forged("replayed", signed=False)
    assert any("there is no signature to copy" in e.reason for e in w.sim.trace)
    assert next(e for e in w.sim.trace if e.decision == "reject").reason.endswith(
        "the answer carries no RRSIG; still waiting for a valid answer")


def test_the_resolver_records_a_cache_entry_it_is_given():
    """remember() fills the cache and says where the entry was learnt."""
    from labsim.dns import Resolver
    from labsim.host import Host
    from labsim.net import World
    w = World(seed=3)
    w.add_network("lan", "lan", ["7.7.7.0/24"])
    laptop = w.add_host(Host("laptop"), "lan", ["7.7.7.23"])
    Resolver(laptop, [])
    laptop.resolver.remember("printer-b.example.org", "A", ["192.168.0.20"], "the office")
    answers = []
    laptop.resolver.lookup("printer-b.example.org", "A", answers.append)
    w.run()
    assert answers[0].values == ("192.168.0.20",)
    assert [e.decision for e in w.sim.trace] == ["remember", "cache"]
