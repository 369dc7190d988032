"""The mutants of ``tools/mutate.py``, importable from tests (``tools`` is not a package)."""

import importlib.util
import os
import sys
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("labsim_tools_mutate", Path(__file__).parents[1] / "tools" / "mutate.py")
mutate = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = mutate   # dataclasses look their module up
_spec.loader.exec_module(mutate)

MUTANTS, by_name, stale = mutate.MUTANTS, mutate.by_name, mutate.stale


def apply_in_process(name: str, monkeypatch) -> None:
    """Apply a mutant for one meta-test; skipped when tools/mutate.py has already mutated the code."""
    if os.environ.get("LABSIM_MUTANT"):
        pytest.skip(f"the code under test is already a mutant ({os.environ['LABSIM_MUTANT']})")
    mutate.apply_in_process(name, monkeypatch)
