"""labsim/teaching/grade.py: execute a submission and read each check's verdict."""

import nbformat
import pytest

from labsim.cli import main
from labsim.teaching.build import make_notebook
from labsim.teaching.grade import marks_from

SOURCE = '''# %%
from labsim.teaching import Predict
q1 = Predict("q1", "fig1", scenario="fig1")
q2 = Predict("q2", "fig1 honest", scenario="fig1", toggles={"dns": "honest"})
q3 = Predict("q3", "never reached", scenario="fig1")
# %%
# BEGIN SOLUTION
answer = "exposed"
# END SOLUTION
# BEGIN STUB
answer = ...
# END STUB
q1.check(answer)
# %%
q2.check("exposed")
# %%
# BEGIN STUB
raise RuntimeError("a broken cell")
# END STUB
q3.check("exposed")
'''


@pytest.fixture
def notebooks(tmp_path):
    src = tmp_path / "09_demo.py"
    src.write_text(SOURCE)
    paths = {}
    for version in ("student", "solution"):
        path = tmp_path / f"{version}.ipynb"
        nbformat.write(make_notebook(src, version), str(path))
        paths[version] = path
    return paths


@pytest.mark.slow
def test_grade_table_for_both_versions(notebooks, capsys):
    """The solution passes q1 and q3; the student's stub and broken cell fail; q2 is wrong in both."""
    assert main(["grade", str(notebooks["solution"])]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "solution.ipynb: 2/3 exercises passed"
    assert "q1        yes     The simulator agrees: exposed." in out
    assert "q2        no      'exposed' is not what the simulator shows." in out   # a first wrong try: no answer
    assert main(["grade", str(notebooks["student"]), "--json"]) == 0
    import json
    marks = {m["exercise"]: m for m in json.loads(capsys.readouterr().out)}
    assert marks["q1"]["passed"] is False and marks["q1"]["feedback"].startswith("Replace ... with your answer")
    assert marks["q3"]["passed"] is False and "RuntimeError: a broken cell" in marks["q3"]["feedback"]


def test_marks_count_missing_checks_as_not_done():
    """An exercise whose check printed nothing is not done."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("q1.check(1)\nq2.check(2)", outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="[q1] Correct. Fine.\n")])])
    marks = marks_from(nb)
    assert [(m.exercise, m.passed) for m in marks] == [("q1", True), ("q2", False)]
    assert marks[1].feedback == "not done: the check did not run"


def test_grade_refuses_a_missing_file(capsys):
    """A wrong path is a clear error, exit 2."""
    assert main(["grade", "/no/such.ipynb"]) == 2
    assert "no such notebook: '/no/such.ipynb'" in capsys.readouterr().err
