"""Grade a student's notebook: execute it, then read each check's verdict.

``python -m labsim grade SUBMISSION.ipynb`` runs the notebook top to bottom in a fresh
kernel (errors in one cell do not stop the rest), finds every ``[qN] Correct.`` or
``[qN] Not yet.`` line the checks printed, and prints a table: exercise, passed, feedback.
An exercise whose check never printed (its cell failed or was deleted) counts as not done.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import LabsimError

VERDICT = re.compile(r"^\[(?P<id>q\d+)\] (?P<verdict>Correct|Not yet)\.\s*(?P<text>.*)$")


@dataclass
class Mark:
    exercise: str
    passed: bool
    feedback: str


def _outputs_text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif out.get("output_type") == "error":
            parts.append(f"[error] {out.get('ename')}: {out.get('evalue')}")
    return "".join(parts)


def expected_exercises(nb) -> list[str]:
    """The exercises a notebook's solution version checks (q1, q2, ...), from its source."""
    found = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            found += re.findall(r"\b(q\d+)\.check\(", cell.source)
    return sorted(set(found), key=lambda q: int(q[1:]))


def marks_from(nb) -> list[Mark]:
    seen: dict[str, Mark] = {}
    errors: dict[str, str] = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        text = _outputs_text(cell)
        for line in text.splitlines():
            m = VERDICT.match(line.strip())
            if m:
                seen[m["id"]] = Mark(m["id"], m["verdict"] == "Correct", m["text"])
        for q in re.findall(r"\b(q\d+)\.check\(", cell.source):
            if q not in seen and "[error]" in text:
                errors[q] = text[text.index("[error]"):].splitlines()[0]
    marks = []
    for q in expected_exercises(nb):
        marks.append(seen.get(q) or Mark(q, False, errors.get(q, "not done: the check did not run")))
    return marks


def grade(path: Path, timeout: int = 300) -> list[Mark]:
    import nbformat
    from nbclient import NotebookClient
    path = Path(path)
    try:
        nb = nbformat.read(str(path), as_version=4)
    except (OSError, ValueError, json.JSONDecodeError) as exc:
        raise LabsimError(f"cannot read notebook {str(path)!r}: {exc}") from None
    nb = copy.deepcopy(nb)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            record_timing=False, resources={"metadata": {"path": str(path.parent.resolve())}})
    client.execute()
    return marks_from(nb)


def table(marks: list[Mark], name: str) -> str:
    width = max([len("exercise")] + [len(m.exercise) for m in marks])
    lines = [f"{name}: {sum(m.passed for m in marks)}/{len(marks)} exercises passed", "",
             f"{'exercise':<{width}}  passed  feedback"]
    for m in marks:
        feedback = m.feedback if len(m.feedback) <= 90 else m.feedback[:89] + "…"
        lines.append(f"{m.exercise:<{width}}  {'yes' if m.passed else 'no':<6}  {feedback}")
    return "\n".join(lines)


def as_json(marks: list[Mark]) -> list[dict]:
    return [asdict(m) for m in marks]
