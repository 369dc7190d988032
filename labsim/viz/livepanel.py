"""The live lab panel: one widget per toggle, and the run redrawn on every change.

``labsim.panel("fig1")`` builds a :class:`Panel` from the scenario's declared toggles
(ToggleButtons for up to three short values, a Dropdown otherwise). Each change re-runs
:func:`labsim.run` and replaces the verdict banner and the player (picture, animation,
event list). The topology drawing is cached per world, so a toggle that changes only the
traffic costs the run plus some string formatting (``bench/bench_viz.py`` measures it).

Stable hooks for browser tests and styling:

- the panel: ``.labsim-panel`` and ``.labsim-panel-<scenario>``;
- each toggle: ``.labsim-toggle`` and ``.labsim-toggle-<name>`` on the widget (its
  buttons are ipywidgets' ``.widget-toggle-button``, text = the value; a Dropdown's
  ``select`` holds the values);
- the verdict: ``.labsim-verdict`` with ``data-outcome`` (protected, clear, exposed,
  impersonated, blocked, or ``error`` when the run could not start), inside
  ``.labsim-banner``;
- the player: ``.labsim-player`` inside ``.labsim-stage-output`` (see
  :mod:`labsim.viz.player` for its buttons ``.labsim-next`` etc.).

>>> p = panel("fig1")
>>> p.result.outcome, p.outcome
('exposed', 'exposed')
>>> p.controls["dns"].value = "honest"
>>> p.outcome, 'data-outcome="protected"' in p.banner.value
('protected', True)
"""

from __future__ import annotations

import html as _html
import time

import ipywidgets as widgets

from .describe import where_in_paper
from .player import player_html, verdict_banner

MAX_BUTTON_VALUES = 3


def _control(toggle, value: str):
    options = [(v, v) for v in toggle.values]
    tips = [toggle.meanings.get(v, "") for v in toggle.values]
    if len(toggle.values) <= MAX_BUTTON_VALUES and max(len(v) for v in toggle.values) <= 12:
        w = widgets.ToggleButtons(options=options, value=value, tooltips=tips, style={"button_width": "auto"},
                                  layout=widgets.Layout(width="auto"))
    else:
        w = widgets.Dropdown(options=options, value=value, layout=widgets.Layout(width="13em"))
    w.tooltip = toggle.help
    w.description = ""
    w.add_class("labsim-toggle")
    w.add_class(f"labsim-toggle-{toggle.name}")
    return w


def _row(toggle, control, meaning):
    """One line per toggle: its name, its choices, and what the chosen value means."""
    name = widgets.HTML(f'<b title="{_html.escape(toggle.help)}">{toggle.name}</b>',
                        layout=widgets.Layout(width="9.5em", flex="0 0 auto"))
    row = widgets.HBox([name, control, meaning],
                       layout=widgets.Layout(align_items="center", flex_flow="row wrap", margin="0 0 2px 0"))
    row.add_class("labsim-control-row")
    return row


class Panel(widgets.VBox):
    """Widgets for a scenario's toggles, its verdict banner and its player, kept in step."""

    def __init__(self, scenario: str, *, initial: dict | None = None, spd: dict | None = None,
                 pad: dict | None = None, seed: int = 0, autoplay: bool = False, **fixed):
        from labsim import scenario as get_scenario
        self.spec = get_scenario(scenario)
        self.fixed = self.spec.resolve_toggles(fixed) if fixed else {}
        self.fixed = {k: self.fixed[k] for k in fixed}
        self.run_args = {"seed": seed, "spd": spd, "pad": pad}
        self.autoplay = autoplay
        start = self.spec.resolve_toggles({**(initial or {}), **self.fixed})
        self.controls = {t.name: _control(t, start[t.name]) for t in self.spec.toggles if t.name not in self.fixed}
        self.meanings = {name: widgets.HTML(layout=widgets.Layout(margin="0 0 0 8px", flex="1 1 16em"))
                         for name in self.controls}
        for m in self.meanings.values():
            m.add_class("labsim-meaning")
        rows = [_row(self.spec.toggle(name), w, self.meanings[name]) for name, w in self.controls.items()]
        self.banner = widgets.HTML()
        self.banner.add_class("labsim-banner")
        self.output = widgets.Output()
        self.output.add_class("labsim-stage-output")
        self.result = None
        self.error: str | None = None
        self.last_ms = 0.0
        header = widgets.HTML(self._header())
        header.add_class("labsim-panel-title")
        children = [header, *rows, self.banner, self.output]
        super().__init__(children=children)
        self.add_class("labsim-panel")
        self.add_class(f"labsim-panel-{self.spec.id}")
        for w in self.controls.values():
            w.observe(self._changed, names="value")
        self.refresh()

    # ------------------------------------------------------------------ state

    @property
    def toggles(self) -> dict[str, str]:
        return {**{name: w.value for name, w in self.controls.items()}, **self.fixed}

    @property
    def outcome(self) -> str:
        return "error" if self.error else self.result.outcome

    def set(self, **toggles) -> None:
        """Set several toggles at once (one re-run)."""
        for name, value in toggles.items():
            if name not in self.controls:
                self.spec.toggle(name)   # an unknown name raises, listing the valid ones
                raise ValueError(f"{name} is fixed in this panel at {self.fixed[name]}")
        self._quiet = True
        try:
            for name, value in toggles.items():
                self.controls[name].value = value
        finally:
            self._quiet = False
        self.refresh()

    # ------------------------------------------------------------------ drawing

    def _header(self) -> str:
        where = where_in_paper(self.spec.id)
        fixed = ""
        if self.fixed:
            fixed = "<br><i>fixed here:</i> " + ", ".join(
                f"{k}={v} ({_html.escape(self.spec.toggle(k).meanings.get(v, ''))})" for k, v in self.fixed.items())
        if self.run_args["spd"] or self.run_args["pad"]:
            own = sorted({*(self.run_args["spd"] or {}), *(self.run_args["pad"] or {})})
            fixed += f"<br><i>your policy for:</i> {', '.join(own)}"
        return (f'<div style="font-size:14px"><b>{_html.escape(self.spec.title)}</b> '
                f'<span style="color:#4a5259">({where or self.spec.id})</span><br>'
                f'<span style="font-size:13px">{_html.escape(self.spec.summary)}</span>{fixed}</div>')

    def _show_meanings(self) -> None:
        for name, widget in self.meanings.items():
            meaning = self.spec.toggle(name).meanings.get(self.controls[name].value, "")
            widget.value = f'<span style="font-size:12.5px;color:#3d4650"><i>{_html.escape(meaning)}</i></span>'

    _quiet = False

    def _changed(self, change) -> None:
        if not self._quiet:
            self.refresh()

    def refresh(self) -> None:
        """Re-run with the current toggles and redraw the banner and the player."""
        from labsim import LabsimError, run
        started = time.perf_counter()
        self._show_meanings()
        try:
            self.result = run(self.spec.id, self.toggles, **self.run_args)
            self.error = None
        except LabsimError as exc:
            self.error = str(exc)
            self.banner.value = (f'<div class="labsim-verdict labsim-outcome-error" data-outcome="error" role="status" '
                                 f'style="border:2px solid #a34400;border-left-width:8px;padding:6px 10px;'
                                 f'background:#fbe7dc"><b>This run could not start.</b> '
                                 f'<pre style="white-space:pre-wrap;margin:4px 0 0">{_html.escape(str(exc))}</pre></div>')
            self.output.outputs = ()
            self.last_ms = (time.perf_counter() - started) * 1000
            return
        self.banner.value = verdict_banner(self.result)
        html = player_html(self.result, banner=False, autoplay=self.autoplay)
        self.output.outputs = ({"output_type": "display_data",
                                "data": {"text/html": html, "text/plain": self.result.banner()},
                                "metadata": {}},)
        self.last_ms = (time.perf_counter() - started) * 1000


def panel(scenario: str, *, initial: dict | None = None, spd: dict | None = None, pad: dict | None = None,
          seed: int = 0, autoplay: bool = False, **fixed) -> Panel:
    """The live panel of ``scenario``: a widget per toggle, the verdict, the animated run.

    Toggles passed by name are fixed (no widget); ``initial`` only sets starting values.
    ``spd``/``pad`` replace hosts' policies as in :func:`labsim.run`, so an exercise can show
    a student's own SPD: ``labsim.panel("fig1", spd={"host-a": my_rules})``.
    """
    return Panel(scenario, initial=initial, spd=spd, pad=pad, seed=seed, autoplay=autoplay, **fixed)


__all__ = ["panel", "Panel"]
