"""labsim/teaching/nb03.py: each fix's cost shows as a run beside its protection (section 5.3: the PAD restates
the problem; section 5.2: reverse DNS breaks for DHCP hosts)."""

import pytest

from labsim.teaching.nb03 import COLUMNS, compare_fixes, without_insider


@pytest.mark.parametrize("check, case, outcome", [
    ("pad", "renumbered", "blocked"),            # the PAD still lists the old address
    ("secure_reverse_dns", "renumbered", "protected"),
    ("pad", "new_desktop", "blocked"),           # nobody added the new lease to the PAD
    ("secure_reverse_dns", "new_desktop", "blocked"),   # its reverse record carries the pool's generic name
    ("name_handle", "new_desktop", "protected"),
    ("none", "usual", "protected"),
])
def test_everyday_cases_show_each_fixs_cost(check, case, outcome):
    """With nobody cheating, the address-table fixes refuse honest peers when addresses change."""
    assert without_insider(check, case=case).outcome == outcome


def test_an_unknown_case_names_the_choices():
    with pytest.raises(Exception, match="new_desktop"):
        without_insider("pad", case="moved")


def test_compare_fixes_puts_protection_and_cost_in_one_table(capsys):
    """One header with the attack columns and the everyday columns, one row per name check."""
    compare_fixes()
    lines = capsys.readouterr().out.splitlines()
    assert all(title in lines[0] for title, _ in COLUMNS)
    pad = next(line for line in lines if line.startswith("pad "))
    assert pad.split()[1:] == ["blocked", "blocked", "protected", "protected", "blocked", "blocked"]
