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


def run_all_until(page: Page, ready: Locator, tries: int = 4, wait: float = 25_000) -> None:
    """Run ▸ Run All Cells until ``ready`` shows (Notebook 7 has no status bar telling when the kernel is up,
    and Run All before the kernel exists does nothing)."""
    for attempt in range(tries):
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator("li[data-command='runmenu:run-all']").click()
        try:
            expect(ready).to_be_visible(timeout=wait)
            return
        except AssertionError:
            if attempt == tries - 1:
                raise
            page.keyboard.press("Escape")


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


def our_errors(page: Page) -> list[str]:
    """The page's script errors that come from the course (Notebook 7 here logs two of its own at start:
    "Command 'filebrowser:open-path' not registered" and a settings schema one, with or without labsim)."""
    for error in page.page_errors:
        print("page error:", error)
    return [e for e in page.page_errors if any(w in e for w in ("labsim", "anywidget", "panel", "esm"))]


def live_panel(scope: Locator, scenario: str = "fig1") -> Locator:
    """The first live panel of ``scenario`` (drawn at least once from the kernel's data)."""
    panel = scope.locator(f".labsim-panel.labsim-panel-{scenario}[data-painted]").first
    expect(panel).to_be_visible(timeout=90_000)
    return panel


def fig1_panel(scope: Locator) -> Locator:
    return live_panel(scope, "fig1")


def verdict(panel: Locator) -> Locator:
    return panel.locator(".labsim-banner .labsim-verdict").first


def click(panel: Locator, toggle: str, value: str) -> None:
    panel.locator(f".labsim-toggle-{toggle} button.labsim-choice[data-value='{value}']").click()


def click_dns(panel: Locator, value: str) -> None:
    click(panel, "dns", value)


def trails(panel: Locator) -> str:
    """The picture's packets as drawn (the trail groups' markup): a new run draws other ones."""
    return panel.locator("svg.labsim-svg .lsp-trail-layer").inner_html()


def flip_dns(panel: Locator, timeout: float = 20_000) -> list[str]:
    """spoofed → honest → spoofed, as a student clicks it; banner and picture must follow: exposed, protected, exposed.

    Returns the outcomes seen. Each click must also redraw the picture's packets (trails).
    """
    seen, pictures = [], []
    banner = verdict(panel)
    for value, outcome in (("spoofed", "exposed"), ("honest", "protected"), ("spoofed", "exposed")):
        if value != "spoofed" or seen:
            before = int(panel.get_attribute("data-painted"))
            click_dns(panel, value)
            expect(panel).to_have_attribute("data-painted", str(before + 1), timeout=timeout)
        pressed = panel.locator(".labsim-toggle-dns button.labsim-choice[aria-pressed=true]")
        expect(pressed).to_have_text(value, timeout=timeout)
        expect(banner).to_have_attribute("data-outcome", outcome, timeout=timeout)
        seen.append(banner.get_attribute("data-outcome"))
        pictures.append(trails(panel))
    assert pictures[0] != pictures[1] and pictures[0] == pictures[2], "the picture did not follow the toggle"
    return seen


def step_events(panel: Locator, events: int) -> dict[str, str]:
    """« first, › next three times, ‹ back, » last: current row, step label and now-line share one number."""
    rows = panel.locator("tr.labsim-event")
    expect(rows).to_have_count(events)
    current, label, now = panel.locator("tr.labsim-current"), panel.locator(".labsim-step"), panel.locator(".labsim-now")
    labels = {}

    def at(step: int, name: str) -> None:
        expect(current).to_have_count(1)
        expect(current).to_have_attribute("data-step", str(step))
        expect(label).to_have_text(f"event {step + 1} of {events}")
        expect(current.locator("td.labsim-num")).to_have_text(str(step + 1))
        expect(now).to_contain_text(f"#{step + 1} ")
        labels[name] = label.inner_text()

    panel.locator(".labsim-first").click()
    at(0, "first")
    for _ in range(3):
        panel.locator(".labsim-next").click()
    at(3, "next x3")
    panel.locator(".labsim-prev").click()
    at(2, "back")
    panel.locator(".labsim-last").click()
    at(events - 1, "last")
    return labels


def play(panel: Locator, timeout: float = 60_000) -> None:
    """▶ play from the first event: the current row moves on by itself, and the player stops at the last."""
    panel.locator(".labsim-first").click()
    panel.locator(".labsim-play").click()
    expect(panel.locator(".labsim-play")).to_have_attribute("aria-pressed", "true")
    expect(panel.locator("tr.labsim-current")).not_to_have_attribute("data-step", "0", timeout=5_000)
    panel.locator(".labsim-play").click()        # pause
    expect(panel.locator(".labsim-play")).to_have_attribute("aria-pressed", "false")


# ---------------------------------------------------------------- layout, as a student sees it

LAYOUT_JS = """(panel) => {
  const area = panel.closest('.jp-WindowedPanel-outer, .jp-Notebook, body');
  const box = area === document.body ? {top: 0, bottom: window.innerHeight}
                                      : area.getBoundingClientRect();
  const top = panel.getBoundingClientRect().top;
  const svg = panel.querySelector('svg.labsim-svg');
  const pic = svg.getBoundingClientRect();
  const k = pic.width / svg.viewBox.baseVal.width;
  let smallest = 99, which = '';
  svg.querySelectorAll('text').forEach((t) => {
    const px = parseFloat(getComputedStyle(t).fontSize) * k;
    if (px < smallest) { smallest = px; which = t.textContent; }
  });
  return {visible: box.bottom - box.top, needed: pic.bottom - top, smallest, which,
          controls: panel.querySelector('.labsim-banner').getBoundingClientRect().bottom - top};
}"""

BROKEN_WORDS_JS = r"""(root, afterHyphen) => {
  // every word (a run of non-space characters) must sit on one line: its client rects share one top
  // (afterHyphen: a break right after "-" or "/" is allowed, as in printed prose)
  const broken = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement || !node.parentElement.getClientRects().length) { continue; }
    if (node.parentElement.closest('details, svg, option, select')) { continue; }
    const text = node.textContent, re = /[^\s\u00a0]+(?:\u00a0[^\s\u00a0]+)*/g;
    let m;
    while ((m = re.exec(text))) {
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
      if (lines.size > 1) {
        if (afterHyphen) {
          const rects = [...range.getClientRects()].filter((r) => r.width > 0);
          let ok = true;
          for (let i = 1; i < m[0].length && ok; i++) {
            const one = document.createRange();
            one.setStart(node, m.index + i - 1); one.setEnd(node, m.index + i + 1);
            const tops = new Set([...one.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
            if (tops.size > 1 && !/[-\/]/.test(m[0][i - 1])) { ok = false; }
          }
          if (ok) { continue; }
        }
        broken.push(m[0]);
      }
    }
  }
  return broken;
}"""


def layout(panel: Locator) -> dict:
    """How much room the panel needs down to its picture's bottom, against the notebook area, and the smallest label."""
    panel.evaluate("e => e.scrollIntoView({block: 'start'})")
    panel.page.wait_for_timeout(300)
    return panel.evaluate(LAYOUT_JS)


def broken_words(scope: Locator, after_hyphen: bool = False) -> list[str]:
    """Words split across two lines inside ``scope`` (``after_hyphen``: a split right after - or / is allowed)."""
    return scope.evaluate(BROKEN_WORDS_JS, after_hyphen)


def printed_text_breaks(notebook: Locator) -> list[str]:
    """Words split inside printed text outputs (trace lines, check feedback): only after a hyphen or slash."""
    broken = []
    for out in notebook.locator(".jp-OutputArea-output pre").all():
        broken += broken_words(out, after_hyphen=True)
    return broken


def shot(page: Page, panel: Locator, path: Path) -> Path:
    """The window as the student sees it, scrolled to the top of the panel."""
    path.parent.mkdir(parents=True, exist_ok=True)
    panel.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(400)
    page.screenshot(path=str(path))
    return path
