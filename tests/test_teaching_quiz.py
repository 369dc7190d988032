"""labsim/teaching/quiz.py: the concept quiz is recorded in notebook 00 and judged by runs in notebook 06."""

from labsim.teaching.quiz import Quiz


def said(capsys):
    return capsys.readouterr().out


def test_the_quiz_is_recorded_without_judgement_and_judged_later_with_changes_marked(tmp_path, capsys):
    """record() keeps the answer and says nothing about it; check() judges by runs and marks changed answers."""
    q = Quiz("quiz", "t")
    q.record({"1", "4"}, path=tmp_path / "start.json")
    out = said(capsys)
    assert out.startswith("[quiz] Recorded: you think 1, 4 true.") and "false" not in out
    q.check({"4", "6", "7"}, path=tmp_path / "start.json")
    out = said(capsys)
    assert out.startswith("[quiz] Correct. Every statement judged as the runs show:")
    assert "ok   1. false: fig2, pc-c with a valid company certificate: impersonated" in out
    assert "(you changed your answer since notebook 00)" in out


def test_a_wrong_quiz_answer_shows_the_evidence_only_on_the_second_try(tmp_path, capsys):
    """The first wrong try counts the wrong statements; the second shows each with its run."""
    q = Quiz("quiz", "t")
    q.check({"2"}, path=tmp_path / "none.json")
    out = said(capsys)
    assert out.startswith("[quiz] Not yet. 4 of 7 statements are judged wrongly. Try again") and "FAIL" not in out
    q.check({"2"}, path=tmp_path / "none.json")
    assert "FAIL 2. false: example.org is signed in fig2" in said(capsys)


def test_quiz_typos_are_explained(capsys):
    """A statement number that does not exist names the choices."""
    Quiz("quiz", "t").check({"9"})
    assert "'9' is not a statement; choose from 1, 2, 3, 4, 5, 6, 7." in said(capsys)
