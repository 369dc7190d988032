"""labsim/teaching/nbgrader.py: export-nbgrader's output runs through nbgrader's own commands, unchanged.

One small course (two exercises, one reflection) is exported to a temporary nbgrader course
folder; ``nbgrader generate_assignment``, ``autograde`` and ``generate_feedback`` then run on it
as an instructor would run them (HOME in a temporary folder). The scores come from nbgrader's
gradebook.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from labsim.cli import main
from labsim.teaching.nbgrader import JudgeAnswers, export_notebook, hidden_call

pytest.importorskip("nbgrader")

ROOT = Path(__file__).resolve().parents[1]
A = "09_demo"
SOURCE = '''# %%
from labsim.teaching.nb01 import q1
from labsim.teaching.nb00 import q1 as q2
# %% [markdown]
# **Exercise 1.** Predict.
# %%
# BEGIN SOLUTION
answer = "blocked"
# END SOLUTION
# BEGIN STUB
answer = ...   # one of: "protected", "clear", "exposed", "impersonated", "blocked"
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
# <!-- BEGIN SOLUTION -->
# Nobody answers IKE.
# <!-- END SOLUTION -->
'''


def cells_by_id(nb):
    return {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells if "nbgrader" in c.metadata}


def test_export_marks_answers_tests_and_reflections(tmp_path):
    """Answer cells are solution cells with the stub kept; checks are locked test cells with a hidden test."""
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / f"{A}.py").write_text(SOURCE)
    cells = cells_by_id(export_notebook(tmp_path / "source" / f"{A}.py"))
    assert list(cells)[:4] == ["q1_answer", "q1", "q2_answer", "q2"] and list(cells)[4].startswith("reflection_")
    assert cells["q1_answer"].source == ('answer = ...   # one of: "protected", "clear", "exposed", "impersonated", '
                                         '"blocked"\n### BEGIN SOLUTION\nanswer = "blocked"\n### END SOLUTION')
    answer_cell = cells["q1_answer"].metadata.nbgrader
    assert answer_cell["solution"] and not answer_cell["grade"]
    assert cells["q2"].source == ("q2.check(answer)\n### BEGIN HIDDEN TESTS\nfrom labsim.teaching.nbgrader import "
                                  "hidden_test\nhidden_test('labsim.teaching.nb00', 'q1', answer)\n### END HIDDEN TESTS")
    assert cells["q2"].metadata.nbgrader == {"grade": True, "grade_id": "q2", "locked": True, "points": 1,
                                             "schema_version": 3, "solution": False, "task": False}
    assert hidden_call(cells["q2"].source) == ("labsim.teaching.nb00", "q1")
    reflection = [c for gid, c in cells.items() if gid.startswith("reflection_")]
    assert len(reflection) == 1 and reflection[0].cell_type == "markdown"
    assert reflection[0].metadata.nbgrader["solution"] and reflection[0].metadata.nbgrader["grade"]


def test_the_grader_not_the_kernel_decides():
    """JudgeAnswers gives a cell an error unless labsim's own check passes the recorded answer."""
    from labsim.teaching.nbgrader import MIME, encode
    source = "q1.check(answer)\nhidden_test('labsim.teaching.nb01', 'q1', answer)"
    meta = {"nbgrader": {"grade": True, "solution": False, "grade_id": "q1", "points": 1}}

    def cell(value, extra=()):
        outputs = [nbformat.v4.new_output("stream", name="stdout", text="[q1] Correct.\n"), *extra]
        if value is not None:
            outputs.append(nbformat.v4.new_output("display_data", data={
                MIME: {"exercise": "labsim.teaching.nb01.q1", "answer": encode(((value,), {}))}}))
        return nbformat.v4.new_code_cell(source, metadata=meta, outputs=outputs)

    judge = JudgeAnswers()
    right, _ = judge.preprocess_cell(cell("blocked"), {}, 0)
    assert [o.output_type for o in right.outputs] == ["stream", "display_data"]
    wrong, _ = judge.preprocess_cell(cell("clear", [nbformat.v4.new_output("execute_result", data={
        "text/plain": "1.0"}, execution_count=1)]), {}, 0)
    assert [o.output_type for o in wrong.outputs] == ["stream", "display_data", "error"]
    assert wrong.outputs[-1].evalue.startswith("labsim's grader: q1 is not passed: [q1] Not yet. 'clear' is not what the simulator shows.")
    nb, _ = judge(nbformat.v4.new_notebook(cells=[cell(None)]), {})   # as nbgrader calls it
    silent = nb.cells[0]
    assert silent.outputs[-1].evalue == ("labsim's grader: q1 is not passed: no answer reached the grader "
                                         "(the hidden test did not run to the end)")


def nbgrader(course, env, *args, timeout=600):
    run = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True,
                         text=True, timeout=timeout)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run


def submit(course, student, nb):
    folder = course / "submitted" / student / A
    folder.mkdir(parents=True)
    nbformat.write(nb, str(folder / f"{A}.ipynb"))


@pytest.mark.slow
def test_nbgrader_commands_on_the_export(tmp_path, capsys):
    """generate_assignment, autograde, generate_feedback run unchanged; scores come from labsim's own checks.

    The instructor's notebook gets full marks, the released stub zero, the forgeries zero
    (printed verdicts, checks replaced by ones that print Correct, errors swallowed by the
    kernel), and one right and one wrong answer exactly the right one's point.
    """
    started = time.perf_counter()
    root = tmp_path / "notebooks"
    (root / "source").mkdir(parents=True)
    (root / "source" / f"{A}.py").write_text(SOURCE)
    course = tmp_path / "course"
    assert main(["export-nbgrader", str(course), "--root", str(root)]) == 0
    assert f"wrote {course / 'nbgrader_config.py'}" in capsys.readouterr().out
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "PYTHONPATH": os.pathsep.join(
               [str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    nbgrader(course, env, "generate_assignment", A)
    release = nbformat.read(str(course / "release" / A / f"{A}.ipynb"), as_version=4)
    released = cells_by_id(release)
    assert "BEGIN HIDDEN TESTS" not in str(release) and "hidden_test" not in str(release)
    assert released["q1"].source == "q1.check(answer)"
    assert released["q1_answer"].source.endswith("# (replace the ... above with your answer)")
    assert '"clear"' not in released["q2_answer"].source and "Nobody answers IKE" not in str(release)

    instructor = nbformat.read(str(course / "source" / A / f"{A}.ipynb"), as_version=4)
    submit(course, "instructor", instructor)
    submit(course, "stub", release)
    # the right answers, with the test cells deleted: nothing is graded, so nothing is earned
    instructor.cells = [c for c in instructor.cells if not c.metadata.get("nbgrader", {}).get("grade")]
    submit(course, "deleted", instructor)

    def edited(edit):
        nb = nbformat.read(str(course / "release" / A / f"{A}.ipynb"), as_version=4)
        edit(cells_by_id(nb))
        return nb

    def printed(cells):   # verdicts printed by the student's own cells, check cells edited to print too
        cells["q1_answer"].source = 'print("[q1] Correct.")\nanswer = ...'
        cells["q1"].source = 'print("[q1] Correct.")  # q1.check(answer)'
        cells["q2"].source = 'print("[q2] Correct.")  # q2.check(answer)'
    def patched(cells):   # every check replaced by one that prints Correct; kernel errors swallowed
        cells["q1_answer"].source = (
            'for q in (q1, q2):\n    q.check = lambda a, q=q: print(f"[{q.id}] Correct.")\n'
            'import labsim.teaching.nbgrader as G\nG.hidden_test = lambda *a: None\n'
            'get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)\nanswer = "clear"')
    def half(cells):      # q1 right, q2 wrong
        cells["q1_answer"].source = 'answer = "blocked"'
        cells["q2_answer"].source = 'answer = "blocked"'
    for student, edit in [("printed", printed), ("patched", patched), ("half", half)]:
        submit(course, student, edited(edit))

    nbgrader(course, env, "autograde", A)
    nbgrader(course, env, "generate_feedback", A)
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "ipsec-lab") as gb:
        scores = {}
        for student in ("instructor", "stub", "printed", "patched", "half", "deleted"):
            notebook = gb.find_submission_notebook(A, A, student)
            scores[student] = {g.name: g.auto_score for g in notebook.grades if g.name in ("q1", "q2")}
            scores[student]["total"] = notebook.score
    assert scores == {"instructor": {"q1": 1, "q2": 1, "total": 2}, "stub": {"q1": 0, "q2": 0, "total": 0},
                      "printed": {"q1": 0, "q2": 0, "total": 0}, "patched": {"q1": 0, "q2": 0, "total": 0},
                      "half": {"q1": 1, "q2": 0, "total": 1}, "deleted": {"q1": None, "q2": None, "total": 0}}
    graded = cells_by_id(nbformat.read(str(course / "autograded" / "half" / A / f"{A}.ipynb"), as_version=4))
    assert [o.evalue for o in graded["q2"].outputs if o.output_type == "error"][-1].startswith(
        "labsim's grader: q2 is not passed: [q1] Not yet. 'blocked' is not what the simulator shows.")
    assert not [o for o in graded["q1"].outputs if o.output_type == "error"]
    feedback = (course / "feedback" / "half" / A / f"{A}.html").read_text()
    assert "&#x27;blocked&#x27; is not what the simulator shows." in feedback or \
        "'blocked' is not what the simulator shows." in feedback
    print(f"nbgrader round trip: {time.perf_counter() - started:.0f} s")


def test_every_course_exercise_becomes_a_graded_test(tmp_path, capsys):
    """export-nbgrader on the course itself: one locked test cell with a hidden test per exercise of each source."""
    from labsim.teaching.grade import expected
    root = ROOT / "notebooks"
    assert main(["export-nbgrader", str(tmp_path), "--root", str(root)]) == 0
    capsys.readouterr()
    for source in sorted((root / "source").glob("[0-9][0-9]_*.py")):
        nb = nbformat.read(str(tmp_path / "source" / source.stem / f"{source.stem}.ipynb"), as_version=4)
        nbformat.validate(nb)
        tests = {gid: c for gid, c in cells_by_id(nb).items() if c.metadata.nbgrader["grade"]
                 and c.cell_type == "code"}
        assert sorted(tests) == sorted(expected(source).exercises), source.stem
        for gid, cell in tests.items():
            assert cell.metadata.nbgrader["locked"] and hidden_call(cell.source), (source.stem, gid)
            assert "### BEGIN HIDDEN TESTS" in cell.source
        answers = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"]
        assert answers and all("### BEGIN SOLUTION" in c.source for c in answers), source.stem
    assert (tmp_path / "nbgrader_config.py").read_text().count("JudgeAnswers") == 2
