"""Golden traces: the full text trace of each scenario's default run, compared line for line.

A change in any decision, reason, timing or packet shows up here. When a change is
intended, regenerate with ``LABSIM_REGOLD=1 python -m pytest tests/test_golden.py`` and
read the diff before committing it.
"""

import os
from pathlib import Path

import pytest

import labsim

GOLDEN = Path(__file__).parent / "golden"
SCENARIOS = [s for s in ("basics", "fig1", "fig2") if s in labsim.scenario_ids()]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_default_trace_matches_golden(scenario):
    """The default run's trace is exactly the committed one."""
    result = labsim.run(scenario)
    text = result.text()
    path = GOLDEN / f"{scenario}.txt"
    if os.environ.get("LABSIM_REGOLD"):
        path.write_text(text)
    assert path.exists(), f"no golden trace for {scenario}; run with LABSIM_REGOLD=1 to create it"
    expected = path.read_text()
    assert text.splitlines() == expected.splitlines()
