"""The standalone animation in a real browser (headless Chromium): it plays and steps with no server.

(Moved here from tests/test_viz_browser.py so that it shares the suite's Chromium and its skip rules.)
"""

import pytest

import labsim
from labsim.viz.player import animation_document

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(chromium, tmp_path_factory):
    path = tmp_path_factory.mktemp("anim") / "fig1.html"
    path.write_text(animation_document(labsim.run("fig1")))
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path.as_uri())
    page.wait_for_selector(".labsim-player[data-live] .labsim-toolbar")
    page.errors = errors
    yield page
    context.close()


def _current(page) -> int:
    return int(page.get_attribute("tr.labsim-current", "data-step"))


def test_script_takes_over_the_static_picture(page):
    """With scripts on, the fallback <img> becomes inline SVG and the toolbar appears, without errors."""
    assert page.locator("img.labsim-picture").count() == 0
    assert page.locator(".labsim-stage svg.labsim-svg").count() == 1
    assert page.errors == []


def test_starts_at_the_last_event_like_the_static_picture(page):
    """The player opens on the whole run, the same state the static picture shows."""
    events = len(labsim.run("fig1").events)
    assert _current(page) == events - 1
    assert page.text_content(".labsim-step") == f"event {events} of {events}"


def test_first_next_and_back_step_the_event_list(page):
    """« first, next › and ‹ back move the current row one event at a time."""
    page.click(".labsim-first")
    assert _current(page) == 0
    page.click(".labsim-next")
    page.click(".labsim-next")
    assert _current(page) == 2
    page.click(".labsim-prev")
    assert _current(page) == 1
    page.keyboard.press("ArrowRight")        # the player has focus after a click inside it
    assert _current(page) == 2


def test_filters_hide_rows_and_stepping_skips_them(page):
    """Unticking 'decisions' hides SPD/app/route/note rows, and next jumps to the next packet event."""
    page.click(".labsim-first")
    page.uncheck(".labsim-filter[data-kind=decisions]")
    hidden = page.locator("tr.labsim-event.labsim-hidden").count()
    decisions = sum(1 for e in labsim.run("fig1").events if e.kind in ("spd", "app", "route", "note"))
    assert hidden == decisions
    for _ in range(3):
        page.click(".labsim-next")
        assert page.get_attribute("tr.labsim-current", "data-kind") not in ("spd", "app", "route", "note")
    page.check(".labsim-filter[data-kind=decisions]")
    assert page.locator("tr.labsim-event.labsim-hidden").count() == 0


def test_play_moves_a_packet_along_its_path(page):
    """Play animates: the token becomes visible and the current row advances."""
    page.click(".labsim-first")
    start = _current(page)
    page.click(".labsim-play")
    page.wait_for_function("() => document.querySelector('.lsp-token').getAttribute('visibility') === 'visible'",
                           timeout=10000)
    page.wait_for_function(f"() => +document.querySelector('tr.labsim-current').dataset.step > {start + 1}",
                           timeout=10000)
    page.click(".labsim-play")               # pause
    assert page.text_content(".labsim-play").endswith("play")
    assert page.errors == []
