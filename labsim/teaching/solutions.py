"""Worked solutions: kept out of the package, copied beside the student notebooks only in self-study mode.

The source of truth is ``notebooks/source/solutions.toml``, one table per exercise::

    ["03.q1"]
    text = '''impersonated. pc-c's certificate is genuine ...'''

``python -m labsim build-notebooks`` (``--mode self-study``, the default) writes
``notebooks/solutions.json`` next to the student notebooks, and ``qN.solution()`` reads it
from the kernel's working folder (the notebook's folder). ``--mode graded`` writes none and
removes a stale one, so no solution is reachable from the student's files or kernel.

>>> key_for("03", "q1")
'03.q1'
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from ..errors import LabsimError, UnknownChoice

MODES = ("self-study", "graded")
JSON_NAME = "solutions.json"
TOML_NAME = "solutions.toml"
_MODULE = re.compile(r"^labsim\.teaching\.nb(?P<nn>\d\d)$")


def key_for(notebook: str, exercise: str) -> str:
    """The table name of one exercise: ``NN.qN`` (``notebook`` may be ``03`` or ``03_identifier_mismatch``)."""
    return f"{notebook[:2]}.{exercise}"


def load_toml(path: Path) -> dict[str, str]:
    """``{"03.q1": text, ...}`` from a solutions.toml; errors name the file and the bad table."""
    try:
        import tomllib
    except ModuleNotFoundError:   # Python 3.10
        import tomli as tomllib
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LabsimError(f"cannot read the solutions file {str(path)!r}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise LabsimError(f"{path} is not valid TOML: {exc}") from None
    texts = {}
    for key, table in data.items():
        if not re.fullmatch(r"\d\d\.\w+", key) or not isinstance(table, dict) or not isinstance(table.get("text"), str):
            raise LabsimError(f"{path}: table [{key!r}] must be named like \"03.q1\" and hold text = \"...\"")
        texts[key] = table["text"]
    return texts


def write_for_mode(root: Path, mode: str) -> Path | None:
    """Write (self-study) or remove (graded) ``root/solutions.json``; return the path written, if any."""
    if mode not in MODES:
        raise UnknownChoice("mode", mode, MODES)
    target = Path(root) / JSON_NAME
    if mode == "graded":
        target.unlink(missing_ok=True)
        return None
    source = Path(root) / "source" / TOML_NAME
    texts = load_toml(source) if source.exists() else {}
    target.write_text(json.dumps({"mode": mode, "solutions": texts}, indent=1, sort_keys=True) + "\n",
                      encoding="utf-8")
    return target


def expected_json(root: Path) -> str | None:
    """What ``solutions.json`` should hold for the current solutions.toml (None without one)."""
    source = Path(root) / "source" / TOML_NAME
    if not source.exists():
        return None
    return json.dumps({"mode": "self-study", "solutions": load_toml(source)}, indent=1, sort_keys=True) + "\n"


def notebook_of(exercise) -> str | None:
    """The two-digit notebook whose module (``labsim.teaching.nbNN``) defines this very exercise object."""
    for name, module in list(sys.modules.items()):
        match = _MODULE.match(name)
        if match and any(value is exercise for value in vars(module).values()):
            return match["nn"]
    return None


def find_json(start: Path | None = None) -> Path | None:
    """``solutions.json`` in the kernel's folder (where Jupyter starts a notebook's kernel)."""
    here = Path.cwd() if start is None else Path(start)
    candidate = here / JSON_NAME
    return candidate if candidate.is_file() else None


def lookup(exercise) -> tuple[str, str | None]:
    """``(status, text)``: status is ``ok``, ``graded`` (no solutions.json here) or ``missing``."""
    path = find_json()
    if path is None:
        return "graded", None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "graded", None
    texts = data.get("solutions", {}) if isinstance(data, dict) else {}
    key = getattr(exercise, "key", "")   # set by checks.bind for the course's exercises
    if not key:
        notebook = notebook_of(exercise)
        key = key_for(notebook, exercise.id) if notebook else None
    text = texts.get(key) if key else None
    return ("ok", text) if isinstance(text, str) else ("missing", None)
