"""What a student does in the browser, as functions over a Playwright page.

The selectors are the stable hooks documented in ``labsim/viz/livepanel.py`` and
``labsim/viz/player.py``; the JupyterLab ones are those in ``shared/BROWSER-NOTES.md``.
``expect(...)`` raises AssertionError when the page does not reach the state in time, so a
panel whose banner does not follow its toggle fails :func:`flip_dns` (the self-test proves it).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

LAB_SCOPE = ".jp-NotebookPanel:not(.lm-mod-hidden)"
KERNEL_IDLE = re.compile(r"\(ipykernel\)\s*\|\s*Idle")


def open_in_lab(page: Page, server, notebook: str, timeout: float = 90_000) -> Locator:
    """Open ``notebook`` in JupyterLab and wait until its kernel has started and is idle."""
    page.goto(server.page(f"/lab/tree/{notebook}?reset"))
    notebook_panel = page.locator(LAB_SCOPE)
    expect(notebook_panel).to_have_count(1, timeout=timeout)
    wait_kernel_idle(page, timeout)
    return notebook_panel


def wait_kernel_idle(page: Page, timeout: float = 90_000) -> None:
    """The status bar reads "Python 3 (ipykernel) | Idle" (not the execution indicator, see BROWSER-NOTES)."""
    expect(page.locator(".jp-StatusBar-TextItem").filter(has_text=KERNEL_IDLE)).to_have_count(1, timeout=timeout)


def run_all_in_lab(page: Page, notebook_panel: Locator, timeout: float = 180_000) -> int:
    """Run ▸ Run All Cells, then wait until every code cell has its execution count and the kernel is idle.

    Returns the number of code cells run.
    """
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator("li[data-command='runmenu:run-all']").click()
    prompts = notebook_panel.locator(".jp-CodeCell .jp-InputArea-prompt")
    cells = prompts.count()
    assert cells > 0, "the notebook shows no code cell"
    deadline = time.monotonic() + timeout / 1000
    while True:
        texts = prompts.all_text_contents()   # not inner text: Lab skips rendering off-screen cells
        if all(re.fullmatch(r"\[\d+\]:", t.strip()) for t in texts):
            break
        if time.monotonic() > deadline:
            pending = [t for t in texts if not re.fullmatch(r"\[\d+\]:", t.strip())]
            raise AssertionError(f"cells still not run after {timeout / 1000:.0f} s: {pending}")
        time.sleep(0.3)
    wait_kernel_idle(page, timeout)
    return cells


def errors_shown(scope: Locator) -> list[str]:
    """The text of every error a student would see: tracebacks, stderr, widgets that failed to render."""
    shown = []
    for out in scope.locator("[data-mime-type='application/vnd.jupyter.stderr']").all():
        shown.append(out.inner_text()[:800])
    for out in scope.locator(".jp-OutputArea-output").filter(
            has_text=re.compile(r"Error displaying widget|Model not found|There was an error when executing")).all():
        shown.append(out.inner_text()[:800])
    return shown


def fig1_panel(scope: Locator) -> Locator:
    panel = scope.locator(".labsim-panel.labsim-panel-fig1").first
    expect(panel).to_be_visible(timeout=60_000)
    return panel


def verdict(panel: Locator) -> Locator:
    return panel.locator(".labsim-banner .labsim-verdict")


def click_dns(panel: Locator, value: str) -> None:
    panel.locator(".labsim-toggle-dns .widget-toggle-button", has_text=re.compile(f"^{value}$")).click()


def flip_dns(panel: Locator, timeout: float = 20_000) -> list[str]:
    """spoofed → honest → spoofed, as a student clicks it; the banner must follow: exposed, protected, exposed.

    Returns the outcomes seen. The player below the banner must show the same run.
    """
    seen = []
    banner, player = verdict(panel), panel.locator(".labsim-player[data-live]")
    for value, outcome in (("spoofed", "exposed"), ("honest", "protected"), ("spoofed", "exposed")):
        if value != "spoofed" or seen:
            click_dns(panel, value)
        active = panel.locator(".labsim-toggle-dns .widget-toggle-button.mod-active")
        expect(active).to_have_text(value, timeout=timeout)
        expect(banner).to_have_attribute("data-outcome", outcome, timeout=timeout)
        expect(player).to_have_attribute("data-outcome", outcome, timeout=timeout)
        seen.append(banner.get_attribute("data-outcome"))
    return seen


def step_events(panel: Locator, events: int) -> dict[str, str]:
    """« first, › next three times, ‹ back, » last: the current row and the step label follow each click."""
    player = panel.locator(".labsim-player[data-live]")
    rows = player.locator("tr.labsim-event")
    expect(rows).to_have_count(events)
    current, label = player.locator("tr.labsim-current"), player.locator(".labsim-step")
    labels = {}

    def at(step: int, name: str) -> None:
        expect(current).to_have_count(1)
        expect(current).to_have_attribute("data-step", str(step))
        expect(label).to_have_text(f"event {step + 1} of {events}")
        labels[name] = label.inner_text()

    player.locator(".labsim-first").click()
    at(0, "first")
    for _ in range(3):
        player.locator(".labsim-next").click()
    at(3, "next x3")
    player.locator(".labsim-prev").click()
    at(2, "back")
    player.locator(".labsim-last").click()
    at(events - 1, "last")
    return labels


def screenshot(page: Page, element: Locator, path: Path, width: int) -> Path:
    """A PNG of the whole of ``element`` at a window ``width`` pixels wide.

    The window is made tall enough for the element first: Lab and Voila scroll their content
    inside a fixed-height box, so an element taller than the window would come out cut.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    page.wait_for_timeout(300)
    height = element.bounding_box()["height"]
    page.set_viewport_size({"width": width, "height": min(int(height) + 400, 6000)})
    element.scroll_into_view_if_needed()
    page.wait_for_timeout(400)     # let the stage's SVG settle after the resize
    element.screenshot(path=str(path))
    page.set_viewport_size({"width": width, "height": 900})
    return path


def window_shot(page: Page, element: Locator, path: Path, width: int, height: int = 800) -> Path:
    """What a student sees in a laptop-sized window, scrolled to the top of ``element``."""
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_timeout(300)
    element.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(400)
    page.screenshot(path=str(path))
    return path


def animation_shot(page: Page, panel: Locator, step: int, path: Path, width: int) -> Path:
    """The stage and the current event while a packet is on its way (the player stepped to ``step``)."""
    player = panel.locator(".labsim-player[data-live]")
    player.locator(".labsim-first").click()
    for _ in range(step):
        player.locator(".labsim-next").click()
    expect(player.locator("tr.labsim-current")).to_have_attribute("data-step", str(step))
    return screenshot(page, player.locator(".labsim-stage"), path, width)


def screenshots_at_laptop_widths(page: Page, panel: Locator, prefix: Path, widths=(1280, 1024)) -> list[Path]:
    """For each width: the whole panel, the laptop window at its top, the event list, the animation at event 7."""
    shots = []
    for width in widths:
        shots.append(screenshot(page, panel, Path(f"{prefix}_panel_{width}.png"), width))
        shots.append(window_shot(page, panel, Path(f"{prefix}_window_{width}x800.png"), width))
        events = panel.locator(".labsim-player[data-live] .labsim-list")
        shots.append(window_shot(page, events, Path(f"{prefix}_events_{width}x800.png"), width))
        shots.append(animation_shot(page, panel, 6, Path(f"{prefix}_step7_{width}.png"), width))
    return shots
