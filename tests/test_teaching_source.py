"""labsim/teaching/source.py and build.py: one source, two versions."""

import pytest

from labsim.teaching.build import make_notebook
from labsim.teaching.source import SourceError, parse_source

SOURCE = '''# %% [markdown]
# # Title
#
# Some text.
# <!-- BEGIN SOLUTION -->
# The worked answer.
# <!-- END SOLUTION -->
# %% tags=["nbval-ignore-output"]
print("panel")
# %%
# BEGIN SOLUTION
answer = "exposed"
# END SOLUTION
# BEGIN STUB
answer = ...
# END STUB
print(answer)
# %%
# BEGIN SOLUTION
print("only for instructors")
# END SOLUTION
'''


def test_student_and_solution_versions_differ_only_in_marked_lines(tmp_path):
    """The student sees stubs, the instructor the solutions; unmarked lines are shared; empty cells vanish."""
    src = tmp_path / "02_demo.py"
    src.write_text(SOURCE)
    student, solution = make_notebook(src, "student"), make_notebook(src, "solution")
    assert [c.source for c in student.cells] == ["# Title\n\nSome text.", 'print("panel")', "answer = ...\nprint(answer)"]
    assert [c.source for c in solution.cells] == ["# Title\n\nSome text.\nThe worked answer.", 'print("panel")',
                                                  'answer = "exposed"\nprint(answer)', 'print("only for instructors")']
    assert student.cells[1].metadata["tags"] == ["nbval-ignore-output"]
    assert student.metadata["labsim"] == {"notebook": "02_demo", "version": "student"}
    assert student.cells[0].id == solution.cells[0].id


@pytest.mark.parametrize("text, words", [
    ("print(1)\n", "text before the first '# %%'"),
    ("# %%\n# BEGIN STUB\nx\n", "never closed"),
    ("# %%\n# END STUB\n", "without its BEGIN"),
    ("# %%\n# BEGIN STUB\n# BEGIN SOLUTION\n", "inside BEGIN STUB"),
    ('# %% tags=[oops]\n', "tags must be a JSON list"),
])
def test_malformed_sources_are_reported_with_a_line(text, words):
    """Mistakes in a source name the line and what is wrong."""
    with pytest.raises(SourceError, match=words):
        parse_source(text, "demo.py")


def test_widget_ids_become_stable():
    """Random widget model ids are replaced by ids derived from the notebook name, in creation order."""
    import nbformat

    from labsim.teaching.build import stable_widget_ids
    a, b = "a" * 32, "b" * 32
    nb = nbformat.v4.new_notebook(metadata={"widgets": {"application/vnd.jupyter.widget-state+json": {
        "state": {b: {"state": {"layout": f"IPY_MODEL_{a}"}}, a: {"state": {}}}}}})
    nb.cells.append(nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output(
        "display_data", data={"application/vnd.jupyter.widget-view+json": {"model_id": b}})]))
    once, twice = stable_widget_ids(nb, "07_demo"), stable_widget_ids(nb, "07_demo")
    assert once == twice
    new_b = once.cells[0].outputs[0].data["application/vnd.jupyter.widget-view+json"]["model_id"]
    assert new_b != b and new_b in once.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]
    assert a not in str(once)
