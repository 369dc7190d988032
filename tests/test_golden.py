"""Golden traces: the full text trace of each scenario's default run, compared line for line.

A change in any decision, reason, timing or packet shows up here. This test only compares:
when a change is intended, regenerate with ``python tests/regold.py basics fig1 fig2``
(which refuses a changed verdict unless given ``--accept-verdict-change``), read the diff
it prints, and commit the golden file with the reason. (Figures 3-5 are in
test_golden_figs345.py.)
"""

import os
from pathlib import Path

import pytest
from regold import summarize

import labsim

GOLDEN = Path(__file__).parent / "golden"
SCENARIOS = [s for s in ("basics", "fig1", "fig2") if s in labsim.scenario_ids()]


def compare_with_golden(scenario: str) -> None:
    if os.environ.get("LABSIM_REGOLD"):
        pytest.fail("LABSIM_REGOLD no longer regenerates golden traces inside the tests; "
                    f"run: python tests/regold.py {scenario}")
    path = GOLDEN / f"{scenario}.txt"
    assert path.exists(), f"no golden trace for {scenario}; create it with: python tests/regold.py {scenario}"
    text, expected = labsim.run(scenario).text(), path.read_text()
    assert text.splitlines() == expected.splitlines(), (
        f"{scenario}'s default run differs from {path.name}: {summarize(expected, text)}\n"
        f"if intended: python tests/regold.py {scenario}")


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_default_trace_matches_golden(scenario):
    """The default run's trace is exactly the committed one."""
    compare_with_golden(scenario)
