"""tests/regold.py: regenerating golden traces is a separate command that guards the verdict."""

from regold import main, regold, verdict_block

OLD = "fig9 x=1\n\n  1.000 ms  a  app  hello  ok\n\nverdict: PROTECTED\nThe data reached b\n"


def test_the_verdict_block_runs_from_the_verdict_line_to_the_end():
    assert verdict_block(OLD) == ["verdict: PROTECTED", "The data reached b"]
    assert verdict_block("no verdict here\n") == []


def test_a_trace_change_is_written_with_a_summary(tmp_path):
    (tmp_path / "fig9.txt").write_text(OLD)
    new = OLD.replace("hello", "hello again")
    change = regold("fig9", tmp_path, text=new)
    assert change.status == "updated"
    assert "+1 -1 lines" in change.summary and "hello again" in change.summary
    assert (tmp_path / "fig9.txt").read_text() == new


def test_a_verdict_change_is_refused_without_the_flag(tmp_path):
    (tmp_path / "fig9.txt").write_text(OLD)
    new = OLD.replace("PROTECTED", "EXPOSED (the attack succeeded)")
    change = regold("fig9", tmp_path, text=new)
    assert change.status == "REFUSED"
    assert "-verdict: PROTECTED" in change.summary and "--accept-verdict-change" in change.summary
    assert (tmp_path / "fig9.txt").read_text() == OLD
    assert regold("fig9", tmp_path, accept_verdict_change=True, text=new).status == "updated"
    assert (tmp_path / "fig9.txt").read_text() == new


def test_check_writes_nothing(tmp_path):
    (tmp_path / "fig9.txt").write_text(OLD)
    assert regold("fig9", tmp_path, check=True, text=OLD.replace("hello", "bye")).status == "would update"
    assert regold("fig9", tmp_path, check=True, text=OLD).status == "unchanged"
    assert regold("new", tmp_path, check=True, text=OLD).status == "would create"
    assert not (tmp_path / "new.txt").exists()


def test_an_unknown_scenario_names_the_choices(capsys):
    assert main(["fig7"]) == 2
    assert "unknown scenario 'fig7'; choose from basics, fig1" in capsys.readouterr().err


def test_check_exits_zero_when_the_golden_file_is_current(capsys):
    assert main(["--check", "basics"]) == 0
    assert capsys.readouterr().out.startswith("basics  unchanged")
