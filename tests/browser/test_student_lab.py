"""A student in JupyterLab: open notebook 02, run all cells, play with the fig1 panel, see no error."""

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

import labsim  # noqa: E402
from playwright.sync_api import expect  # noqa: E402
from . import student  # noqa: E402

pytestmark = pytest.mark.browser
NOTEBOOK = "02_classic_dns_vulnerability.ipynb"


def test_notebook_02_in_lab_runs_and_its_panel_follows_the_dns_toggle(lab, new_page, screenshots):
    """Run All in Lab; then spoofed → honest → spoofed flips the banner exposed → protected → exposed."""
    page = new_page(1280)
    notebook = student.open_in_lab(page, lab, NOTEBOOK)
    cells = student.run_all_in_lab(page, notebook)
    assert student.errors_shown(notebook) == []

    panel = student.fig1_panel(notebook)
    assert student.flip_dns(panel) == ["exposed", "protected", "exposed"]
    events = len(labsim.run("fig1").events)
    labels = student.step_events(panel, events)
    print(f"lab: {cells} code cells run; steps {labels}")

    print("screenshots:", *student.screenshots_at_laptop_widths(page, panel, screenshots / "lab_02"))
    # At 1024 px the file browser takes a third of the width; a student can fold it away (Ctrl+B).
    page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").click()
    expect(page.locator("#jp-left-stack")).to_be_hidden()
    print("screenshot:", student.screenshot(page, panel, screenshots / "lab_02_panel_1024_no_sidebar.png", 1024))
    assert student.errors_shown(notebook) == []
    assert page.page_errors == []
