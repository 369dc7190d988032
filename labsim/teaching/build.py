"""Build the course: each source becomes an executed student notebook and an instructor one.

``python -m labsim build-notebooks`` reads ``notebooks/source/*.py`` and writes
``notebooks/NN_name.ipynb`` (stubs, checks say "Not yet") and
``notebooks/solutions/NN_name.ipynb`` (worked solutions, checks say "Correct"), both executed
with their outputs, so they read well on GitHub and nbval can compare them.
``--check`` only verifies that the committed notebooks still match their sources.

``--mode`` picks how the student version is handed out (:data:`~labsim.teaching.solutions.MODES`):
``self-study`` (the default) also writes ``notebooks/solutions.json`` from
``notebooks/source/solutions.toml``, so ``qN.solution()`` shows a worked solution after two real
attempts; ``graded`` writes none (and removes an old one), so no solution is in the student's
files or kernel. Hints stay in both modes.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from ..errors import LabsimError
from ..viz.notebook import saved_panel_outputs
from .source import VERSIONS, parse_source

MAX_BYTES = 1_048_576
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def sources(root: Path, names: list[str] | None = None) -> list[Path]:
    found = sorted((root / "source").glob("[0-9][0-9]_*.py"))
    if names:
        chosen = [p for p in found if any(p.stem == n or p.stem.startswith(n + "_") for n in names)]
        missing = [n for n in names if not any(p.stem == n or p.stem.startswith(n + "_") for p in found)]
        if missing:
            from ..errors import UnknownChoice
            raise UnknownChoice("notebook", missing[0], [p.stem for p in found])
        return chosen
    return found


def target(root: Path, source: Path, version: str) -> Path:
    return (root / "solutions" if version == "solution" else root) / f"{source.stem}.ipynb"


def make_notebook(source: Path, version: str):
    """The unexecuted notebook for one version of one source."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    cells = []
    for index, cell in enumerate(parse_source(source.read_text(), str(source))):
        text = cell.render(version)
        if not text.strip():
            continue
        cell_id = hashlib.sha1(f"{source.stem}/{index}".encode()).hexdigest()[:12]
        metadata = {"tags": list(cell.tags)} if cell.tags else {}
        make = new_markdown_cell if cell.kind == "markdown" else new_code_cell
        cells.append(make(text, id=cell_id, metadata=metadata))
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": KERNELSPEC,
        "language_info": {"name": "python"},
        "labsim": {"notebook": source.stem, "version": version},
    })
    nb.nbformat_minor = 5
    nbformat.validate(nb)
    return nb


def stable_widget_ids(nb, stem: str):
    """Replace the random widget model ids a kernel makes with ones derived from the notebook's name.

    Rebuilding an unchanged notebook then gives an identical file, so its diff shows only real changes.
    """
    import json
    import re

    import nbformat
    state = nb.get("metadata", {}).get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    # The state keeps the kernel's creation order, which is deterministic; the ids are not.
    mapping = {old: hashlib.sha1(f"{stem}/widget/{i}".encode()).hexdigest()[:32]
               for i, old in enumerate(state.get("state", {}))}
    text = json.dumps(nb)
    if not mapping:
        return nb
    text = re.sub(r"[0-9a-f]{32}", lambda m: mapping.get(m.group(0), m.group(0)), text)
    return nbformat.from_dict(json.loads(text))


def execute(nb, cwd: Path, timeout: int = 300):
    from nbclient import NotebookClient
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return nb


def build(root: Path = Path("notebooks"), names: list[str] | None = None, run: bool = True,
          log=print, mode: str = "self-study") -> list[Path]:
    import nbformat

    from .solutions import write_for_mode
    root = Path(root)
    written = []
    # before the notebooks run, so that the kernels see the mode's files
    solutions = write_for_mode(root, mode)
    log(f"wrote {solutions} (self-study mode)" if solutions else
        f"graded mode: no {root / 'solutions.json'}, qN.solution() says it is not available")
    for source in sources(root, names):
        for version in VERSIONS:
            nb = make_notebook(source, version)
            out = target(root, source, version)
            out.parent.mkdir(parents=True, exist_ok=True)
            started = time.perf_counter()
            if run:
                execute(nb, out.parent)   # where nbval and grade run it too
                nb = stable_widget_ids(nb, source.stem)
                nb = saved_panel_outputs(nb)   # panels show their fallback picture until run
            nbformat.write(nb, str(out))
            size = out.stat().st_size
            log(f"wrote {out} ({size / 1024:.0f} KB, {time.perf_counter() - started:.1f} s)")
            if size > MAX_BYTES:
                raise LabsimError(f"{out} is {size} bytes; keep notebooks under 1 MB (drop large outputs)")
            written.append(out)
    return written + ([solutions] if solutions else [])


def stale(root: Path = Path("notebooks")) -> list[str]:
    """Notebooks whose cells no longer match their source (or are missing)."""
    import nbformat
    from .solutions import JSON_NAME, expected_json
    root = Path(root)
    problems = []
    want_json, have_json = expected_json(root), root / JSON_NAME
    if want_json is not None and have_json.exists() and have_json.read_text(encoding="utf-8") != want_json:
        problems.append(f"{have_json} does not match {root / 'source' / 'solutions.toml'} (run python -m labsim "
                        "build-notebooks)")
    for source in sources(root):
        for version in VERSIONS:
            out = target(root, source, version)
            if not out.exists():
                problems.append(f"{out} is missing (run python -m labsim build-notebooks)")
                continue
            want = make_notebook(source, version)
            have = nbformat.read(str(out), as_version=4)
            if [(c.cell_type, c.source, c.get("metadata", {}).get("tags", [])) for c in want.cells] != \
               [(c.cell_type, c.source, c.get("metadata", {}).get("tags", [])) for c in have.cells]:
                problems.append(f"{out} does not match {source} (run python -m labsim build-notebooks {source.stem})")
    return problems
