"""A student in JupyterLab and Notebook 7 at 1366x768, file browser open: the panel before and after running.

Before any cell runs, each panel cell of notebook 02 (as committed: unexecuted here, untrusted)
shows its saved fallback: the verdict and the picture. After Run All, the live panel follows
its toggles, steps and plays. Every scenario's panel fits one screen with labels of 11 px or
more and no word broken across lines; screenshots of each at 1366x768 and 1024x768 go to
tests/browser/screenshots/.
"""

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

import labsim  # noqa: E402
from playwright.sync_api import expect  # noqa: E402
from . import student  # noqa: E402

pytestmark = pytest.mark.browser
NOTEBOOK = "02_classic_dns_vulnerability.ipynb"
PANELS = "all_panels.ipynb"
MIN_LABEL_PX = 11


@pytest.fixture(scope="module")
def panels_notebook(lab):
    """A notebook with one panel of every scenario, written into the Lab's folder."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook
    cells = [new_code_cell("import labsim")] + [new_code_cell(f'labsim.panel("{s}")') for s in labsim.scenario_ids()]
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "language": "python",
                                                            "display_name": "Python 3 (ipykernel)"}})
    nbformat.write(nb, str(lab.root / PANELS))
    return PANELS


def _fallbacks_shown(page, scope):
    """Every saved fallback in view has its picture loaded and a verdict in words."""
    fallbacks = scope.locator(".labsim-fallback")
    expect(fallbacks.first).to_be_visible(timeout=60_000)
    count = fallbacks.count()
    assert count >= 1
    for i in range(count):
        fallback = fallbacks.nth(i)
        fallback.scroll_into_view_if_needed()
        picture = fallback.locator("img")
        expect(picture).to_be_visible()
        page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=picture.element_handle())
        assert picture.get_attribute("alt").startswith("Network diagram")
        assert any(w in fallback.inner_text() for w in ("EXPOSED", "PROTECTED", "BLOCKED", "CLEAR", "IMPERSONATED"))
    return count


def test_the_fallback_shows_before_anything_runs_in_lab_and_notebook_7(lab, new_page, screenshots):
    """Opened, not run (untrusted): JupyterLab and Notebook 7 show each panel's verdict and picture."""
    page = new_page(1366, 768)
    page.goto(lab.page(f"/lab/tree/{NOTEBOOK}?reset"))
    scope = page.locator(student.LAB_SCOPE)
    shown = _fallbacks_shown(page, scope)
    print("lab fallbacks:", shown, student.shot(page, scope.locator(".labsim-fallback").first,
                                                  screenshots / "lab_02_fallback_1366x768.png"))
    assert page.page_errors == []
    page = new_page(1366, 768)
    page.goto(lab.page(f"/notebooks/{NOTEBOOK}"))
    shown = _fallbacks_shown(page, page.locator("body"))
    print("notebook 7 fallbacks:", shown, student.shot(page, page.locator(".labsim-fallback").first,
                                                         screenshots / "nb7_02_fallback_1366x768.png"))
    assert student.our_errors(page) == []


def test_notebook_02_in_lab_runs_and_its_panel_follows_the_dns_toggle(lab, new_page, screenshots):
    """Run All; spoofed → honest → spoofed flips banner and picture; the player steps and plays; nothing breaks a word."""
    page = new_page(1366, 768)
    notebook = student.open_in_lab(page, lab, NOTEBOOK)
    cells = student.run_all_in_lab(page, notebook)
    assert student.errors_shown(notebook) == []
    panel = student.fig1_panel(notebook)
    assert student.flip_dns(panel) == ["exposed", "protected", "exposed"]
    labels = student.step_events(panel, len(labsim.run("fig1").events))
    student.play(panel)
    print(f"lab: {cells} code cells run; steps {labels}")
    # trace lines and check feedback are printed text: wrapped at spaces (or after a hyphen), never inside a word
    assert student.broken_words(panel) == []
    assert student.printed_text_breaks(notebook) == []
    assert student.errors_shown(notebook) == []
    assert page.page_errors == []


def test_notebook_02_in_notebook_7_runs_and_its_panel_follows_the_dns_toggle(lab, new_page):
    """The same panel in Jupyter Notebook 7: Run All, then the toggle flips the verdict."""
    page = new_page(1366, 768)
    page.goto(lab.page(f"/notebooks/{NOTEBOOK}"))
    expect(page.locator(".jp-NotebookPanel")).to_have_count(1, timeout=90_000)
    student.run_all_until(page, page.locator(".labsim-panel-fig1[data-painted]").first)
    panel = student.fig1_panel(page.locator("body"))
    assert student.flip_dns(panel) == ["exposed", "protected", "exposed"]
    assert student.our_errors(page) == []


def test_every_panel_fits_one_screen_with_readable_labels(lab, panels_notebook, new_page, screenshots):
    """1366x768, file browser open: toggles, verdicts and the whole picture within the notebook area;
    every label of the picture at least 11 px; no word broken; screenshots at 1366 and 1024 wide."""
    page = new_page(1366, 768)
    notebook = student.open_in_lab(page, lab, panels_notebook)
    student.run_all_in_lab(page, notebook)
    problems, shots = [], []
    for scenario in labsim.scenario_ids():
        panel = student.live_panel(notebook, scenario)
        room = student.layout(panel)
        print(scenario, room)
        if room["needed"] > room["visible"]:
            problems.append(f"{scenario}: needs {room['needed']:.0f} px of {room['visible']:.0f}")
        if room["smallest"] < MIN_LABEL_PX:
            problems.append(f"{scenario}: label {room['which']!r} is {room['smallest']:.1f} px")
        broken = student.broken_words(panel)
        if broken:
            problems.append(f"{scenario}: broken words {broken[:5]}")
        shots.append(student.shot(page, panel, screenshots / f"lab_{scenario}_1366x768.png"))
    page.set_viewport_size({"width": 1024, "height": 768})
    for scenario in labsim.scenario_ids():
        panel = student.live_panel(notebook, scenario)
        broken = student.broken_words(panel)
        if broken:
            problems.append(f"{scenario} at 1024: broken words {broken[:5]}")
        shots.append(student.shot(page, panel, screenshots / f"lab_{scenario}_1024x768.png"))
    print("screenshots:", *shots)
    assert problems == []
    assert page.page_errors == []
