"""Shared by test_fig3/4/5: run one row of a scenario's table, and check that a table covers every toggle value.

A row is ``(toggles, outcome, problem, attack_succeeded, evidence)`` for the primary flow,
optionally followed by ``{flow: (outcome, problem, attack_succeeded)}`` for the scenario's
other flows. ``evidence`` is a trace line (or a tuple of them) written by the mechanism
that decided the run; an item starting with ``!`` must NOT appear in the trace.
"""

from labsim import run, scenario


def case_id(case) -> str:
    return "-".join(f"{k}={v}" for k, v in case[0].items()) or "default"


def flow_verdict(result, flow: str):
    """The verdict of ``flow`` in ``result`` (one per declared flow)."""
    return result.verdicts[flow]


def check_row(scenario_id: str, case) -> None:
    toggles, outcome, problem, attack, words = case[:5]
    others = case[5] if len(case) > 5 else {}
    result = run(scenario_id, toggles)
    assert (result.outcome, result.problem, result.attack_succeeded) == (outcome, problem, attack), result.text()
    text = result.trace_text()
    for item in (words,) if isinstance(words, str) else words:
        if item.startswith("!"):
            assert item[1:] not in text, item
        else:
            assert item in text, item
    for flow, expected in others.items():
        v = flow_verdict(result, flow)
        assert (v.outcome, v.problem, v.attack_succeeded) == expected, (flow, v)


def check_every_value_alone(scenario_id: str, cases) -> None:
    for toggle in scenario(scenario_id).toggles:
        for value in toggle.values:
            assert any(c[0] == {toggle.name: value} for c in cases), (toggle.name, value)


def check_every_flow_in_every_row(scenario_id: str, cases) -> None:
    """Where a scenario has several flows, each row states every other flow's verdict too."""
    others = {flow for flow, _ in scenario(scenario_id).flows[1:]}
    for case in cases:
        assert set(case[5] if len(case) > 5 else {}) == others, case_id(case)
