"""The live panel: its callback always shows the verdict of the toggles that are set."""

import itertools
import re

import pytest

import labsim
from labsim.errors import UnknownToggle


def _banner_outcome(panel) -> str:
    return re.search(r'class="labsim-verdict[^"]*" data-outcome="(\w+)"', panel.banner.value).group(1)


def _player_html(panel) -> str:
    (output,) = panel.output.outputs
    return output["data"]["text/html"]


def test_clicking_dns_flips_the_banner_exposed_protected_exposed():
    """The browser suite's path, in-process: spoofed -> honest -> spoofed changes the banner each time."""
    panel = labsim.panel("fig1")
    seen = [_banner_outcome(panel)]
    for value in ("honest", "spoofed"):
        panel.controls["dns"].value = value
        seen.append(_banner_outcome(panel))
    assert seen == ["exposed", "protected", "exposed"]


def test_every_fig1_combination_shows_the_runs_verdict():
    """For all 32 settings of fig1's toggles, the banner and the player show labsim.run's outcome."""
    spec = labsim.scenario("fig1")
    panel = labsim.panel("fig1")
    for values in itertools.product(*(t.values for t in spec.toggles)):
        toggles = dict(zip((t.name for t in spec.toggles), values))
        panel.set(**toggles)
        expected = labsim.run("fig1", toggles).outcome
        assert panel.outcome == expected == _banner_outcome(panel), toggles
        assert f'data-outcome="{expected}"' in _player_html(panel)


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


def test_one_widget_per_toggle_with_stable_classes():
    """Each declared toggle has a widget classed labsim-toggle-<name>; buttons for two or three short values."""
    panel = labsim.panel("fig2")
    names = [t.name for t in labsim.scenario("fig2").toggles]
    assert list(panel.controls) == names
    for name, widget in panel.controls.items():
        assert {"labsim-toggle", f"labsim-toggle-{name}"} <= set(widget._dom_classes)
    assert type(panel.controls["connect_by"]).__name__ == "ToggleButtons"
    assert type(panel.controls["name_check"]).__name__ == "Dropdown"       # seven values
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
    assert panel.output.outputs == ()


def test_unknown_fixed_toggle_is_refused_with_the_choices():
    """A misspelt toggle name raises the course's error naming the valid toggles."""
    with pytest.raises(UnknownToggle, match="dnssec"):
        labsim.panel("fig1", dnsec="on")


def test_the_panels_player_has_no_second_banner():
    """Inside the panel the player leaves the verdict to the panel's own banner (one per panel)."""
    panel = labsim.panel("fig1")
    assert 'class="labsim-verdict' not in _player_html(panel)
