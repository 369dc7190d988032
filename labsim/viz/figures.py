"""The paper's figures 1 to 5, regenerated from the simulator (``python -m labsim figures``).

Each figure is the default run of the scenario that declares that figure number (the
attack as the paper tells it, with the paper's cast and addresses), drawn on the
scenario's topology: every packet flow as a numbered line in its state's colour, dash
pattern and glyph, the verdict as a banner above, the flows spelled out below, the
legend and the client's SPD along the bottom. Files are byte-identical from run to run:
fixed fonts (DejaVu, shipped with matplotlib), a fixed SVG hash salt, no dates or
software versions in the metadata, and nothing taken from the clock or the order of a set.

Scenarios are found through their declared ``figure``, so a figure whose scenario appears
later is picked up without a change here.

>>> fig, result = paper_figure(1)
>>> result.outcome, float(fig.get_figwidth())
('exposed', 9.0)
"""

from __future__ import annotations

import html
import math
import textwrap
from pathlib import Path

import matplotlib
from matplotlib import patches

from .describe import alt_text, flow_gist, toggles_text, where_in_paper
from .layout import layout_for
from .steps import build_steps
from .style import INK, MUTED, OUTCOME_STYLE, STATES
from .topology import (RC, Z_TEXT, Z_TRAIL, draw_glyph, draw_world, fit_strip, legend_rows, new_canvas,
                       png_bytes, svg_bytes, unclip)

HEADER_H = 1.5       # inches above the topology: title, provenance and verdict
ROW_H = 0.2          # one line of the flow list below it
LEGEND_GAP = 0.12    # inches more above the flow list for each legend row past two (readable ESP's)
PNG_DPI = 120
SYMBOLS = {"protected": "\u2714", "clear": "\u25cb", "exposed": "\u26a0", "impersonated": "\u26a0",
           "blocked": "\u2298"}   # all in DejaVu Sans


def figure_scenarios() -> dict[int, str]:
    """Figure number -> scenario id, for every registered scenario that recreates a paper figure."""
    from labsim.scenarios import get, scenario_ids
    found = {}
    for sid in scenario_ids():
        number = get(sid).figure
        if number and number not in found:
            found[number] = sid
    return dict(sorted(found.items()))


def _dash(state) -> tuple:
    return (0, state.dash) if state.dash else "solid"


def _arrowhead(ax, points, colour: str) -> None:
    (x0, y0), (x1, y1) = points[-2], points[-1]
    angle = math.atan2(y1 - y0, x1 - x0)
    size, half = 0.11, 0.058
    bx, by = x1 - size * math.cos(angle), y1 - size * math.sin(angle)
    ax.add_patch(patches.Polygon([(x1, y1), (bx - half * math.sin(angle), by + half * math.cos(angle)),
                                  (bx + half * math.sin(angle), by - half * math.cos(angle))],
                                 closed=True, facecolor=colour, edgecolor="none", zorder=Z_TRAIL + 0.2))


def _badge(ax, number: int, x: float, y: float) -> None:
    ax.add_patch(patches.Circle((x, y), 0.088, facecolor="white", edgecolor=INK, linewidth=0.8, zorder=Z_TEXT + 1))
    ax.text(x, y - 0.004, str(number), fontsize=7.2, fontweight="bold", color=INK, ha="center", va="center",
            zorder=Z_TEXT + 2)


def draw_flows(ax, steps, flows) -> None:
    """Every flow once: halo, coloured line in its dash pattern, arrowhead, glyph and number; then drops."""
    for flow in flows:
        state = STATES[flow.state]
        xs, ys = zip(*flow.points) if len(flow.points) > 1 else ((flow.points[0][0],) * 2, (flow.points[0][1],) * 2)
        ax.plot(xs, ys, color="white", linewidth=4.6, alpha=0.85, solid_joinstyle="round", zorder=Z_TRAIL)
        ax.plot(xs, ys, color=state.colour, linewidth=2.2, linestyle=_dash(state), solid_joinstyle="round",
                dash_joinstyle="round", zorder=Z_TRAIL + 0.1)
        step = next(s for s in steps if s.index == flow.steps[0])
        if len(flow.points) > 1 and not step.fanout:
            _arrowhead(ax, flow.points, state.colour)
        for line in step.fanout:
            lx, ly = zip(*line)
            ax.plot(lx, ly, color=state.colour, linewidth=1.3, linestyle=(0, (1.5, 2.5)), zorder=Z_TRAIL)
    for flow in flows:
        gx, gy = flow.glyph
        draw_glyph(ax, flow.state, gx, gy, size=0.095, zorder=Z_TEXT)
        _badge(ax, flow.number, gx + 0.17 * math.sin(flow.glyph_angle), gy - 0.17 * math.cos(flow.glyph_angle))
    for point in sorted({s.at for s in steps if s.state == "drop" and s.at is not None}):
        draw_glyph(ax, "drop", point[0], point[1], size=0.1, zorder=Z_TEXT + 0.5)


def _header(ax, result, spec, width: float, top: float) -> None:
    title = f"Figure {spec.figure}: {spec.title}" if spec and spec.figure else (spec.title if spec else result.scenario)
    ax.text(0.2, top - 0.12, title, fontsize=12.5, fontweight="bold", color=INK, ha="left", va="top")
    where = where_in_paper(result.scenario)
    paper = _paper_title(spec.figure) if spec and spec.figure else ""
    sub = (f"Recreates {where}" + (f" (\u201c{paper}\u201d)" if paper else "") + ". ") if where else ""
    changed = [f"{k}={v}" for k, v in result.toggles.items() if spec and v != spec.toggle(k).default]
    sub += f"Simulated by: python -m labsim run {result.scenario}" + "".join(f" --set {c}" for c in changed)
    ax.text(0.2, top - 0.4, sub, fontsize=7.6, color=MUTED, ha="left", va="top")
    which = "Toggles" if changed else "Toggles (the defaults)"
    ax.text(0.2, top - 0.58, f"{which}: {toggles_text(result.toggles)}", fontsize=7.6, color=MUTED,
            ha="left", va="top")
    v = result.verdict
    bg, fg, _ = OUTCOME_STYLE.get(v.outcome, ("#eeeeee", INK, ""))
    box_h = 0.62
    box_y = top - HEADER_H + 0.06
    ax.add_patch(patches.FancyBboxPatch((0.2, box_y), width - 0.4, box_h, boxstyle="round,pad=0,rounding_size=0.05",
                                        facecolor=bg, edgecolor=fg, linewidth=1.4))
    ax.add_patch(patches.Rectangle((0.2, box_y), 0.07, box_h, facecolor=fg, edgecolor="none"))
    # a run with several flows has a banner line per flow: one headline line, the flows side by side
    headline = f"{SYMBOLS.get(v.outcome, '')} " + " \u00b7 ".join(result.banner().splitlines())
    size = min(9.2, (width - 0.7) * 72 / (len(headline) * 0.64))   # bold DejaVu Sans: about 0.64 em a character
    ax.text(0.4, box_y + box_h - 0.1, headline, fontsize=round(size, 1), fontweight="bold", color=fg, ha="left",
            va="top")
    chars = int((width - 0.8) * 72 / (7.6 * 0.55))
    lines = textwrap.wrap(v.explanation, chars)
    if len(lines) > 2:
        lines = lines[:2]
        lines[1] = lines[1][: chars - 1].rstrip() + "\u2026"
    ax.text(0.4, box_y + box_h - 0.33, "\n".join(lines), fontsize=7.6, color=INK, ha="left", va="top",
            linespacing=1.3)


def _flow_list(ax, result, flows, width: float, top: float) -> None:
    ax.text(0.2, top - 0.05, "Packet flows, in order of their first packet", fontsize=7.8, fontweight="bold",
            color=INK, ha="left", va="top")
    columns = _columns(flows)
    per_column = math.ceil(len(flows) / columns)
    col_w = (width - 0.4) / columns
    budget = int((col_w - 0.35) * 72 / (7.2 * 0.56))    # characters a column holds
    for i, flow in enumerate(flows):
        x = 0.2 + (i // per_column) * col_w
        y = top - 0.32 - (i % per_column) * ROW_H
        draw_glyph(ax, flow.state, x + 0.09, y, size=0.065)
        target = f"all on {flow.target}" if flow.broadcast else flow.target
        head = f"{flow.number}  {flow.sender} \u2192 {target}: "
        tail = (f"  [source forged: {flow.spoofed_source}]" if flow.spoofed_source else "") + \
            ("  [dropped]" if flow.dropped else "")
        gist = flow_gist(flow, result.events, max(budget - len(head) - len(tail), 12))
        ax.text(x + 0.22, y, head + gist + tail, fontsize=7.2, color=INK, ha="left", va="center")


def _columns(flows) -> int:
    return 2 if len(flows) > 6 else 1


def figure_for(result, scenario: str | None = None):
    """A matplotlib Figure of ``result``: verdict, topology with flows, flow list, legend and SPD."""
    from .describe import scenario_spec
    label = scenario or result.scenario
    spec = scenario_spec(label)
    layout = fit_strip(layout_for(result.world, label), result.world, label)
    steps, flows = build_steps(result.events, layout, result.world)
    shown = {s.state for s in steps}
    gap = LEGEND_GAP * (legend_rows(shown) - 2)     # the legend's third row pushes the flow list down
    columns = _columns(flows)
    list_h = 0.45 + ROW_H * math.ceil(max(len(flows), 1) / columns) + gap
    with matplotlib.rc_context(RC):
        fig, ax = new_canvas(layout.width, layout.height + list_h + HEADER_H)
        ax.set_ylim(-list_h, layout.height + HEADER_H)
        draw_world(ax, result.world, layout, label, shown=shown)
        draw_flows(ax, steps, flows)
        _header(ax, result, spec, layout.width, layout.height + HEADER_H)
        _flow_list(ax, result, flows, layout.width, -gap)
        unclip(ax)
    return fig, flows


def paper_figure(number: int):
    """The paper's figure ``number`` as (matplotlib Figure, Result) from its scenario's default run."""
    from labsim import run
    scenarios = figure_scenarios()
    if number not in scenarios:
        from labsim.errors import UnknownChoice
        raise UnknownChoice("figure number", number, list(scenarios))
    result = run(scenarios[number])
    fig, _ = figure_for(result)
    return fig, result


def accessible_svg(svg: bytes, title: str, description: str) -> bytes:
    """matplotlib's SVG with a <title> and <desc> that screen readers announce."""
    text = svg.decode()
    start = text.index("<svg")
    end = text.index(">", start) + 1
    opening = text[start:end].replace("<svg", '<svg role="img" aria-labelledby="labsim-title labsim-desc"', 1)
    extra = (f'\n <title id="labsim-title">{html.escape(title)}</title>'
             f'\n <desc id="labsim-desc">{html.escape(description)}</desc>')
    return (text[:start] + opening + extra + text[end:]).encode()


README_HEAD = """# Figures 1-5 of the paper, regenerated by labsim

These pictures are drawn by `python -m labsim figures` from the default run of each
figure's scenario (the attack as the paper tells it), never by hand; running the command
again gives byte-identical files. Each shows the networks and hosts of the paper's
figure, every packet flow of the run numbered in order, and the verdict. Packet states
have a colour and a shape each (open circle: clear text; padlock: ESP; diamond: IKE;
triangle: DNS; star: DHCP or broadcast; cross: dropped), so they read in greyscale too.
The alt text under each figure is its full text equivalent.

Paper: *Experiences with Host-to-Host IPsec*, by Aura, Roe and Mohammed (Microsoft Research).
"""


def _paper_title(figure: int) -> str:
    return {1: "DNS spoofing attack", 2: "Interaction of DNS and IKE", 3: "Mobile host using a foreign DNS server",
            4: "Mobile host moving between private address spaces",
            5: "Circumventing a stateful policy with broadcast"}.get(figure, "")


def write_figures(out: str | Path = "figures", dpi: int = PNG_DPI) -> list[Path]:
    """Write figN.png and figN.svg for every figure with a scenario, and README.md with alt text."""
    from labsim import run
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    sections = [README_HEAD]
    for number, sid in figure_scenarios().items():
        result = run(sid)
        fig, flows = figure_for(result)
        alt = alt_text(result, flows)
        title = f"Figure {number}: {result.world.title or sid} (labsim {sid})"
        png, svg = out / f"fig{number}.png", out / f"fig{number}.svg"
        png.write_bytes(png_bytes(fig, dpi=dpi))
        svg.write_bytes(accessible_svg(svg_bytes(fig), title, alt))
        written += [png, svg]
        paper = _paper_title(number)
        sections.append(
            f"\n## Figure {number}: {paper or sid}\n\n"
            f"Scenario `{sid}` ({where_in_paper(sid)}), default toggles: {toggles_text(result.toggles)}. "
            f"Verdict: **{result.outcome}**" + (f", problem {result.problem}" if result.problem else "") + ".\n\n"
            f"![Figure {number}: {paper or sid}, as simulated by labsim; full description below](fig{number}.png)\n\n"
            f"Also as [SVG](fig{number}.svg). Alt text:\n\n> {alt}\n")
    missing = [n for n in range(1, 6) if n not in figure_scenarios()]
    if missing:
        sections.append(f"\nNot yet simulated: figure{'s' if len(missing) > 1 else ''} "
                        f"{', '.join(map(str, missing))} (no scenario declares {'them' if len(missing) > 1 else 'it'}).\n")
    readme = out / "README.md"
    readme.write_text("".join(sections), encoding="utf-8")
    written.append(readme)
    return written


__all__ = ["figure_for", "paper_figure", "write_figures", "figure_scenarios", "draw_flows", "accessible_svg"]
