"""Benchmarks of the drawing layer: the live panel's response and the player's weight and speed.

``toggle_to_picture_ms``: median time of the panel's callback (a widget value changes ->
``labsim.run`` -> verdict banner and player HTML in the output widget), measured
in-process over every toggle of fig1 flipped and flipped back. The topology drawing is
cached per world, as it is in a student's session, so this is the steady state.

``animation_bytes``: size of ``python -m labsim animate fig1`` (the default run), a whole
self-contained page.

``animation_render_ms``: median time to turn the fig1 default ``Result`` into that page
from cold (topology drawn with matplotlib, packets dissected), the run itself excluded.
"""

from __future__ import annotations

import statistics
import time

REPEATS = 7


def _clear_caches() -> None:
    from labsim.viz import player, topology
    topology._cached_svg.cache_clear()
    player._dissect.cache_clear()


def toggle_to_picture_ms() -> float:
    import labsim
    panel = labsim.panel("fig1")
    spec = labsim.scenario("fig1")
    flips = []
    for toggle in spec.toggles:
        other = next(v for v in toggle.values if v != toggle.default)
        flips += [(toggle.name, other), (toggle.name, toggle.default)]
    for name, value in flips:          # warm up: every world drawn once, as in a session
        panel.controls[name].value = value
    times = []
    for _ in range(3):
        for name, value in flips:
            started = time.perf_counter()
            panel.controls[name].value = value
            times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


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
    ("animation_bytes", "bytes", "<= 102400", animation_bytes),
    ("animation_render_ms", "ms", "<= 300", animation_render_ms),
]
