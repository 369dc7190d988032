"""labsim/vpn.py and tunnel mode through IKE: a laptop's VPN to its home gateway."""

from labsim.addresses import ip, prefix
from labsim.apps import ServerApp
from labsim.host import Host
from labsim.ipsec.ike import IkeDaemon
from labsim.ipsec.spd import parse_spd
from labsim.net import World
from labsim.pki import CertificateAuthority
from labsim.vpn import VpnClient, VpnGateway, source_routes, spd_lines

GW, INNER, OUTER = "1.2.0.1", "1.2.254.9", "7.7.7.23"
LAPTOP_SPD = f"""bypass remote 1.2.0.53 proto udp port 53
protect remote 1.2.0.0/16 tunnel {GW}
bypass any
"""


def vpn_world(laptop_name="laptop.example.org", inner=INNER):
    w = World(seed=4)
    w.add_network("home", "home", ["1.2.0.0/16"], public=["1.2.0.0/16"])
    w.add_network("internet", "the Internet", ["0.0.0.0/0"], kind="internet", trusted=False)
    w.add_network("hotel", "a hotel", ["7.7.7.0/24"], kind="visited", public=["7.7.7.0/24"], trusted=False)
    w.link("home", "internet")
    w.link("hotel", "internet")
    ca = CertificateAuthority.create("Example Corp CA", 4)
    gw = w.add_host(Host("vpn", fqdn="vpn.example.org"), "home", [GW])
    server = w.add_host(Host("server-b"), "home", ["1.2.3.4"])
    laptop = w.add_host(Host("laptop", fqdn=laptop_name), "hotel", [OUTER])
    for host in (gw, laptop):
        host.trusted_cas = [ca]
        host.identity = ca.issue(host.fqdn)
        IkeDaemon(host)
    VpnGateway(gw, "1.2.254.0/24", {"laptop.example.org": INNER}, "Example Corp CA")
    laptop.spd = parse_spd(LAPTOP_SPD)
    VpnClient(laptop, GW, inner).up(ip(OUTER))
    ServerApp(server, 80, b"200 OK")
    return w, gw, server, laptop


def test_source_routes_follow_the_spd():
    """Tunnelled ranges leave from the inner address; the gateway and a split exclusion from the outer one."""
    routes = source_routes(parse_spd(LAPTOP_SPD), ip(GW), ip(INNER), ip(OUTER))
    assert routes == [(prefix(GW), ip(OUTER)), (prefix("1.2.0.53"), ip(OUTER)), (prefix("1.2.0.0/16"), ip(INNER))]
    full = source_routes(parse_spd(f"protect any tunnel {GW}"), ip(GW), ip(INNER), ip(OUTER))
    assert (prefix("0.0.0.0/0"), ip(INNER)) in full


def test_a_rule_after_the_tunnel_rule_excludes_nothing():
    """Only rules the SPD consults before the tunnel rule keep a range out of the tunnel."""
    spd = parse_spd(f"protect remote 1.2.0.0/16 tunnel {GW}\nbypass remote 1.2.0.53\nbypass any")
    assert source_routes(spd, ip(GW), ip(INNER), ip(OUTER))[1:] == [(prefix("1.2.0.0/16"), ip(INNER))]


def test_the_laptop_picks_its_source_by_longest_prefix():
    """The inner address for the intranet, the outer one for the gateway, the DNS exclusion and the rest."""
    w, gw, server, laptop = vpn_world()
    assert laptop.source_address_for(ip("1.2.3.4")) == ip(INNER)
    assert laptop.source_address_for(ip(GW)) == ip(OUTER)
    assert laptop.source_address_for(ip("1.2.0.53")) == ip(OUTER)
    assert laptop.source_address_for(ip("9.9.9.9")) == ip(OUTER)


def test_a_connection_goes_through_the_tunnel_and_back():
    """IKE sets up tunnel-mode SAs; the gateway forwards in and tunnels the reply out; the socket sees the gateway."""
    w, gw, server, laptop = vpn_world()
    conn = laptop.connect(ip("1.2.3.4"), 80, flow="main")
    seen = []
    conn.on_established = lambda c: (seen.append(c.peer_identity()), c.sendall(b"GET /"))
    w.run()
    assert laptop.sad.find_outbound(ip(GW)).mode == "tunnel"
    gw_sa = gw.sad.find_outbound(ip(OUTER))
    assert gw_sa.mode == "tunnel" and gw_sa.inner_remote == (prefix(INNER),)
    assert seen[0].name == "vpn.example.org"
    received = [e for e in w.ledger if e["fact"] == "received"]
    assert received[0]["host"] == "server-b" and received[0]["sender"] == "laptop"
    assert w.networks["home"].table[ip(INNER)] == "vpn"
    assert any(e.decision == "tunnel" and e.host == "vpn" for e in w.sim.trace)


def test_the_gateways_pad_ties_each_client_to_its_inner_address():
    """A certified client that claims another client's inner address is refused (PAD, RFC 4301 4.4.3)."""
    w, gw, server, laptop = vpn_world(inner="1.2.254.77")
    laptop.connect(ip("1.2.3.4"), 80)
    w.run()
    text = "\n".join(e.line() for e in w.sim.trace)
    assert "PAD: laptop.example.org at 1.2.254.77  fail  laptop.example.org may only use 1.2.254.9" in text
    assert laptop.sad.find_outbound(ip(GW)) is None


def test_spd_lines():
    """spd_lines writes one tunnel rule per range."""
    assert spd_lines(GW, ["1.2.0.0/16", "192.168.0.0/24"], "vpn").splitlines() == [
        f"protect remote 1.2.0.0/16 tunnel {GW}   # vpn", f"protect remote 192.168.0.0/24 tunnel {GW}   # vpn"]


def _profile_world(tunnel, exclude, spd):
    w = World(seed=4)
    w.add_network("hotel", "a hotel", ["7.7.7.0/24", "192.168.0.0/24"], kind="visited", trusted=False)
    laptop = w.add_host(Host("laptop"), "hotel", [OUTER])
    laptop.spd = parse_spd(spd)
    client = VpnClient(laptop, GW, INNER, tunnel=tunnel, exclude=exclude)
    client.up(ip(OUTER))
    return w, laptop, client


def test_the_vpn_client_installs_its_tunnel_rules_most_specific_first():
    """Each profile range gets a tunnel rule above the first rule that would catch all of it; narrower rules stay above."""
    spd = "bypass remote 1.2.0.53 proto udp port 53\nbypass remote 192.168.0.0/16\nbypass any\n"
    w, laptop, _ = _profile_world(["1.2.0.0/16", "192.168.0.0/24"], [], spd)
    assert [str(r) for r in laptop.spd] == [
        "bypass remote 1.2.0.53 proto udp port 53", f"protect remote 192.168.0.0/24 tunnel {GW}",
        "bypass remote 192.168.0.0/16", f"protect remote 1.2.0.0/16 tunnel {GW}", "bypass any"]
    assert laptop.source_address_for(ip("192.168.0.10")) == ip(INNER)
    installs = [e.summary for e in w.sim.trace if e.decision == "install"]
    assert installs == [f"SPD rule 2: protect remote 192.168.0.0/24 tunnel {GW}",
                        f"SPD rule 4: protect remote 1.2.0.0/16 tunnel {GW}"]


def test_a_split_exclusion_keeps_its_range_out_of_the_tunnel_and_its_routes():
    """Excluding 192.168.0.0/16 removes the office's private subnet from the tunnel: no rule, a local route."""
    spd = "bypass remote 192.168.0.0/16\nbypass any\n"
    w, laptop, client = _profile_world(["1.2.0.0/16", "192.168.0.0/24"], ["192.168.0.0/16"], spd)
    assert client.tunnelled() == [prefix("1.2.0.0/16")]
    assert [r.tunnel for r in laptop.spd if r.remote and r.remote.prefix == prefix("192.168.0.0/24")] == []
    assert laptop.source_address_for(ip("192.168.0.10")) == ip(OUTER)
    assert any(e.decision == "exclude" and "keeps 192.168.0.0/16 out of the tunnel" in e.reason for e in w.sim.trace)


def test_an_exclusion_inside_a_tunnelled_range_splits_it():
    """Excluding a /24 from a /16 tunnels the rest of the /16, piece by piece."""
    _, laptop, client = _profile_world(["1.2.0.0/16"], ["1.2.5.0/24"], "bypass any\n")
    ranges = client.tunnelled()
    assert prefix("1.2.5.0/24") not in ranges and all(not r.overlaps(prefix("1.2.5.0/24")) for r in ranges)
    assert sum(r.num_addresses for r in ranges) == 2**16 - 2**8


def test_a_policy_that_already_tunnels_a_range_gets_no_second_rule():
    """A student's SPD that sends the intranet to the gateway is left as it is."""
    spd = f"protect remote 1.2.0.0/16 tunnel {GW}\nbypass any\n"
    w, laptop, _ = _profile_world(["1.2.0.0/16"], [], spd)
    assert len(laptop.spd) == 2
    assert any(e.decision == "keep" for e in w.sim.trace)
