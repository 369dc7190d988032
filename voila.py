"""Voila's configuration for the course (Voila reads voila.py from the folder it starts in, as
Binder's server does from the repository's root; run the ``voila`` command, not ``python -m voila``,
from here).

The course's Voila page shows the story and the panels, not the exercises: the template
"labsim" (share/jupyter/voila/templates/labsim, installed by ``pip install .``; an editable
install, as Binder's, does not install it, so it is found here) hides every cell tagged
"exercise". Where it cannot be found at all, Voila keeps its default template.
"""

if "c" not in globals():
    raise ImportError("voila.py here is Voila's configuration, not the voila package: run the `voila` command")

import os  # noqa: E402
from pathlib import Path  # noqa: E402

from jupyter_core.paths import jupyter_path  # noqa: E402


def _found() -> bool:
    return any((Path(p) / "labsim" / "conf.json").exists() for p in jupyter_path("voila", "templates"))


_share = Path(__file__).resolve().parent / "share" / "jupyter"
if not _found() and (_share / "voila" / "templates" / "labsim" / "conf.json").exists():
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(_share), os.environ.get("JUPYTER_PATH")]))
if _found():
    c.VoilaConfiguration.template = "labsim"  # noqa: F821 (c: the configuration Voila passes in)
