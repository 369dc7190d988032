"""labsim/teaching/grade.py: the grader judges each answer itself, so printing or patching earns nothing.

A small course (one source, two exercises borrowed from notebooks 00 and 01, one reflection) is
built in a temporary folder; each test writes a submission as a student would and grades it.
"""

import csv
import io
import json

import nbformat
import pytest

from labsim.cli import main
from labsim.teaching.build import make_notebook
from labsim.teaching.submission import check_calls

SOURCE = '''# %%
from labsim.teaching.nb01 import q1
from labsim.teaching.nb00 import q1 as q2
# %%
# BEGIN SOLUTION
answer = "blocked"
# END SOLUTION
# BEGIN STUB
answer = ...
# END STUB
q1.check(answer)
# %%
# BEGIN SOLUTION
answer = "clear"
# END SOLUTION
# BEGIN STUB
answer = ...
# END STUB
q2.check(answer)
# %% [markdown]
# **Reflection.** Why does host-a give up on server-b?
# %% [markdown] tags=["reflection"]
# *Your answer:* ...
'''
STEM = "09_demo"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course root (notebooks/source/09_demo.py) and its student and solution notebooks."""
    root = tmp_path_factory.mktemp("course")
    (root / "source").mkdir()
    (root / "source" / f"{STEM}.py").write_text(SOURCE)
    return root


def notebook(course, version="student", edit=None):
    nb = make_notebook(course / "source" / f"{STEM}.py", version)
    if edit:
        edit(nb.cells)
    return nb


def write(folder, name, nb):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(nb, str):
        path.write_text(nb)
    else:
        nbformat.write(nb, str(path))
    return path


def grade_json(course, path, capsys, *extra):
    assert main(["grade", str(path), "--root", str(course), "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def answer(cells, index, value):
    """Replace the answer line of exercise cell ``index`` (1 or 2)."""
    cell = cells[index]
    cell.source = "\n".join(f"answer = {value!r}" if line.startswith("answer =") else line
                            for line in cell.source.splitlines())


def marks(report):
    return {m["exercise"]: (m["passed"], m["status"]) for m in report["marks"]}


@pytest.mark.slow
def test_solution_stub_and_one_right_one_wrong(course, tmp_path, capsys):
    """The solution passes both; the stub neither; one right and one wrong gets exactly one; the reflection is read."""
    solution = grade_json(course, write(tmp_path, f"{STEM}.ipynb", notebook(course, "solution")), capsys)
    assert (solution["score"], solution["out_of"], solution["status"]) == (2, 2, "graded")
    assert solution["marks"][0]["feedback"].startswith("The simulator agrees: blocked.")
    assert solution["marks"][0]["answer"] == "'blocked'"

    stub = grade_json(course, write(tmp_path, f"stub_{STEM}.ipynb", notebook(course)), capsys)
    assert marks(stub) == {"q1": (False, "graded"), "q2": (False, "graded")}
    assert stub["marks"][0]["feedback"].startswith("Replace ... with your answer")
    assert stub["reflections"] == [{"id": stub["reflections"][0]["id"],
                                    "question": "**Reflection.** Why does host-a give up on server-b?",
                                    "answer": "", "status": "not answered"}]

    def half(cells):
        answer(cells, 1, "blocked")
        answer(cells, 2, "blocked")
        cells[-1].source = "*Your answer:* nobody answers IKE at server-b."
    mixed = grade_json(course, write(tmp_path, f"mixed_{STEM}.ipynb", notebook(course, edit=half)), capsys)
    assert marks(mixed) == {"q1": (True, "graded"), "q2": (False, "graded")}
    assert mixed["marks"][1]["feedback"].startswith("'blocked' is not what the simulator shows.")
    assert mixed["reflections"][0]["answer"] == "*Your answer:* nobody answers IKE at server-b."
    assert mixed["reflections"][0]["status"] == "answered"


@pytest.mark.slow
def test_forgeries_score_zero(course, tmp_path, capsys):
    """Printed verdicts, deleted check cells and a q1.check that prints Correct earn nothing."""
    def printed(cells):
        for index in (1, 2):
            cells[index].source = f'print("[q{index}] Correct.")  # q{index}.check(answer)'
    def deleted(cells):
        del cells[1:3]
    def patched(cells):   # the answers stay stubs; the checks are replaced by ones that print Correct
        cells[0].source += ('\nfor q in (q1, q2):\n    q.check = lambda a, q=q: print(f"[{q.id}] Correct. Well done.")')
    def hidden(cells):    # the same, out of sight of a reading of the code: only the kernel's probe sees it
        cells[0].source += '\nexec("q1.check = lambda a: print(\'[q1] Correct.\')")'
    def patched_right(cells):   # right answers, but labsim.run replaced: tampered, not graded correct
        answer(cells, 1, "blocked")
        answer(cells, 2, "clear")
        cells[0].source += "\nimport labsim.teaching.checks as c\nc.run = c.run"
    for name, edit in [("printed", printed), ("deleted", deleted), ("patched", patched), ("hidden", hidden),
                       ("patched_right", patched_right)]:
        write(tmp_path / name, f"{STEM}.ipynb", notebook(course, edit=edit))
    assert main(["grade", str(tmp_path), "--root", str(course), "--json"]) == 0
    reports = {r["student"]: r for r in json.loads(capsys.readouterr().out)}
    for name, report in reports.items():
        assert report["score"] == 0, name
    assert marks(reports["printed"]) == {"q1": (False, "not done"), "q2": (False, "not done")}
    assert reports["printed"]["marks"][0]["feedback"] == (
        "not done: no q1.check(...) cell in the submission (deleted or edited)")
    assert marks(reports["deleted"]) == marks(reports["printed"])
    assert reports["patched"]["status"] == "tampered"
    assert reports["patched"]["tampering"] == ["labsim.teaching.nb00.q1.check was added (by the submission's code)",
                                               "labsim.teaching.nb01.q1.check was added (by the submission's code)"]
    assert reports["hidden"]["status"] == "tampered"
    assert any("q1.check was added" in t for t in reports["hidden"]["tampering"])
    assert reports["patched_right"]["status"] == "tampered"
    assert reports["patched_right"]["marks"][0]["feedback"] == (
        "tampered: cell 1 assigns c.run; the answer alone would pass")


@pytest.mark.slow
def test_a_folder_with_a_broken_notebook_as_csv(course, tmp_path, capsys):
    """grade DIR --csv: one row per student and exercise; invalid JSON, an endless loop and a dead kernel are
    reported, and the others graded."""
    write(tmp_path / "alice", f"{STEM}.ipynb", notebook(course, "solution"))
    write(tmp_path / "bob", f"{STEM}.ipynb", "{ this is not a notebook")
    write(tmp_path / "carol", f"{STEM}.ipynb",
          notebook(course, edit=lambda cells: setattr(cells[1], "source", "while True:\n    pass\n" + cells[1].source)))
    def crash(cells):   # the kernel process ends in the middle of q2's cell
        cells[2].source = "import os\nos._exit(3)\n" + cells[2].source
    write(tmp_path / "dave", f"{STEM}.ipynb", notebook(course, "solution", edit=crash))
    assert main(["grade", str(tmp_path), "--root", str(course), "--csv", "--timeout", "20"]) == 0
    captured = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    assert list(rows[0]) == ["student", "notebook", "file", "item", "kind", "passed", "status", "detail"]
    alice = [(r["item"], r["kind"], r["passed"], r["status"]) for r in rows if r["student"] == "alice"]
    assert alice[:2] == [("q1", "exercise", "yes", "graded"), ("q2", "exercise", "yes", "graded")]
    assert alice[2][1:] == ("reflection", "", "not answered")
    bob = [r for r in rows if r["student"] == "bob"]
    assert [(r["kind"], r["status"]) for r in bob] == [("exercise", "not done")] * 2 + [("error", "error")]
    assert bob[-1]["detail"].startswith("cannot read the notebook: ")
    assert bob[0]["detail"] == "not done: the notebook could not be read"
    carol = [r for r in rows if r["student"] == "carol"]
    assert carol[-1]["kind"] == "error" and carol[-1]["detail"].startswith("timed out after 20 s (cell 2")
    assert carol[0]["passed"] == "no" and "the run stopped before it" in carol[0]["detail"]
    dave = [(r["item"], r["passed"], r["status"], r["detail"]) for r in rows if r["student"] == "dave"]
    assert dave[0][:3] == ("q1", "yes", "graded")
    assert dave[1] == ("q2", "no", "not done", "not done: the run stopped before it (the kernel died while running "
                                               "cell 3)")
    assert dave[-1][3] == "the kernel died while running cell 3"
    assert "[########################] 4/4 done" in captured.err
    assert f"3 of 4 notebooks could not be graded fully: bob/{STEM}.ipynb, carol/{STEM}.ipynb, dave/{STEM}.ipynb" \
        in captured.err


@pytest.mark.slow
def test_a_submission_cannot_write_outside_its_folder(course, tmp_path, capsys):
    """The grader's folder is the kernel's home and working folder; writing elsewhere, starting a process or
    signalling the grader is refused.

    The submission reports what happened through its own answer to q1: "blocked" when every attempt
    was refused and the folder of its own was usable, "clear" otherwise.
    """
    outside = tmp_path / "outside.txt"
    probe = f"""
import os, pathlib, subprocess
def refused(attempt):
    try:
        attempt()
    except PermissionError:
        return True
    return False
attempts = [lambda: open({str(outside)!r}, "w"), lambda: os.rename("inside.txt", {str(outside)!r}),
            lambda: subprocess.run(["touch", {str(outside)!r}]), lambda: os.system("true"),
            lambda: os.kill(os.getppid(), 0)]
open("inside.txt", "w").write("fine")
own = pathlib.Path.home() == pathlib.Path.cwd() and pathlib.Path("inside.txt").exists()
answer = "blocked" if all(refused(a) for a in attempts) and own else "clear"
q1.check(answer)
"""
    def escape(cells):
        cells[1].source = probe
    report = grade_json(course, write(tmp_path, f"{STEM}.ipynb", notebook(course, edit=escape)), capsys)
    assert not outside.exists()
    assert marks(report)["q1"] == (True, "graded") and report["marks"][0]["answer"] == "'blocked'"


def test_grade_refuses_a_missing_file(course, capsys):
    """A wrong path is a clear error, exit 2."""
    assert main(["grade", "/no/such.ipynb", "--root", str(course)]) == 2
    assert "no such notebook or folder: '/no/such.ipynb'" in capsys.readouterr().err


def test_grade_says_which_notebooks_it_knows(course, tmp_path, capsys):
    path = write(tmp_path, "homework.ipynb", nbformat.v4.new_notebook())
    assert main(["grade", str(path), "--root", str(course)]) == 0
    assert capsys.readouterr().out.strip() == (
        "homework.ipynb: not graded: cannot tell which course notebook 'homework.ipynb' is: name it after one of "
        "09_demo (e.g. alice/09_demo.ipynb) or pass --notebook")


@pytest.mark.slow
def test_the_issues_forgeries_of_notebook_03_score_zero(tmp_path, capsys):
    """On the course's own notebook 03: printed verdicts, a first cell that replaces every check, deleted checks."""
    from pathlib import Path

    from labsim.teaching.grade import expected
    root = Path(__file__).resolve().parents[1] / "notebooks"
    source = next((root / "source").glob("03_*.py"))
    exercises = expected(source).exercises
    assert len(exercises) >= 4

    def student(edit):
        nb = make_notebook(source, "student")
        edit(nb.cells)
        return nb

    def printed(cells):
        for cell in cells:
            for q, _ in check_calls(cell.source) if cell.cell_type == "code" else []:
                cell.source = f'print("[{q}] Correct.")  # {q}.check(answer)'

    def patched(cells):
        first = next(c for c in cells if c.cell_type == "code" and "labsim.teaching.nb03" in c.source)
        first.source += ("\nfor q in (" + ", ".join(exercises) + ",):\n"
                         "    q.check = lambda a, q=q: print(f'[{q.id}] Correct.')")

    def deleted(cells):
        cells[:] = [c for c in cells if c.cell_type != "code" or not check_calls(c.source)]

    for name, edit in [("printed", printed), ("patched", patched), ("deleted", deleted)]:
        write(tmp_path / name, f"{source.stem}.ipynb", student(edit))
    assert main(["grade", str(tmp_path), "--root", str(root), "--json"]) == 0
    reports = {r["student"]: r for r in json.loads(capsys.readouterr().out)}
    assert {name: (r["score"], r["out_of"]) for name, r in reports.items()} == {
        name: (0, len(exercises)) for name in ("printed", "patched", "deleted")}
    assert reports["patched"]["status"] == "tampered"
    assert {m["status"] for m in reports["printed"]["marks"]} == {"not done"}


def test_reflections_by_id_then_by_tag():
    """A reflection is found by its cell id; a notebook whose ids were lost still answers by the tagged cells' order."""
    from labsim.teaching.grade import Expected, reflections
    expect = Expected("09_demo", [], {}, [("aaa", "Why?", "*Your answer:* ..."), ("bbb", "How?", "*Your answer:* ...")])
    tag = {"tags": ["reflection"]}
    kept = nbformat.from_dict({"cells": [
        {"cell_type": "markdown", "id": "bbb", "metadata": tag, "source": "*Your answer:* ..."},
        {"cell_type": "markdown", "id": "aaa", "metadata": tag, "source": "Because of the SPD."}]})
    assert [(r.id, r.status, r.answer) for r in reflections(kept, expect)] == [
        ("aaa", "answered", "Because of the SPD."), ("bbb", "not answered", "")]
    lost = nbformat.from_dict({"cells": [
        {"cell_type": "markdown", "metadata": tag, "source": "First."},
        {"cell_type": "markdown", "metadata": {}, "source": "Not a reflection."}]})
    assert [(r.status, r.answer) for r in reflections(lost, expect)] == [("answered", "First."), ("missing", "")]
