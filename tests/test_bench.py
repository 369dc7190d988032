"""Every benchmark of bench/ runs to the end on a tiny sample, so a renamed API breaks a test, not the bench.

The figures themselves are not asserted (the machine decides them); each must be a number (or
a dict of numbers). The browser benchmark needs Playwright and /usr/bin/chromium: without
them its figures are None, which is accepted only when LABSIM_REQUIRE_BROWSER is not set.
"""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _numbers(value) -> bool:
    if isinstance(value, dict):
        return bool(value) and all(_numbers(v) for v in value.values())
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0


@pytest.fixture(scope="module")
def tiny_run():
    """``python bench/run.py --tiny --json``, once, in a subprocess (as a person runs it)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, str(BENCH / "run.py"), "--tiny", "--json"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_every_benchmark_module_is_run_and_reports_every_figure(tiny_run):
    """Each (name, unit, goal, function) of every bench/bench_*.py appears in the JSON."""
    names = []
    for path in sorted(BENCH.glob("bench_*.py")):
        names += [b[0] for b in _load(path.stem).BENCHMARKS]
    assert {"scenario_ms", "ike_esp_connections_per_s", "toggle_to_picture_ms", "course_run_s",
            "browser_toggle_to_picture_ms", "browser_toggle_to_picture_p95_ms", "first_live_panel_s"} <= set(names)
    assert set(names) <= set(tiny_run)
    assert tiny_run["machine"]["cpus"] >= 1


def test_every_figure_is_a_number(tiny_run):
    """No figure is missing or an error; the browser ones may be None only where no browser is installed."""
    browser = _load("bench_browser")
    for name, value in tiny_run.items():
        if name == "machine":
            continue
        if value is None and name.startswith(("browser_", "first_live")):
            reason = browser.available()
            assert reason and not os.environ.get("LABSIM_REQUIRE_BROWSER"), \
                f"{name} was not measured although a browser is installed ({reason})"
            continue
        assert _numbers(value), (name, value)


def test_the_browser_benchmark_measured_clicks_when_a_browser_is_here(tiny_run):
    """With Playwright and Chromium present, the tiny run clicked once per scenario and saw a live panel."""
    if _load("bench_browser").available() and not os.environ.get("LABSIM_REQUIRE_BROWSER"):
        pytest.skip(f"no browser here: {_load('bench_browser').available()}")
    assert tiny_run["browser_toggles_measured"] == 3
    assert tiny_run["first_live_panel_s"] > 0
