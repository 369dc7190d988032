"""labsim/teaching/checks.py: each kind of check accepts the right answer and teaches on a wrong one."""

import pytest

from labsim.teaching import Choose, ExpectRefusal, Observe, Predict, Reproduce, Requirement, WritePolicy


def said(capsys):
    return capsys.readouterr().out


def test_predict_runs_the_scenario_and_compares(capsys):
    """A prediction is judged against what the simulator does, with the reason and a likely mistake."""
    q = Predict("q1", "t", scenario="fig1", toggles={"dns": "honest"},
                mistakes={"exposed": "with honest DNS the address is right"})
    q.check("protected")
    assert said(capsys).startswith("[q1] Correct. The simulator agrees: protected.") and q.passed
    q.check("exposed")
    out = said(capsys)
    assert out.startswith("[q1] Not yet. 'exposed' is not what the simulator shows. Likely mistake: with honest DNS")
    assert "protected" not in out and q.passed is False   # a first wrong try does not give the answer away
    q.check("exposed")
    out = said(capsys)
    assert out.startswith("[q1] Not yet. You predicted exposed; the simulator says protected.")
    assert "Likely mistake: with honest DNS the address is right" in out and q.passed is False


@pytest.mark.parametrize("answer, words", [(..., "Replace ... with your answer"), ("", "Replace ..."),
                                           ("exposd", "'exposd' is not an outcome")])
def test_predict_stubs_and_typos_say_not_yet(answer, words, capsys):
    """The stub and a typo each get a clear 'Not yet', never an exception."""
    Predict("q1", "t", scenario="fig1").check(answer)
    out = said(capsys)
    assert out.startswith("[q1] Not yet.") and words in out


def _policy():
    return WritePolicy("q2", "t", scenario="fig1", host="host-a", requirements=[
        Requirement({"dns": "spoofed"}, "the spoofed run leaks nothing", lambda r: not r.attack_succeeded,
                    "the last rule still lets the attacker's address through"),
        Requirement({"dns": "honest"}, "server-b is still reached over IPsec", lambda r: r.outcome == "protected"),
    ])


def test_write_policy_accepts_a_policy_meeting_every_row(capsys):
    """An SPD that discards non-intranet traffic meets both rows."""
    _policy().check("bypass remote 1.2.0.53 proto udp port 53\nprotect remote 1.2.0.0/16\ndiscard any")
    out = said(capsys)
    assert out.startswith("[q2] Correct.") and out.count("ok  ") == 2


def test_write_policy_shows_the_failing_row_and_why(capsys):
    """The deployed policy leaks: the failing row names the outcome, the reason and the likely mistake."""
    _policy().check("bypass remote 1.2.0.53 proto udp port 53\nprotect remote 1.2.0.0/16\nbypass any")
    out = said(capsys)
    assert out.startswith("[q2] Not yet.")
    assert "FAIL the spoofed run leaks nothing (fig1 dns=spoofed): got exposed" in out
    assert "likely mistake: the last rule still lets the attacker's address through" in out


def test_write_policy_reports_syntax_errors(capsys):
    """A policy that does not parse gets the parser's message with line and column."""
    _policy().check("protect remtoe 1.2.0.0/16")
    out = said(capsys)
    assert out.startswith("[q2] Not yet. Your SPD does not parse:") and "did you mean 'remote'" in out


def test_choose_runs_every_option(capsys):
    """Choosing DNSSEC is right; the check shows what each option does, from real runs."""
    q = Choose("q3", "t", scenario="fig1", options={"dnssec": {"dnssec": "on"}, "default discard": {"default_action": "discard"}})
    q.check("dnssec")
    out = said(capsys)
    assert out.startswith("[q3] Correct.") and "fails: 'default discard' -> blocked" in out
    q.check("default discard")
    assert said(capsys).startswith("[q3] Not yet. 'default discard' does not: the simulator says blocked.")
    q.check("firewall")
    assert "is not an option" in said(capsys)


def test_reproduce_checks_the_problem_the_run_shows(capsys):
    """Toggles that make fig1 an insider attack reproduce problem 1b; a wrong toggle name is explained."""
    q = Reproduce("q4", "t", scenario="fig1", problem="1b")
    q.check({"attacker_at": "protected", "attacker_cert": "same_ca"})
    assert said(capsys).startswith("[q4] Correct. These toggles show problem 1b.")
    q.check({"attacker_at": "protected"})
    assert said(capsys).startswith("[q4] Not yet. Expected problem 1b; got problem none with outcome blocked.")
    q.check({"colour": "red"})
    assert "unknown toggle for fig1 'colour'" in said(capsys)
    with pytest.raises(ValueError):
        Reproduce("q5", "t", scenario="fig1", problem="9z")


def test_hint_and_solution_print(capsys, monkeypatch, tmp_path):
    """hint() prints its text under the exercise id; solution() never shows a text kept in the package.

    (Worked solutions come from solutions.json beside the notebook: tests/test_teaching_modes.py.)
    """
    monkeypatch.chdir(tmp_path)
    q = Predict("q1", "t", hint_text="look at rule 3", solution_text="exposed, because ...", scenario="fig1")
    q.hint()
    q.solution()
    assert said(capsys) == ("[q1] Hint: look at rule 3\n[q1] The worked solution opens after two real attempts (no "
                            "answer yet; replacing ... counts, running the stub does not). Try q1.hint() first.\n")
    q.check(...)                      # a stub is not an attempt
    q.check("clear")
    q.check("blocked")
    said(capsys)
    q.solution()
    assert said(capsys) == "[q1] Solution: exposed, because ...\n"


def test_expect_refusal_passes_when_the_parser_refuses_a_name_on_bypass(capsys):
    """A name selector on a BYPASS rule is refused; the check passes and shows the parser's section 6.4 reason."""
    q = ExpectRefusal("q5", "t", accepted="Put the name on a bypass rule.")
    q.check("bypass remote 192.168.0.10 name printer-b.example.org")
    out = said(capsys)
    assert out.startswith("[q5] Correct. The SPD refuses it, and says why:") and q.passed
    assert "paper, section 6.4" in out and "^" in out


@pytest.mark.parametrize("text, words", [
    ("protect remote 192.168.0.10 name printer-b.example.org", "accepts every line, so nothing was refused"),
    ("bypass remtoe 192.168.0.10 name printer-b.example.org", "is refused, but for another reason"),
    (..., "Replace ... with your answer"),
])
def test_expect_refusal_says_not_yet_when_nothing_or_something_else_is_refused(text, words, capsys):
    """A name on PROTECT parses, a typo is another error, the stub is a stub: each gets 'Not yet' and why."""
    q = ExpectRefusal("q5", "t", accepted="Put the name on a bypass rule.")
    q.check(text)
    out = said(capsys)
    assert out.startswith("[q5] Not yet.") and words in out and q.passed is False


def test_predict_may_replace_a_hosts_spd(capsys):
    """A prediction about a run with the student's own SPD: host-a bypasses, server-b's inbound rule discards."""
    q = Predict("q3", "t", scenario="basics", spd={"host-a": "bypass any"},
                mistakes={"clear": "server-b checks inbound packets too"})
    q.check("blocked")
    assert said(capsys).startswith("[q3] Correct. The simulator agrees: blocked.")
    q.check("clear")
    assert "Likely mistake: server-b checks inbound packets too" in said(capsys)


def test_reproduce_keeps_the_toggles_the_question_pins(capsys):
    """With allowed values, a toggle left at a default outside them is named; inside them the run decides."""
    q = Reproduce("q4", "t", scenario="fig2", problem="1b", outcome="impersonated",
                  allowed={"name_check": ("name_handle",)})
    q.check({"connect_by": "address"})
    assert said(capsys).startswith("[q4] Not yet. This question keeps name_check at name_handle; "
                                   "you left it at its default, none.")
    q.check({"name_check": "pad", "connect_by": "address"})
    assert "you set it to pad" in said(capsys)
    q.check({"name_check": "name_handle"})
    assert said(capsys).startswith("[q4] Not yet. Expected problem 1b with outcome impersonated; got problem none")
    q.check({"name_check": "name_handle", "connect_by": "address"})
    assert said(capsys).startswith("[q4] Correct.") and q.passed


def _observe():
    from labsim.teaching.inspect import wire_facts
    return Observe("q4", "t", scenario="basics", options=("the SPI", "the request text", "the destination port"),
                   facts=wire_facts, goal="what an eavesdropper reads")


def test_observe_reads_the_facts_from_the_run(capsys):
    """The exact set of statements that hold passes, and every option is shown with its evidence."""
    q = _observe()
    q.check({"the SPI"})
    out = said(capsys)
    assert out.startswith("[q4] Correct. You picked exactly what an eavesdropper reads.") and q.passed
    assert "no   the request text: the bytes do not contain 'GET /salaries.xlsx'" in out


@pytest.mark.parametrize("answer, words", [
    ({"the SPI", "the request text"}, "you picked 'the request text': the bytes do not contain"),
    (set(), "1 statement that holds is missing from your set"),
    ({"spi"}, "'spi' is not an option"),
    (..., "Replace ... with your answer"),
    (42, "give a set of options"),
])
def test_observe_says_which_options_were_judged_wrongly(answer, words, capsys):
    """A first wrong set names each wrongly picked option with the run's evidence, and only counts the missing
    ones; typos and stubs are explained."""
    q = _observe()
    q.check(answer)
    out = said(capsys)
    assert out.startswith("[q4] Not yet.") and words in out and q.passed is False


def test_observe_shows_every_option_only_after_a_second_wrong_try(capsys):
    """The statements left out are named, with the run's evidence, only on the second wrong try."""
    q = _observe()
    q.check(set())
    assert "you left out" not in said(capsys)
    q.check(set())
    assert "you left out 'the SPI': the ESP header is in clear" in said(capsys)


def test_observe_accepts_one_option_as_a_string_and_ignores_case(capsys):
    """'The SPI' alone, as a string, is the set {'the SPI'}."""
    _observe().check("The SPI")
    assert said(capsys).startswith("[q4] Correct.")


def test_a_requirement_may_explain_its_own_failure(capsys):
    """A row about something other than the verdict says what the run showed about that thing."""
    q = WritePolicy("q2", "t", scenario="fig1", host="host-a", requirements=[
        Requirement({"dns": "honest"}, "the DNS server is reached in clear", lambda r: False,
                    explain=lambda r: "the query to 1.2.0.53 was bypassed, as wanted, but this row always fails"),
    ])
    q.check("bypass remote 1.2.0.53 proto udp port 53\nprotect remote 1.2.0.0/16\nbypass any")
    out = said(capsys)
    assert "     why: the query to 1.2.0.53 was bypassed, as wanted, but this row always fails." in out


# ------------------------------------------------------------- issue 10: checks that need understanding

def _multi():
    return Choose("q2", "t", scenario="fig1", base={"dns": "spoofed"}, multiple=True,
                  options={"dnssec": {"dnssec": "on"}, "discard": {"default_action": "discard"},
                           "nothing": {}},
                  works=lambda r: not r.attack_succeeded, reaches=lambda r: r.outcome in ("protected", "clear"),
                  goal="keep the attacker from the request",
                  mistakes={"nothing": "the forged address is under 'bypass any'."})


def test_choose_several_judges_security_first_and_shows_the_cost_beside(capsys):
    """Both secure options are right even though one reaches nobody; its cost is a column, not the verdict."""
    q = _multi()
    q.check({"dnssec", "discard"})
    out = said(capsys)
    assert out.startswith("[q2] Correct. Exactly the options that keep the attacker from the request.")
    assert "works: 'discard' -> blocked [reaches nobody: a communication failure]" in out
    assert "works: 'dnssec' -> protected [still reaches the peer]" in out


def test_choose_hides_the_other_options_until_a_second_wrong_try(capsys):
    """A first wrong set names the wrongly picked option and counts the missing one; the second shows all."""
    q = _multi()
    q.check({"dnssec", "nothing"})
    out = said(capsys)
    assert "You picked 'nothing', which does not: the simulator says exposed." in out
    assert "1 option that does the job is missing from your set" in out and "discard" not in out
    q.check({"dnssec", "nothing"})
    out = said(capsys)
    assert "You left out 'discard', which does." in out and "What each option does:" in out


def test_expect_refusal_wants_the_kind_of_rule_asked_for(capsys):
    """A name on a DISCARD rule is refused too, but the goal is a BYPASS rule: Not yet, naming the difference."""
    q = ExpectRefusal("q5", "t", goal="a bypass rule with a name selector")
    q.check("discard remote 192.168.0.10 name printer-b.example.org")
    assert said(capsys).startswith("[q5] Not yet. The SPD refuses your discard rule, but the goal is a bypass rule")


def test_policy_rows_ask_the_spd_and_the_pad_themselves(capsys):
    """A row about a packet no run sends (another intranet host) fails a policy that bypasses it."""
    from labsim.teaching.checks import PolicyRow, pad_allows, spd_decides
    q = WritePolicy("q2", "t", scenario="basics", requirements=[
        PolicyRow("1.2.0.7 is protected", spd_decides("protect", "1.2.0.7"), "keep the intranet rule")])
    q.check("protect remote 1.2.3.4\nbypass any")
    out = said(capsys)
    assert "FAIL 1.2.0.7 is protected: BYPASS by rule 2: bypass any" in out and "keep the intranet rule" in out
    from labsim.ipsec.pad import parse_pad
    ok, got = pad_allows("pc-c.example.org", "1.2.0.7")(parse_pad('peer server-b.example.org addresses 1.2.3.4'))
    assert not ok and got.startswith("refused: no PAD entry for pc-c.example.org")


def test_reproduce_names_the_likely_mistake_from_the_toggles_given(capsys):
    """A toggle left at its default, or set to a known wrong value, is named in the feedback."""
    q = Reproduce("q4", "t", scenario="fig1", problem="1b",
                  mistakes={"attacker_cert": "an attacker at a PROTECT address must pass IKE"})
    q.check({"attacker_at": "protected"})
    assert "Likely mistake: an attacker at a PROTECT address must pass IKE" in said(capsys)


def test_predict_may_ask_for_a_reason_and_repeats_it(capsys):
    """With ask_reason, a bare answer is not enough; the reason is repeated beside the run's explanation."""
    q = Predict("q3", "t", scenario="fig1", toggles={"dns": "honest"}, ask_reason=True)
    q.check("protected")
    assert "Give a one-line reason too" in said(capsys)
    q.check(("protected", "honest DNS gives 1.2.3.4 under PROTECT"))
    out = said(capsys)
    assert out.startswith("[q3] Correct.") and "Your reason: 'honest DNS gives 1.2.3.4 under PROTECT'" in out


def test_predict_judges_the_flow_it_names(capsys):
    """fig5 has a verdict per flow; a Predict about the print job is judged on the print job."""
    q = Predict("q1", "t", scenario="fig5", toggles={"broadcast": "discard"}, flow="print_job")
    q.check("clear")
    assert said(capsys).startswith("[q1] Correct. The simulator agrees: clear")


def test_solution_comes_only_from_the_notebooks_solutions_json(tmp_path, monkeypatch, capsys):
    """Without solutions.json beside the notebook (graded mode) nothing is shown; with it, after two attempts."""
    import json
    monkeypatch.chdir(tmp_path)
    q = Predict("q1", "t", scenario="fig1", key="02.q1")
    q.check("clear")
    q.check("clear")
    said(capsys)
    q.solution()
    assert "not available in graded mode" in said(capsys)
    (tmp_path / "solutions.json").write_text(json.dumps({"mode": "self-study", "solutions": {"02.q1": "blocked."}}))
    q.solution()
    assert said(capsys) == "[q1] Solution: blocked.\n"
