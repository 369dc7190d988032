"""labsim/teaching/solutions.py and build-notebooks --mode: worked solutions only in self-study, after real attempts."""

import importlib
import json
import re
from pathlib import Path

import pytest

from labsim.cli import main
from labsim.errors import LabsimError
from labsim.teaching.checks import Exercise
from labsim.teaching.quiz import Quiz
from labsim.teaching.solutions import load_toml, write_for_mode

ROOT = Path(__file__).resolve().parents[1]
TOML = ROOT / "notebooks" / "source" / "solutions.toml"
SOURCE = '''# %%
from labsim.teaching.nb00 import q1
# %%
# BEGIN SOLUTION
answer = "blocked"
# END SOLUTION
# BEGIN STUB
answer = ...
# END STUB
q1.check(answer)
'''


def course_exercises():
    for path in sorted((ROOT / "labsim" / "teaching").glob("nb[0-9][0-9].py")):
        module = importlib.import_module(f"labsim.teaching.{path.stem}")
        for name, value in vars(module).items():
            if isinstance(value, Exercise) and not isinstance(value, Quiz):   # a quiz is self-assessment
                yield path.stem[2:], name, value


def test_every_exercise_has_a_worked_solution_in_the_toml():
    """solutions.toml is the source of truth: one non-empty text per exercise the course defines."""
    texts = load_toml(TOML)
    missing = [f"{nn}.{name}" for nn, name, _ in course_exercises() if not texts.get(f"{nn}.{name}", "").strip()]
    assert missing == []
    assert "07.fixed" in texts


def test_a_bad_table_is_named(tmp_path):
    bad = tmp_path / "solutions.toml"
    bad.write_text('["q1"]\nwords = "no text key"\n')
    with pytest.raises(LabsimError, match=r"table \['q1'\] must be named like \"03.q1\""):
        load_toml(bad)


@pytest.fixture
def exercise(monkeypatch, tmp_path):
    """notebook 00's q1, with its state restored afterwards; the kernel's folder is tmp_path."""
    q1 = importlib.import_module("labsim.teaching.nb00").q1
    monkeypatch.chdir(tmp_path)
    yield q1
    q1.passed, q1.attempts, q1.wrong = None, 0, 0


def self_study(tmp_path):
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "solutions.toml").write_text('["00.q1"]\ntext = "clear. BYPASS on both hosts."\n')
    return write_for_mode(tmp_path, "self-study")


def test_self_study_opens_the_solution_after_two_real_attempts(exercise, tmp_path, capsys):
    """A ``...`` stub is not an attempt; two wrong answers are; the text then comes from solutions.json."""
    assert json.loads(self_study(tmp_path).read_text())["solutions"] == {"00.q1": "clear. BYPASS on both hosts."}
    exercise.check(...)
    exercise.solution()
    exercise.check("blocked")
    exercise.solution()
    exercise.check("protected")
    exercise.solution()
    out = capsys.readouterr().out.splitlines()
    opens = [line for line in out if "solution" in line.lower()]
    assert opens[0] == ("[q1] The worked solution opens after two real attempts (no answer yet; replacing ... "
                        "counts, running the stub does not). Try q1.hint() first.")
    assert opens[1].startswith("[q1] The worked solution opens after two real attempts (1 attempt so far;")
    assert opens[2] == "[q1] Solution: clear. BYPASS on both hosts."


def test_a_correct_answer_opens_the_solution_at_once(exercise, tmp_path, capsys):
    self_study(tmp_path)
    exercise.check("clear")
    exercise.solution()
    assert capsys.readouterr().out.splitlines()[-1] == "[q1] Solution: clear. BYPASS on both hosts."


def test_graded_mode_has_no_solution_anywhere(exercise, tmp_path, capsys):
    """graded removes solutions.json; solution() then says so, whatever the attempts."""
    self_study(tmp_path)
    assert write_for_mode(tmp_path, "graded") is None
    assert not (tmp_path / "solutions.json").exists()
    for wrong in ("clear", "protected", "exposed"):
        exercise.check(wrong)
    exercise.solution()
    assert capsys.readouterr().out.splitlines()[-1] == (
        "[q1] The worked solution is not available in graded mode: your answers are graded, so solutions are "
        "not handed out. q1.hint() still helps.")


def test_build_modes_from_the_command_line(tmp_path, capsys):
    """build-notebooks --mode graded writes the notebooks and no solutions.json; self-study writes it."""
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "00_demo.py").write_text(SOURCE)
    (tmp_path / "source" / "solutions.toml").write_text('["00.q1"]\ntext = "blocked."\n')
    assert main(["build-notebooks", "--root", str(tmp_path), "--no-execute"]) == 0
    assert json.loads((tmp_path / "solutions.json").read_text())["mode"] == "self-study"
    assert main(["build-notebooks", "--root", str(tmp_path), "--no-execute", "--mode", "graded"]) == 0
    assert not (tmp_path / "solutions.json").exists()
    assert (tmp_path / "00_demo.ipynb").exists()
    student = (tmp_path / "00_demo.ipynb").read_text()
    assert "blocked" not in student
    out = capsys.readouterr().out
    assert "graded mode: no" in out
    assert main(["build-notebooks", "--root", str(tmp_path), "--no-execute", "--mode", "exam"]) == 2
    assert re.search(r"'exam'.*self-study, graded", capsys.readouterr().err)


def test_a_stale_solutions_json_is_reported(tmp_path):
    from labsim.teaching.build import stale
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "solutions.toml").write_text('["00.q1"]\ntext = "blocked."\n')
    write_for_mode(tmp_path, "self-study")
    (tmp_path / "source" / "solutions.toml").write_text('["00.q1"]\ntext = "blocked, as before."\n')
    assert any("solutions.json does not match" in p for p in stale(tmp_path))
