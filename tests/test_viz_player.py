"""The packet-flow player: one keyframe per event, light, self-contained, readable without script."""

import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import unquote

import pytest

import labsim
from labsim.cli import main
from labsim.viz.notebook import Shown
from labsim.viz.picture import final_picture
from labsim.viz.player import animation_document, player_html

GOAL_BYTES = 100 * 1024


def _data(html: str) -> dict:
    blob = re.search(r'<script type="application/json" class="labsim-data">(.*?)</script>', html, re.S).group(1)
    return json.loads(blob.replace("<\\/", "</"))


def _picture_svg(html: str) -> str:
    src = re.search(r'<img class="labsim-picture"[^>]* src="([^"]+)"', html).group(1)
    src = src.replace("&amp;", "&").replace("&quot;", '"').replace("&#x27;", "'")
    assert src.startswith("data:image/svg+xml,")
    return unquote(src[len("data:image/svg+xml,"):])


@pytest.mark.parametrize("scenario", labsim.scenario_ids())
def test_one_keyframe_and_one_table_row_per_trace_event(scenario):
    """The player holds exactly one step of data and one event row for every event of the trace."""
    result = labsim.run(scenario)
    html = player_html(result)
    assert len(_data(html)["steps"]) == len(result.events)
    rows = re.findall(r'<tr class="labsim-event" data-step="(\d+)"', html)
    assert [int(r) for r in rows] == list(range(len(result.events)))


def test_fig1_default_animation_stays_under_100_kb():
    """The fig1 default page, everything inside, weighs at most 100 KB."""
    assert len(animation_document(labsim.run("fig1")).encode()) <= GOAL_BYTES


def test_animation_is_self_contained():
    """No script, style, image or font is fetched from anywhere: no URLs to other documents at all."""
    page = animation_document(labsim.run("fig1"))
    assert not re.search(r'(src|href)="(?!data:)', page)
    assert "<link" not in page and "@import" not in page
    assert not re.search(r"url\((?!#|%23)", page)       # only references inside the picture itself
    assert "http://" not in page.replace("http://www.w3.org/", "")
    assert "https://" not in page


def test_rendering_is_deterministic():
    """The same run gives the same page, byte for byte (notebook outputs stay stable under nbval)."""
    assert player_html(labsim.run("fig2")) == player_html(labsim.run("fig2"))


@pytest.mark.parametrize("scenario", labsim.scenario_ids())
def test_static_picture_is_valid_svg_with_one_trail_per_packet_and_drop(scenario):
    """The fallback image parses as SVG and draws every packet and every drop of the run."""
    result = labsim.run(scenario)
    svg = _picture_svg(player_html(result))
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    marks = re.search(r'<g class="lsp-marks">(.*)</g></g></svg>$', svg, re.S).group(1)
    drawn = re.findall(r'<g class="lsp-trail" data-step="(\d+)"', marks)
    expected = [e.seq for e in result.events if e.path or e.kind == "drop"]
    assert [int(d) for d in drawn] == expected


def test_static_fallback_has_verdict_alt_text_and_headers_without_script():
    """With scripts stripped, the banner, the described picture and each packet's headers remain."""
    result = labsim.run("fig1")
    html = re.sub(r"<script.*?</script>", "", player_html(result), flags=re.S)
    banner = re.search(r'<div class="labsim-verdict[^"]*" data-outcome="(\w+)"', html)
    assert banner and banner.group(1) == "exposed"
    alt = re.search(r'<img class="labsim-picture"[^>]* alt="([^"]+)"', html).group(1)
    assert "paper figure 1" in alt and "forged source address 1.2.0.53" in alt and "EXPOSED" in alt
    packets = sum(1 for e in result.events if e.packet)
    assert html.count("<details><summary>headers</summary><pre>###[ IP ]###") == packets
    assert 'style="background:' in html       # the banner's look does not depend on the stylesheet


def test_every_event_row_shows_its_decision_reason_and_rule():
    """Each row carries the decision, the reason and the rule or check that decided."""
    result = labsim.run("fig2")
    html = player_html(result)
    for event in result.events:
        if event.rule:
            assert f"[{event.rule}]".replace("'", "&#x27;") in html.replace("'", "&#x27;")
    assert 'data-decision="PROTECT"' in html


def test_rows_markers_and_table_share_one_numbering():
    """Rows are numbered from 1; a packet row names its flow's marker, the number of that flow's first
    event, which is what the picture prints beside the flow."""
    from labsim.viz.picture import first_events
    picture = final_picture(labsim.run("fig1"))
    html = player_html(labsim.run("fig1"))
    numbers = re.findall(r'<tr class="labsim-event" data-step="\d+" data-kind="\w+"><td>(\d+)</td>', html)
    assert numbers == [str(i) for i in range(1, len(picture.steps) + 1)]
    for number in first_events(picture.steps).values():
        assert f'<span class="labsim-flow">[marker {number}]</span>' in html
        assert f'font-weight="bold" fill="#1a1a1a">{number}</text>' in picture.svg


def test_show_bundle_has_html_and_the_verdict_as_text():
    """labsim.show's output: the player as HTML and the verdict line as plain text."""
    bundle = Shown(labsim.run("fig1", dns="honest")).mimebundle()
    assert bundle["text/plain"] == "PROTECTED"
    assert "<script>" in bundle["text/html"]
    static = Shown(labsim.run("fig1"), animate=False).mimebundle()["text/html"]
    assert "<script" not in static and 'class="labsim-picture"' in static


def test_public_names_are_functions_not_modules():
    """labsim.panel and labsim.show are the functions notebooks call."""
    assert callable(labsim.panel) and labsim.panel.__name__ == "panel"
    assert callable(labsim.show) and labsim.show.__name__ == "show"


def test_animate_command_writes_the_page(tmp_path, capsys):
    """python -m labsim animate fig1 --set dns=honest OUT.html writes a page with that verdict."""
    out = tmp_path / "fig1.html"
    assert main(["animate", "fig1", "--set", "dns=honest", str(out)]) == 0
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>") and 'data-outcome="protected"' in page
    assert "PROTECTED" in capsys.readouterr().out


def test_animate_command_rejects_a_bad_toggle_with_the_choices(tmp_path, capsys):
    """A wrong toggle value is a clear error with exit status 2 and the valid values."""
    assert main(["animate", "fig1", "--set", "dns=maybe", str(tmp_path / "x.html")]) == 2
    assert "honest, spoofed" in capsys.readouterr().err
