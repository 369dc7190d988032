"""The live panel: its callback always shows the verdict of the toggles that are set."""

import itertools
import re

import pytest

import labsim
from labsim.errors import UnknownToggle


def _banner_outcome(panel) -> str:
    return re.search(r'class="labsim-verdict[^"]*" data-outcome="(\w+)"', panel.banner.value).group(1)


def _view_outcome(panel) -> str:
    return panel.view["verdicts"][0]["outcome"]


def test_clicking_dns_flips_the_banner_exposed_protected_exposed():
    """The browser suite's path, in-process: spoofed -> honest -> spoofed changes the banner each time."""
    panel = labsim.panel("fig1")
    seen = [_banner_outcome(panel)]
    for value in ("honest", "spoofed"):
        panel.controls["dns"].value = value
        seen.append(_banner_outcome(panel))
    assert seen == ["exposed", "protected", "exposed"]


def test_fig1_combinations_show_the_runs_verdict():
    """Across fig1's toggle settings, the banner and the player show labsim.run's outcome.

    Every combination of the other toggles is set, each with the next value of ``name_check`` in turn
    (the panel's plumbing does not depend on which value a toggle has, and all 1,120 settings would take a
    minute): 160 settings, every value of every toggle many times over, each reached from the one before."""
    spec = labsim.scenario("fig1")
    panel = labsim.panel("fig1")
    cycled = spec.toggle("name_check")
    others = [t for t in spec.toggles if t.name != cycled.name]
    for i, values in enumerate(itertools.product(*(t.values for t in others))):
        toggles = dict(zip((t.name for t in others), values), name_check=cycled.values[i % len(cycled.values)])
        toggles = {t.name: toggles[t.name] for t in spec.toggles}
        panel.set(**toggles)
        expected = labsim.run("fig1", toggles).outcome
        assert panel.outcome == expected == _banner_outcome(panel) == _view_outcome(panel), toggles
        assert panel.view["toggles"] == toggles
    assert i + 1 == 160


@pytest.mark.parametrize("scenario", labsim.scenario_ids())
def test_each_toggle_change_reruns_with_that_value(scenario):
    """Changing any one toggle of any scenario gives the outcome of a run with exactly those toggles."""
    spec = labsim.scenario(scenario)
    panel = labsim.panel(scenario)
    for toggle in spec.toggles:
        for value in toggle.values:
            panel.controls[toggle.name].value = value
            assert panel.result.toggles == panel.toggles
            assert panel.outcome == labsim.run(scenario, panel.toggles).outcome
        panel.controls[toggle.name].value = toggle.default


def test_one_control_per_toggle_with_stable_classes():
    """Each declared toggle gets a control; buttons for two or three short values, a select otherwise."""
    panel = labsim.panel("fig2")
    names = [t.name for t in labsim.scenario("fig2").toggles]
    assert list(panel.controls) == names == [t["name"] for t in panel.static["toggles"]]
    assert panel.controls["connect_by"].kind == "buttons"
    assert panel.controls["name_check"].kind == "select"        # seven values
    assert {"labsim-panel", "labsim-panel-fig2"} <= set(panel._dom_classes)


def test_fixed_toggles_get_no_widget_and_hold_their_value():
    """labsim.panel("fig1", attacker_at="protected") pins that toggle and shows the rest."""
    panel = labsim.panel("fig1", attacker_at="protected")
    assert "attacker_at" not in panel.controls
    assert panel.result.toggles["attacker_at"] == "protected"
    assert panel.outcome == "blocked"
    with pytest.raises(ValueError, match="fixed"):
        panel.set(attacker_at="bypassed")


def test_initial_values_start_the_widgets_there():
    """initial= sets where the widgets start without pinning them."""
    panel = labsim.panel("fig1", initial={"dns": "honest"})
    assert panel.controls["dns"].value == "honest" and panel.outcome == "protected"


def test_a_students_spd_is_used_for_every_run():
    """spd= replaces host-a's SPD in each re-run: PROTECT everything blocks the outsider too."""
    panel = labsim.panel("fig1", spd={"host-a": "bypass remote 1.2.0.53 proto udp port 53\nprotect any"})
    assert panel.outcome == "blocked"
    panel.controls["dns"].value = "honest"
    assert panel.outcome == "protected"


def test_a_policy_that_does_not_parse_shows_an_error_banner():
    """A bad SPD line is shown as an error banner (data-outcome=error) with the parser's message."""
    panel = labsim.panel("fig1", spd={"host-a": "protec any"})
    assert panel.outcome == "error" and _banner_outcome(panel) == "error"
    assert "rule starts with an action" in panel.banner.value
    assert panel.view["error"] and panel.view["events"] == []


def test_unknown_fixed_toggle_is_refused_with_the_choices():
    """A misspelt toggle name raises the course's error naming the valid toggles."""
    with pytest.raises(UnknownToggle, match="dnssec"):
        labsim.panel("fig1", dnsec="on")


def test_the_browser_gets_the_run_as_data_and_the_topology_once():
    """A toggle sends one view (verdicts, trails, events); the topology drawing goes only with the first."""
    panel = labsim.panel("fig1")
    first = dict(panel.view)
    assert first["topo_svg"].startswith('<g class="lsp-topology">')
    panel.controls["dns"].value = "honest"
    assert "topo_svg" not in panel.view and panel.view["topo"] == first["topo"]
    assert panel.view["n"] == first["n"] + 1
    assert len(panel.view["events"]) == len(panel.view["steps"]) == len(labsim.run("fig1", dns="honest").events)


def test_events_are_numbered_from_one_and_markers_use_those_numbers():
    """Table, now-line and step label count from 1; a marker carries its flow's first event number."""
    panel = labsim.panel("fig1")
    view = panel.view
    assert [row[0] for row in view["events"]] == list(range(1, len(view["events"]) + 1))
    markers = {row[6] for row in view["events"] if row[6]}
    drawn = {int(n) for n in re.findall(r'font-weight="bold" fill="#1a1a1a">(\d+)</text>', view["trails"])}
    assert markers == drawn
    for row in view["events"]:
        if row[6]:
            assert view["events"][row[6] - 1][6] == row[6]     # the marker's event is that flow's first packet


def test_values_do_not_break_inside_or_around_equals():
    """'dst = 1.2.0.53' is glued with no-break spaces; packet headers keep their lines; the CSS breaks at spaces only."""
    from labsim.viz.player import asset
    from labsim.viz.render import glue
    assert glue("dst = 1.2.0.53 and src = 1.2.0.5") == "dst\u00a0=\u00a01.2.0.53 and src\u00a0=\u00a01.2.0.5"
    events = labsim.panel("fig1").view["events"]
    assert not any(" = " in row[5] + row[9] for row in events)
    assert any("dst" in row[11] for row in events)                       # scapy's header dump, shown in a <pre>
    css = asset("panel.css")
    assert "word-break:normal;overflow-wrap:normal" in css.replace(" ", "")
    assert "details pre{" in css and "white-space:pre}" in css


def test_the_script_is_sent_once_when_asked_and_a_topology_on_request():
    """The loader asks for the code (need_code); a page reloaded asks again for a topology it lacks."""
    panel = labsim.panel("fig1")
    sent = []
    panel.send = sent.append
    panel._message(panel, {"type": "need_code"}, [])
    panel._message(panel, {"type": "need_topology", "key": panel.view["topo"]}, [])
    assert sent[0]["type"] == "code" and "export function render" in sent[0]["code"]
    assert sent[1] == {"type": "topology", "key": panel.view["topo"], "svg": panel._topologies[panel.view["topo"]]}


def test_the_saved_output_carries_the_fallback_picture_and_verdict():
    """The mimebundle has the widget view, and HTML with the verdict and the picture as an image."""
    panel = labsim.panel("fig1")
    data = panel._repr_mimebundle_()
    data = data[0] if isinstance(data, tuple) else data
    assert "application/vnd.jupyter.widget-view+json" in data
    html = data["text/html"]
    assert 'data-outcome="exposed"' in html and '<img class="labsim-fallback-picture"' in html
    assert 'src="data:image/svg+xml,' in html
    assert data["text/plain"] == labsim.run("fig1").banner()


def test_several_verdicts_give_one_banner_line_each():
    """fig5 judges two flows (Result.verdicts: the attack, then the print job): the banner and the panel's
    view show one line per flow, primary first, each with its flow's outcome and label."""
    from labsim.viz.render import verdict_rows, verdicts
    result = labsim.run("fig5")
    expected = [(flow, v.outcome) for flow, v in result.verdicts.items()]
    assert [flow for flow, _ in expected] == ["attack", "print_job"]
    lines = verdicts(result)
    assert [(v["flow"], v["outcome"]) for v in lines] == expected
    assert [v["label"] for v in lines] == [v.label for v in result.verdicts.values()] and all(v["label"] for v in lines)
    assert lines[0]["outcome"] == result.outcome          # the primary verdict comes first
    html = verdict_rows(result)
    assert html.count('class="labsim-verdict') == 2
    assert re.findall(r'data-outcome="(\w+)" data-flow="(\w+)"', html) == [(o, f) for f, o in expected]
    panel = labsim.panel("fig5")
    assert [(v["flow"], v["outcome"]) for v in panel.view["verdicts"]] == expected
    assert panel.banner.value.count('class="labsim-verdict') == 2
    assert [v["flow"] for v in verdicts(labsim.run("fig1"))] == ["main"]      # one flow: one line, as before


def test_in_a_kernel_the_settings_one_click_away_are_run_ahead():
    """With an event loop running (as in a kernel), the panel runs each one-click-away setting while idle;
    a click on one of them is then answered from the cache with the same verdict labsim.run gives."""
    import asyncio
    import time

    async def session():
        panel = labsim.panel("basics")
        deadline = time.monotonic() + 60
        while panel._neighbours() and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        return panel

    panel = asyncio.run(session())
    assert panel._neighbours() == []
    spec = labsim.scenario("basics")
    assert len(panel._views) == 1 + sum(len(t.values) - 1 for t in spec.toggles)
    panel.controls["peer"].value = "printer-b"
    assert panel.last_ms < 50 and panel.outcome == labsim.run("basics", peer="printer-b").outcome


def test_views_run_ahead_are_sent_to_the_browser_with_their_setting_and_fingerprint():
    """A setting run ahead goes to the browser as an 'ahead' message, keyed as the browser keys a choice;
    the kernel's later answer for that setting carries the same fingerprint (the browser skips a redraw)."""
    panel = labsim.panel("fig1")
    sent = []
    panel.send = sent.append
    toggles = {**panel.toggles, "dns": "honest"}
    panel._compute(toggles)
    (message,) = sent
    assert message["type"] == "ahead"
    assert message["view"]["key"] == panel.choice_key(toggles) == \
        '{"attacker_at":"bypassed","attacker_cert":"none","default_action":"bypass","dns":"honest","dnssec":"off",' \
        '"name_check":"none","name_selector":"off"}'
    panel.controls["dns"].value = "honest"
    assert panel.view["digest"] == message["view"]["digest"] and panel.view["key"] == message["view"]["key"]
    panel.controls["dns"].value = "spoofed"
    assert panel.view["digest"] != message["view"]["digest"]
