"""The packet-flow player: one self-contained HTML fragment per run.

Why this design. matplotlib's ``to_jshtml`` stores a full PNG per frame (1.09 MB and 1.9 s
for 40 frames here). Only the packets move, so the topology is drawn once (matplotlib,
SVG, cached per world) and the packets are data: each trace event becomes one entry of a
small JSON list and one group of SVG in the picture. A ~7 KB script, embedded in the
fragment (no network fetch, no external library), moves a glyph along each packet's path
and steps through the event table. The fig1 default comes to about 70 KB and renders in
a few tens of milliseconds (see ``bench/bench_viz.py``).

It degrades in layers, because notebooks are shown in places that strip things:

- everywhere (GitHub, an untrusted notebook in JupyterLab, nbviewer, a plain page): the
  verdict banner (inline styles), the final-state picture as an ``<img>`` with a
  ``data:`` SVG source and full alt text, and the event table, with each packet's headers
  (scapy's dissection) in a ``<details>`` element that opens without script;
- where ``<style>`` survives: the side-by-side layout and the highlighting;
- where scripts run (a trusted or freshly executed notebook in JupyterLab, Voila, nbviewer,
  the standalone file of ``python -m labsim animate``): the picture becomes inline SVG and
  the toolbar appears: first, back, play/pause, next, last, kind filters, keyboard keys.

Checked in JupyterLab 4 (executed and untrusted) and Voila with headless Chromium; the
static view of GitHub was not available to check here and is assumed to behave like the
untrusted notebook (scripts, styles and inline SVG removed, images kept).

>>> from labsim import run
>>> html = player_html(run("fig1"))
>>> html.count('<tr class="labsim-event"') == len(run("fig1").events)
True
"""

from __future__ import annotations

import functools
import html as _html
import json
from pathlib import Path

from .describe import where_in_paper
from .picture import PT, Picture, final_picture, first_events, host_box_svg, to_svg
from .style import FILTERS, FONT_STACK, OUTCOME_STYLE, STATES

ASSETS = Path(__file__).with_name("assets")


@functools.lru_cache(maxsize=None)
def asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def _e(text) -> str:
    return _html.escape(str(text), quote=False)


def _a(text) -> str:
    return _html.escape(str(text), quote=True)


def verdict_banner(result) -> str:
    """The verdict as a banner: ``div.labsim-verdict[data-outcome]``, readable without CSS classes."""
    v = result.verdict
    bg, fg, symbol = OUTCOME_STYLE.get(v.outcome, ("#eeeeee", "#1a1a1a", "\u2022"))
    head = _e(result.banner())
    return (f'<div class="labsim-verdict labsim-outcome-{v.outcome}" data-outcome="{v.outcome}" '
            f'data-attack="{str(v.attack_succeeded).lower()}" data-problem="{v.problem or ""}" role="status" '
            f'style="background:{bg};border:2px solid {fg};border-left-width:8px;border-radius:4px;'
            f'padding:6px 10px;color:#1a1a1a;font-family:{FONT_STACK.replace(chr(39), "")}">'
            f'<div style="font-weight:bold;font-size:15px;color:{fg}">'
            f'<span aria-hidden="true">{symbol}</span> {head}</div>'
            f'<div class="labsim-explanation" style="font-size:13px">{_e(v.explanation)}</div></div>')


def _decision_cell(event) -> str:
    parts = [f'<span class="labsim-decision">{_e(event.decision)}</span>']
    if event.reason:
        parts.append(" " + _e(event.reason))
    if event.rule:
        parts.append(f' <span class="labsim-rule">[{_e(event.rule)}]</span>')
    if event.packet:
        parts.append(f"<details><summary>headers</summary><pre>{_e(_dissect(event.packet))}</pre></details>")
    why = event.reason + (f" [{event.rule}]" if event.rule else "")
    return f'<td data-decision="{_a(event.decision)}" data-why="{_a(why)}">{"".join(parts)}</td>'


@functools.lru_cache(maxsize=512)
def _dissect(packet: bytes) -> str:
    from labsim.packets import dissect
    return dissect(packet).rstrip()


def _kind_badge(event, step) -> str:
    state = STATES.get(step.state) if step.state else None
    colour = state.colour if state and not state.hollow else (state.colour if state else "#59626a")
    if step.state == "clear":
        colour = "#9a6a00"      # the orange is too light for text on white; a darker shade of it
    elif step.state == "dns":
        colour = "#1f6f9f"
    return f'<span class="labsim-kind" style="color:{colour}">{_e(event.kind)}</span>'


def event_table(result, picture: Picture) -> str:
    rows = []
    first = first_events(picture.steps)     # markers carry their flow's first event number: one numbering
    for event, step in zip(result.events, picture.steps):
        flow = (f' <span class="labsim-flow">[marker {first[step.flow]}]</span>'
                if step.flow is not None and step.points else "")
        where = f' <span class="labsim-rule">via {_e(" > ".join(event.path))}</span>' if event.path else ""
        rows.append(f'<tr class="labsim-event" data-step="{step.index}" data-kind="{event.kind}">'
                    f"<td>{step.index + 1}</td><td>{event.time_us / 1000:.3f}</td><td>{_e(event.host)}</td>"
                    f'<td data-summary="{_a(event.summary)}">'
                    f"{_kind_badge(event, step)}{_e(event.summary)}{flow}{where}</td>"
                    f"{_decision_cell(event)}</tr>")
    return ('<table class="labsim-events" style="border-collapse:collapse;width:100%;font-size:12px">'
            "<caption style=\"text-align:left;font-weight:bold;padding:2px 0\">Events, in the order they happened"
            "</caption><thead><tr><th>#</th><th>ms</th><th>host</th><th>packet or step</th>"
            "<th>decision and reason</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def steps_data(layout, flows, steps) -> tuple[list, dict]:
    """The player's steps and each flow's path, in SVG coordinates (the data both players draw from)."""
    paths = {str(f.number): [to_svg(p, layout) for p in f.points] for f in flows}
    items = []
    for step in steps:
        item = {"k": step.kind}
        if step.state:
            item["s"] = step.state
        if step.points:
            item["p"] = 1
            item["f"] = str(step.flow)
        if step.at is not None:
            item["a"] = to_svg(step.at, layout)
        items.append(item)
    return items, paths


def _data(picture: Picture, speed: float) -> str:
    layout = picture.layout
    steps, flows = steps_data(layout, picture.flows, picture.steps)
    shapes = {k: s.unit_svg_path() for k, s in STATES.items()}
    look = {k: [s.fill, s.edge] for k, s in STATES.items()}
    payload = {"v": 1, "steps": steps, "flows": flows, "shapes": shapes, "look": look,
               "filters": [[key, label, list(kinds)] for key, label, kinds in FILTERS],
               "box": list(host_box_svg()), "speed": speed, "size": [layout.width * PT, layout.height * PT]}
    return json.dumps(payload, separators=(",", ":")).replace("</", "<\\/")


def player_html(result, *, banner: bool = True, autoplay: bool = False, speed: float = 1.0,
                title: str | None = None, picture: Picture | None = None) -> str:
    """The player for ``result`` as one HTML fragment (style, data and script inside it)."""
    picture = picture or final_picture(result)
    where = where_in_paper(result.scenario)
    caption = title or f"{result.scenario}" + (f" ({where})" if where else "")
    toggles = ", ".join(f"{k}={v}" for k, v in result.toggles.items())
    parts = [f'<div class="labsim-player" data-scenario="{_a(result.scenario)}" '
             f'data-outcome="{result.verdict.outcome}" data-autoplay="{str(autoplay).lower()}" '
             f'data-lm-suppress-shortcuts="true" data-p-suppress-shortcuts="true" lang="en">',
             f"<style>{asset('player.css')}</style>"]
    if banner:
        parts.append(verdict_banner(result))
    parts.append(f'<div class="labsim-title" style="font-size:12px;color:#4a5259;margin:2px 0 6px">'
                 f"<b>{_e(caption)}</b>{' &middot; ' + _e(toggles) if toggles else ''}</div>")
    parts.append('<div class="labsim-body">'
                 '<figure class="labsim-stage" style="margin:0">'
                 f'<img class="labsim-picture" style="width:100%;max-width:{picture.layout.width * PT * 1.5:.0f}px;'
                 f'height:auto" alt="{_a(picture.alt)}" src="{_a(picture.data_uri())}">'
                 '<figcaption class="labsim-now" style="font-size:12px">The whole run: every packet\'s path, '
                 "each marker numbered by its flow's first event in the list; hostile hosts have dashed borders.</figcaption>"
                 "</figure>"
                 f'<div class="labsim-list">{event_table(result, picture)}</div></div>')
    parts.append(f'<script type="application/json" class="labsim-data">{_data(picture, speed)}</script>')
    parts.append(f"<script>{asset('player.js')}</script></div>")
    return "".join(parts)


def animation_document(result, *, autoplay: bool = False, speed: float = 1.0) -> str:
    """A whole HTML page holding the player, for a slide or a static site (no network fetches)."""
    where = where_in_paper(result.scenario)
    title = f"labsim {result.scenario}" + (f": {where}" if where else "")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{_e(title)}</title></head><body style=\"margin:12px;background:#fff\">"
            + player_html(result, autoplay=autoplay, speed=speed) + "</body></html>\n")


__all__ = ["player_html", "animation_document", "verdict_banner", "event_table", "asset"]
