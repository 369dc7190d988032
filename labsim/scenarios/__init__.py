"""The course's scenarios, one module per figure; each registers itself on import."""

from __future__ import annotations

import importlib

from .base import REGISTRY, Scenario, Toggle, get, register, scenario_ids

MODULES = ("basics", "fig1", "fig2", "fig3", "fig4", "fig5")
_loaded = False


def _load_all() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for name in MODULES:
        try:
            importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise


__all__ = ["REGISTRY", "Scenario", "Toggle", "get", "register", "scenario_ids"]
