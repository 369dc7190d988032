"""labsim/ipsec/spd.py: the SPD text syntax, first-match lookup and section 6.4."""

import pytest

from labsim.errors import NameSelectorOnBypass, SpdSyntaxError
from labsim.ipsec.spd import PacketView, Rule, Spd, name_matches, parse_spd

CORP = """
# Example Corp
bypass remote 1.2.0.53 proto udp port 53   # DNS
protect remote 1.2.0.0/16
bypass any
"""


def out(dst, proto="tcp", sport=40000, dport=80, src="1.2.0.5"):
    return PacketView.outbound(src, dst, proto, sport, dport)


def test_first_matching_rule_decides():
    """The DNS bypass comes before the intranet PROTECT rule, so DNS to 1.2.0.53 goes in clear."""
    spd = parse_spd(CORP)
    assert spd.lookup(out("1.2.0.53", "udp", 5000, 53)).label() == "SPD rule 1: bypass remote 1.2.0.53 proto udp port 53"
    assert spd.lookup(out("1.2.0.53", "tcp", 5000, 80)).label() == "SPD rule 2: protect remote 1.2.0.0/16"
    assert spd.lookup(out("3.4.5.6")).label() == "SPD rule 3: bypass any"


def test_order_matters():
    """Swapping two overlapping rules changes the decision (first match, not best match)."""
    a = parse_spd("protect remote 1.2.0.0/16\nbypass remote 1.2.3.4")
    b = parse_spd("bypass remote 1.2.3.4\nprotect remote 1.2.0.0/16")
    assert a.lookup(out("1.2.3.4")).action == "protect"
    assert b.lookup(out("1.2.3.4")).action == "bypass"


def test_no_match_means_discard():
    """A packet that no rule matches is discarded, as RFC 4301 says."""
    match = parse_spd("protect remote 1.2.0.0/16").lookup(out("3.4.5.6"))
    assert match.rule is None and match.action == "discard"
    assert "no SPD rule matched" in match.label()


def test_inbound_uses_the_peer_as_remote():
    """Inbound, the remote address is the packet's source and the local port its destination port."""
    spd = parse_spd("bypass proto tcp lport 80 dir in\ndiscard any")
    assert spd.lookup(PacketView.inbound("3.4.5.6", "1.2.0.5", "tcp", 5555, 80)).action == "bypass"
    assert spd.lookup(PacketView.outbound("1.2.0.5", "3.4.5.6", "tcp", 80, 5555)).action == "discard"


def test_broadcast_and_multicast_selectors():
    """`local broadcast` matches packets sent to a broadcast address; `multicast` matches group addresses."""
    spd = parse_spd("bypass local broadcast dir in\ndiscard local multicast dir in\nprotect any")
    assert spd.lookup(PacketView.inbound("1.2.0.66", "255.255.255.255", "udp", 137, 137)).action == "bypass"
    assert spd.lookup(PacketView.inbound("1.2.0.66", "224.0.0.251", "udp", 5353, 5353)).action == "discard"
    assert spd.lookup(PacketView.inbound("fe80::66", "ff02::1:3", "udp", 5355, 5355)).action == "discard"
    assert spd.lookup(PacketView.inbound("1.2.0.66", "1.2.0.5", "udp", 137, 137)).action == "protect"
    directed = PacketView.inbound("1.2.0.66", "1.2.255.255", "udp", 137, 137, directed_broadcasts=["1.2.255.255"])
    assert spd.lookup(directed).action == "bypass"


def test_ipv6_and_ipv4_rules_are_separate():
    """An IPv4 range never matches an IPv6 packet."""
    spd = parse_spd("protect remote 1.2.0.0/16\nbypass remote ::/0\ndiscard any")
    assert spd.lookup(out("2001:db8::5", src="2001:db8::1")).action == "bypass"
    assert spd.lookup(out("1.2.3.4")).action == "protect"


def test_port_ranges_only_match_tcp_and_udp():
    """A port selector never matches ICMP."""
    spd = parse_spd("bypass port 1024-2048\nprotect any")
    assert spd.lookup(out("1.2.3.4", "tcp", 1, 1500)).action == "bypass"
    assert spd.lookup(out("1.2.3.4", "icmp", 0, 0)).action == "protect"


def test_canonical_text_reparses_to_the_same_rules():
    """str(rule) is valid SPD text for the same rule."""
    text = ("protect remote 1.2.0.0/16 proto tcp port 80 lport 1024-65535 dir out name server-b.example.org\n"
            "protect remote 1.2.0.0/16 fallback\nprotect any tunnel 5.6.7.8\nbypass local broadcast dir in\n"
            "discard remote 2001:db8::/32\nbypass any")
    spd = parse_spd(text)
    again = parse_spd(spd.text())
    assert [str(r) for r in again] == [str(r) for r in spd]
    assert spd.text().splitlines()[2] == "protect any tunnel 5.6.7.8"


@pytest.mark.parametrize("line, column, words", [
    ("protect remtoe 1.2.0.0/16", 9, "did you mean 'remote'"),
    ("prtect any", 1, "starts with an action"),
    ("protect remote 1.2.0.0/33", 16, "needs an address or range"),
    ("bypass proto tcpp", 14, "unknown protocol"),
    ("bypass port 70000", 13, "a port is a number"),
    ("discard proto icmp port 4", 20, "ports only exist for tcp and udp"),
    ("bypass remote 1.2.3.4 remote 1.2.3.5", 23, "given twice"),
    ("bypass any remote 1.2.3.4", 12, "'any' already selects every packet"),
    ("bypass", 7, "needs selectors"),
    ("protect remote", 15, "needs a value"),
    ("bypass remote 1.2.3.4 fallback", 23, "only makes sense on a protect rule"),
    ("protect dir sideways", 13, "'dir' is in, out or both"),
])
def test_syntax_errors_name_line_column_and_show_an_example(line, column, words):
    """A malformed rule is refused with its line, its column, what is wrong and a correct example."""
    with pytest.raises(SpdSyntaxError) as info:
        parse_spd("bypass remote 1.2.0.53 proto udp port 53\n" + line)
    err = info.value
    assert err.line_no == 2 and err.column == column
    assert words in str(err)
    assert "a correct line looks like:" in str(err)
    assert f"SPD line 2, column {column}:" in str(err)


def test_name_selector_on_bypass_is_refused_with_section_6_4():
    """A name selector cannot select bypassed traffic: the SPD says why (paper section 6.4)."""
    with pytest.raises(NameSelectorOnBypass, match=r"known only after the peer has authenticated.*section 6\.4"):
        parse_spd("bypass name printer-b.example.org")
    with pytest.raises(NameSelectorOnBypass):
        parse_spd("discard remote 1.2.0.0/16 name pc-c.example.org")
    with pytest.raises(ValueError):
        Rule("bypass", name="x.example.org")


def test_name_selector_skips_rules_for_other_names_when_the_name_is_known():
    """With a name handle the stack knows the intended name; rules naming other peers do not apply."""
    spd = parse_spd("protect remote 1.2.0.0/16 name pc-c.example.org\nprotect remote 1.2.0.0/16 name server-b.example.org")
    view = out("1.2.3.4")
    assert spd.lookup(view).index == 0
    assert spd.lookup(view, peer_name="server-b.example.org").index == 1


def test_name_matching_follows_rfc_6125():
    """Case-insensitive; a wildcard covers exactly one left-most label."""
    assert name_matches("Server-B.Example.org", "server-b.example.org.")
    assert name_matches("*.example.org", "pc-c.example.org")
    assert not name_matches("*.example.org", "a.b.example.org")
    assert not name_matches("*.example.org", "example.org")


def test_index_handles_many_rules():
    """A thousand rules: the indexed lookup agrees with the linear scan on every probe."""
    rules = "\n".join(f"{'protect' if i % 3 else 'bypass'} remote 10.{i // 256}.{i % 256}.0/24" for i in range(1000))
    spd = parse_spd(rules + "\nprotect remote 10.0.0.0/8 proto tcp\nbypass any")
    assert len(spd) == 1002
    for i in range(0, 1100, 7):
        view = out(f"10.{i // 256}.{i % 256}.9", "tcp" if i % 2 else "udp")
        assert spd.lookup(view) == spd.lookup_linear(view)


def test_empty_spd_discards_everything():
    """An SPD with no rules matches nothing."""
    assert Spd().lookup(out("1.2.3.4")).action == "discard"


def test_protected_traffic_with_finds_a_narrow_protect_rule():
    """A responder that protects only DNS with a peer still finds a PROTECT match for it."""
    spd = parse_spd("protect remote 1.2.0.5 proto udp port 53\nbypass any")
    assert spd.protected_traffic_with("1.2.0.53", "1.2.0.5").rule.rport == (53, 53)
    assert spd.protected_traffic_with("1.2.0.53", "1.2.0.9") is None
    assert parse_spd("bypass any").protected_traffic_with("1.2.0.53", "1.2.0.5") is None
