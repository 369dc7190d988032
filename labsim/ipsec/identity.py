"""After IKE proves *a* name: does that name belong at this address? (paper sections 5.1-5.5)

The SPD speaks addresses; the certificate speaks names. A host is configured with one of
the checks the paper weighs, each run for real against the simulated DNS or the PAD:

========================  ===================================================================
``none``                  what deployed stacks do: any name the trusted CA certified is fine
``forward_dns``           look the certified name up; pass if the peer's address is among the
                          answers (the peer writes its own records, so this proves little)
``reverse_dns``           look the peer's address up (PTR); pass if it names the certified name
                          (plain DNS, so an active attacker can forge the answer)
``secure_reverse_dns``    the same, but the PTR answer must validate with DNSSEC
``pad``                   the PAD lists which addresses each identity may use (RFC 4301 4.4.3)
``name_handle``           the resolver gave the application an opaque handle that remembers the
                          name it resolved; the stack compares that name with the certificate
``application``           the stack accepts; the application asks its socket who the peer
                          authenticated as (solution 1) and decides itself
========================  ===================================================================

The PAD is consulted first in every mode (RFC 4301); outside ``pad`` mode a host's PAD is
the permissive one deployed stacks effectively have (``peer * addresses any``).
"""

from __future__ import annotations

from collections.abc import Callable

from ..addresses import Address
from ..dns import reverse_name
from .spd import name_matches

NAME_CHECKS = ("none", "forward_dns", "reverse_dns", "secure_reverse_dns", "pad", "name_handle", "application")
#: What each check does, for the scenarios' toggles (fig1 and fig2 offer the same choices).
NAME_CHECK_MEANINGS = {
    "none": "nothing (what deployed stacks do)",
    "forward_dns": "look the certified name up and expect the peer's address",
    "reverse_dns": "look the peer's address up (plain DNS) and expect the certified name",
    "secure_reverse_dns": "the same, with DNSSEC signatures checked",
    "pad": "a peer authorization database lists each identity's addresses",
    "name_handle": "the resolver returns a handle that remembers the name (section 5.4)",
    "application": "the application asks its socket whether it is protected and by whom (solution 1)",
}

Result = Callable[[bool, str], None]


def check_peer(host, peer: Address, name: str, issuer: str, expected_name: str | None, on_result: Result) -> None:
    """Run the host's PAD and its configured name check; call ``on_result(ok, reason)`` (maybe later)."""
    sim = host.sim
    auth = host.pad.authorize(name, issuer, peer)
    sim.record("ike", host.name, f"PAD: {name} at {peer}", "pass" if auth.ok else "fail", auth.reason,
               rule=auth.label())
    if not auth.ok:
        on_result(False, f"PAD refused: {auth.reason}")
        return
    mode = host.name_check

    def done(ok: bool, reason: str) -> None:
        sim.record("ike", host.name, f"name check {mode}: {name} at {peer}", "pass" if ok else "fail", reason,
                   rule=f"name check: {mode}")
        on_result(ok, reason)

    if mode in ("none", "pad"):
        if mode == "none":
            done(True, "not checked: the stack has only the address, the certificate only a name, and "
                       "deployed stacks skip the comparison")
        else:
            done(True, "the PAD entry allows this identity at this address")
    elif mode == "application":
        done(True, "the stack accepts; the application will ask its socket who the peer is")
    elif mode == "name_handle":
        if expected_name is None:
            done(True, "cannot check: the application connected to a raw address, so no name reached the stack")
        elif name_matches(expected_name, name):
            done(True, f"the handle's name {expected_name} is the certified name")
        else:
            done(False, f"the application resolved {expected_name} but the peer is certified as {name}")
    elif mode == "forward_dns":
        def on_answer(answer) -> None:
            if not answer.ok:
                done(False, f"{name} does not resolve")
            elif str(peer) in answer.values:
                done(True, f"{name} resolves to {', '.join(answer.values)}, which includes {peer} "
                           "(but the owner of a name writes its own records)")
            else:
                done(False, f"{name} resolves to {', '.join(answer.values)}, not {peer}")
        host.resolver.lookup(name, "A", on_answer)
    elif mode in ("reverse_dns", "secure_reverse_dns"):
        secure = mode == "secure_reverse_dns"

        def on_ptr(answer) -> None:
            if not answer.ok:
                done(False, f"no {'validated ' if secure else ''}reverse record for {peer}")
            elif any(name_matches(value, name) for value in answer.values):
                how = "validated with DNSSEC" if answer.secure else "not validated, so it could be forged"
                done(True, f"{peer} points back to {name} ({how})")
            else:
                done(False, f"{peer} points back to {', '.join(answer.values)}, not {name}")
        host.resolver.lookup(reverse_name(peer), "PTR", on_ptr, secure=secure)
    else:  # the scenario layer validates toggles; a bad value here is a programming error
        raise ValueError(f"unknown name check {mode!r}; one of {', '.join(NAME_CHECKS)}")
