"""Fixtures of the browser suite: headless Chromium, and JupyterLab and Voila started and stopped here.

The suite runs only when Playwright for Python and /usr/bin/chromium are both present
(CI installs both); otherwise each test is skipped with the reason, or, when
LABSIM_REQUIRE_BROWSER is set (.ci/run sets it), the run stops with that reason. Playwright lives only
while this folder's tests run: a sync Playwright marks an asyncio loop as running in the
main thread, which would break nbclient-based tests (grading, nbval) collected after it.

Screenshots go to tests/browser/screenshots/ (ignored by git), or to $LABSIM_SCREENSHOTS.
A failing test also leaves a full-page screenshot and the server's log there.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

HERE = Path(__file__).parent
HAVE_PLAYWRIGHT = importlib.util.find_spec("playwright") is not None
if not HAVE_PLAYWRIGHT:
    # --doctest-modules would import them; they need Playwright.
    collect_ignore = ["student.py", "measure_student.py"]


def missing() -> str | None:
    """Why the suite cannot run here, or None."""
    from .servers import CHROMIUM
    if not HAVE_PLAYWRIGHT:
        return "Playwright for Python is not installed (pip install -r requirements-dev.txt)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is missing (apt-get install chromium; .ci/run does it)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = missing()
    if not reason:
        return
    if os.environ.get("LABSIM_REQUIRE_BROWSER"):
        # .ci/run sets it: in CI a missing browser is a broken install, not a reason to skip.
        raise pytest.UsageError(f"the browser suite cannot run: {reason}")
    for item in items:
        if "browser" in item.keywords and str(HERE) in str(item.fspath):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


_REPORTS = pytest.StashKey[dict]()


def failed(request) -> bool:
    reports = request.node.stash.get(_REPORTS, {})
    return any(r.failed for r in reports.values())


@pytest.fixture(scope="session")
def screenshots() -> Path:
    out = Path(os.environ.get("LABSIM_SCREENSHOTS") or HERE / "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture(scope="package")
def chromium():
    """Headless Chromium (Debian's), started once for this folder's tests and closed after them."""
    from playwright.sync_api import sync_playwright
    from .servers import CHROMIUM, CHROMIUM_ARGS
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium, request, screenshots):
    """A factory of fresh pages (own context, given width); on failure each leaves a full-page PNG."""
    contexts = []

    def make(width: int = 1280, height: int = 900):
        context = chromium.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(30_000)
        page = context.new_page()
        page.page_errors = []
        page.on("pageerror", lambda exc: page.page_errors.append(str(exc)))
        contexts.append((context, page))
        return page

    yield make
    for i, (context, page) in enumerate(contexts):
        if failed(request):
            name = request.node.name.replace("/", "_").replace("[", "_").replace("]", "")
            try:
                page.screenshot(path=str(screenshots / f"FAILED_{name}_{i}.png"), full_page=True)
                print(f"failure screenshot: {screenshots / f'FAILED_{name}_{i}.png'}")
            except Exception as exc:  # the page may be gone; the failure itself matters more
                print(f"no failure screenshot: {exc}")
        context.close()


def _server(start, tmp_path_factory, name: str, **env_kwargs):
    from .servers import copy_notebooks, isolated_env, stop
    base = tmp_path_factory.mktemp(name)
    home = base / "home"
    root = copy_notebooks(base / "notebooks")
    server = start(root, home, env=isolated_env(home, **env_kwargs))
    print(f"{name}: {server.url} (up in {server.started_s:.1f} s), log {server.log}")
    try:
        yield server
    finally:
        stop(server)


@pytest.fixture(scope="package")
def lab(chromium, tmp_path_factory):
    """JupyterLab on 127.0.0.1 with a token, serving a temporary copy of notebooks/."""
    from .servers import start_lab
    yield from _server(start_lab, tmp_path_factory, "lab")


@pytest.fixture(scope="package")
def voila(chromium, tmp_path_factory):
    """Voila on 127.0.0.1, serving a temporary copy of notebooks/."""
    from .servers import start_voila
    yield from _server(start_voila, tmp_path_factory, "voila")


BROKEN_PANEL = '''
# Installed by the browser suite's self-test: every run after the first is drawn and sent, but
# its verdicts are replaced by the first run's, so the banner never follows a toggle.
import labsim.viz.render as _render
_verdicts, _first = _render.verdicts, []
def _stale_verdicts(result):
    if not _first:
        _first.append(_verdicts(result))
    return _first[0]
_render.verdicts = _stale_verdicts
'''


@pytest.fixture(scope="package")
def voila_template(chromium, tmp_path_factory):
    """Voila with the course's template "labsim" (what `voila --template=labsim` gives once labsim is installed)."""
    from functools import partial
    from .servers import start_voila
    yield from _server(partial(start_voila, template="labsim"), tmp_path_factory, "voila-template")


@pytest.fixture(scope="package")
def voila_broken_panel(chromium, tmp_path_factory):
    """Voila whose kernels run a startup file that stops the verdict banner from updating."""
    from .servers import start_voila
    yield from _server(start_voila, tmp_path_factory, "voila-broken", ipython_startup=BROKEN_PANEL)
