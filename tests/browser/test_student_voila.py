"""A student on the Voila page of notebook 02 (the README's Voila link), exercises hidden, and the suite's self-test."""

import pytest

pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

from playwright.sync_api import expect  # noqa: E402

import labsim  # noqa: E402
from labsim.viz.style import STATES  # noqa: E402
from . import student  # noqa: E402

pytestmark = pytest.mark.browser
PAGE = "/voila/render/02_classic_dns_vulnerability.ipynb"


def test_notebook_02_in_voila_its_panel_follows_the_dns_toggle(voila, new_page, screenshots):
    """The Voila page shows no error; spoofed → honest → spoofed flips banner and picture; the player steps and plays."""
    page = new_page(1366, 768)
    page.goto(voila.page(PAGE))
    body = page.locator("body")
    panel = student.fig1_panel(body)
    assert student.errors_shown(body) == []
    assert student.flip_dns(panel) == ["exposed", "protected", "exposed"]
    labels = student.step_events(panel, len(labsim.run("fig1").events))
    student.play(panel)
    print(f"voila: steps {labels}")
    print("screenshot:", student.shot(page, panel, screenshots / "voila_fig1_1366x768.png"))
    assert student.broken_words(panel) == []
    assert student.errors_shown(body) == []
    assert page.page_errors == []


def _exercise_notebook(root):
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
    nb = new_notebook(cells=[new_markdown_cell("# The story"), new_code_cell("import labsim"),
                             new_code_cell("exercise_answer = 6 * 7\nprint('EXERCISE', exercise_answer)",
                                           metadata={"tags": ["exercise"]}),
                             new_code_cell('labsim.panel("basics")'),
                             new_code_cell("print('STORY', exercise_answer)")],
                      metadata={"kernelspec": {"name": "python3", "language": "python",
                                               "display_name": "Python 3 (ipykernel)"}})
    nbformat.write(nb, str(root / "exercise_tags.ipynb"))
    return "/voila/render/exercise_tags.ipynb"


@pytest.mark.parametrize("server", ["voila", "voila_template"])
def test_voila_hides_cells_tagged_exercise_but_runs_them(server, request, new_page):
    """With Voila's own template (the panel's stylesheet hides them) and with the course's template
    "labsim" (which leaves them out of the page): an exercise cell's code and output are not seen,
    yet it ran (a later cell prints what it defined)."""
    voila = request.getfixturevalue(server)
    page = new_page(1366, 768)
    page.goto(voila.page(_exercise_notebook(voila.root)))
    student.live_panel(page.locator("body"), "basics")
    page.get_by_text("STORY 42").wait_for(timeout=60_000)
    text = page.locator("body").inner_text()
    assert "EXERCISE" not in text and "exercise_answer = " not in text


def test_a_panel_whose_banner_does_not_follow_the_toggle_fails_the_suite(voila_broken_panel, new_page):
    """Self-test: with the verdicts frozen on the first run's (a kernel startup file), flip_dns fails."""
    page = new_page(1366, 768)
    page.goto(voila_broken_panel.page(PAGE))
    panel = student.fig1_panel(page.locator("body"))
    with pytest.raises(AssertionError, match=r"'protected'\s+Actual value: exposed") as failure:
        student.flip_dns(panel, timeout=5_000)
    print("the broken panel fails as it should:", str(failure.value).splitlines()[0])
    # The break is in the banner only: the picture did redraw with dns=honest.
    assert panel.locator(".labsim-toggle-dns button[aria-pressed=true]").inner_text() == "honest"


def _fig3_notebook(root):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook
    nb = new_notebook(cells=[new_code_cell('import labsim\nlabsim.panel("fig3")')],
                      metadata={"kernelspec": {"name": "python3", "language": "python",
                                               "display_name": "Python 3 (ipykernel)"}})
    nbformat.write(nb, str(root / "fig3_panel.ipynb"))
    return "/voila/render/fig3_panel.ipynb"


def test_readable_esp_gets_its_legend_entry_and_glyph_only_while_the_run_draws_it(voila, new_page, screenshots):
    """fig3: dns_server=home, then vpn_encryption=null: the tunnel's packets are drawn with the open
    padlock, and the legend lists it; the panel still fits 1366x768 down to its picture; back to
    aes_gcm, the entry is hidden again and the padlock is ESP's."""
    page = new_page(1366, 768)
    page.goto(voila.page(_fig3_notebook(voila.root)))
    panel = student.live_panel(page.locator("body"), "fig3")
    entry = panel.locator(".labsim-legend-item[data-state=esp_null]")
    expect(entry).to_be_hidden()
    # a glyph's look in the picture's markup (the trails place each glyph's path at its own spot)
    lock, open_lock = (f'fill="{STATES[k].fill}" stroke="{STATES[k].edge}"' for k in ("esp", "esp_null"))

    def choose(toggle, value):
        before = int(panel.get_attribute("data-painted"))
        student.click(panel, toggle, value)
        expect(panel).to_have_attribute("data-painted", str(before + 1), timeout=20_000)

    choose("dns_server", "home")
    expect(entry).to_be_hidden()
    choose("vpn_encryption", "null")
    expect(entry).to_be_visible()
    expect(entry).to_contain_text("NULL encryption: authenticated, readable")
    marks = student.trails(panel)
    assert marks.count(open_lock) == 4 and lock not in marks
    room = student.layout(panel)
    print("fig3 null:", room, "screenshot:", student.shot(page, panel, screenshots / "voila_fig3_null_1366x768.png"))
    assert room["needed"] <= room["visible"]
    assert student.broken_words(panel) == []
    # a click on a tunnel packet's row flies the open padlock along its path
    events = labsim.run("fig3", dns_server="home", vpn_encryption="null").events
    first = next(i for i, e in enumerate(events) if e.kind == "esp" and e.path)
    panel.locator(f"tr.labsim-event[data-step='{first}']").click()
    token = panel.locator("path.lsp-token")
    expect(token).to_have_attribute("fill", STATES["esp_null"].fill)
    expect(token).to_have_attribute("stroke", STATES["esp_null"].edge)
    expect(token).to_have_attribute("d", STATES["esp_null"].unit_svg_path())
    choose("vpn_encryption", "aes_gcm")
    expect(entry).to_be_hidden()
    marks = student.trails(panel)
    assert lock in marks and open_lock not in marks
    assert page.page_errors == []
