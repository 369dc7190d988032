"""A student on the Voila page of notebook 02 (the README's Voila link), and the suite's own self-test."""

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

import labsim  # noqa: E402
from . import student  # noqa: E402

pytestmark = pytest.mark.browser
PAGE = "/voila/render/02_classic_dns_vulnerability.ipynb"


def test_notebook_02_in_voila_its_panel_follows_the_dns_toggle(voila, new_page, screenshots):
    """The Voila page shows no error; spoofed → honest → spoofed flips the banner; the event list steps."""
    page = new_page(1280)
    page.goto(voila.page(PAGE))
    body = page.locator("body")
    panel = student.fig1_panel(body)
    assert student.errors_shown(body) == []
    assert student.flip_dns(panel) == ["exposed", "protected", "exposed"]
    labels = student.step_events(panel, len(labsim.run("fig1").events))
    print(f"voila: steps {labels}")

    print("screenshots:", *student.screenshots_at_laptop_widths(page, panel, screenshots / "voila_02"))
    assert student.errors_shown(body) == []
    assert page.page_errors == []


def test_a_panel_whose_banner_does_not_follow_the_toggle_fails_the_suite(voila_broken_panel, new_page):
    """Self-test: with the banner frozen on its first verdict (a kernel startup file), flip_dns fails."""
    page = new_page(1280)
    page.goto(voila_broken_panel.page(PAGE))
    panel = student.fig1_panel(page.locator("body"))
    with pytest.raises(AssertionError, match=r"'protected'\s+Actual value: exposed") as failure:
        student.flip_dns(panel, timeout=5_000)
    print("the broken panel fails as it should:", str(failure.value).splitlines()[0])
    # The break is in the banner only: the player did re-run with dns=honest.
    assert panel.locator(".labsim-player[data-live]").get_attribute("data-outcome") == "protected"
