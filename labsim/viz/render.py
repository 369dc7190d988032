"""The live panel's data: what the kernel sends the browser for one run, and the saved fallback.

:func:`run_view` turns a :class:`~labsim.result.Result` into one JSON-able dict (the
``view`` trait of :class:`~labsim.viz.livepanel.Panel`): the verdicts, the packets' trails
as SVG groups, the player's steps and flows, and the event rows. The topology drawing is
not in it, only its key (:func:`~labsim.viz.shipped.panel_key`); the panel adds the
drawing the first time the browser meets that world.

Events are numbered from 1, and that one number is used by the event list, the now-line,
the step label and the picture's markers (a marker carries the number of its flow's first
packet).

>>> import labsim
>>> view, key, topo = run_view(labsim.run("fig1"), 1, labsim.scenario("fig1"))
>>> [row[0] for row in view["events"]][:3]
[1, 2, 3]
>>> view["verdicts"][0]["outcome"], view["topo"] == key, topo.startswith("<g")
('exposed', True, True)
"""

from __future__ import annotations

import html as _html
import re

from .describe import alt_text, where_in_paper
from .layout import STRIP_H
from .player import steps_data
from .picture import PT, first_events, host_box_svg, svg_data_uri, trails_svg
from .steps import build_steps
from .style import FILTERS, FONT_STACK, OCCASIONAL, OUTCOME_STYLE, STATES, STATE_ORDER, legend_states, occasional_in
from .layout import client_of, spd_lines
from .shipped import panel_topology

KIND_COLOUR = {"clear": "#9a6a00", "dns": "#1f6f9f", "esp": STATES["esp"].colour, "esp_null": STATES["esp_null"].colour,
               "ike": STATES["ike"].colour, "bcast": STATES["bcast"].colour, "drop": STATES["drop"].colour}


def _e(text) -> str:
    return _html.escape(str(text), quote=True)


# ---------------------------------------------------------------- verdicts

def verdicts(result) -> list[dict]:
    """Every flow's verdict, primary first: ``Result.verdicts`` when the model has it, else the one verdict."""
    from labsim.result import PROBLEM_TEXT
    many = _field(result, "verdicts")
    items = list(many.items()) if many else [("main", result.verdict)]
    out = []
    for flow, v in items:
        head = v.outcome.upper() + (" (the attack succeeded)" if v.attack_succeeded else "")
        if v.problem:
            head += f": {PROBLEM_TEXT.get(v.problem, 'problem ' + v.problem)}"
        bg, fg, symbol = OUTCOME_STYLE.get(v.outcome, ("#eeeeee", "#1a1a1a", "\u2022"))
        out.append({"flow": getattr(v, "flow", None) or flow, "label": getattr(v, "label", "") or "",
                    "outcome": v.outcome, "attack": bool(v.attack_succeeded), "problem": v.problem or "",
                    "head": head, "explanation": v.explanation, "bg": bg, "fg": fg, "symbol": symbol})
    if len(out) == 1:
        out[0]["label"] = ""          # one flow: the banner needs no name for it
    return out


def _field(result, name):
    try:
        return object.__getattribute__(result, name)
    except AttributeError:
        return None


def toks(text: str) -> str:
    """Text as HTML in which a word holding a hyphen or a slash (a host name, "[SYN-ACK]", a prefix)
    does not break across lines: browsers break after those characters, even with word-break:normal."""
    return "".join(f'<span style="white-space:nowrap">{_e(w)}</span>' if re.search(r"[-/]", w) and w.strip() else _e(w)
                   for w in re.split(r"(\s+)", text))


def verdict_rows(result) -> str:
    """The verdict banner as HTML with inline styles only (it survives every notebook sanitiser)."""
    rows = []
    for v in verdicts(result):
        label = (f'<span style="color:#1a1a1a;white-space:nowrap">{_e(v["label"])}:</span> ' if v["label"] else "")
        rows.append(f'<div class="labsim-verdict labsim-outcome-{v["outcome"]}" data-outcome="{v["outcome"]}" '
                    f'data-flow="{_e(v["flow"])}" data-attack="{str(v["attack"]).lower()}" '
                    f'data-problem="{v["problem"]}" role="status" style="background:{v["bg"]};'
                    f'border:2px solid {v["fg"]};border-left-width:8px;border-radius:4px;padding:4px 10px;'
                    f'margin:0 0 3px;color:#1a1a1a;word-break:normal;overflow-wrap:normal">'
                    f'<div style="font-weight:bold;font-size:14px;color:{v["fg"]}">{label}'
                    f'<span aria-hidden="true">{v["symbol"]}</span> {toks(v["head"])}</div>'
                    f'<div class="labsim-explanation" style="font-size:13px">{toks(v["explanation"])}</div></div>')
    return f'<div class="labsim-banner">{"".join(rows)}</div>'


# ---------------------------------------------------------------- the picture as parts

def picture_parts(result, scenario: str | None = None) -> dict:
    """The live picture of ``result`` in parts: topology (key and SVG), trails, steps, flows, size."""
    label = scenario or result.scenario
    key, topo, layout = panel_topology(result.world, label)
    steps, flows = build_steps(result.events, layout, result.world)
    crop = round((layout.height - STRIP_H + 0.08) * PT, 1)    # the legend strip is HTML in the panel
    return {"topo_key": key, "topo": topo, "layout": layout,
            "trails": trails_svg(steps, flows, layout), "steps": steps, "flows": flows,
            "size": [round(layout.width * PT, 1), crop], "alt": alt_text(result, flows)}


def picture_svg(parts: dict, width: str = "100%") -> str:
    """One standalone SVG document of the parts (the saved fallback shows it as an image)."""
    w, h = parts["size"]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:g} {h:g}" width="{w:g}" height="{h:g}" '
            f'font-family="{FONT_STACK.replace(chr(39), "")}">'
            f'<rect width="{w:g}" height="{h:g}" fill="#fff"/>{parts["topo"]}{parts["trails"]}</svg>')


NBSP = "\u00a0"


def glue(text: str) -> str:
    """Running text whose ``field = value`` pairs stay on one line (no-break spaces around ``=``)."""
    return re.sub(r"(?<=\S) = (?=\S)", f"{NBSP}={NBSP}", text)


def _headers(packet) -> str:
    if not packet:
        return ""
    from .player import _dissect
    return _dissect(packet)


def event_rows(result, parts: dict) -> list[list]:
    """One row per event: number (from 1), ms, host, kind, kind colour, summary, marker, via,
    decision, reason, rule, headers."""
    first = first_events(parts["steps"])
    rows = []
    for i, (event, step) in enumerate(zip(result.events, parts["steps"])):
        marker = first.get(step.flow) if step.flow is not None and step.points else None
        state = step.state or ""
        colour = KIND_COLOUR.get(state, "#59626a")
        rows.append([i + 1, round(event.time_us / 1000, 3), event.host, event.kind, colour, glue(event.summary),
                     marker, " > ".join(event.path), event.decision, glue(event.reason), event.rule,
                     _headers(event.packet)])
    return rows


# ---------------------------------------------------------------- the panel's messages

def _legend_entry(key: str) -> list:
    """A legend entry for the panel: key, words, fill, outline, glyph path, and (only for an occasional
    state, which the panel shows only while the run's picture draws it) ``True``."""
    state = STATES[key]
    return [key, state.label, state.fill, state.edge, state.unit_svg_path()] + ([True] if key in OCCASIONAL else [])


def legend_extra(steps) -> list[str]:
    """The occasional states (readable ESP) the picture of these steps draws, for the legend."""
    return list(occasional_in(step.state for step in steps))


def panel_static(spec, names: list[str], notes: str, autoplay: bool) -> dict:
    """What never changes in a panel: title, toggles and their meanings, legend, filters, glyphs.
    The legend holds every state; each view's ``legend_extra`` says which occasional ones it shows."""
    toggles = []
    for name in names:
        t = spec.toggle(name)
        toggles.append({"name": name, "help": t.help, "values": list(t.values),
                        "meanings": {v: t.meanings.get(v, "") for v in t.values}})
    return {"id": spec.id, "title": spec.title, "where": where_in_paper(spec.id), "summary": spec.summary,
            "notes": notes, "toggles": toggles, "autoplay": autoplay,
            "legend": [_legend_entry(k) for k in STATE_ORDER],
            "filters": [[key, label, list(kinds)] for key, label, kinds in FILTERS],
            "shapes": {k: s.unit_svg_path() for k, s in STATES.items()},
            "look": {k: [s.fill, s.edge] for k, s in STATES.items()}, "box": list(host_box_svg())}


def run_view(result, n: int, spec) -> tuple[dict, str, str]:
    """The ``view`` message of one run, the key of its topology, and the topology's SVG."""
    parts = picture_parts(result, spec.id)
    steps, flows = steps_data(parts["layout"], parts["flows"], parts["steps"])
    client = client_of(result.world, spec.id)
    view = {"n": n, "toggles": dict(result.toggles), "error": "", "verdicts": verdicts(result),
            "topo": parts["topo_key"], "size": parts["size"], "trails": parts["trails"], "steps": steps,
            "flows": flows, "events": event_rows(result, parts), "alt": parts["alt"],
            "legend_extra": legend_extra(parts["steps"]),
            "spd_title": f"{client}'s SPD (first match wins)" if client else "",
            "spd": [re.sub(r"^(\d+)  ", r"\1. ", line) for line in spd_lines(result.world, client)]}
    return view, parts["topo_key"], parts["topo"]


def error_view(n: int, toggles: dict, message: str) -> dict:
    return {"n": n, "toggles": dict(toggles), "error": message, "verdicts": [], "events": [], "steps": [],
            "flows": {}, "trails": "", "topo": "", "size": [0, 0], "alt": "", "spd": [], "spd_title": "",
            "legend_extra": []}


# ---------------------------------------------------------------- the saved fallback

def fallback_html(panel) -> str:
    """The panel as it first shows, without a kernel or script: title, toggles as text, verdict(s),
    the picture (an ``<img>`` whose source is the SVG: JupyterLab keeps it in an untrusted
    notebook, where inline ``<svg>`` is removed), the legend and the SPD."""
    spec = panel.spec_
    head = (f'<div style="font-size:14px;margin:0 0 4px"><b>{_e(spec.title)}</b> '
            f'<span style="color:#4a5259">({_e(where_in_paper(spec.id) or spec.id)})</span></div>')
    settings = ", ".join(f'<span style="white-space:nowrap">{_e(k)}={_e(v)}</span>' for k, v in panel.toggles.items())
    note = (f'<div style="font-size:12.5px;color:#3d4650;margin:0 0 4px">{settings} &middot; '
            f'<i>run the cell to try the other choices and step through the packets</i></div>')
    if panel.error:
        return f'<div class="labsim-fallback" data-scenario="{spec.id}">{head}{note}{panel.banner_html()}</div>'
    parts = picture_parts(panel.result, spec.id)
    w, h = parts["size"]
    picture = (f'<img class="labsim-fallback-picture" alt="{_e(parts["alt"])}" '
               f'src="{_e(svg_data_uri(picture_svg(parts)))}" width="{w * 1.3:.0f}" '
               f'style="max-width:100%;height:auto;display:block;margin:4px 0">')
    legend = " &nbsp; ".join(f'<span style="white-space:nowrap"><b style="color:{KIND_COLOUR.get(k, STATES[k].colour)}">'
                             f'{_e(STATES[k].shape)}</b> {_e(STATES[k].label)}</span>'
                             for k in legend_states({step.state for step in parts["steps"]}))
    client = client_of(panel.result.world, spec.id)
    spd = "".join(f"{_e(line)}\n" for line in spd_lines(panel.result.world, client))
    spd_html = (f'<div style="font-size:12px"><b>{_e(client)}\'s SPD (first match wins)</b>'
                f'<pre style="margin:2px 0;white-space:pre;word-break:normal;overflow-wrap:normal">{spd}</pre></div>'
                if spd else "")
    return (f'<div class="labsim-fallback" data-scenario="{spec.id}" style="word-break:normal;overflow-wrap:normal">'
            f'{head}{note}{panel.banner_html()}{picture}'
            f'<div style="font-size:12px;margin:2px 0">Packets: {legend}</div>{spd_html}</div>')


__all__ = ["verdicts", "verdict_rows", "picture_parts", "picture_svg", "event_rows", "panel_static", "run_view",
           "error_view", "fallback_html", "legend_extra"]
