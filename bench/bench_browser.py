"""What a student feels in JupyterLab: toggle to new picture, and opening a notebook to its first live panel.

Drives JupyterLab in Debian's Chromium with Playwright (the browser suite's servers, see
``tests/browser/servers.py``) at 1366x768, on a notebook holding three panels (fig1, fig3,
fig5: one, three and two-flow pictures).

* ``first_live_panel_s``: from asking the browser for the notebook's URL (kernel not yet
  started) to the first panel drawn live: Lab loads, the kernel starts, Run All is clicked as
  soon as the kernel is idle, and the fig1 panel draws its first run.
* ``browser_toggle_to_picture_ms`` (median) and ``browser_toggle_to_picture_p95_ms``: from a
  click on a toggle's button (the click event's time stamp) to the frame painted after the
  panel redrew banner, picture and event list from the kernel's answer. Every toggle of
  buttons in the three panels is flipped and flipped back, in order (24 clicks), with 0.6 s
  between a picture and the next click (a student looks before clicking again). A setting the
  panel has not run yet costs the simulator's run; while the kernel is idle the panel runs the
  settings one click away ahead of time, and revisits come from its cache.
  ``browser_kernel_share_ms`` is the median part of that spent before the kernel sent its
  answer (click to kernel, the run, and the send), measured with the two clocks of one machine;
  ``browser_redraw_ms`` the median time the panel's script takes to redraw banner, picture and
  events from the answer, ``browser_transit_ms`` the median time from the kernel's send to the
  script receiving it (through the Jupyter server and the page's widget manager); the rest is
  painting. ``browser_drawn_ahead``: how many clicks were drawn from runs the kernel had sent
  ahead (a click on a setting one click away, run while the kernel was idle).

``LABSIM_BENCH_TINY=1`` clicks three times (the test that keeps every benchmark runnable).
Needs Playwright for Python and /usr/bin/chromium; without them the figures are ``None``.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TINY = os.environ.get("LABSIM_BENCH_TINY") == "1"
SCENARIOS = ("fig1", "fig3", "fig5")
CLICKS_PER_PANEL = 8
WIDTH, HEIGHT = 1366, 768
THINK_MS = 600

_cache: dict = {}


def available() -> str | None:
    """Why the browser benchmark cannot run here, or None."""
    import importlib.util
    if importlib.util.find_spec("playwright") is None:
        return "Playwright for Python is not installed"
    if not os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium is missing"
    return None


def _notebook(root: Path) -> str:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook
    cells = [new_code_cell("import labsim")] + [new_code_cell(f'labsim.panel("{s}")') for s in SCENARIOS]
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "language": "python",
                                                            "display_name": "Python 3 (ipykernel)"}})
    nbformat.write(nb, str(root / "bench_panels.ipynb"))
    return "bench_panels.ipynb"


def _clicks(panel, count: int) -> list[tuple[str, str]]:
    """Buttons to click in order: each toggle's other value, then its value again."""
    plan = []
    for group in panel.locator(".labsim-control-row").all():
        buttons = group.locator("button.labsim-choice")
        if buttons.count() < 2:
            continue
        name = group.locator(".labsim-toggle-name").inner_text()
        values = [b.get_attribute("data-value") for b in buttons.all()]
        pressed = group.locator("button.labsim-choice[aria-pressed=true]").get_attribute("data-value")
        other = next(v for v in values if v != pressed)
        plan += [(name, other), (name, pressed)]
    return (plan * 4)[:count]


def _measure() -> dict:
    sys.path[:0] = [str(REPO / "tests"), str(REPO)]
    from playwright.sync_api import expect, sync_playwright
    from browser.servers import CHROMIUM, CHROMIUM_ARGS, copy_notebooks, isolated_env, start_lab, stop  # noqa: F401
    base = Path(tempfile.mkdtemp(prefix="labsim-bench-"))
    root = base / "notebooks"
    root.mkdir()
    name = _notebook(root)
    home = base / "home"
    server = start_lab(root, home, env=isolated_env(home))
    toggles, kernel_part, draw_part, transit_part, first, ahead = [], [], [], [], None, 0
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
            started = time.perf_counter()
            page.goto(server.page(f"/lab/tree/{name}?reset"))
            idle = page.locator(".jp-StatusBar-TextItem").filter(has_text=re.compile(r"\(ipykernel\)\s*\|\s*Idle"))
            expect(idle).to_have_count(1, timeout=120_000)
            page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
            page.locator("li[data-command='runmenu:run-all']").click()
            page.locator(f".labsim-panel-{SCENARIOS[0]}[data-painted]").wait_for(timeout=120_000)
            first = time.perf_counter() - started
            for scenario in SCENARIOS:
                page.locator(f".labsim-panel-{scenario}[data-painted]").wait_for(timeout=120_000)
            per_panel = 1 if TINY else CLICKS_PER_PANEL
            for scenario in SCENARIOS:
                panel = page.locator(f".labsim-panel-{scenario}")
                panel.evaluate("e => e.scrollIntoView({block: 'start'})")
                for toggle, value in _clicks(panel, per_panel):
                    page.wait_for_timeout(THINK_MS)
                    run = int(panel.get_attribute("data-painted"))
                    panel.locator(f".labsim-toggle-{toggle} button.labsim-choice[data-value='{value}']").click()
                    expect(panel).to_have_attribute("data-painted", str(run + 1), timeout=30_000)
                    spent, kernel, drawing, transit, local = panel.evaluate(
                        "e => [e.__labsimPaintedAt - e.__labsimClickedAt, e.__labsimKernelMs, e.__labsimApplyMs, "
                        "e.__labsimTransitMs, !!e.__labsimLocal]")
                    ahead += int(local)
                    transit_part.append(transit)
                    toggles.append(spent)
                    kernel_part.append(kernel)
                    draw_part.append(drawing)
            browser.close()
    finally:
        stop(server)
    return {"toggles": toggles, "kernel": kernel_part, "draw": draw_part, "transit": transit_part,
            "first": first, "ahead": ahead}


def _run() -> dict:
    if "run" not in _cache:
        _cache["run"] = None if available() else _measure()
    return _cache["run"]


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def browser_toggle_to_picture_ms() -> float | None:
    run = _run()
    return round(statistics.median(run["toggles"]), 1) if run else None


def browser_toggle_to_picture_p95_ms() -> float | None:
    run = _run()
    return round(_p95(run["toggles"]), 1) if run else None


def browser_toggles_measured() -> int | None:
    run = _run()
    return len(run["toggles"]) if run else None


def browser_kernel_share_ms() -> float | None:
    run = _run()
    return round(statistics.median(run["kernel"]), 1) if run else None


def browser_redraw_ms() -> float | None:
    run = _run()
    return round(statistics.median(run["draw"]), 1) if run else None


def browser_transit_ms() -> float | None:
    run = _run()
    return round(statistics.median(run["transit"]), 1) if run else None


def browser_drawn_ahead() -> int | None:
    """How many of the clicks were drawn from runs the kernel had sent ahead (no wait for the kernel)."""
    run = _run()
    return run["ahead"] if run else None


def first_live_panel_s() -> float | None:
    run = _run()
    return round(run["first"], 2) if run else None


BENCHMARKS = [
    ("browser_toggle_to_picture_ms", "ms", "<= 100", browser_toggle_to_picture_ms),
    ("browser_toggle_to_picture_p95_ms", "ms", "<= 200", browser_toggle_to_picture_p95_ms),
    ("browser_toggles_measured", "clicks", "", browser_toggles_measured),
    ("browser_kernel_share_ms", "ms", "", browser_kernel_share_ms),
    ("browser_drawn_ahead", "clicks", "", browser_drawn_ahead),
    ("browser_transit_ms", "ms", "", browser_transit_ms),
    ("browser_redraw_ms", "ms", "", browser_redraw_ms),
    ("first_live_panel_s", "s", "<= 10", first_live_panel_s),
]
