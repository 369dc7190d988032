"""labsim/audit/profile.py, context.py and spdtext.py: the host profile, what is inferred, and SPD text."""

import ipaddress

import pytest

from labsim.audit import make_profile
from labsim.audit.context import move_local, resolve_context
from labsim.audit.importers import import_text
from labsim.audit.profile import HostProfile, Server
from labsim.errors import ConfigError, PadSyntaxError, SpdSyntaxError
from labsim.ipsec.spd import parse_spd

from test_audit_support import decisions_match

SPD = """\
bypass remote 10.1.0.53 proto udp port 53   # the DNS server
protect remote 10.1.0.0/16
bypass any
"""


def test_spd_text_keeps_its_lines_and_round_trips():
    """labsim's own syntax imports as it is; every rule cites its line; the text parses back the same."""
    policy = import_text(SPD, "spd", "host.spd")
    assert [o.cite() for o in policy.origins] == ["host.spd:1", "host.spd:2", "host.spd:3"]
    decisions_match(policy.spd, parse_spd(policy.spd_text()))


def test_a_bad_spd_line_names_the_file_line_and_column():
    """SPD syntax errors are labsim's own SpdSyntaxError, with the file as source."""
    with pytest.raises(SpdSyntaxError, match=r"^SPD host.spd, line 2, column 1: a rule starts with an action"):
        import_text("protect remote 10.1.0.0/16\nallow any\n", "spd", "host.spd")


def test_an_spd_without_a_catch_all_is_noted():
    """What no rule matches is discarded (RFC 4301), and the import says so."""
    policy = import_text("protect remote 10.1.0.0/16\n", "spd", "a.spd")
    assert "no rule matches every packet" in policy.notes[0].message


def test_defaults_are_inferred_from_the_policy_and_say_where_they_came_from():
    """Ranges from PROTECT rules, the DNS server from the port-53 rule, the host in the first range."""
    ctx = resolve_context(import_text(SPD, "spd", "host.spd"), HostProfile())
    assert [str(r) for r in ctx.ranges] == ["10.1.0.0/16"]
    assert str(ctx.dns_server) == "10.1.0.53" and ctx.fact("dns_server").source == "inferred from host.spd:1"
    assert str(ctx.host_address) == "10.1.0.5" and ctx.fact("host_address").source.startswith("assumed")
    assert str(ctx.host_address6) == "fe80::5"
    assert ctx.name_check == "none" and ctx.pad.text() == "peer * addresses any"
    assert ctx.fact("mobile").source == "default"


def test_a_toml_profile_overrides_and_remembers_its_file(tmp_path):
    """Settings from labsim-profile.toml replace defaults and inferences; the source is the file."""
    path = tmp_path / "labsim-profile.toml"
    path.write_text('mobile = true\nranges = ["10.7.0.0/16"]\nhost_address = "10.7.0.9"\n'
                    '[[servers]]\nname = "files.example.org"\naddress = "10.7.3.4"\nport = 445\n')
    profile = HostProfile.from_toml(str(path))
    ctx = resolve_context(import_text(SPD, "spd", "host.spd"), profile)
    assert ctx.profile.mobile and str(ctx.host_address) == "10.7.0.9"
    assert ctx.servers == (Server("files.example.org", ipaddress.ip_address("10.7.3.4"), 445),)
    assert ctx.fact("ranges").source == f"set in {path}"


def test_stateful_puts_fallback_on_every_protect_rule():
    """The section 7 extension is a property of the stack: every PROTECT rule may fall back to clear."""
    ctx = resolve_context(import_text(SPD, "spd", "host.spd"), HostProfile(stateful=True))
    assert [r.fallback for r in ctx.spd.rules] == [False, True, False]


def test_own_address_rules_get_the_host_address_and_follow_it_when_it_moves():
    """strongSwan's dynamic local selector is the host's address, here and on a visited network."""
    policy = import_text("connections { b { remote_addrs = 10.1.3.4\n children { b { mode = transport\n"
                         " start_action = trap } } } }", "strongswan", "s.conf")
    ctx = resolve_context(policy, HostProfile(host_address=ipaddress.ip_address("10.1.0.9")))
    assert str(ctx.spd.rules[0]) == "protect local 10.1.0.9 remote 10.1.3.4"
    moved = move_local(ctx.spd, ctx.host_address, ipaddress.ip_address("7.7.7.23"))
    assert str(moved.rules[0]) == "protect local 7.7.7.23 remote 10.1.3.4"


def test_a_pad_file_is_read_for_name_check_pad(tmp_path):
    """name_check = pad with an ip xfrm or SPD policy reads the PAD the profile names."""
    pad = tmp_path / "host.pad"
    pad.write_text('peer server-b.example.org ca "Example Corp CA" addresses 10.1.3.4\n')
    ctx = resolve_context(import_text(SPD, "spd", "host.spd"), make_profile(name_check="pad", pad=str(pad)))
    assert ctx.name_check == "pad" and ctx.pad.entries[0].pattern == "server-b.example.org"


@pytest.mark.parametrize("settings, message", [
    ({"mobil": True}, r"^p.toml: unknown setting 'mobil' \(did you mean 'mobile'\?\); the settings are: domain, "),
    ({"mobile": "yes"}, r"^p.toml: mobile: true or false, not 'yes'"),
    ({"ranges": ["10.1.0.0/33"]}, r"^p.toml: ranges: '10.1.0.0/33' does not appear to be an IPv4 or IPv6 network"),
    ({"port": 70000}, r"^p.toml: port: a port is a number 1-65535, not 70000"),
    ({"servers": ["server-b"]}, r"^p.toml: servers: a server is NAME=ADDRESS\[:PORT\]"),
    ({"dns_away": "hotel"}, r"^p.toml: dns_away is dhcp or home, not 'hotel'"),
    ({"name_check": "psychic"}, r"^p.toml: name_check is one of none, forward_dns, "),
    ({"broadcast_responders": ["dhcp"]}, r"^p.toml: a broadcast responder is one of netbios, none, not 'dhcp'"),
])
def test_bad_profile_settings_are_errors_that_name_the_setting(settings, message):
    """A profile value that cannot be used is a ConfigError naming the file and the setting."""
    with pytest.raises(ConfigError, match=message):
        HostProfile.from_mapping(settings, "p.toml")


def test_toml_errors_name_the_line(tmp_path):
    """Invalid TOML, and an unknown key, are reported with the line they are on."""
    path = tmp_path / "p.toml"
    path.write_text("mobile = true\nstateful = \n")
    with pytest.raises(ConfigError, match=rf"^{path}, line 2: not valid TOML"):
        HostProfile.from_toml(str(path))
    path.write_text("# a profile\nmobile = true\nstatefull = true\n")
    with pytest.raises(ConfigError, match=rf"^{path}, line 3: unknown setting 'statefull'"):
        HostProfile.from_toml(str(path))


def test_name_check_pad_without_a_pad_and_a_bad_pad_file_are_errors(tmp_path):
    """The PAD must come from somewhere, and a malformed PAD file names its line."""
    policy = import_text(SPD, "spd", "host.spd")
    with pytest.raises(ConfigError, match=r"^host.spd: name_check = pad needs a PAD: give one with --pad FILE"):
        resolve_context(policy, make_profile(name_check="pad"))
    bad = tmp_path / "bad.pad"
    bad.write_text("peer server-b.example.org adresses 10.1.3.4\n")
    with pytest.raises(PadSyntaxError, match=rf"^PAD {bad}, line 1, column 27: unknown word 'adresses'"):
        resolve_context(policy, make_profile(name_check="pad", pad=str(bad)))
