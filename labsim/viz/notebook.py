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


def show(result, *, animate: bool = True, autoplay: bool = False, title: str | None = None) -> None:
    """Display ``result`` (from :func:`labsim.run`) as the packet-flow player, with alt text.

    ``animate=False`` leaves out the script: the final-state picture, the verdict and the
    event table only. ``autoplay=True`` plays the run once when it appears.
    """
    from IPython.display import display
    display(Shown(result, animate=animate, autoplay=autoplay, title=title))


__all__ = ["show", "Shown"]
