"""Errors a student, an instructor or an administrator can cause.

Every error is a :class:`LabsimError` whose message names the bad value and says what
would have been accepted, so the command line can print it without a traceback.

>>> from labsim.errors import UnknownChoice
>>> print(UnknownChoice("scenario", "fig9", ["basics", "fig1"]))
unknown scenario 'fig9'; choose one of: basics, fig1
"""

from __future__ import annotations

from collections.abc import Iterable


class LabsimError(Exception):
    """Base class of every error labsim reports to a person."""


class UnknownChoice(LabsimError):
    """A name (scenario, toggle, value, host, check) that is not one of the valid choices."""

    def __init__(self, what: str, value: object, choices: Iterable[object], hint: str = ""):
        self.what = what
        self.value = value
        self.choices = [str(c) for c in choices]
        text = f"unknown {what} {value!r}; choose one of: {', '.join(self.choices)}"
        if hint:
            text += f"\n{hint}"
        super().__init__(text)


class UnknownScenario(UnknownChoice):
    def __init__(self, value: object, choices: Iterable[object]):
        super().__init__("scenario", value, choices, "(`python -m labsim list` shows each with its toggles)")


class UnknownToggle(UnknownChoice):
    def __init__(self, scenario: str, value: object, choices: Iterable[object]):
        super().__init__(f"toggle for {scenario}", value, choices)


class BadToggleValue(UnknownChoice):
    def __init__(self, scenario: str, toggle: str, value: object, choices: Iterable[object]):
        super().__init__(f"value for {scenario} toggle {toggle}", value, choices)


class UnknownHost(UnknownChoice):
    def __init__(self, value: object, choices: Iterable[object]):
        super().__init__("host", value, choices)


class PolicySyntaxError(LabsimError):
    """A line of SPD or PAD text that cannot be read; names line and column and shows an example."""

    def __init__(self, kind: str, line_no: int, column: int, line: str, problem: str, example: str,
                 source: str = ""):
        self.kind = kind
        self.line_no = line_no
        self.column = column
        self.line = line
        self.problem = problem
        self.example = example
        where = f"{source}, " if source else ""
        caret = " " * max(column - 1, 0) + "^"
        super().__init__(
            f"{kind} {where}line {line_no}, column {column}: {problem}\n"
            f"    {line}\n    {caret}\n"
            f"a correct line looks like: {example}"
        )


class SpdSyntaxError(PolicySyntaxError):
    def __init__(self, line_no: int, column: int, line: str, problem: str, example: str, source: str = ""):
        super().__init__("SPD", line_no, column, line, problem, example, source)


class NameSelectorOnBypass(SpdSyntaxError):
    """Section 6.4 of the paper: a peer name can only be known after the peer authenticates."""


class PadSyntaxError(PolicySyntaxError):
    def __init__(self, line_no: int, column: int, line: str, problem: str, example: str, source: str = ""):
        super().__init__("PAD", line_no, column, line, problem, example, source)


class ConfigError(LabsimError):
    """A configuration file (strongSwan, ip xfrm, a host profile) that cannot be imported."""

    def __init__(self, path: str, line_no: int | None, problem: str):
        self.path = path
        self.line_no = line_no
        self.problem = problem
        where = f"{path}, line {line_no}" if line_no else path
        super().__init__(f"{where}: {problem}")


class NetworkSafetyError(LabsimError):
    """labsim never puts a packet on a real network; scapy's send and receive paths raise this."""
