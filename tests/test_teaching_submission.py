"""labsim/teaching/submission.py: a submission's check calls, answers and patches (whole runs: test_teaching_grade)."""

import pytest

from labsim.teaching.submission import check_calls, compare_probes, decode, tampering_in


def test_check_calls_are_statements_not_comments():
    """Only a real qN.check(EXPR) statement counts; one in a comment or a string does not."""
    assert check_calls('q1.check(answer)\nq2.check({"a": 1})') == [("q1", "answer"), ("q2", "{'a': 1}")]
    assert check_calls('print("[q1] Correct.")  # q1.check(answer)\n"q2.check(x)"') == []
    assert check_calls("%matplotlib inline\nq3.check(x)") == [("q3", "x")]
    assert check_calls("q4.check(*xs, why=y, **more)") == [("q4", "*xs, why=y, **more")]


def test_decode_refuses_anything_but_plain_values():
    assert decode({"ellipsis": True}) is ...
    assert decode({"tuple": [{"value": 1}, {"frozenset": [{"value": "a"}]}]}) == (1, frozenset({"a"}))
    with pytest.raises(ValueError):
        decode({"object": "os.system"})
    with pytest.raises(ValueError):
        decode({"value": [1, 2]})


def test_tampering_in_code_names_the_cell():
    cells = ["import labsim.teaching.checks as c\nc.run = lambda *a, **k: None",
             "from labsim.teaching.checks import Predict\nsetattr(Predict, 'check', print)",
             "q1 = object()", "from unittest import mock", "answer = 'blocked'\nq1.check(answer)"]
    assert tampering_in(cells, ["q1"]) == ["cell 1 assigns c.run", "cell 2 calls setattr on Predict",
                                           "cell 3 rebinds q1", "cell 4 imports unittest.mock"]


def test_compare_probes_names_what_the_kernel_changed():
    """A function defined elsewhere, an attribute added or deleted, a replaced exercise: each is named."""
    mine = {"labsim.run": "result.py:10:run", "labsim.teaching.nb00.q1.works": "nb00.py:5:<lambda>"}
    kernel = {"labsim.run": "/tmp/ipykernel_1/2.py:1:<lambda>", "labsim.teaching.nb00.q1.check": "<string>:1:<lambda>",
              "the notebook's q1": "replaced"}
    assert compare_probes(kernel, mine) == [
        "labsim.run was replaced (by the submission's code)",
        "labsim.teaching.nb00.q1.check was added (by the submission's code)",
        "the notebook's q1 was replaced",
        "labsim.teaching.nb00.q1.works was deleted"]
    assert compare_probes(mine, mine) == []
