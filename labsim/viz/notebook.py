"""Showing one run in a notebook: ``labsim.show(result)``.

The output is the player of :mod:`labsim.viz.player`: where the notebook's scripts run it
animates; where they do not (GitHub, an untrusted notebook) the verdict, the final-state
picture with its alt text, and the event table still show. The plain-text form of the
output is the verdict line, so a notebook checker that compares text sees a stable,
meaningful value.

>>> from labsim import run
>>> bundle = Shown(run("fig1", dns="honest")).mimebundle()
>>> bundle["text/plain"]
'PROTECTED'
>>> 'data-outcome="protected"' in bundle["text/html"]
True
"""

from __future__ import annotations

import json

from .player import player_html


class Shown:
    """A run ready for display: ``_repr_mimebundle_`` gives HTML and the verdict as plain text."""

    def __init__(self, result, *, animate: bool = True, autoplay: bool = False, title: str | None = None):
        self.result = result
        self.animate = animate
        self.autoplay = autoplay
        self.title = title

    def html(self) -> str:
        html = player_html(self.result, autoplay=self.autoplay, title=self.title)
        if not self.animate:
            html = html[:html.rindex("<script type=\"application/json\"")] + "</div>"
        return html

    def mimebundle(self) -> dict:
        return {"text/html": self.html(), "text/plain": self.result.banner()}

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.mimebundle()


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _panel_outputs(nb):
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            html = data.get("text/html", "")
            html = "".join(html) if isinstance(html, list) else html
            if WIDGET_VIEW in data and 'class="labsim-fallback"' in html:
                yield data[WIDGET_VIEW].get("model_id")


def saved_panel_outputs(nb):
    """Make each panel's saved output show its static fallback until the cell runs again.

    A panel's output holds the widget view, the fallback HTML (verdict and picture) and the
    verdict as text. Where no live model exists (a notebook just opened, GitHub, nbviewer),
    renderers must pick the HTML: JupyterLab and Notebook 7 do for an untrusted notebook,
    nbconvert (nbviewer) does when the notebook stores no state for the model. So no state
    is kept for the panels' models, nor for helper models (layouts, styles) that no kept
    model refers to; other widgets' state is kept. Returns ``nb``.
    """
    widgets = nb.get("metadata", {}).get("widgets", {})
    state = widgets.get(WIDGET_STATE, {}).get("state", {})
    for mid in set(_panel_outputs(nb)):
        state.pop(mid, None)
    kept = json.dumps([m.get("state", {}) for m in state.values()])
    shown = {out.get("data", {}).get(WIDGET_VIEW, {}).get("model_id") for cell in nb.get("cells", [])
             for out in cell.get("outputs", [])}
    for mid in [m for m, model in state.items() if model.get("model_name") in ("LayoutModel", "StyleModel")
                or model.get("model_name", "").endswith("StyleModel")]:
        if f"IPY_MODEL_{mid}" not in kept and mid not in shown:
            state.pop(mid)
    if widgets and not state:
        nb["metadata"].pop("widgets", None)
    return nb


def show(result, *, animate: bool = True, autoplay: bool = False, title: str | None = None) -> None:
    """Display ``result`` (from :func:`labsim.run`) as the packet-flow player, with alt text.

    ``animate=False`` leaves out the script: the final-state picture, the verdict and the
    event table only. ``autoplay=True`` plays the run once when it appears.
    """
    from IPython.display import display
    display(Shown(result, animate=animate, autoplay=autoplay, title=title))


__all__ = ["show", "Shown", "saved_panel_outputs"]
