"""The course's shape (issue 10, section 3), read from the notebook sources and the committed notebooks.

Every notebook links the glossary and the SPD syntax card, asks at least one reflection question in a
``reflection`` cell, tags every exercise cell ``exercise``, keeps markdown cells under about 350 words,
and states a time that adds up with notebook 00's; Predict answers are varied; no committed student
notebook shows a Predict's outcome before its check (the rule of shared/checks/predict_leak.py).
"""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from labsim.teaching.checks import Predict
from labsim.teaching.source import parse_source

SOURCES = sorted(Path("notebooks/source").glob("0[0-7]_*.py"))


def cells(path):
    return parse_source(path.read_text(), str(path))


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_every_notebook_links_the_glossary_and_the_syntax_card(source):
    """The first cell links GLOSSARY.md and SPD-SYNTAX.md, so acronyms are defined once, not in five places."""
    first = cells(source)[0].render("student")
    assert "(GLOSSARY.md)" in first and "(SPD-SYNTAX.md)" in first
    for name in ("GLOSSARY.md", "SPD-SYNTAX.md"):
        assert (Path("notebooks") / name).exists()


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_every_notebook_asks_a_reflection_question_the_grader_collects(source):
    """At least one markdown cell tagged reflection, whose student text is the placeholder answer."""
    found = [c for c in cells(source) if "reflection" in c.tags]
    assert found, f"{source.name} has no reflection cell"
    for c in found:
        assert c.kind == "markdown" and c.render("student").startswith("*Your answer:*")


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_every_exercise_cell_is_tagged_exercise(source):
    """A code cell that calls qN.check (or the quiz) carries the exercise tag, so Voila hides it."""
    for c in cells(source):
        text = c.render("solution")
        if c.kind == "code" and re.search(r"\b(q\d+|quiz)\.(check|record)\(", text):
            assert "exercise" in c.tags, f"{source.name}, cell at line {c.line_no} is not tagged exercise"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_no_markdown_cell_is_much_longer_than_350_words(source):
    """Long explanations are split around an interaction (issue 10: 539 and 681 words before)."""
    for c in cells(source):
        if c.kind == "markdown":
            words = len(c.render("solution").split())
            assert words <= 380, f"{source.name}, cell at line {c.line_no}: {words} words"


def test_the_stated_course_time_is_the_sum_of_the_notebooks():
    """Notebook 00's total and its list of minutes agree with each notebook's own 'about N minutes'."""
    minutes = []
    for source in SOURCES:
        m = re.search(r"about (\d+) minutes", source.read_text())
        minutes.append(int(m.group(1)))
    header = SOURCES[0].read_text()
    listed = [int(x) for x in re.search(r"\(([\d + ]+) minutes\)", header).group(1).split("+")]
    assert listed == minutes
    assert "about five hours" in header and 270 <= sum(minutes) <= 330


def _predicts():
    import importlib
    for n in range(8):
        module = importlib.import_module(f"labsim.teaching.nb0{n}")
        for value in vars(module).values():
            if isinstance(value, Predict):
                yield f"0{n}.{value.id}", value


def test_predict_answers_are_varied():
    """No outcome is the answer of more than a third of the Predicts, and protected and clear both occur."""
    outcomes = Counter(q.verdict().outcome for _, q in _predicts())
    total = sum(outcomes.values())
    assert outcomes["protected"] >= 1 and outcomes["clear"] >= 1, outcomes
    assert max(outcomes.values()) * 3 <= total + 1, outcomes


ASK = re.compile(r"predict|before you run|decide before", re.I)
NEXT = re.compile(r"^\s*(#+ |\*\*Exercise)", re.M)
VERDICT = re.compile(r"\b(EXPOSED|BLOCKED|IMPERSONATED|PROTECTED|CLEAR)\b|\] Correct\.")


def _text(out):
    parts = [out.get("text", "")] if isinstance(out.get("text", ""), str) else ["".join(out["text"])]
    for key, value in out.get("data", {}).items():
        if key.startswith("text/"):
            parts.append(value if isinstance(value, str) else "".join(value))
    return "\n".join(parts)


@pytest.mark.parametrize("path", sorted(Path("notebooks").glob("0*.ipynb")), ids=lambda p: p.stem)
def test_no_committed_student_notebook_shows_a_predicts_answer_before_its_check(path):
    """After a prompt to predict, no stored output up to the next heading shows a verdict or 'Correct.'."""
    nb = json.loads(path.read_text())["cells"]
    src = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in nb]
    for i, cell in enumerate(nb):
        if cell["cell_type"] != "markdown" or not ASK.search(src[i]):
            continue
        for j in range(i + 1, len(nb)):
            if nb[j]["cell_type"] == "markdown" and NEXT.search(src[j]):
                break
            for out in nb[j].get("outputs", []):
                assert not VERDICT.search(_text(out)), f"{path.name} cell {j} shows the answer to cell {i}"


def test_no_worked_solution_lives_in_the_package():
    """Solutions are in notebooks/source/solutions.toml, one table per exercise; no solution_text in labsim."""
    from labsim.teaching.checks import load_solutions
    solutions = load_solutions(Path("notebooks/source/solutions.toml"))
    for key, q in _predicts():
        assert key in solutions
    for module in Path("labsim/teaching").glob("nb0*.py"):
        assert "solution_text=" not in module.read_text(), module
    assert "07.fixed" in solutions
