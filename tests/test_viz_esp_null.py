"""ESP with NULL encryption is drawn as what it is: authenticated but readable, never with ESP's padlock.

fig3 vpn_encryption=null dns_server=home sends the request through the VPN tunnel with NULL
encryption, and the verdict says the hotel reads it; every picture must agree (glyph, legend, alt
text, the panel's data). The default fig3 run, and the encrypted tunnel, draw none of it.
"""

import re

import pytest

import labsim
from labsim.viz.describe import legend_text, packet_gist
from labsim.viz.figures import figure_for
from labsim.viz.picture import final_picture, glyph_svg
from labsim.viz.render import fallback_html, panel_static, run_view
from labsim.viz.steps import build_steps
from labsim.viz.layout import layout_for
from labsim.viz.style import ESP_REASON, STATES, state_of_event

NULL = {"vpn_encryption": "null", "dns_server": "home"}
LABEL = STATES["esp_null"].label


@pytest.fixture(scope="module")
def null_run():
    return labsim.run("fig3", NULL)


@pytest.fixture(scope="module")
def default_run():
    return labsim.run("fig3")


def _tunnel_packets(result):
    return [e for e in result.events if e.kind == "esp" and e.path]


def test_the_state_follows_what_the_net_recorded(null_run):
    """Every ESP packet on the wire of the NULL run is readable ESP; the same run with AES-GCM is ESP."""
    packets = _tunnel_packets(null_run)
    assert len(packets) == 4
    assert {state_of_event(e) for e in packets} == {"esp_null"}
    assert all(ESP_REASON.match(e.reason).group("readable") for e in packets)
    encrypted = _tunnel_packets(labsim.run("fig3", dict(NULL, vpn_encryption="aes_gcm")))
    assert encrypted and {state_of_event(e) for e in encrypted} == {"esp"}
    assert packet_gist(packets[-1]).startswith("readable ")


def test_the_tunnel_flows_are_drawn_readable_and_no_padlock_is(null_run):
    """The steps and flows of the tunnel packets are in the readable-ESP state; the picture draws
    their glyph (the open padlock, hollow) and never ESP's closed padlock; its legend lists the state."""
    picture = final_picture(null_run)
    flows = [f for f in picture.flows if f.state in ("esp", "esp_null")]
    assert [(f.sender, f.target, f.state) for f in flows] == [("laptop", "vpn", "esp_null"), ("vpn", "laptop", "esp_null")]
    assert {s.state for s in picture.steps if s.kind == "esp" and s.points} == {"esp_null"}
    marks = picture.svg[picture.svg.index('class="lsp-marks"'):]
    open_lock = glyph_svg("esp_null", 0, 0).split('" fill=')[1]       # fill, stroke: the look, wherever the glyph sits
    assert marks.count(f'fill={open_lock}') == 4
    assert 'fill="{}" stroke="{}"'.format(STATES["esp"].fill, STATES["esp"].edge) not in marks
    assert LABEL in picture.svg                      # the legend of the player's picture
    assert "ESP with NULL encryption (readable TCP [SYN]" in picture.alt


def test_the_default_run_draws_none_and_its_legend_does_not_list_it(default_run):
    picture = final_picture(default_run)
    assert all(s.state != "esp_null" for s in picture.steps)
    assert LABEL not in picture.svg and "NULL encryption" not in picture.alt
    assert legend_text().count(";") == 5 and LABEL in legend_text({"esp_null"})


def test_the_panel_lists_readable_esp_only_for_runs_that_draw_it(null_run, default_run):
    """The panel's legend holds the entry, flagged occasional; each view says whether to show it;
    the saved fallback lists it only when the run draws it."""
    spec = labsim.scenario("fig3")
    static = panel_static(spec, [t.name for t in spec.toggles], "", False)
    flagged = [item[0] for item in static["legend"] if len(item) > 5 and item[5]]
    assert flagged == ["esp_null"] and "esp_null" in static["shapes"] and "esp_null" in static["look"]
    assert run_view(null_run, 1, spec)[0]["legend_extra"] == ["esp_null"]
    assert run_view(default_run, 1, spec)[0]["legend_extra"] == []
    view = run_view(null_run, 1, spec)[0]
    assert {s.get("s") for s in view["steps"] if s["k"] == "esp" and s.get("p")} == {"esp_null"}
    panel = labsim.panel("fig3", initial=NULL)
    assert LABEL in fallback_html(panel)
    assert LABEL not in fallback_html(labsim.panel("fig3"))


def test_the_figure_of_the_run_lists_it_in_a_third_legend_row_clear_of_the_flow_list(null_run):
    fig, flows = figure_for(null_run)
    texts = {t.get_text(): t.get_position()[1] for t in fig.axes[0].texts}
    assert LABEL in texts
    heading = texts["Packet flows, in order of their first packet"]
    assert texts[LABEL] - heading > 0.25                         # inches: the flow list moved down
    assert [f.state for f in flows].count("esp_null") == 2


def test_the_panel_script_shows_and_hides_occasional_legend_entries():
    """panel.js reads the view's legend_extra (the legend is built once per panel)."""
    from labsim.viz.player import asset
    script = asset("panel.js")
    assert "legend_extra" in script and re.search(r"drawLegend\(v\)", script)


def test_steps_use_the_one_mapping(null_run):
    """build_steps takes its states from state_of_event (no second reading of the reason text)."""
    steps, _ = build_steps(null_run.events, layout_for(null_run.world, "fig3"), null_run.world)
    for event, step in zip(null_run.events, steps):
        if event.path:
            assert step.state in (state_of_event(event), "bcast")
