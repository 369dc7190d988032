"""The strongswan.conf syntax that swanctl.conf uses: sections, settings, includes, references.

The grammar follows strongSwan's own lexer and parser (``settings_lexer.l``,
``settings_parser.y``): ``name { ... }`` opens a section, ``name : other, a.b { ... }``
one that inherits from others, ``name = value`` is a setting whose value runs to the end
of the line, a ``#`` or a ``}`` (quote it to keep those), ``include pattern`` reads more
files relative to this one. A section given twice is merged; a later setting wins. Every
section and setting keeps its file and line.

>>> tree = parse_settings('connections {\\n  lan { remote_addrs = 10.1.0.0/16 }  # mesh\\n}\\n', "swanctl.conf")
>>> lan = tree.section("connections").section("lan")
>>> lan.get("remote_addrs").value, lan.get("remote_addrs").line
('10.1.0.0/16', 2)
>>> parse_settings("connections {\\n", "x.conf")
Traceback (most recent call last):
...
labsim.errors.ConfigError: x.conf, line 1: section 'connections' is never closed (a '}' is missing)
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field

from ..errors import ConfigError

NAME_STOP = set('#{}:.,="\r\n\t ')
VALUE_STOP = set("#}\n")
MAX_INCLUDE_DEPTH = 10


@dataclass
class Setting:
    name: str
    value: str
    path: str
    line: int


@dataclass
class Section:
    name: str
    path: str
    line: int
    settings: dict[str, Setting] = field(default_factory=dict)
    sections: dict[str, Section] = field(default_factory=dict)
    references: list[tuple[str, str, int]] = field(default_factory=list)   # (dotted name, path, line)
    unmatched_includes: list[tuple[str, int, str]] = field(default_factory=list)   # (path, line, pattern)

    def get(self, name: str) -> Setting | None:
        return self.settings.get(name)

    def section(self, name: str) -> Section | None:
        return self.sections.get(name)

    def value(self, name: str, default: str | None = None) -> str | None:
        setting = self.settings.get(name)
        return setting.value if setting is not None else default


@dataclass
class _Token:
    kind: str      # name, "{", "}", ":", "=", ",", ".", value, include
    text: str
    line: int


def parse_settings(text: str, path: str, _depth: int = 0) -> Section:
    """Parse ``text`` (the contents of ``path``) into a tree of sections; includes are read from disk."""
    root = Section("", path, 0)
    _Parser(path, _tokens(text, path), _depth, root).statements(root, closing=False)
    _resolve_references(root, root)
    return root


class _Parser:
    def __init__(self, path: str, tokens: list[_Token], depth: int, root: Section):
        self.path, self.tokens, self.pos, self.depth, self.root = path, tokens, 0, depth, root

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def fail(self, line: int, problem: str):
        raise ConfigError(self.path, line, problem)

    def statements(self, section: Section, closing: bool) -> None:
        while True:
            token = self.peek()
            if token is None:
                if closing:
                    self.fail(section.line, f"section '{section.name}' is never closed (a '}}' is missing)")
                return
            self.take()
            if token.kind == "}":
                if not closing:
                    self.fail(token.line, "'}' closes no section (one '}' too many)")
                return
            if token.kind == "include":
                self.include(section, token)
                continue
            if token.kind != "name":
                self.fail(token.line, f"expected a section or setting name, found {token.text!r}")
            self.after_name(section, token)

    def after_name(self, section: Section, name: _Token) -> None:
        nxt = self.peek()
        if nxt is None or nxt.kind not in ("{", ":", "="):
            found = "the end of the file" if nxt is None else repr(nxt.text)
            self.fail(name.line, f"'{name.text}' must be followed by '=' (a setting) or '{{' (a section), "
                                 f"not {found}")
        self.take()
        if nxt.kind == "=":
            value = self.peek()
            text = ""
            if value is not None and value.kind == "value":
                text = self.take().text
            if name.text in section.sections:
                self.fail(name.line, f"'{name.text}' is already a section (line {section.sections[name.text].line})")
            section.settings[name.text] = Setting(name.text, text, self.path, name.line)
            return
        refs = []
        if nxt.kind == ":":
            while True:
                ref = self.peek()
                if ref is None or ref.kind != "name":
                    self.fail(name.line, f"section '{name.text}' : needs the names of sections to inherit from")
                dotted = self.take().text
                while self.peek() is not None and self.peek().kind == "." and self.pos + 1 < len(self.tokens) \
                        and self.tokens[self.pos + 1].kind == "name":
                    self.take()
                    dotted += "." + self.take().text
                refs.append((dotted, self.path, ref.line))
                sep = self.peek()
                if sep is not None and sep.kind == ",":
                    self.take()
                    continue
                break
            brace = self.peek()
            if brace is None or brace.kind != "{":
                self.fail(name.line, f"section '{name.text}' needs a '{{' after its references")
            self.take()
        if name.text in section.settings:
            self.fail(name.line, f"'{name.text}' is already a setting (line {section.settings[name.text].line})")
        child = section.sections.get(name.text)
        if child is None:
            child = section.sections[name.text] = Section(name.text, self.path, name.line)
        child.references.extend(refs)
        self.statements(child, closing=True)

    def include(self, section: Section, token: _Token) -> None:
        if self.depth >= MAX_INCLUDE_DEPTH:
            self.fail(token.line, f"includes nest deeper than {MAX_INCLUDE_DEPTH} files (an include loop?)")
        pattern = token.text
        if not os.path.isabs(pattern):
            pattern = os.path.join(os.path.dirname(self.path) or ".", pattern)
        found = sorted(glob.glob(pattern))
        if not found:
            self.root.unmatched_includes.append((self.path, token.line, token.text))
        for included in found:
            try:
                with open(included, encoding="utf-8") as f:
                    text = f.read()
            except (OSError, UnicodeDecodeError) as exc:
                self.fail(token.line, f"cannot read included file {included}: {exc}")
            _Parser(included, _tokens(text, included), self.depth + 1, self.root).statements(section, closing=False)


def _tokens(text: str, path: str) -> list[_Token]:
    out: list[_Token] = []
    i, line, n = 0, 1, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
            i += 1
        elif ch in " \t\r":
            i += 1
        elif ch == "#":
            while i < n and text[i] != "\n":
                i += 1
        elif ch in "{}:,.":
            out.append(_Token(ch, ch, line))
            i += 1
        elif ch == "=":
            out.append(_Token("=", "=", line))
            i, line, value = _value(text, i + 1, line, path)
            if value is not None:
                out.append(_Token("value", value, line))
        elif ch == '"':
            raise ConfigError(path, line, "a quoted string can only stand after '=' (as a value)")
        else:
            start = i
            while i < n and text[i] not in NAME_STOP:
                i += 1
            word = text[start:i]
            rest = text[i:i + 1]
            if word == "include" and rest in (" ", "\t"):
                i, line, pattern = _include_pattern(text, i, line, path)
                out.append(_Token("include", pattern, line))
            else:
                out.append(_Token("name", word, line))
    return out


def _value(text: str, i: int, line: int, path: str) -> tuple[int, int, str | None]:
    """Read a value after '=': words joined by one space, quoted strings kept whole."""
    parts: list[str] = []
    n = len(text)
    while i < n and text[i] not in VALUE_STOP:
        ch = text[i]
        if ch in " \t\r":
            i += 1
        elif ch == '"':
            i, line, string = _string(text, i + 1, line, path)
            parts.append(string)
        else:
            start = i
            while i < n and text[i] not in VALUE_STOP and text[i] not in ' \t\r"':
                i += 1
            parts.append(text[start:i])
    return i, line, (" ".join(parts) if parts else None)


def _string(text: str, i: int, line: int, path: str) -> tuple[int, int, str]:
    start_line, out, n = line, [], len(text)
    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
    while i < n:
        ch = text[i]
        if ch == '"':
            return i + 1, line, "".join(out)
        if ch == "\\" and i + 1 < n:
            out.append(escapes.get(text[i + 1], "\\" + text[i + 1]))
            i += 2
            continue
        if ch == "\n":
            line += 1
        out.append(ch)
        i += 1
    raise ConfigError(path, start_line, 'a quoted string is never closed (a \'"\' is missing)')


def _include_pattern(text: str, i: int, line: int, path: str) -> tuple[int, int, str]:
    while i < len(text) and text[i] in " \t":
        i += 1
    if i < len(text) and text[i] == '"':
        return _string(text, i + 1, line, path)
    start = i
    while i < len(text) and text[i] not in "#}\n\t ":
        i += 1
    if start == i:
        raise ConfigError(path, line, "'include' needs a file name or pattern")
    return i, line, text[start:i]


def _resolve_references(root: Section, section: Section) -> None:
    """``name : a, b.c { }`` copies what a and b.c define and the section itself does not."""
    for name, path, line in section.references:
        source = root
        for part in name.split("."):
            source = source.sections.get(part) if source is not None else None
        if source is None:
            raise ConfigError(path, line, f"section '{section.name}' inherits from '{name}', which is not defined "
                                          "(write the full dotted path, e.g. connections.base)")
        _inherit(section, source)
    for child in section.sections.values():
        _resolve_references(root, child)


def _inherit(target: Section, source: Section) -> None:
    for key, setting in source.settings.items():
        target.settings.setdefault(key, setting)
    for key, sub in source.sections.items():
        if key not in target.sections:
            target.sections[key] = sub
        else:
            _inherit(target.sections[key], sub)


__all__ = ["parse_settings", "Section", "Setting"]
