"""The live lab panel: one widget whose front-end loads once per page and receives each run as data.

``labsim.panel("fig1")`` returns a :class:`Panel`, an `anywidget <https://anywidget.dev>`_
widget. Its browser side (``assets/panel.js``) draws the toggles, the verdict banner (one
line per flow when a run judges several), the picture and the event list. A click on a
toggle writes the ``choice`` trait; the kernel re-runs the scenario and answers with ONE
``view`` message holding everything that changed: the verdicts, the packets' trails (SVG
groups), the steps of the player and the event rows. Banner, picture and events are drawn
from that one message, so they never disagree. The topology drawing (the part of the
picture that does not change) is sent once per world and kept in the browser, keyed by
:func:`topology_key`; the script itself is sent once per page (a small loader in
``_esm`` asks the kernel for ``panel.js`` only if no earlier panel on the page loaded it).

Before the cell runs (a fresh notebook, GitHub, nbviewer) the saved output shows the
static fallback: the verdict(s) and the final picture of the default toggles
(:meth:`Panel.fallback_html`), which the live widget replaces when the cell runs.

Stable hooks for browser tests and styling (all inside ``.labsim-panel``):

- ``.labsim-panel-<scenario>`` on the panel, ``data-run`` = how many runs it has drawn;
- each toggle: ``.labsim-toggle.labsim-toggle-<name>``; its choices are
  ``button.labsim-choice[data-value]`` (``aria-pressed="true"`` when chosen) or a ``select``;
- the verdicts: ``.labsim-banner`` holding one ``.labsim-verdict[data-outcome][data-flow]`` per flow;
- the picture: ``svg.labsim-svg`` in ``.labsim-stage``; the player's buttons ``.labsim-first``,
  ``.labsim-prev``, ``.labsim-play``, ``.labsim-next``, ``.labsim-last``, the step label
  ``.labsim-step``, the now-line ``.labsim-now`` and the rows ``tr.labsim-event``.

>>> p = panel("fig1")
>>> p.result.outcome, p.outcome
('exposed', 'exposed')
>>> p.controls["dns"].value = "honest"
>>> p.outcome, p.view["verdicts"][0]["outcome"]
('protected', 'protected')
"""

from __future__ import annotations

import hashlib
import html as _html
import time

import anywidget
import traitlets

from .player import asset
from .render import error_view, panel_static, run_view, verdict_rows

MAX_BUTTON_VALUES = 3
CACHED_RUNS = 64          # runs a panel keeps, by toggles (fig1 has 32 settings)
WARM_FIRST_S = 0.15       # after drawing a run, wait this long before running the settings one click away
WARM_GAP_S = 0.02         # and this long between two of them (the kernel stays free for the student's clicks)


def _loader() -> str:
    """The ``_esm`` of every panel: a few lines that load ``panel.js`` once per page and hand over to it."""
    return asset("loader.js").replace("__LABSIM_VERSION__", code_version())


def code_version() -> str:
    return hashlib.sha1((asset("panel.js") + asset("panel.css")).encode()).hexdigest()[:12]


def _digest(view: dict) -> str:
    """A fingerprint of what a view draws (the browser skips redrawing what it already shows)."""
    import json
    body = {k: v for k, v in view.items() if k not in ("n", "sent", "topo_svg", "digest", "key")}
    return hashlib.sha1(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:16]


class _Control:
    """``panel.controls[name].value``: read or set one toggle from Python (tests, exercises)."""

    def __init__(self, panel: "Panel", name: str):
        self._panel, self.name = panel, name

    @property
    def value(self) -> str:
        return self._panel.choice[self.name]

    @value.setter
    def value(self, value: str) -> None:
        self._panel.set(**{self.name: value})

    @property
    def options(self) -> tuple[str, ...]:
        return self._panel.spec_.toggle(self.name).values

    @property
    def kind(self) -> str:
        """``buttons`` (up to three short values) or ``select``, as the browser draws it."""
        values = self.options
        return "buttons" if len(values) <= MAX_BUTTON_VALUES and max(map(len, values)) <= 12 else "select"


class _Banner:
    def __init__(self, panel: "Panel"):
        self._panel = panel

    @property
    def value(self) -> str:
        return self._panel.banner_html()


class Panel(anywidget.AnyWidget):
    """A scenario's toggles, its verdict(s) and its run, kept in step (see the module's docstring)."""

    _esm = traitlets.Unicode().tag(sync=True)
    static = traitlets.Dict().tag(sync=True)
    choice = traitlets.Dict().tag(sync=True)
    view = traitlets.Dict().tag(sync=True)

    def __init__(self, scenario: str, *, initial: dict | None = None, spd: dict | None = None,
                 pad: dict | None = None, seed: int = 0, autoplay: bool = False, **fixed):
        from labsim import scenario as get_scenario
        spec = get_scenario(scenario)
        resolved = spec.resolve_toggles(fixed) if fixed else {}
        fixed = {k: resolved[k] for k in fixed}
        start = spec.resolve_toggles({**(initial or {}), **fixed})
        self.spec_ = spec
        self.fixed = fixed
        self.run_args = {"seed": seed, "spd": spd, "pad": pad}
        self.autoplay = autoplay
        self.result = None
        self.error: str | None = None
        self.last_ms = 0.0
        self._runs = 0
        self._topologies: dict[str, str] = {}
        self._sent: set[str] = set()
        self._views: dict[tuple, tuple] = {}
        self._warming = 0
        names = [t.name for t in spec.toggles if t.name not in fixed]
        self.controls = {name: _Control(self, name) for name in names}
        self.banner = _Banner(self)
        super().__init__(_esm=_loader(), static=panel_static(spec, names, self._header_notes(), autoplay),
                         choice={name: start[name] for name in names})
        self.add_class("labsim-panel")
        self.add_class(f"labsim-panel-{spec.id}")
        self.on_msg(self._message)
        self.refresh()

    # ------------------------------------------------------------------ state

    @property
    def toggles(self) -> dict[str, str]:
        return {**self.choice, **self.fixed}

    @property
    def outcome(self) -> str:
        return "error" if self.error else self.result.outcome

    def set(self, **toggles) -> None:
        """Set several toggles at once (one re-run)."""
        for name, value in toggles.items():
            if name not in self.controls:
                self.spec_.toggle(name)   # an unknown name raises, listing the valid ones
                raise ValueError(f"{name} is fixed in this panel at {self.fixed[name]}")
        checked = self.spec_.resolve_toggles({**self.toggles, **toggles})
        self.choice = {name: checked[name] for name in self.controls}

    @traitlets.observe("choice")
    def _choice_changed(self, change) -> None:
        if change["old"] != change["new"] and self.view:
            self.refresh()

    # ------------------------------------------------------------------ drawing

    def _header_notes(self) -> str:
        notes = []
        if self.fixed:
            notes.append("fixed here: " + ", ".join(
                f"{k}={v} ({self.spec_.toggle(k).meanings.get(v, '')})" for k, v in self.fixed.items()))
        if self.run_args["spd"] or self.run_args["pad"]:
            own = sorted({*(self.run_args["spd"] or {}), *(self.run_args["pad"] or {})})
            notes.append(f"your policy for: {', '.join(own)}")
        return "; ".join(notes)

    def choice_key(self, toggles: dict) -> str:
        """The browser's name for a setting of this panel's toggles (JSON, keys sorted, no spaces)."""
        import json
        return json.dumps({k: toggles[k] for k in sorted(self.controls)}, sort_keys=True, separators=(",", ":"))

    def refresh(self) -> None:
        """Re-run with the current toggles and send the browser one view of the new run."""
        from labsim import LabsimError, run
        started = time.perf_counter()
        self._runs += 1
        key = tuple(sorted(self.toggles.items()))
        if key in self._views:             # the simulator is deterministic: the same toggles, the same run
            self.result, view, topo_key = self._views[key]
            self.error = None
            if topo_key not in self._sent:
                view = {**view, "topo_svg": self._topologies[topo_key]}
                self._sent.add(topo_key)
            self.view = {**view, "n": self._runs, "sent": round(time.time() * 1000, 1)}
            self.last_ms = (time.perf_counter() - started) * 1000
            self._warm_later()
            return
        try:
            self.result = run(self.spec_.id, self.toggles, **self.run_args)
            self.error = None
        except LabsimError as exc:
            self.result, self.error = None, str(exc)
            self.view = {**error_view(self._runs, self.toggles, self.error), "key": self.choice_key(self.toggles),
                         "digest": "error:" + hashlib.sha1(self.error.encode()).hexdigest()[:12]}
            self.last_ms = (time.perf_counter() - started) * 1000
            return
        view, topo_key, topo = run_view(self.result, self._runs, self.spec_)
        view = {**view, "key": self.choice_key(self.toggles)}
        view["digest"] = _digest(view)
        self._topologies[topo_key] = topo
        if len(self._views) >= CACHED_RUNS:
            self._views.pop(next(iter(self._views)))
        self._views[key] = (self.result, view, topo_key)
        if topo_key not in self._sent:     # the browser has not seen this world yet: send it along
            view = {**view, "topo_svg": topo}
            self._sent.add(topo_key)
        self.view = {**view, "sent": round(time.time() * 1000, 1)}   # when it left the kernel (the benchmark splits the time)
        self.last_ms = (time.perf_counter() - started) * 1000
        self._warm_later()

    # ------------------------------------------------------------------ runs ahead of the student

    def _neighbours(self) -> list[dict]:
        """The settings one click away (each toggle's other values), the next things a student may pick."""
        out = []
        for name in self.controls:
            for value in self.spec_.toggle(name).values:
                if value != self.choice[name]:
                    toggles = {**self.toggles, name: value}
                    if tuple(sorted(toggles.items())) not in self._views:
                        out.append(toggles)
        return out

    def _warm_later(self) -> None:
        """While the kernel is idle, run the settings one click away, one per turn of the event loop
        (the simulator is deterministic, so the next click is answered from the cache)."""
        import asyncio
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return                           # not in a kernel (a test, a script): nothing to gain
        self._warming += 1
        generation = self._warming

        def one():
            if generation != self._warming or self.error:
                return                       # the student moved on: warm around the new setting instead
            todo = self._neighbours()
            if not todo or len(self._views) >= CACHED_RUNS - 1:
                return
            self._compute(todo[0])
            loop.call_later(WARM_GAP_S, one)

        loop.call_later(WARM_FIRST_S, one)

    def _compute(self, toggles: dict):
        from labsim import LabsimError, run
        try:
            result = run(self.spec_.id, toggles, **self.run_args)
        except LabsimError:
            return None
        view, topo_key, topo = run_view(result, 0, self.spec_)
        view = {**view, "key": self.choice_key(toggles)}
        view["digest"] = _digest(view)
        self._topologies[topo_key] = topo
        self._views[tuple(sorted(toggles.items()))] = (result, view, topo_key)
        # the browser keeps it: a click on this setting redraws at once, before the kernel's answer
        ahead = dict(view)
        if topo_key not in self._sent:
            ahead["topo_svg"] = topo
            self._sent.add(topo_key)
        self.send({"type": "ahead", "view": ahead})
        return result, view, topo_key

    def _message(self, widget, content, buffers) -> None:
        if not isinstance(content, dict):
            return
        if content.get("type") == "need_code":
            self.send({"type": "code", "v": code_version(), "code": asset("panel.js"), "css": asset("panel.css")})
        elif content.get("type") == "need_topology" and content.get("key") in self._topologies:
            self.send({"type": "topology", "key": content["key"], "svg": self._topologies[content["key"]]})

    # ------------------------------------------------------------------ static forms

    def banner_html(self) -> str:
        """The verdict banner(s) as HTML with inline styles (what the live panel and the fallback show)."""
        if self.error:
            return ('<div class="labsim-verdict labsim-outcome-error" data-outcome="error" role="status" '
                    'style="border:2px solid #a34400;border-left-width:8px;padding:6px 10px;background:#fbe7dc">'
                    f'<b>This run could not start.</b> <pre style="white-space:pre-wrap;word-break:normal;'
                    f'overflow-wrap:normal;margin:4px 0 0">{_html.escape(self.error)}</pre></div>')
        return verdict_rows(self.result)

    def fallback_html(self) -> str:
        """What the saved notebook shows before the cell runs: title, verdict(s) and the final picture."""
        from .render import fallback_html
        return fallback_html(self)

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["text/html"] = self.fallback_html()
        data["text/plain"] = self.result.banner() if self.result else f"labsim panel {self.spec_.id}: {self.error}"
        return bundle

    def __repr__(self) -> str:
        return f"<labsim panel {self.spec_.id}: {self.outcome}>"


def panel(scenario: str, *, initial: dict | None = None, spd: dict | None = None, pad: dict | None = None,
          seed: int = 0, autoplay: bool = False, **fixed) -> Panel:
    """The live panel of ``scenario``: a choice per toggle, the verdict(s), the animated run.

    Toggles passed by name are fixed (no control); ``initial`` only sets starting values.
    ``spd``/``pad`` replace hosts' policies as in :func:`labsim.run`, so an exercise can show
    a student's own SPD: ``labsim.panel("fig1", spd={"host-a": my_rules})``.
    """
    return Panel(scenario, initial=initial, spd=spd, pad=pad, seed=seed, autoplay=autoplay, **fixed)


__all__ = ["panel", "Panel", "code_version"]
