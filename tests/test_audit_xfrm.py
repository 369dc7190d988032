"""labsim/audit/xfrm.py: `ip xfrm policy show` output (and `ip xfrm policy add` commands) into labsim's SPD."""

import ipaddress

import pytest

from labsim.audit.importers import detect_format, import_text, load_policy
from labsim.audit.xfrm import import_xfrm
from labsim.errors import ConfigError
from labsim.ipsec.spd import PacketView, parse_spd

from test_audit_support import EXAMPLES, decisions_match

#: What `ip -s xfrm policy show` prints for a strongSwan trap policy: statistics lines included.
WITH_STATS = """\
src 10.1.0.5/32 dst 10.1.0.0/16 uid 0
	dir out action allow index 3425 priority 367231 ptype main share any flag  (0x00000000)
	lifetime config:
	  limit: soft (INF)(bytes), hard (INF)(bytes)
	  limit: soft (INF)(packets), hard (INF)(packets)
	  expire add: soft 0(sec), hard 0(sec)
	  expire use: soft 0(sec), hard 0(sec)
	lifetime current:
	  0(bytes), 0(packets)
	  add 2024-05-02 10:11:12 use -
	tmpl src 0.0.0.0 dst 0.0.0.0
		proto esp spi 0x00000000(0) reqid 1(0x00000001) mode transport
		level required share any 
		enc-mask ffffffff auth-mask ffffffff comp-mask ffffffff
"""


def rules(policy):
    return [str(r) for r in policy.spd.rules]


def test_the_broadcast_example_imports_in_priority_order_and_skips_socket_and_fwd_policies():
    """Lowest priority number first; socket and fwd policies are noted, not imported."""
    policy = load_policy(str(EXAMPLES / "xfrm-broadcast-bypass" / "policies.txt"))
    assert rules(policy)[0] == "bypass local 255.255.255.255 remote 0.0.0.0/0 proto udp lport 137 dir in"
    assert rules(policy)[-3:] == ["protect local 10.1.0.5 remote 10.1.0.0/16 dir out",
                                  "protect local 10.1.0.5 remote 10.1.0.0/16 dir in", "bypass any"]
    infos = [n for n in policy.notes if n.severity == "info"]
    assert sum("per-socket" in n.message for n in infos) == 4 and any("fwd policy" in n.message for n in infos)
    assert policy.hints.addresses == (ipaddress.ip_address("10.1.0.5"),)


def test_level_use_is_imported_as_bypass_with_an_explanation():
    """An optional template sends and accepts clear packets when no SA exists: BYPASS against an attacker."""
    policy = load_policy(str(EXAMPLES / "xfrm-broadcast-bypass" / "policies.txt"))
    printers = [str(r) for r in policy.spd.rules if r.remote is not None and str(r.remote) == "10.1.9.0/24"]
    assert printers == ["bypass local 10.1.0.5 remote 10.1.9.0/24 dir out",
                        "bypass local 10.1.0.5 remote 10.1.9.0/24 dir in"]
    assert any("level use" in n.message and "weaker than a soft SA" in n.message for n in policy.warnings())


def test_ip_s_statistics_lines_are_read_past():
    """Lifetimes, counters, masks and flags from `ip -s` say nothing about matching."""
    policy = import_xfrm(WITH_STATS, "stats.txt")
    assert rules(policy) == ["protect local 10.1.0.5 remote 10.1.0.0/16 dir out", "bypass any"]


def test_commands_setdefault_and_a_tunnel_template_are_understood():
    """`ip xfrm policy add` lines work too; setdefault block makes the end DISCARD; tunnel dst is a gateway."""
    policy = import_xfrm("""\
ip xfrm policy flush
ip xfrm policy add src 10.1.0.5/32 dst 10.2.0.0/16 dir out priority 10 tmpl src 10.1.0.5 dst 5.6.7.8 proto esp mode tunnel
ip xfrm policy add src 10.1.0.5 dst 10.1.0.53 proto udp dport 53 dir out action block priority 5
ip xfrm policy setdefault in block out accept
""", "cmds.sh")
    assert rules(policy) == ["discard local 10.1.0.5 remote 10.1.0.53 proto udp port 53 dir out",
                             "protect local 10.1.0.5 remote 10.2.0.0/16 dir out tunnel 5.6.7.8",
                             "bypass dir out", "discard dir in"]
    assert policy.origins[-1].line == 4


def test_a_getdefault_listing_sets_the_defaults():
    """The `Default policies:` block of `ip xfrm policy getdefault` is read like setdefault."""
    policy = import_xfrm("Default policies:\n in:  block\n fwd: accept\n out: block\n", "d.txt")
    assert rules(policy) == ["discard dir out", "discard dir in"]


def test_equal_priorities_that_overlap_and_disagree_are_reported():
    """The kernel breaks such ties by insertion order, which the listing does not show."""
    policy = import_xfrm("""\
src 10.1.0.5/32 dst 10.1.0.0/16
	dir out priority 100 ptype main
src 10.1.0.5/32 dst 10.1.3.4/32
	dir out action block priority 100 ptype main
""", "tie.txt")
    ties = [n for n in policy.warnings() if "share priority 100" in n.message]
    assert ties and ties[0].line == 3


def test_marked_and_sub_policies_are_not_imported_and_say_why():
    """A mark or if_id limits a policy to route-based traffic; ptype sub is Mobile IPv6's."""
    policy = import_xfrm("""\
src 0.0.0.0/0 dst 0.0.0.0/0
	dir out priority 1 ptype main
	mark 0x2a/0xffffffff
src 0.0.0.0/0 dst 0.0.0.0/0
	dir out priority 1 ptype sub
""", "m.txt")
    assert rules(policy) == ["bypass any"]
    messages = [n.message for n in policy.warnings()]
    assert any("mark 0x2a/0xffffffff" in m for m in messages) and any("ptype sub" in m for m in messages)


@pytest.mark.parametrize("text, line, message", [
    ("hello world\n", 1, r"expected a policy as `ip xfrm policy show` prints it .* not 'hello'"),
    ("\tdir out priority 1\n", 1, r"an indented line must follow a policy's 'src ... dst ...' line"),
    ("src 10.1.0.300/32 dst 10.1.0.0/16\n\tdir out\n", 1, r"'10.1.0.300/32' is not an address or prefix"),
    ("src 10.1.0.5/32 dst 10.1.0.0/16 proto xyz\n\tdir out\n", 1, r"unknown protocol 'xyz'"),
    ("src 10.1.0.5/32 dst 10.1.0.0/16 proto tcp dport http\n\tdir out\n", 1,
     r"dport is a port number 0-65535, not 'http'"),
    ("src 10.1.0.5/32 dst 10.1.0.0/16\n\tdir sideways priority 1\n", 2, r"dir is in, out or fwd, not 'sideways'"),
    ("src 10.1.0.5/32 dst 10.1.0.0/16\n\tdir out action maybe\n", 2, r"action is allow or block, not 'maybe'"),
    ("src 10.1.0.5/32 dst 10.1.0.0/16\n\tdir out priority high\n", 2, r"priority is a number, not 'high'"),
    ("src 10.1.0.5/32 dst 10.1.0.0/16\n", 1, r"the policy has no 'dir in\|out\|fwd'"),
    ("src 10.1.0.5/32\n\tdir out\n", 1, r"a policy needs both 'src ADDR\[/LEN\]' and 'dst ADDR\[/LEN\]'"),
    ("src 10.1.0.5/32 dst ::/0\n\tdir out\n", 1, r"src and dst must be the same address family"),
    ("src 10.1.0.5/32 dst 10.1.0.0/16\n\tdir out\n\ttmpl src 0.0.0.0 dst 0.0.0.0\n\t\tproto esp level maybe\n", 4,
     r"a template's level is required or use, not 'maybe'"),
    ("src 10.1.0.5/32 dst 10.1.0.0/16\n\tdir out frobnicate\n", 2, r"unknown word 'frobnicate' in an xfrm policy"),
    ("src 10.1.0.5/32 dst 10.1.0.0/16\n\tdir out priority\n", 2, r"'priority' needs a number"),
    ("src 10.1.0.5/32 dst 10.1.0.0/16\n\tdir out security\n", 2, r"'security' must be followed by 'context LABEL'"),
    ("ip xfrm policy setdefault in\n", 1, r"setdefault takes DIR ACTION pairs"),
    ("ip xfrm policy setdefault in maybe\n", 1, r"setdefault in maybe: DIR is in, out or fwd and ACTION accept or block"),
    ("ip route add default via 10.1.0.1\n", 1, r"only `ip xfrm policy` commands belong in a policy file"),
    ("ip xfrm policy show\n", 1, r"`ip xfrm policy show` is not a policy; use add, update or setdefault"),
    ("Default policies:\n in:  perhaps\n", 2, r"a default policy is 'accept' or 'block'"),
])
def test_malformed_xfrm_input_names_file_line_and_reason(text, line, message):
    """Every malformed line is a ConfigError naming the file and the line."""
    with pytest.raises(ConfigError, match=rf"^xfrm.txt, line {line}: {message}"):
        import_xfrm(text, "xfrm.txt")


def test_the_round_trip_through_spd_text_keeps_every_decision():
    """import -> SPD text -> parse_spd decides every sampled packet exactly as the import does."""
    policy = load_policy(str(EXAMPLES / "xfrm-broadcast-bypass" / "policies.txt"))
    decisions_match(policy.spd, parse_spd(policy.spd_text()))


def test_a_dir_in_policy_reads_the_peer_from_src_and_our_port_from_dport():
    """In an inbound policy src is the peer; dport is the host's own port (labsim's lport)."""
    policy = import_xfrm("src 10.1.0.53/32 dst 10.1.0.5/32 proto udp sport 53\n\tdir in priority 1\n", "x.txt")
    rule = policy.spd.rules[0]
    assert str(rule) == "bypass local 10.1.0.5 remote 10.1.0.53 proto udp port 53 dir in"
    view = PacketView.inbound("10.1.0.53", "10.1.0.5", "udp", 53, 40000)
    assert policy.spd.lookup(view).index == 0


def test_formats_are_told_apart_and_an_unknown_one_asks_for_format():
    """detect_format reads the first non-comment line; otherwise the error says to use --format."""
    assert detect_format("# comment\nip xfrm policy add src 1.2.3.4 dst 5.6.7.8 dir out\n", "f") == "xfrm"
    assert detect_format("Default policies:\n in:  accept\n", "f") == "xfrm"
    with pytest.raises(ConfigError, match=r"^mystery.cfg: cannot tell which kind of configuration this is; say it "
                                          r"with --format strongswan\|xfrm\|spd"):
        import_text("frobnicate everything\n", path="mystery.cfg")


# ---------------------------------------------------------------- issue 13 item 9: real syntax

def notes_of(policy):
    return [n.message for n in policy.notes]


def test_9_crypto_offload_parameters_are_read_with_a_note():
    policy = import_xfrm("src 10.1.0.5/32 dst 10.1.0.0/16\n\tdir out priority 1000 ptype main\n"
                         "\tcrypto offload parameters: dev eth0 mode packet\n"
                         "\ttmpl src 0.0.0.0 dst 0.0.0.0\n\t\tproto esp reqid 1 mode transport\n", "p.txt")
    assert [str(r) for r in policy.spd.rules] == ["protect local 10.1.0.5 remote 10.1.0.0/16 dir out",
                                                  "bypass any"]
    assert any("crypto offload (dev eth0 mode packet)" in n for n in notes_of(policy))


def test_9_older_iproute2_socket_policies_dir_3_and_4_are_skipped_with_a_note():
    policy = import_xfrm("src 0.0.0.0/0 dst 0.0.0.0/0\n\tdir 3 priority 0 ptype main\n"
                         "src 0.0.0.0/0 dst 0.0.0.0/0\n\tdir 4 priority 0 ptype main\n"
                         "src 10.1.0.5/32 dst 10.1.0.0/16\n\tdir out priority 1000 ptype main\n"
                         "\ttmpl src 0.0.0.0 dst 0.0.0.0\n\t\tproto esp reqid 1 mode transport\n", "p.txt")
    assert len(policy.spd.rules) == 2
    assert sum("how older iproute2 prints a per-socket policy" in n for n in notes_of(policy)) == 2


def test_9_a_template_without_proto_or_mode_is_never_silently_esp_transport():
    policy = import_xfrm("src 10.1.0.5/32 dst 10.2.0.0/16\n\tdir out priority 1000 ptype main\n"
                         "\ttmpl src 10.1.0.5 dst 192.0.2.1\n", "p.txt")
    assert str(policy.spd.rules[0].tunnel) == "192.0.2.1"
    messages = notes_of(policy)
    assert any("names no protocol" in n and "assumes ESP" in n for n in messages)
    assert any("names no mode" in n and "assume tunnel mode" in n for n in messages)


def test_9_an_ipcomp_tunnel_around_esp_transport_keeps_its_gateway():
    policy = import_xfrm("src 10.1.0.0/16 dst 10.2.0.0/16\n\tdir out priority 1000 ptype main\n"
                         "\ttmpl src 192.0.2.5 dst 192.0.2.1\n\t\tproto comp reqid 1 mode tunnel level use\n"
                         "\ttmpl src 0.0.0.0 dst 0.0.0.0\n\t\tproto esp reqid 1 mode transport\n", "p.txt")
    rule = policy.spd.rules[0]
    assert rule.action == "protect" and str(rule.tunnel) == "192.0.2.1"


def test_5_icmpv6_neighbour_discovery_bypasses_of_different_types_are_not_redundant():
    """Issue 13 item 5: the ICMP type is not modelled, so the rules look alike, but they are not."""
    from labsim.audit import audit_text
    nd = "".join(f"src ::/0 dst ::/0 proto ipv6-icmp type {t}\n\tdir {d} priority 1 ptype main\n"
                 for t in (135, 136) for d in ("in", "out"))
    text = nd + ("src 2001:db8:1::5/128 dst 2001:db8:1::/64\n\tdir out priority 1000 ptype main\n"
                 "\ttmpl src :: dst ::\n\t\tproto esp reqid 1 mode transport\n")
    report = audit_text(text, "xfrm", run=False)
    assert report.context.policy.approximate == frozenset({0, 1, 2, 3})
    assert not [a for a in report.anomalies if a.kind == "redundant"]
