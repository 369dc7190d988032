"""The panel's shipped topologies: what the file holds is what matplotlib draws, and a panel needs no matplotlib."""

import subprocess
import sys
from pathlib import Path

import pytest

import labsim
from labsim.viz import shipped

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("scenario", labsim.scenario_ids())
def test_a_shipped_drawing_is_the_drawing_matplotlib_makes(scenario):
    """For the default world of each scenario, the file's drawing (when it has one) equals a fresh one."""
    world = labsim.run(scenario).world
    key = shipped.panel_key(world, scenario)
    fresh = shipped.draw(world, scenario)
    assert fresh.startswith('<g class="lsp-topology">')
    if key in shipped.shipped():
        assert shipped.shipped()[key] == fresh
    assert shipped.panel_topology(world, scenario)[1] == fresh


def test_the_file_covers_the_default_worlds():
    """Every scenario's default world is in the file (python -m labsim.viz.shipped rewrites it)."""
    missing = [s for s in labsim.scenario_ids() if shipped.panel_key(labsim.run(s).world, s) not in shipped.shipped()]
    assert not missing, f"rewrite labsim/viz/assets/topologies.json (python -m labsim.viz.shipped): {missing}"


def test_a_panel_opens_without_importing_matplotlib():
    """labsim.panel('fig1') and its saved output draw from the file: matplotlib stays unimported."""
    code = ("import sys, labsim; p = labsim.panel('fig1'); p._repr_mimebundle_(); "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120,
                         env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": "/tmp"})
    assert out.stdout.strip() == "False", out.stderr[-2000:]
