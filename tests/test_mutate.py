"""tools/mutate.py: every mutant still anchors on the code, so no refactor orphans one silently."""

import pytest

from mutants import MUTANTS, by_name, mutate, stale

REQUIRED = (   # issue 11, sections 1 and 2: each mechanism must keep a mutant
    "transport ESP sent as plain packets", "inbound PROTECT enforcement", "soft-SA admission",
    "inbound inner-source selector check", "ESP integrity tag", "certificate signature check",
    "certificate issuer check", "IKE AUTH signature check", "SPD name selector", "resolver cache",
    "DNSSEC signature verification", "VPN split routing", "client belief as verdict",
    "problem-4 attribution from layout", "5a attribution from admission",
)


def test_every_mutant_snippet_occurs_exactly_once_and_its_tests_exist():
    assert stale() == []


def test_required_mechanisms_have_a_mutant_with_tests():
    names = [m.name for m in MUTANTS]
    assert len(names) == len(set(names))
    for name in REQUIRED:
        mutant = by_name(name)
        assert mutant.tests and mutant.edits and mutant.why


def test_an_unknown_mutant_is_named_with_the_choices():
    with pytest.raises(KeyError, match="choose one of: .*resolver cache"):
        by_name("resolver cash")


def test_a_moved_snippet_is_reported(tmp_path):
    (tmp_path / "labsim").mkdir()
    (tmp_path / "labsim" / "vpn.py").write_text("# the snippet is gone\n")
    mutant = by_name("VPN split routing")
    with pytest.raises(ValueError, match="occurs 0 times in labsim/vpn.py"):
        mutate.mutated_source(mutant, "labsim/vpn.py", tmp_path)
