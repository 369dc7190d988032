"""One source per notebook, two versions: the student's (stubs) and the instructor's (solutions).

Sources live in ``notebooks/source/NN_name.py`` in the "percent" format editors know::

    # %% [markdown]
    # ## Exercise 1
    # Predict the outcome.
    # %% tags=["nbval-ignore-output"]
    labsim.panel("fig1")
    # %%
    # BEGIN SOLUTION
    answer = "exposed"
    # END SOLUTION
    # BEGIN STUB
    answer = ...   # one of: protected, clear, exposed, impersonated, blocked
    # END STUB
    q1.check(answer)

Lines between ``BEGIN SOLUTION`` and ``END SOLUTION`` appear only in the instructor version;
lines between ``BEGIN STUB`` and ``END STUB`` only in the student version. The markers work
in markdown cells too (for worked explanations). A cell that ends up empty is dropped.

>>> cells = parse_source('# %% [markdown]\\n# Hi\\n# %%\\n# BEGIN SOLUTION\\nx = 1\\n# END SOLUTION\\n# BEGIN STUB\\nx = ...\\n# END STUB\\n')
>>> [c.render("student") for c in cells], [c.render("solution") for c in cells]
(['Hi', 'x = ...'], ['Hi', 'x = 1'])
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from ..errors import LabsimError

VERSIONS = ("student", "solution")
_HEADER = re.compile(r"^# %%(?P<md> \[markdown\])?(?:\s+tags=(?P<tags>\[.*\]))?\s*$")
_MARKERS = {"BEGIN SOLUTION", "END SOLUTION", "BEGIN STUB", "END STUB"}


class SourceError(LabsimError):
    pass


@dataclass
class SourceCell:
    kind: str                       # "code" or "markdown"
    lines: list[str]
    tags: list[str] = field(default_factory=list)
    line_no: int = 0

    def render(self, version: str) -> str:
        """The cell's text in ``version`` (student or solution), markers removed."""
        keep, out, mode = True, [], None
        for line in self.lines:
            marker = _marker(line)
            if marker:
                if marker.startswith("BEGIN"):
                    mode = marker.split()[1]
                    keep = (mode == "SOLUTION") == (version == "solution")
                else:
                    mode, keep = None, True
                continue
            if keep:
                out.append(line)
        text = "\n".join(out).strip("\n")
        return text

    def has_solution(self) -> bool:
        return any(_marker(line) == "BEGIN SOLUTION" for line in self.lines)


def _marker(line: str) -> str | None:
    text = line.strip().lstrip("#").strip()
    if text.startswith("<!--") and text.endswith("-->"):
        text = text[4:-3].strip()
    return text if text in _MARKERS else None


def parse_source(text: str, name: str = "source") -> list[SourceCell]:
    cells: list[SourceCell] = []
    current: SourceCell | None = None
    for line_no, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            tags = []
            if header.group("tags"):
                try:
                    tags = json.loads(header.group("tags"))
                except json.JSONDecodeError:
                    raise SourceError(f"{name}, line {line_no}: tags must be a JSON list, e.g. "
                                      f'# %% tags=["nbval-ignore-output"]') from None
            current = SourceCell("markdown" if header.group("md") else "code", [], tags, line_no)
            cells.append(current)
            continue
        if current is None:
            if line.strip():
                raise SourceError(f"{name}, line {line_no}: text before the first '# %%' cell header")
            continue
        if current.kind == "markdown":
            if line.startswith("# "):
                line = line[2:]
            elif line.strip() == "#":
                line = ""
        current.lines.append(line)
    _check_markers(cells, name)
    return cells


def _check_markers(cells: list[SourceCell], name: str) -> None:
    for cell in cells:
        open_marker = None
        for offset, line in enumerate(cell.lines, start=1):
            marker = _marker(line)
            if marker is None:
                continue
            if marker.startswith("BEGIN"):
                if open_marker:
                    raise SourceError(f"{name}, line {cell.line_no + offset}: {marker} inside {open_marker}")
                open_marker = marker
            else:
                if open_marker != "BEGIN " + marker.split()[1]:
                    raise SourceError(f"{name}, line {cell.line_no + offset}: {marker} without its BEGIN")
                open_marker = None
        if open_marker:
            raise SourceError(f"{name}, cell at line {cell.line_no}: {open_marker} is never closed")
