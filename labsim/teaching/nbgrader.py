"""The course as an nbgrader course: ``python -m labsim export-nbgrader DIR``.

Writes ``DIR/source/<assignment>/<assignment>.ipynb`` (one assignment per course notebook) and
``DIR/nbgrader_config.py``, from the same sources as the student and instructor versions:

- an exercise's answer lines become an nbgrader *solution* cell: the student's stub stays, the
  worked answer goes between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (which
  ``nbgrader generate_assignment`` removes);
- its ``qN.check(...)`` becomes a locked, autograded *test* cell worth points: the visible check
  gives the student feedback, and a hidden test (``### BEGIN HIDDEN TESTS``) that only
  ``nbgrader autograde`` runs records the answer with :func:`hidden_test`;
- each reflection cell becomes a manually graded answer cell.

The verdict is not taken from the student's kernel: ``nbgrader_config.py`` adds
:class:`JudgeAnswers` to ``nbgrader autograde``. It runs in nbgrader's own process, reads the
answer the hidden test recorded, runs the exercise's check on it itself (labsim imported fresh
there) and gives the cell an error, hence zero points, unless its own check passes. Printing
"Correct", replacing ``q1.check`` or patching labsim in the kernel cannot raise a score.
"""

from __future__ import annotations

import ast
import hashlib
import json
from pathlib import Path

from ..errors import LabsimError
from .submission import arguments_value, check_calls, decode
from .source import _marker, parse_source

MIME = "application/vnd.labsim.answer+json"
SCHEMA = 3
STUB = "# (replace the ... above with your answer)"

CONFIG = '''"""nbgrader's configuration for the labsim course (written by python -m labsim export-nbgrader).

Run nbgrader's own commands in this folder: generate_assignment, collect or zip_collect,
autograde, generate_feedback. labsim must be installed where nbgrader and its kernels run.
"""

from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, Execute, IgnorePattern,
                                    LimitOutput, SaveAutoGrades)

from labsim.teaching.nbgrader import JudgeAnswers

c = get_config()  # noqa: F821 - nbgrader provides it

c.CourseDirectory.course_id = {course!r}
# The student's stub stays above the solution region; nbgrader puts this line in its place.
c.ClearSolutions.code_stub = {{"python": {stub!r}}}
# After running a submission, labsim judges each recorded answer itself (in this process, not
# in the student's kernel) before nbgrader saves the grades.
c.Autograde.autograde_preprocessors = [
    Execute, JudgeAnswers, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
    AssignLatePenalties, CheckCellMetadata,
]
c.Execute.timeout = {timeout}
'''


# --- in the student's kernel (hidden tests) -----------------------------------------------------


def encode(value) -> str:
    """The answer as tagged JSON, plain values only (the grader's :func:`~labsim.teaching.grade.decode` reads it)."""
    from .submission import _ENCODER
    namespace: dict = {}
    exec(_ENCODER.format(name="encode"), namespace)   # noqa: S102 - our own text
    return namespace["encode"](value)


def hidden_test(module: str, name: str, *args, **kwargs) -> None:
    """The hidden test of one exercise: record the answer for :class:`JudgeAnswers`, then check it here too.

    The check here only lets ``nbgrader autograde`` run without labsim's preprocessor and
    still mark a wrong answer wrong; the grade comes from :class:`JudgeAnswers`.
    """
    import importlib

    from IPython.display import display
    exercise = f"{module}.{name}"
    try:
        record = {"exercise": exercise, "answer": encode((args, kwargs))}
    except TypeError as exc:
        record = {"exercise": exercise, "answer": None, "why": str(exc)}
    display({MIME: record, "text/plain": f"labsim: the answer to {name} is recorded for the grader"}, raw=True)
    if record["answer"] is None:
        raise AssertionError(record["why"])
    passed, said = getattr(importlib.import_module(module), name).judge(*args, **kwargs)
    assert passed, said.strip().splitlines()[0]


# --- in nbgrader's process (autograde) ----------------------------------------------------------


def hidden_call(source: str) -> tuple[str, str] | None:
    """``(module, name)`` of the ``hidden_test(...)`` call in a test cell's (trusted, restored) source."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "hidden_test"
                and len(node.args) >= 2 and all(isinstance(a, ast.Constant) for a in node.args[:2])):
            return node.args[0].value, node.args[1].value
    return None


def judge_record(module: str, name: str, outputs) -> tuple[bool, str]:
    """Judge, in this process, the last answer recorded for ``module.name`` among a cell's outputs."""
    import importlib
    records = [o["data"][MIME] for o in outputs
               if o.get("output_type") in ("display_data", "execute_result") and MIME in o.get("data", {})]
    records = [r for r in records if isinstance(r, dict) and r.get("exercise") == f"{module}.{name}"]
    if not records or not isinstance(records[-1].get("answer"), str):
        return False, "no answer reached the grader (the hidden test did not run to the end)"
    try:
        args, kwargs = arguments_value(decode(json.loads(records[-1]["answer"])))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        return False, f"the recorded answer is not a plain value ({exc})"
    passed, said = getattr(importlib.import_module(module), name).judge(*args, **kwargs)
    return passed, said.strip().splitlines()[0] if said.strip() else ""


from nbconvert.preprocessors import Preprocessor   # noqa: E402 - nbconvert comes with Jupyter
from traitlets import Bool   # noqa: E402


class JudgeAnswers(Preprocessor):
    """nbgrader autograde step: labsim's own verdict on each recorded answer decides the test cell.

    A cell whose answer fails the check here (or whose answer never arrived) gets an error output,
    which nbgrader scores as zero; a kernel's ``execute_result`` (nbgrader's partial credit) is
    dropped, so the kernel cannot award itself points.
    """

    #: nbconvert runs a preprocessor only when it is enabled; this one always must be
    enabled = Bool(True)

    def preprocess_cell(self, cell, resources, index):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") != "code" or not meta.get("grade") or meta.get("solution"):
            return cell, resources
        call = hidden_call(cell.get("source", ""))
        if call is None:
            return cell, resources
        passed, said = judge_record(*call, cell.get("outputs", []))
        cell.outputs = [o for o in cell.outputs if o.get("output_type") != "execute_result"]
        if not passed:
            from nbformat.v4 import new_output
            said = f"labsim's grader: {meta.get('grade_id') or call[1]} is not passed: {said}"
            cell.outputs.append(new_output("error", ename="AssertionError", evalue=said,
                                           traceback=[f"AssertionError: {said}"]))
        return cell, resources


# --- export --------------------------------------------------------------------------------------


def _nbgrader(grade_id: str, *, solution: bool, grade: bool, points: float = 0, locked: bool = False) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA,
            "solution": solution, "task": False}
    if grade:
        meta["points"] = points
    return meta


def _split_answer_cell(cell) -> tuple[list[str], list[str]]:
    """An exercise's source cell as (answer lines, check lines), markers turned into nbgrader's.

    The student's stub is put before the solution region, so that the released cell keeps it
    and the student replaces its ``...``.
    """
    segments: list[list] = []   # [kind, lines]: plain, solution, stub, check
    kind = "plain"
    for line in cell.lines:
        marker = _marker(line)
        if marker:
            kind = marker.split()[1].lower() if marker.startswith("BEGIN") else "plain"
            if kind != "plain":
                segments.append([kind, []])
            continue
        if kind == "plain" and (check_calls(line) or (segments and segments[-1][0] == "check")):
            kind = "check"
        if not segments or segments[-1][0] != kind:
            segments.append([kind, []])
        segments[-1][1].append(line)
    for i in range(1, len(segments)):
        if segments[i][0] == "stub" and segments[i - 1][0] == "solution":
            segments[i - 1], segments[i] = segments[i], segments[i - 1]
    answer, check = [], []
    for kind, lines in segments:
        if kind == "solution":
            answer += ["### BEGIN SOLUTION", *lines, "### END SOLUTION"]
        elif kind == "check":
            check += lines
        else:
            answer += lines
    return answer, check


def export_notebook(source: Path, points: float = 1, reflection_points: float = 1):
    """The nbgrader source notebook of one course notebook."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    from .build import KERNELSPEC
    from .grade import expected
    expect = expected(source)
    cells = []
    for index, cell in enumerate(parse_source(source.read_text(), str(source))):
        cell_id = hashlib.sha1(f"{source.stem}/{index}".encode()).hexdigest()[:12]
        tags = {"tags": list(cell.tags)} if cell.tags else {}
        if cell.kind == "markdown":
            if "reflection" in cell.tags:
                text = cell.render("solution")
                cells.append(new_markdown_cell(text, id=cell_id, metadata={**tags, "nbgrader": _nbgrader(
                    f"reflection_{cell_id}", solution=True, grade=True, points=reflection_points)}))
            elif cell.render("student").strip():
                cells.append(new_markdown_cell(cell.render("student"), id=cell_id, metadata=tags))
            continue
        text = cell.render("student")
        calls = check_calls(cell.render("solution"))
        if not cell.has_solution() and not calls:
            if text.strip():
                cells.append(new_code_cell(text, id=cell_id, metadata=tags))
            continue
        answer, check = _split_answer_cell(cell)
        answer_text = "\n".join(answer).strip("\n")
        if cell.has_solution() and answer_text.strip():
            name = calls[0][0] if calls else f"cell{index}"
            cells.append(new_code_cell(answer_text, id=cell_id, metadata={**tags, "nbgrader": _nbgrader(
                f"{name}_answer", solution=True, grade=False)}))
        if calls:
            q, expr = calls[-1]
            if q not in expect.modules:
                raise LabsimError(f"{source}: {q}.check is called but {q} is not imported from labsim.teaching.nbNN")
            module, attr = expect.modules[q]
            hidden = ["### BEGIN HIDDEN TESTS", "from labsim.teaching.nbgrader import hidden_test",
                      f"hidden_test({module!r}, {attr!r}, {expr})", "### END HIDDEN TESTS"]
            cells.append(new_code_cell("\n".join(["\n".join(check).strip("\n")] + hidden),
                                       id=hashlib.sha1(f"{source.stem}/{index}/test".encode()).hexdigest()[:12],
                                       metadata={**tags, "nbgrader": _nbgrader(q, solution=False, grade=True,
                                                                               points=points, locked=True)}))
    nb = new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC, "language_info": {"name": "python"},
                                             "labsim": {"notebook": source.stem, "version": "nbgrader"}})
    nb.nbformat_minor = 5
    nbformat.validate(nb)
    return nb


def export(root: Path, out: Path, names: list[str] | None = None, course: str = "ipsec-lab", points: float = 1,
           timeout: int = 300, log=print) -> list[Path]:
    """Write the nbgrader course directory ``out`` from the course sources in ``root``."""
    import nbformat

    from .build import sources
    out = Path(out)
    written = []
    for source in sources(Path(root), names):
        target = out / "source" / source.stem / f"{source.stem}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(export_notebook(source, points), str(target))
        written.append(target)
        log(f"wrote {target}")
    config = out / "nbgrader_config.py"
    config.write_text(CONFIG.format(course=course, stub=STUB, timeout=int(timeout)))
    written.append(config)
    log(f"wrote {config}")
    return written


__all__ = ["export", "export_notebook", "hidden_test", "JudgeAnswers"]
