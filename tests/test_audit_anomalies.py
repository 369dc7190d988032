"""labsim/audit/anomalies.py: shadowed and redundant rules, exactly, over the header selectors."""

from hypothesis import given, settings
from hypothesis import strategies as st

from labsim.audit import audit_text
from labsim.audit.anomalies import find_anomalies
from labsim.ipsec.spd import Spd, parse_spd

from test_audit_support import sample_views


def kinds(text):
    return [(a.kind, a.index + 1, tuple(j + 1 for j in a.by)) for a in find_anomalies(parse_spd(text))]


def test_a_rule_under_a_broader_rule_with_another_action_is_shadowed():
    """The DNS exemption below the intranet rule is never reached: what it says is never done."""
    assert kinds("protect remote 10.1.0.0/16\nbypass remote 10.1.0.53 proto udp port 53\nbypass any") == \
        [("shadowed", 2, (1,))]


def test_a_rule_under_rules_with_the_same_action_is_redundant():
    """A narrower PROTECT under a broader PROTECT is never reached, and it would change nothing."""
    assert kinds("protect remote 10.1.0.0/16\nprotect remote 10.1.3.0/24\nbypass any") == [("redundant", 2, (1,))]


def test_a_rule_covered_only_by_several_rules_together_is_found():
    """Coverage by the union of rules above counts, not only by one of them."""
    text = "bypass remote 10.1.0.0/17\ndiscard remote 10.1.128.0/17\nprotect remote 10.1.0.0/16\nbypass any"
    assert kinds(text) == [("shadowed", 3, (1, 2))]


def test_a_live_rule_that_later_rules_decide_the_same_way_is_redundant():
    """Removing a BYPASS changes nothing when the rules below bypass the same packets."""
    assert kinds("bypass remote 8.8.8.8\nprotect remote 10.1.0.0/16\nbypass any") == [("redundant", 1, (3,))]


def test_ports_protocols_and_directions_keep_rules_apart():
    """Rules that differ in protocol, port or direction do not shadow each other."""
    text = ("bypass proto udp lport 68 dir in\nprotect remote 10.1.0.0/16 proto tcp port 80\n"
            "protect remote 10.1.0.0/16 proto udp\ndiscard remote 10.1.0.0/16 dir in\nbypass any")
    assert kinds(text) == []


def test_an_explicit_final_discard_is_never_called_redundant():
    """Packets no rule matches are discarded anyway, but writing it down is good practice."""
    assert kinds("protect remote 10.1.0.0/16\ndiscard any") == []


def test_strongswans_drop_shunt_under_an_ipsec_policy_is_reported_with_its_source_line():
    """A drop shunt loses to IPsec policies (lowest priority); the report cites both lines."""
    report = audit_text("""connections {
   lan { remote_addrs = 10.1.0.0/16
         children { lan { mode = transport
                          remote_ts = 10.1.0.0/16
                          start_action = trap } } }
   s { children { quarantine { mode = drop
                               remote_ts = 10.1.66.0/24
                               start_action = trap } } }
}""", "strongswan", path="s.conf", run=False)
    [anomaly] = report.anomalies
    assert (anomaly.kind, anomaly.cite, anomaly.by) == ("shadowed", "s.conf:7", ((0, "s.conf:4"),))


RULES = st.sampled_from([
    "protect remote 10.1.0.0/16", "bypass remote 10.1.0.53 proto udp port 53", "bypass remote 10.1.9.0/24",
    "discard remote 10.1.0.0/17", "bypass remote 10.1.128.0/17", "protect remote 10.1.3.4 proto tcp port 80",
    "bypass proto udp lport 137 dir in", "discard local broadcast dir in", "bypass remote ::/0",
    "protect remote fe80::/64", "discard remote 192.168.0.0/16 dir out", "bypass any",
])


@settings(max_examples=60, deadline=None)
@given(st.lists(RULES, min_size=1, max_size=7))
def test_removing_a_dead_or_redundant_rule_never_changes_a_decision(lines):
    """Property: drop any rule the analysis flags and every sampled packet is decided by an equal rule."""
    spd = parse_spd("\n".join(lines))
    for anomaly in find_anomalies(spd):
        pruned = Spd(spd.rules[:anomaly.index] + spd.rules[anomaly.index + 1:])
        for view in sample_views(spd, count=300):
            a, b = spd.lookup(view), pruned.lookup(view)
            assert (a.action, a.rule and a.rule.fallback) == (b.action, b.rule and b.rule.fallback), (lines, view)
