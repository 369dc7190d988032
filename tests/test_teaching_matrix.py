"""labsim/teaching/matrix.py: the student's table of problems and fixes is judged by runs, security first."""

from labsim.teaching.matrix import Matrix


def said(capsys):
    return capsys.readouterr().out


def _matrix():
    return Matrix("q6", "t",
                  rows={"3": ("fig4", {}), "5a": ("fig5", {})},
                  fixes={"no BYPASS for private ranges": {"fig4": {"private_policy": "protect"}},
                         "private ranges through the tunnel": {"fig4": {"split_exclude": "off"}},
                         "discard broadcast": {"fig5": {"broadcast": "discard"}},
                         "no soft SAs": {"fig5": {"stateful": "off"}}})


def test_a_table_whose_fixes_stop_every_attack_is_accepted_with_each_cost(capsys):
    """Security first: a fix that stops the attack passes even when it reaches nobody; the cost is shown beside."""
    _matrix().check({"3": "no BYPASS for private ranges", "5a": "no soft SAs"})
    out = said(capsys)
    assert out.startswith("[q6] Correct. Every fix in your table stops its problem's attack.")
    assert "ok   5a  no soft SAs: blocked; attack stopped;" in out
    assert "print job" in out.split("ok   5a")[1] or "nothing is delivered" in out.split("ok   5a")[1]


def test_a_fix_for_another_problem_is_named_as_such(capsys):
    """A fix the row's scenario cannot express is a FAIL that says so, never silently ignored."""
    _matrix().check({"3": "discard broadcast", "5a": "no soft SAs"})
    out = said(capsys)
    assert out.startswith("[q6] Not yet. Some fixes in your table leave the attack working:")
    assert "FAIL 3   discard broadcast: 'discard broadcast' does not apply to fig4's attack" in out


def test_missing_rows_and_unknown_fixes_are_explained(capsys):
    """A table without a row, or with a fix that is not offered, gets a Not yet naming the choices."""
    _matrix().check({"3": "no BYPASS for private ranges"})
    assert "your table has no row for problem 5a" in said(capsys)
    _matrix().check({"3": ..., "5a": ...})
    assert "Replace ... with a fix for problem 3" in said(capsys)
    _matrix().check({"3": "firewall", "5a": "no soft SAs"})
    assert "problem 3: 'firewall' is not a fix; choose from" in said(capsys)
