"""The visual language: every packet state has its own shape, in the legend as in the data."""

import numpy as np
import pytest
from matplotlib.patches import PathPatch

from labsim import run
from labsim.viz.style import FILTERS, KIND_STATE, OCCASIONAL, OKABE_ITO, STATE_ORDER, STATES
from labsim.viz.topology import legend_entries, marker_path, topology_figure


def test_legend_lists_every_state_once_in_order():
    """The legend has one entry per packet state, in the declared order; an occasional state
    (readable ESP) only in the legend of a picture that draws it."""
    assert sorted(STATES) == sorted(STATE_ORDER)
    assert OCCASIONAL == ("esp_null",)
    assert [key for key, _, _ in legend_entries()] == [k for k in STATE_ORDER if k not in OCCASIONAL]
    assert [key for key, _, _ in legend_entries({"esp_null", "clear"})] == list(STATE_ORDER)


def test_every_state_has_a_distinct_shape_name_and_outline():
    """No two states share a shape, so the shape alone carries the state (greyscale, colour blindness)."""
    shapes = [STATES[k].shape for k in STATE_ORDER]
    assert len(set(shapes)) == len(shapes)
    outlines = [tuple(map(tuple, marker_path(k).vertices.round(3))) for k in STATE_ORDER]
    assert len(set(outlines)) == len(outlines)


def test_states_use_the_okabe_ito_palette_with_distinct_looks():
    """Colours come from the colour-blind-safe Okabe-Ito palette, one per state, except that readable
    ESP keeps ESP's colour and is told apart by its fill (hollow: readable) as well as its shape."""
    colours = [STATES[k].colour for k in STATE_ORDER if k != "esp_null"]
    assert set(colours) | {STATES["esp_null"].colour} <= set(OKABE_ITO.values())
    assert len(set(colours)) == len(colours)
    looks = [(STATES[k].fill, STATES[k].edge) for k in STATE_ORDER]
    assert len(set(looks)) == len(looks)
    assert STATES["esp_null"].colour == STATES["esp"].colour and STATES["esp_null"].hollow


def test_readable_esp_is_an_open_padlock_with_its_own_trail():
    """ESP with NULL encryption: the padlock with its shackle raised and open on the right (the right leg
    stops above the body), and a dash pattern no other state uses."""
    body, shackle = STATES["esp_null"].polygons
    assert STATES["esp_null"].shape == "open padlock"
    body_top = max(y for _, y in body)
    right_leg = [y for x, y in shackle if x > 0.15]
    left_leg = [y for x, y in shackle if x < -0.15]
    assert min(left_leg) <= body_top < min(right_leg) - 0.3
    dashes = [STATES[k].dash for k in STATE_ORDER if STATES[k].dash]
    assert len(set(dashes)) == len(dashes)


def test_esp_is_a_padlock_and_drop_is_a_cross():
    """The two states the course talks about most have the glyphs the issue asks for."""
    assert STATES["esp"].shape == "padlock" and len(STATES["esp"].polygons) == 2
    assert STATES["drop"].shape == "cross"


def test_clear_text_is_hollow_and_protected_is_filled():
    """Fill is a second cue beside shape: clear text open, ESP solid."""
    assert STATES["clear"].hollow and STATES["clear"].fill == "#ffffff"
    assert not STATES["esp"].hollow and STATES["esp"].fill == STATES["esp"].colour


def test_every_wire_kind_maps_to_a_state_and_every_kind_to_a_filter():
    """Each packet kind on the wire has a drawing state; each trace kind sits under one list filter."""
    from labsim.engine import KINDS
    assert set(KIND_STATE) == {"clear", "esp", "ike", "dns", "dhcp"}
    filtered = [kind for _, _, kinds in FILTERS for kind in kinds]
    assert sorted(filtered) == sorted(KINDS)


def _glyph_patches(fig, state):
    """The PathPatches drawn with ``state``'s fill and edge colours."""
    from matplotlib.colors import to_rgba
    fill, edge = to_rgba(state.fill), to_rgba(state.edge)
    return [p for p in fig.axes[0].patches if isinstance(p, PathPatch)
            and np.allclose(p.get_facecolor(), fill) and np.allclose(p.get_edgecolor(), edge)]


@pytest.mark.parametrize("key", STATE_ORDER)
def test_the_drawn_legend_shows_each_state_in_its_own_shape(key):
    """In a rendered topology, the legend glyph of each state has that state's outline, scaled
    (an occasional state's when the picture draws it)."""
    fig, _ = topology_figure(run("fig1").world, "fig1", shown={key})
    state = STATES[key]
    unit = np.array([pt for poly in state.polygons for pt in (*poly, poly[0])])
    matches = []
    for patch in _glyph_patches(fig, state):
        verts = patch.get_path().vertices
        if len(verts) != len(unit):
            continue
        centre = (verts.max(axis=0) + verts.min(axis=0)) / 2 - (unit.max(axis=0) + unit.min(axis=0)) / 2 * \
            (np.ptp(verts[:, 0]) / np.ptp(unit[:, 0]))
        scaled = (verts - centre) / (np.ptp(verts[:, 0]) / np.ptp(unit[:, 0]))
        if np.allclose(scaled, unit, atol=1e-3):
            matches.append(patch)
    assert matches, f"no legend glyph drawn in the shape of {key}"
