"""Golden traces of figures 3-5: each default run's text (trace and verdict), compared in full.

Any change in a decision, reason, timing or packet of these runs shows up here. This test
only compares: when a change is intended, regenerate with ``python tests/regold.py fig3 fig4
fig5`` and read the diff it prints before committing. (basics, fig1 and fig2 have theirs in
test_golden.py.)
"""

import pytest
from test_golden import compare_with_golden


@pytest.mark.parametrize("scenario", ["fig3", "fig4", "fig5"])
def test_default_trace_matches_golden(scenario):
    """The default run's full text is exactly the committed one."""
    compare_with_golden(scenario)
