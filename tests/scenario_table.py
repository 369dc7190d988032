"""Shared by test_fig3/4/5: run one row of a scenario's table, and check that a table covers every toggle value.

A row is ``(toggles, outcome, problem, attack_succeeded, words that must appear in the trace)``.
"""

from labsim import run, scenario


def case_id(case) -> str:
    return "-".join(f"{k}={v}" for k, v in case[0].items()) or "default"


def check_row(scenario_id: str, case) -> None:
    toggles, outcome, problem, attack, words = case
    result = run(scenario_id, toggles)
    assert (result.outcome, result.problem, result.attack_succeeded) == (outcome, problem, attack), result.text()
    assert words in result.trace_text()


def check_every_value_alone(scenario_id: str, cases) -> None:
    for toggle in scenario(scenario_id).toggles:
        for value in toggle.values:
            assert any(c[0] == {toggle.name: value} for c in cases), (toggle.name, value)
