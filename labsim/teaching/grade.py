"""Grade students' notebooks: the grader judges each answer itself; printed verdicts count for nothing.

``python -m labsim grade SUBMISSION.ipynb`` (or a folder of them):

1. The exercises a notebook has come from the course's own source (``notebooks/source/NN_*.py``:
   every ``qN.check(...)`` call there), never from the submission, so a deleted or edited check
   cell counts as not done.
2. The submission runs in a fresh kernel, in a temporary folder the grader makes for it (its
   working folder and ``HOME``); a hook installed before the first cell refuses writes outside
   that folder, new processes and signals to other processes
   (:data:`~labsim.teaching.submission.SANDBOX`). Errors in one cell do not stop the rest; a
   per-notebook time limit stops an endless loop.
3. After each cell that calls ``qN.check(EXPR)``, the grader asks the kernel for the value of
   ``EXPR`` through the Jupyter protocol's ``user_expressions`` (a reply to the grader's own
   request, which nothing a cell prints can reach), as a plain value (text, number, dict, set ...).
4. The grader then runs the exercise's check on that value in its own process, with the exercise
   imported fresh from the installed labsim (:meth:`~labsim.teaching.checks.Exercise.judge`).
5. A submission whose cells replace or patch the checks or the simulator is reported as
   tampered (from its cells' code and from a probe of the kernel's labsim after the run), and
   none of its exercises passes.

Reflection answers (markdown cells tagged ``reflection``) are collected by cell id. Running a
submission runs another person's code: see the README, *For instructors*.
"""

from __future__ import annotations

import ast
import json
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import LabsimError
from .submission import (CHECK_ID, _python, arguments_value, check_calls, compare_probes, decode, grader_probe,
                         run_submission, tampering_in)


@dataclass
class Mark:
    exercise: str
    passed: bool
    feedback: str
    status: str = "graded"      # graded, not done, tampered
    answer: str | None = None   # the value the grader judged, as Python text


@dataclass
class Reflection:
    id: str
    question: str
    answer: str
    status: str                 # answered, not answered, missing


@dataclass
class Report:
    file: str
    student: str
    notebook: str | None = None
    status: str = "graded"      # graded, tampered, error
    error: str | None = None
    tampering: list[str] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    reflections: list[Reflection] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def score(self) -> int:
        return sum(m.passed for m in self.marks)


# --- what the course expects, from notebooks/source ------------------------------------------


@dataclass
class Expected:
    stem: str
    exercises: list[str]
    modules: dict[str, str]
    reflections: list[tuple[str, str, str]]   # (cell id, question, placeholder)


def shown(args: tuple, kwargs: dict) -> str:
    """The answer as the student wrote it: ``'blocked'``, or every argument when there are several."""
    if len(args) == 1 and not kwargs:
        return repr(args[0])
    return ", ".join([repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()])


def expected(source: Path) -> Expected:
    """The exercises (and their modules) and the reflections of one course notebook, from its source."""
    from .build import make_notebook
    nb = make_notebook(source, "student")
    exercises, modules, reflections, previous = [], {}, [], ""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            if "reflection" in cell.get("metadata", {}).get("tags", []):
                reflections.append((cell.id, previous, cell.source.strip()))
            previous = cell.source.strip()
            continue
        tree = _python(cell.source)
        for stmt in ast.walk(tree) if tree else []:
            if isinstance(stmt, ast.ImportFrom) and (stmt.module or "").startswith("labsim.teaching.nb"):
                for alias in stmt.names:
                    if CHECK_ID.match(alias.name):
                        modules[alias.asname or alias.name] = (stmt.module, alias.name)
        for q, _ in check_calls(cell.source):
            if q not in exercises:
                exercises.append(q)
    missing = [q for q in exercises if q not in modules]
    if missing:
        raise LabsimError(f"{source}: {missing[0]} is checked but not imported from a labsim.teaching.nbNN module")
    return Expected(source.stem, exercises, {q: modules[q] for q in exercises}, reflections)


def exercise_object(where: tuple[str, str]):
    """The exercise as the installed labsim defines it, imported in the grader's own process."""
    import importlib
    module, name = where
    return getattr(importlib.import_module(module), name)


def course_sources(root: Path) -> list[Path]:
    return sorted((Path(root) / "source").glob("[0-9][0-9]_*.py"))


def which_notebook(path: Path, nb, sources: list[Path], forced: str | None = None) -> Path:
    """The course source a submission answers: ``forced``, else its file name, else its metadata."""
    stems = [s.stem for s in sources]
    if forced:
        chosen = [s for s in sources if s.stem == forced or s.stem.startswith(forced + "_")]
        if not chosen:
            from ..errors import UnknownChoice
            raise UnknownChoice("notebook", forced, stems)
        return chosen[0]
    for s in sources:
        if s.stem in path.stem:
            return s
    meta = (nb.get("metadata", {}) if nb is not None else {}).get("labsim", {}).get("notebook")
    for s in sources:
        if meta == s.stem:
            return s
    raise LabsimError(f"cannot tell which course notebook {path.name!r} is: name it after one of "
                      f"{', '.join(stems)} (e.g. alice/{stems[0]}.ipynb) or pass --notebook")


def _feedback(text: str) -> str:
    return re.sub(r"^\[\w+\] (Correct|Not yet)\. ?", "", text.strip())


def grade(path: Path, root: Path = Path("notebooks"), timeout: float = 600, notebook: str | None = None,
          student: str | None = None) -> Report:
    """Grade one submission against the course in ``root`` (its ``source`` folder)."""
    import nbformat
    path = Path(path)
    report = Report(file=str(path), student=student or path.stem)
    started = time.monotonic()
    sources = course_sources(root)
    if not sources:
        raise LabsimError(f"no course sources in {Path(root) / 'source'}: pass --root, the course's notebooks folder")
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as exc:   # noqa: BLE001 - any unreadable file is reported, not raised
        nb, report.status = None, "error"
        report.error = f"cannot read the notebook: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    try:
        source = which_notebook(path, nb, sources, notebook)
    except LabsimError as exc:
        report.status, report.error = "error", report.error or str(exc)
        return report
    expect = expected(source)
    report.notebook = source.stem
    answers, errors, probe, present = {}, {}, {}, set()
    if nb is not None:
        code = [c.source for c in nb.cells if c.cell_type == "code"]
        present = {q for cell in code for q, _ in check_calls(cell)}
        report.tampering = tampering_in(code, expect.exercises)
        answers, errors, probe, fatal = run_submission(nb, expect.modules, timeout)
        if fatal:
            report.status, report.error = "error", fatal
        if "error" in probe:
            report.tampering.append(probe["error"])
        elif probe:
            report.tampering += compare_probes(probe["where"], grader_probe(probe["modules"]))
        if report.tampering and report.status != "error":
            report.status = "tampered"
        report.reflections = reflections(nb, expect)
    for q in expect.exercises:
        if nb is None:
            report.marks.append(Mark(q, False, "not done: the notebook could not be read", "not done"))
            continue
        report.marks.append(_mark(q, expect, answers, errors, report, q in present))
    report.seconds = time.monotonic() - started
    return report


def _mark(q: str, expect: Expected, answers: dict, errors: dict, report: Report, present: bool) -> Mark:
    if not present:
        return Mark(q, False, f"not done: no {q}.check(...) cell in the submission (deleted or edited)", "not done")
    if q not in answers:
        why = f"the run stopped before it ({report.error})" if report.error else "its cell did not run"
        return Mark(q, False, f"not done: {why}", "not done")
    text, why = answers[q]
    if q in errors:
        return Mark(q, False, f"not done: its cell raised {errors[q]}", "not done")
    if text is None:
        return Mark(q, False, f"not done: the grader could not read the answer ({why})", "not done")
    try:
        args, kwargs = arguments_value(decode(json.loads(text)))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        return Mark(q, False, f"not done: the answer is not a plain value ({exc})", "not done")
    value = shown(args, kwargs)
    passed, said = exercise_object(expect.modules[q]).judge(*args, **kwargs)
    feedback = _feedback(said)
    if report.tampering:
        verdict = "would pass" if passed else "would not pass"
        return Mark(q, False, f"tampered: {report.tampering[0]}; the answer alone {verdict}", "tampered", value)
    return Mark(q, passed, feedback, "graded", value)


def reflections(nb, expect: Expected) -> list[Reflection]:
    """The submission's answer to each reflection: by cell id, else the n-th cell tagged ``reflection``."""
    by_id = {c.get("id"): c for c in nb.cells if c.cell_type == "markdown"}
    tagged = [c for c in nb.cells
              if c.cell_type == "markdown" and "reflection" in c.get("metadata", {}).get("tags", [])]
    found = []
    for n, (cell_id, question, placeholder) in enumerate(expect.reflections):
        cell = by_id.get(cell_id) or (tagged[n] if n < len(tagged) else None)
        if cell is None:
            found.append(Reflection(cell_id, question, "", "missing"))
        elif cell.source.strip() == placeholder:
            found.append(Reflection(cell_id, question, "", "not answered"))
        else:
            found.append(Reflection(cell_id, question, cell.source.strip(), "answered"))
    return found


# --- a folder of submissions --------------------------------------------------------------------


def submissions(folder: Path) -> list[Path]:
    return sorted(p for p in Path(folder).rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def student_of(path: Path, folder: Path) -> str:
    """``alice`` for ``folder/alice/03_x.ipynb``; the file's name for ``folder/alice_03.ipynb``."""
    rel = path.relative_to(folder)
    return rel.parts[0] if len(rel.parts) > 1 else path.stem


def grade_folder(folder: Path, root: Path, timeout: float, notebook: str | None = None, progress=None) -> list[Report]:
    paths = submissions(folder)
    reports = []
    for number, path in enumerate(paths, start=1):
        if progress:
            progress(number - 1, len(paths), str(path.relative_to(folder)))
        try:
            reports.append(grade(path, root, timeout, notebook, student_of(path, folder)))
        except LabsimError as exc:
            reports.append(Report(str(path), student_of(path, folder), status="error", error=str(exc)))
    if progress:
        progress(len(paths), len(paths), "done")
    return reports


# --- output -------------------------------------------------------------------------------------


def table(report: Report, name: str | None = None) -> str:
    name = name or Path(report.file).name
    if report.notebook is None:
        return f"{name}: not graded: {report.error}"
    lines = [f"{name} (notebook {report.notebook}): {report.score}/{len(report.marks)} exercises passed"]
    if report.status == "tampered":
        lines.append("TAMPERED: " + "; ".join(report.tampering[:5]) + (" ..." if len(report.tampering) > 5 else ""))
    if report.error:
        lines.append(f"ERROR: {report.error}")
    width = max([len("exercise")] + [len(m.exercise) for m in report.marks])
    lines += ["", f"{'exercise':<{width}}  passed  feedback"]
    for m in report.marks:
        first = m.feedback.splitlines()[0] if m.feedback else ""
        feedback = first if len(first) <= 90 else first[:89] + "…"
        lines.append(f"{m.exercise:<{width}}  {'yes' if m.passed else 'no':<6}  {feedback}")
    if report.reflections:
        lines += ["", "reflections"]
        for r in report.reflections:
            question = r.question.splitlines()[-1] if r.question else r.id
            lines.append(f"- {question}")
            lines.append(f"  {r.answer if r.status == 'answered' else '(' + r.status + ')'}")
    return "\n".join(lines)


def as_json(report: Report) -> dict:
    data = asdict(report)
    data["score"], data["out_of"] = report.score, len(report.marks)
    data["seconds"] = round(report.seconds, 1)
    return data


CSV_COLUMNS = ("student", "notebook", "file", "item", "kind", "passed", "status", "detail")


def csv_rows(reports: list[Report]):
    for r in reports:
        if r.error and not r.marks:
            yield (r.student, r.notebook or "", r.file, "", "error", "", "error", r.error)
            continue
        for m in r.marks:
            yield (r.student, r.notebook, r.file, m.exercise, "exercise", "yes" if m.passed else "no", m.status,
                   m.feedback.splitlines()[0] if m.feedback else "")
        for ref in r.reflections:
            yield (r.student, r.notebook, r.file, ref.id, "reflection", "", ref.status, ref.answer)
        if r.error:
            yield (r.student, r.notebook, r.file, "", "error", "", "error", r.error)
