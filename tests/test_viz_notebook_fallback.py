"""Every panel of the committed notebooks shows its picture and verdict before anything runs.

Reads the notebooks' JSON as GitHub, nbviewer or an untrusted JupyterLab gets it (no kernel):
each code cell that calls ``panel(`` must have a saved output holding the fallback HTML (the
verdict in words and the picture as an SVG image) beside the widget view, and the notebook
must keep no widget state for the panel (so nbconvert and nbviewer render the HTML instead of
an empty widget). Student and instructor notebooks alike; ``python -m labsim build-notebooks``
writes them. The verdict shown is the one ``labsim.run`` gives for the panel's scenario and
literal arguments.
"""

import ast
import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

import labsim

ROOT = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(ROOT.glob("0*.ipynb")) + sorted((ROOT / "solutions").glob("0*.ipynb"))
VIEW = "application/vnd.jupyter.widget-view+json"


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else (value or "")


def _panel_calls(source: str):
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "panel":
            yield node


def _expected_outcome(call) -> str | None:
    """The outcome labsim.run gives for a panel call whose arguments are all literals (else None)."""
    try:
        scenario = ast.literal_eval(call.args[0])
        kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    except (ValueError, IndexError, TypeError):
        return None
    initial = kwargs.pop("initial", None) or {}
    run_args = {k: kwargs.pop(k) for k in ("spd", "pad", "seed") if k in kwargs}
    kwargs.pop("autoplay", None)
    return labsim.run(scenario, {**initial, **kwargs}, **run_args).outcome


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_panel_cell_carries_its_fallback_picture_and_verdict(path):
    nb = json.loads(path.read_text())
    cells = [c for c in nb["cells"] if c["cell_type"] == "code" and re.search(r"\bpanel\(", _text(c["source"]))]
    if not cells:
        return      # a notebook without a panel (07) has nothing to show here
    state = nb.get("metadata", {}).get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    for cell in cells:
        source = _text(cell["source"])
        found = [o["data"] for o in cell.get("outputs", []) if 'class="labsim-fallback"' in _text(o.get("data", {}).get("text/html"))]
        assert len(found) == 1, f"{path.name}: {source!r} has {len(found)} fallback outputs"
        data = found[0]
        html = _text(data["text/html"])
        assert VIEW in data, f"{path.name}: {source!r}: the live widget's view is missing"
        assert data[VIEW]["model_id"] not in state.get("state", {}), f"{path.name}: widget state kept for a panel"
        src = re.search(r'<img class="labsim-fallback-picture" alt="([^"]+)" src="data:image/svg\+xml,([^"]+)"', html)
        assert src, f"{path.name}: {source!r}: no picture"
        assert unquote(src.group(2)).startswith("<svg") and "lsp-topology" in unquote(src.group(2))
        verdict = re.search(r'data-outcome="(\w+)"', html).group(1)
        assert verdict.upper() in _text(data["text/plain"])
        expected = [_expected_outcome(call) for call in _panel_calls(source)]
        if expected and expected[0] is not None:
            assert verdict == expected[0], f"{path.name}: {source!r} shows {verdict}, labsim.run gives {expected[0]}"


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.name.startswith("02")], ids=lambda p: str(p.relative_to(ROOT)))
def test_nbconvert_as_nbviewer_uses_it_shows_the_fallback(path):
    """nbviewer renders with nbconvert's HTML exporter: with no widget state stored, it picks the
    fallback HTML (verdict and picture) over the widget view."""
    import nbformat
    from nbconvert import HTMLExporter
    html, _ = HTMLExporter().from_notebook_node(nbformat.read(str(path), as_version=4))
    pictures = re.findall(r'<img [^>]*class="labsim-fallback-picture"[^>]*>', html)
    assert html.count('class="labsim-fallback"') == len(pictures) >= 1
    assert all('src="data:image/svg+xml,' in p for p in pictures)
    assert "application/vnd.jupyter.widget-view+json" not in html
