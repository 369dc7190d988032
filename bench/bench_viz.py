"""Benchmarks of the drawing layer: the live panel's response and the player's weight and speed.

``toggle_to_picture_ms``: median time of the panel's kernel side for a setting it has not
shown before (the ``choice`` trait changes -> ``labsim.run`` -> the view message built and
set), measured in-process over every toggle of fig1 flipped and flipped back, with the panel's
cache of runs emptied before each. The topology drawing is cached per world, as it is in a
student's session. ``toggle_cached_ms``: the same for a setting already shown (the panel keeps
its runs: the simulator is deterministic). The browser's side is ``bench_browser.py``.

``animation_bytes``: size of ``python -m labsim animate fig1`` (the default run), a whole
self-contained page.

``animation_render_ms``: median time to turn the fig1 default ``Result`` into that page
from cold (topology drawn with matplotlib, packets dissected), the run itself excluded.
"""

from __future__ import annotations

import statistics
import time

import os

TINY = os.environ.get("LABSIM_BENCH_TINY") == "1"    # a tiny sample: the test that keeps the bench runnable
REPEATS = 1 if TINY else 7


def _clear_caches() -> None:
    from labsim.viz import player, topology
    topology._cached_svg.cache_clear()
    player._dissect.cache_clear()


def _flips(spec):
    flips = []
    for toggle in spec.toggles:
        other = next(v for v in toggle.values if v != toggle.default)
        flips += [(toggle.name, other), (toggle.name, toggle.default)]
    return flips[:2] if TINY else flips


def _toggle_ms(cached: bool) -> float:
    import labsim
    panel = labsim.panel("fig1")
    flips = _flips(labsim.scenario("fig1"))
    for name, value in flips:          # warm up: every world drawn once, as in a session
        panel.controls[name].value = value
    times = []
    for _ in range(1 if TINY else 3):
        for name, value in flips:
            if not cached:
                panel._views.clear()
            started = time.perf_counter()
            panel.controls[name].value = value
            times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def toggle_to_picture_ms() -> float:
    return _toggle_ms(cached=False)


def toggle_cached_ms() -> float:
    return _toggle_ms(cached=True)


def animation_bytes() -> int:
    import labsim
    from labsim.viz.player import animation_document
    return len(animation_document(labsim.run("fig1")).encode("utf-8"))


def animation_render_ms() -> float:
    import labsim
    from labsim.viz.player import animation_document
    result = labsim.run("fig1")
    animation_document(result)         # import matplotlib and friends outside the timing
    times = []
    for _ in range(REPEATS):
        _clear_caches()
        started = time.perf_counter()
        animation_document(result)
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


BENCHMARKS = [
    ("toggle_to_picture_ms", "ms", "<= 100", toggle_to_picture_ms),
    ("toggle_cached_ms", "ms", "<= 100", toggle_cached_ms),
    ("animation_bytes", "bytes", "<= 102400", animation_bytes),
    ("animation_render_ms", "ms", "<= 300", animation_render_ms),
]
