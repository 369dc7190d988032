"""Golden traces of figures 3-5: each default run's text (trace and verdict), compared in full.

Any change in a decision, reason, timing or packet of these runs shows up here. When a
change is intended, regenerate with ``LABSIM_REGOLD=1 python -m pytest tests/test_golden_figs345.py``
and read the diff before committing it. (basics, fig1 and fig2 have theirs in test_golden.py.)
"""

import os
from pathlib import Path

import pytest

import labsim

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("scenario", ["fig3", "fig4", "fig5"])
def test_default_trace_matches_golden(scenario):
    """The default run's full text is exactly the committed one."""
    text = labsim.run(scenario).text()
    path = GOLDEN / f"{scenario}.txt"
    if os.environ.get("LABSIM_REGOLD"):
        path.write_text(text)
    assert path.exists(), f"no golden trace for {scenario}; run with LABSIM_REGOLD=1 to create it"
    assert text.splitlines() == path.read_text().splitlines()
