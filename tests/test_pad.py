"""labsim/ipsec/pad.py: the peer authorization database (RFC 4301 section 4.4.3)."""

import pytest

from labsim.addresses import ip
from labsim.errors import PadSyntaxError
from labsim.ipsec.pad import Pad, parse_pad

PAD = '''
peer server-b.example.org ca "Example Corp CA" addresses 1.2.3.4
peer *.example.org ca "Example Corp CA" addresses 1.2.0.0/16,10.0.0.0/8   # everyone else in the company
'''


def test_identity_may_only_claim_its_addresses():
    """server-b may use 1.2.3.4 only; the first entry matching the name decides."""
    pad = parse_pad(PAD)
    assert pad.authorize("server-b.example.org", "Example Corp CA", ip("1.2.3.4")).ok
    refused = pad.authorize("server-b.example.org", "Example Corp CA", ip("1.2.3.5"))
    assert not refused.ok and refused.reason == "server-b.example.org may only use 1.2.3.4, not 1.2.3.5"
    assert refused.label() == 'PAD entry 1: peer server-b.example.org ca "Example Corp CA" addresses 1.2.3.4'


def test_suffix_entries_cover_every_name_below():
    """`*.example.org` matches any name ending in .example.org, at any depth."""
    pad = parse_pad(PAD)
    assert pad.authorize("pc-c.example.org", "Example Corp CA", ip("10.9.9.9")).ok
    assert pad.authorize("a.b.example.org", "Example Corp CA", ip("1.2.9.9")).ok
    assert not pad.authorize("pc-c.example.com", "Example Corp CA", ip("1.2.9.9")).ok


def test_the_issuer_must_be_the_one_named():
    """An identity certified by another CA is refused."""
    result = parse_pad(PAD).authorize("pc-c.example.org", "Evil CA", ip("1.2.0.7"))
    assert not result.ok and "must be certified by Example Corp CA, not Evil CA" in result.reason


def test_permissive_pad_is_group_authentication():
    """The deployed default lets any certified name claim any address (paper section 5.1)."""
    assert Pad.permissive().authorize("pc-c.example.org", "Example Corp CA", ip("1.2.3.4")).ok
    assert Pad.permissive().text() == "peer * addresses any"


def test_unknown_identity_is_refused():
    """A name no entry matches is refused."""
    assert not parse_pad("peer a.example.org addresses any").authorize("b.example.org", "X", ip("1.1.1.1")).ok


@pytest.mark.parametrize("line, column, words", [
    ("pier a.example.org addresses any", 1, "starts with 'peer'"),
    ("peer a..example.org addresses any", 6, "is not a host name"),
    ("peer a.example.org", 19, "say which addresses"),
    ("peer a.example.org addresses 1.2.3.400", 30, "is not an address"),
    ("peer a.example.org colour blue", 20, "expected 'ca' or 'addresses'"),
    ('peer a.example.org ca "Example Corp CA addresses any', 23, "not closed"),
])
def test_syntax_errors_name_line_and_column(line, column, words):
    """A malformed PAD line is refused with line, column and an example."""
    with pytest.raises(PadSyntaxError) as info:
        parse_pad("peer * addresses any\n" + line)
    assert info.value.line_no == 2 and info.value.column == column
    assert words in str(info.value) and "a correct line looks like" in str(info.value)
