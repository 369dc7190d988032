"""Layers import one way: the model never loads matplotlib, ipywidgets or IPython."""

import subprocess
import sys


def test_running_every_scenario_loads_no_drawing_or_notebook_package():
    """A fresh interpreter that runs all scenarios has not imported matplotlib, ipywidgets or IPython."""
    code = (
        "import sys, labsim\n"
        "for s in labsim.scenario_ids():\n    labsim.run(s)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'ipywidgets', 'IPython'))\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
