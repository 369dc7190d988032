"""labsim/audit/strongswan.py (and its syntax and value helpers): swanctl.conf into labsim's SPD and PAD."""

import ipaddress

import pytest

from labsim.audit.importers import load_policy
from labsim.audit.strongswan import import_swanctl
from labsim.errors import ConfigError
from labsim.ipsec.spd import PacketView, parse_spd

from test_audit_support import EXAMPLES, decisions_match

HOST2HOST = """\
# strongSwan's host-to-host transport mesh, as in its testing environment
connections {
   mesh {
      local_addrs = 10.1.0.5
      remote_addrs = 10.1.0.0/16
      local {
         auth = pubkey
         certs = moonCert.pem
         id = moon.strongswan.org
      }
      remote {
         auth = pubkey
         id = "C=CH, O=strongSwan Project, CN=*"
         cacerts = strongswanCert.pem
      }
      children {
         mesh {
            mode = transport
            remote_ts = 10.1.0.0/16
            esp_proposals = aes128gcm16-x25519
            start_action = trap
            dpd_action = trap
         }
      }
      version = 2
      proposals = aes128-sha256-x25519
   }
}
secrets {
   private-moon { file = moonKey.pem }
}
"""


def rules(policy):
    return [str(r) for r in policy.spd.rules]


def test_the_group_auth_example_imports_shunts_first_then_the_trap_then_clear_for_the_rest():
    """Pass shunts beat IPsec policies (strongSwan's shunt priority); no policy means clear."""
    policy = load_policy(str(EXAMPLES / "strongswan-group-auth" / "swanctl.conf"))
    assert rules(policy) == ["bypass remote 10.1.0.53 proto udp port 53", "bypass remote 10.1.9.0/24",
                             "protect remote 10.1.0.0/16", "bypass any"]
    assert [o.line for o in policy.origins] == [39, 44, 26, None]
    assert policy.build_pad("Example Corp CA").text() == 'peer * ca "Example Corp CA" addresses 10.1.0.0/16'
    assert policy.name_check == "pad"
    assert policy.hints.name == "host-a.example.org"


def test_a_real_host_to_host_mesh_imports_with_its_wildcard_dn_identity_and_own_address():
    """CN=* is group authentication; local_addrs names the host; secrets are never read."""
    policy = import_swanctl(HOST2HOST, "ipsec.conf")
    assert rules(policy) == ["protect remote 10.1.0.0/16", "bypass any"]
    assert policy.pad[0].pattern == "*" and policy.pad[0].requires_ca
    assert policy.hints.addresses == (ipaddress.ip_address("10.1.0.5"),)
    assert any("secrets" in n.message and n.severity == "info" for n in policy.notes)
    assert not policy.warnings()


def test_a_concrete_remote_id_becomes_a_name_selector_and_a_pad_entry_for_remote_addrs():
    """remote.id = server-b names the peer on the rule and in the PAD; dynamic TS is our own address."""
    policy = import_swanctl("""connections { b { remote_addrs = 10.1.3.4
        remote { id = server-b.example.org
                 cacerts = ca.pem }
        children { b { mode = transport
                       start_action = trap } } } }""", "s.conf")
    assert rules(policy)[0] == "protect remote 10.1.3.4 name server-b.example.org"
    assert policy.own_address_rules == frozenset({0})
    assert policy.build_pad("Corp CA").text() == 'peer server-b.example.org ca "Corp CA" addresses 10.1.3.4'


def test_a_concrete_peer_may_also_use_what_a_wildcard_connection_allows():
    """A per-server entry and a %any connection: the named server keeps the wildcard's addresses too."""
    policy = import_swanctl("""connections {
        b { remote_addrs = 10.1.3.4
            remote { id = @server-b.example.org }
            children { b { mode = transport
                           start_action = trap } } }
        all { remote_addrs = 10.1.0.0/16
              children { all { mode = transport
                               remote_ts = 10.1.0.0/16
                               start_action = trap } } } }""", "s.conf")
    pad = policy.build_pad("CA")
    assert pad.authorize("server-b.example.org", "CA", ipaddress.ip_address("10.1.7.7")).ok
    assert pad.authorize("pc-c.example.org", "CA", ipaddress.ip_address("10.1.3.4")).ok   # the PAD alone allows it
    lookup = policy.spd.lookup(PacketView.outbound("10.1.0.5", "10.1.3.4", "tcp", 50000, 80))
    assert lookup.rule.name == "server-b.example.org"                                  # the rule does not


def test_drop_shunts_have_the_lowest_priority_so_ipsec_and_pass_policies_win():
    """strongSwan installs drop shunts with the fallback priority (shunt_manager.c)."""
    policy = import_swanctl("""connections {
        lan { remote_addrs = 10.1.0.0/16
              children { lan { mode = transport
                               remote_ts = 10.1.0.0/16
                               start_action = trap } } }
        s { children { drop-all { mode = drop
                                  remote_ts = 0.0.0.0/0
                                  start_action = trap }
                       dns { mode = pass
                             remote_ts = 10.1.0.53[udp/domain]
                             start_action = trap } } } }""", "s.conf")
    assert rules(policy) == ["bypass remote 10.1.0.53 proto udp port 53", "protect remote 10.1.0.0/16",
                             "discard remote 0.0.0.0/0", "bypass any"]


def test_longer_prefixes_and_ports_win_within_a_class_and_priority_sets_it_by_hand():
    """The kernel priority strongSwan computes prefers more specific selectors; 'priority' overrides it."""
    policy = import_swanctl("""connections { s { children {
        wide { mode = pass
               remote_ts = 10.0.0.0/8
               start_action = trap }
        narrow { mode = pass
                 remote_ts = 10.1.0.0/16[tcp/80]
                 start_action = trap }
        forced { mode = drop
                 remote_ts = 192.168.0.0/16
                 priority = 1
                 start_action = trap } } } }""", "s.conf")
    assert rules(policy)[:3] == ["discard remote 192.168.0.0/16", "bypass remote 10.1.0.0/16 proto tcp port 80",
                                 "bypass remote 10.0.0.0/8"]


def test_6_start_action_none_is_imported_as_installed_and_says_so():
    """Issue 13 item 6: a child the peer initiates (or an admin starts) has its policies while it is up."""
    policy = import_swanctl("""connections { c { remote_addrs = 10.1.3.4
        children { c { mode = transport } } } }""", "s.conf")
    assert rules(policy) == ["protect remote 10.1.3.4", "bypass any"]
    assert any("imports them as installed" in n.message and "passes in clear" in n.message
               for n in policy.warnings())


def test_6_start_action_none_for_whichever_peer_connects_installs_nothing_known():
    """With remote_addrs a range, the installed policy names the peer that connected: unknown here."""
    policy = import_swanctl("""connections { c { remote_addrs = 10.1.0.0/16
        children { c { mode = transport
                       remote_ts = 10.1.0.0/16 } } } }""", "s.conf")
    assert rules(policy) == ["bypass any"]
    assert any("only for whichever peer negotiates it" in n.message for n in policy.warnings())


def test_start_action_start_is_imported_with_a_warning_and_an_uninstalled_shunt_is_reported():
    """'start' protects only while the SA is up; a shunt without trap never takes effect."""
    policy = import_swanctl("""connections { c { remote_addrs = 10.1.3.4
        children { c { mode = transport
                       start_action = start }
                   s { mode = pass
                       remote_ts = 10.1.9.0/24 } } } }""", "s.conf")
    assert rules(policy) == ["protect remote 10.1.3.4", "bypass any"]
    messages = " ".join(n.message for n in policy.warnings())
    assert "only while the SA is up" in messages and "never installed" in messages


def test_tunnel_mode_to_a_gateway_is_a_tunnel_rule_and_to_an_unknown_remote_installs_nothing():
    """A single remote address outside remote_ts is a VPN gateway; a range cannot be trapped in tunnel mode."""
    policy = import_swanctl("""connections {
        vpn { remote_addrs = 5.6.7.8
              children { vpn { remote_ts = 10.1.0.0/16
                               start_action = trap } } }
        mesh { remote_addrs = 10.2.0.0/16
               children { mesh { mode = tunnel
                                 remote_ts = 10.2.0.0/16
                                 start_action = trap } } } }""", "s.conf")
    assert rules(policy) == ["protect remote 10.1.0.0/16 tunnel 5.6.7.8", "bypass any"]
    assert any("refuses to trap a tunnel-mode child" in n.message for n in policy.warnings())


def test_psk_is_group_authentication_and_unknown_options_are_reported_not_dropped():
    """A pre-shared key lets every holder claim any identity; an unknown key is a warning with its line."""
    policy = import_swanctl("""connections { c { remote_addrs = 10.1.0.0/16
        remote { auth = psk
                 id = server-b.example.org }
        frobnicate = yes
        children { c { mode = transport
                       remote_ts = 10.1.0.0/16
                       start_action = trap } } } }""", "s.conf")
    assert policy.pad[0].pattern == "*"
    assert rules(policy)[0] == "protect remote 10.1.0.0/16"
    unknown = [n for n in policy.warnings() if "frobnicate" in n.message]
    assert unknown and unknown[0].line == 4


def test_includes_are_followed_and_references_inherit(tmp_path):
    """include reads the file beside this one; 'name : base' copies what base defines."""
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "lan.conf").write_text("lan : connections.base {\n  remote { id = %any }\n}\n")
    (tmp_path / "swanctl.conf").write_text("""connections {
   base {
      remote_addrs = 10.1.0.0/16
      children { lan { mode = transport
                       remote_ts = 10.1.0.0/16
                       start_action = trap } }
   }
   include conf.d/*.conf
}
""")
    policy = load_policy(str(tmp_path / "swanctl.conf"))
    assert rules(policy) == ["protect remote 10.1.0.0/16", "protect remote 10.1.0.0/16", "bypass any"]
    assert {o.path for o in policy.origins[:2]} == {str(tmp_path / "swanctl.conf")}


def test_an_include_that_matches_nothing_is_a_warning_with_its_line():
    """strongSwan skips an include pattern that matches no file; the audit says it read nothing there."""
    policy = import_swanctl("connections {\n  include /nonexistent/conf.d/*.conf\n}\n", "/etc/swanctl/swanctl.conf")
    [note] = [n for n in policy.warnings() if "include" in n.message]
    assert note.line == 2 and "matches no file" in note.message


@pytest.mark.parametrize("text, line, message", [
    ("connections {\n  a {\n", 2, r"section 'a' is never closed \(a '}' is missing\)"),
    ("connections {\n}\n}\n", 3, r"'}' closes no section \(one '}' too many\)"),
    ("connections {\n  a\n  b = c\n}\n", 2, r"'a' must be followed by '=' \(a setting\) or '{' \(a section\)"),
    ('connections {\n  a { remote_addrs = "10.1.0.1\n}\n', 2, r"a quoted string is never closed"),
    ('connections {\n  "a" { }\n}\n', 2, r"a quoted string can only stand after '='"),
    ("connections {\n a {\n children {\n c { mode = sideways } } } }\n", 4,
     r"mode must be one of tunnel, transport, .*pass, drop, not 'sideways'"),
    ("connections {\n a {\n children {\n c { remote_ts = 10.1.0.0/16[tcp/80 } } } }\n", 4,
     r"remote_ts: '10.1.0.0/16\[tcp/80': a protocol/port selector needs a closing '\]'"),
    ("connections {\n a {\n children {\n c { local_ts = 10.1.0.0/33 } } } }\n", 4,
     r"local_ts: '10.1.0.0/33' is not a subnet, address, range or 'dynamic'"),
    ("connections {\n a {\n children {\n c { remote_ts = 10.1.0.0/16[xyz] } } } }\n", 4,
     r"remote_ts: '10.1.0.0/16\[xyz\]': unknown protocol 'xyz' \(use a name such as tcp or udp, or a number 0-255\)"),
    ("connections {\n a {\n children {\n c { remote_ts = 10.1.0.0/16[tcp/http-alt] } } } }\n", 4,
     r"remote_ts: '10.1.0.0/16\[tcp/http-alt\]': 'http-alt' is not a port number or a known service name"),
    ("connections {\n a {\n children {\n c { remote_ts = 10.1.0.0/16[tcp/90-80] } } } }\n", 4,
     r"remote_ts: '10.1.0.0/16\[tcp/90-80\]': the port range 90-80 runs backwards"),
    ("connections {\n a {\n children {\n c { start_action = sometimes } } } }\n", 4,
     r"start_action is none, trap, start or trap\|start, not 'sometimes'"),
    ("connections {\n a {\n children {\n c { priority = high\nstart_action = trap } } } }\n", 4,
     r"priority is a number, not 'high'"),
    ("connections {\n a : connections.nothere {\n }\n}\n", 2, r"section 'a' inherits from 'connections.nothere', which is not defined"),
    ("connections {\n a = 1\n a { }\n}\n", 3, r"'a' is already a setting \(line 2\)"),
])
def test_malformed_swanctl_conf_names_file_line_and_reason(text, line, message):
    """Every malformed construct is a ConfigError naming the file and the line."""
    with pytest.raises(ConfigError, match=rf"^swanctl.conf, line {line}: {message}"):
        import_swanctl(text, "swanctl.conf")


def test_a_directory_or_missing_file_is_a_clear_error(tmp_path):
    """load_policy names the path and says what is wrong with it."""
    with pytest.raises(ConfigError, match="is a directory; give the configuration file inside it"):
        load_policy(str(tmp_path))
    with pytest.raises(ConfigError, match=r"nothere.conf: cannot read the file: No such file"):
        load_policy(str(tmp_path / "nothere.conf"))


@pytest.mark.parametrize("example", ["strongswan-group-auth", "strongswan-hardened"])
def test_round_trip_through_labsim_spd_text_keeps_every_decision(example):
    """import -> SPD text -> parse_spd decides every sampled packet exactly as the import does."""
    policy = load_policy(str(EXAMPLES / example / "swanctl.conf"))
    again = parse_spd(policy.spd_text())
    assert [str(r) for r in again.rules] == rules(policy)
    decisions_match(policy.spd, again)


# ---------------------------------------------------------------- issue 13 item 9: real syntax

def test_9_a_top_level_template_section_for_inheritance_is_not_an_unknown_section():
    policy = import_swanctl("""base {
      remote_addrs = 10.1.3.4
      children { c { mode = transport
                     start_action = trap } }
    }
    connections { one : base { remote { id = server-b.example.org } } }""", "s.conf")
    assert [str(r) for r in policy.spd.rules] == ["protect remote 10.1.3.4 name server-b.example.org", "bypass any"]
    assert not policy.warnings()
    assert any("'base' is a template" in n.message for n in policy.notes)


def test_9_the_icmp_child_option_is_known():
    policy = import_swanctl("""connections { c { remote_addrs = 10.1.3.4
        children { c { mode = transport
                       icmp = yes
                       start_action = trap } } } }""", "s.conf")
    assert not policy.warnings()


def test_9_a_comment_only_file_has_nothing_to_audit(tmp_path, capsys):
    from labsim.audit.importers import NothingToAudit, import_text
    from labsim.cli import main
    text = "# swanctl.conf: this host has no IPsec yet\n\n   # nothing here\n"
    with pytest.raises(NothingToAudit, match="nothing to audit"):
        import_text(text, None, "swanctl.conf")
    with pytest.raises(NothingToAudit):
        import_text(text, "strongswan", "swanctl.conf")
    config = tmp_path / "swanctl.conf"
    config.write_text(text)
    assert main(["audit", str(config), "--fail-on-exposed"]) == 0
    out = capsys.readouterr().out
    assert "nothing to audit" in out and "--format" not in out


def test_9_user_at_domain_identities_are_not_dns_names():
    from labsim.audit import audit_text
    report = audit_text("""connections { home {
          local_addrs = 10.1.0.5
          remote_addrs = 10.1.3.4
          local { id = carol@corp.example }
          remote { id = alice@corp.example }
          children { home { mode = transport
                            start_action = trap } } } }""", "strongswan")
    ctx = report.context
    assert "@" not in ctx.host_name and ctx.host_name.endswith(".corp.example")
    assert all("@" not in s.name for s in ctx.servers)
    assert any("is not a DNS name" in n.message for n in ctx.policy.notes)
    assert report["1a"].status != "could not decide" or "did not resolve" not in report["1a"].why
