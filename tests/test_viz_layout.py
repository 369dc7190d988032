"""Layouts: hand-tuned pictures stay put, hosts never overlap, any world gets a sensible picture."""

import itertools

import pytest

import labsim
from labsim.host import Host
from labsim.net import World
from labsim.result import play
from labsim.viz.layout import HAND, HOST_H, HOST_W, auto_layout, layout_for
from labsim.viz.steps import build_steps


def _all_runs(scenario):
    spec = labsim.scenario(scenario)
    for values in itertools.product(*(t.values for t in spec.toggles)):
        yield labsim.run(scenario, dict(zip((t.name for t in spec.toggles), values)))


def _check(layout, world):
    cards = sorted(layout.hosts.items())
    for (a, (ax, ay)), (b, (bx, by)) in itertools.combinations(cards, 2):
        assert abs(ax - bx) >= HOST_W or abs(ay - by) >= HOST_H, f"{a} and {b} overlap"
    for name, (x, y) in cards:
        net = world.hosts[name].network
        x0, y0, x1, y1 = layout.regions[net].box
        assert x0 + HOST_W / 2 <= x <= x1 - HOST_W / 2 and y0 + HOST_H / 2 <= y <= y1 - HOST_H / 2, \
            f"{name} is not inside {net}"


@pytest.mark.parametrize("scenario", sorted(HAND))
def test_hand_layouts_cover_every_toggle_setting(scenario):
    """For every combination of toggles, the hand layout applies, cards sit inside their network and apart."""
    for result in _all_runs(scenario):
        layout = layout_for(result.world, scenario)
        assert layout.source == "hand", result.toggles
        _check(layout, result.world)


def test_hand_layout_does_not_move_hosts_between_runs():
    """A toggle that changes only traffic leaves every card exactly where it was."""
    a = layout_for(labsim.run("fig1").world, "fig1")
    b = layout_for(labsim.run("fig1", dns="honest", dnssec="on").world, "fig1")
    assert a.hosts == b.hosts


def test_a_toggle_that_moves_a_host_moves_its_card():
    """fig1 attacker_at=protected puts the attacker inside the intranet picture, at 1.2.6.6."""
    result = labsim.run("fig1", attacker_at="protected")
    layout = layout_for(result.world, "fig1")
    x0, y0, x1, y1 = layout.regions["intranet"].box
    x, y = layout.hosts["attacker"]
    assert x0 < x < x1 and y0 < y < y1


def _hand_built_world():
    world = World(seed=3, title="an audit counterexample")
    world.add_network("branch", "Branch office 10.9.0.0/16", ["10.9.0.0/16"])
    world.add_network("internet", "the Internet", ["0.0.0.0/0"], kind="internet", trusted=False)
    world.add_network("cafe", "Cafe WiFi", ["172.16.0.0/24"], kind="visited", trusted=False)
    world.link("branch", "internet")
    world.link("cafe", "internet")
    for i, role in enumerate(["client", "server", "printer", "dns", "server", "host", "gateway"]):
        world.add_host(Host(f"h{i}", role), "branch", [f"10.9.0.{i + 1}"])
    world.add_host(Host("mallory", "attacker", malicious=True), "cafe", ["172.16.0.66"])
    return world


def test_automatic_layout_is_deterministic_and_tidy_for_any_world():
    """A world no one laid out gets columns by network, cards apart and inside, the same each time."""
    world = _hand_built_world()
    first, second = auto_layout(world), auto_layout(_hand_built_world())
    assert first.hosts == second.hosts and first.regions == second.regions
    assert list(first.regions) == ["branch", "internet", "cafe"]   # home first, then along the links
    _check(first, world)


def test_a_played_hand_built_world_draws_with_a_step_per_event():
    """labsim.result.play of a hand-built world can be drawn: one step per event, paths on the canvas."""
    result = play(_hand_built_world(), "counterexample")
    layout = layout_for(result.world, result.scenario)
    steps, _ = build_steps(result.events, layout, result.world)
    assert len(steps) == len(result.events)


@pytest.mark.parametrize("scenario", labsim.scenario_ids())
def test_every_packet_path_stays_on_the_canvas(scenario):
    """Every point of every drawn packet lies inside the picture."""
    result = labsim.run(scenario)
    layout = layout_for(result.world, scenario)
    steps, flows = build_steps(result.events, layout, result.world)
    for flow in flows:
        for x, y in flow.points:
            assert 0 <= x <= layout.width and 0 <= y <= layout.height, (flow.number, x, y)
