"""The mutants of ``tools/mutate.py``, importable from tests (``tools`` is not a package)."""

import importlib.util
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location("labsim_tools_mutate", Path(__file__).parents[1] / "tools" / "mutate.py")
mutate = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = mutate   # dataclasses look their module up
_spec.loader.exec_module(mutate)

MUTANTS, by_name, apply_in_process, stale = mutate.MUTANTS, mutate.by_name, mutate.apply_in_process, mutate.stale
