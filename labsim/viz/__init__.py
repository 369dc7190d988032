"""Pictures and widgets for the course: topology drawings, the packet-flow player, the live panel.

Everything here reads the model's trace and world; the model never imports this package.
Heavy imports (matplotlib, ipywidgets, IPython) happen only when a function needs them, so
``python -m labsim`` stays fast.

What notebooks call:

- ``labsim.panel(scenario, *, initial=None, spd=None, pad=None, seed=0, autoplay=False, **fixed)``
  the live panel (:mod:`labsim.viz.livepanel`);
- ``labsim.show(result, *, animate=True, autoplay=False, title=None)`` one run as the
  player, with a static fallback and alt text (:mod:`labsim.viz.notebook`);
- ``labsim.viz.paper_figure(n)`` the matplotlib figure of the paper's figure ``n``
  (:mod:`labsim.viz.figures`).

Modules, one concept each: ``style`` (colours, shapes), ``layout`` (where things sit),
``topology`` (the matplotlib drawing of a world), ``steps`` (a trace as paths and flows),
``describe`` (alt text), ``picture`` (the final-state SVG), ``player`` (the HTML/JS
player), ``notebook`` (show), ``livepanel`` (the widget panel), ``figures`` (figures 1-5), ``cli``.
"""

from __future__ import annotations

_LAZY = {
    "panel": ".livepanel", "Panel": ".livepanel",
    "show": ".notebook", "Shown": ".notebook",
    "player_html": ".player", "animation_document": ".player", "verdict_banner": ".player",
    "final_picture": ".picture",
    "topology_figure": ".topology",
    "layout_for": ".layout",
    "alt_text": ".describe",
    "paper_figure": ".figures", "write_figures": ".figures",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module 'labsim.viz' has no attribute {name!r}")
