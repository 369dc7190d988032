"""The drawing layer's commands stay out of the way of the model's."""

import subprocess
import sys


def test_plain_commands_do_not_load_matplotlib_or_widgets():
    """python -m labsim list/run load the viz plugin for its commands, but not matplotlib or ipywidgets."""
    code = ("import sys\nfrom labsim.cli import main\nmain(['list'])\nmain(['run', 'fig1'])\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'ipywidgets', 'IPython')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_figures_and_animate_are_registered_commands():
    """`figures` and `animate` appear among the command line's commands."""
    from labsim.cli import COMMANDS, _load_plugins
    _load_plugins()
    assert {"figures", "animate"} <= set(COMMANDS)
