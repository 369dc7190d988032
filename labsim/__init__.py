"""labsim: a deterministic simulator of host-to-host IPsec, for a course on
*Experiences with Host-to-Host IPsec* (Aura, Roe, Mohammed).

>>> import labsim
>>> labsim.run("fig1").outcome
'exposed'
"""

from __future__ import annotations

from . import _guard

_guard.install()

from .errors import LabsimError  # noqa: E402
from .ipsec.pad import parse_pad  # noqa: E402
from .ipsec.spd import parse_spd  # noqa: E402
from .result import Result, run  # noqa: E402
from .scenarios import get as scenario  # noqa: E402
from .scenarios import scenario_ids  # noqa: E402

__version__ = "0.1.0"
__all__ = ["run", "Result", "scenario", "scenario_ids", "parse_spd", "parse_pad", "LabsimError",
           "panel", "show"]

#: Drawing and widgets live in labsim.viz, imported only when a notebook asks for them,
#: so the simulator itself never loads matplotlib or ipywidgets.
_LAZY = {"panel": "labsim.viz", "show": "labsim.viz"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'labsim' has no attribute {name!r}")
