"""Import Linux XFRM policies, as ``ip xfrm policy show`` prints them (or as ``ip xfrm policy add`` commands).

How the kernel decides, and how the auditor follows it:

* Each policy has a direction. ``dir out`` decides our outbound packets (``src`` is us,
  ``dst`` the peer); ``dir in`` our inbound ones (``src`` is the peer). ``dir fwd`` is for
  packets a router forwards and does not concern a host's own traffic.
* The lowest ``priority`` number wins; the auditor sorts by it, file order breaking ties
  (the kernel breaks them by insertion order, which the listing does not show, so a tie
  between overlapping policies with different actions is reported).
* ``action block`` is DISCARD. ``action allow`` (the default) without a template is
  BYPASS; with a ``tmpl`` of ``level required`` it is PROTECT.
* ``level use`` makes the template optional: the kernel uses an SA if one exists and
  otherwise sends, and accepts, the packet in clear. Against an attacker, who never
  completes IKE, that is BYPASS in both directions, and the auditor imports it as such.
  It is weaker than the paper's soft SA (section 7): no outbound packet has to open
  anything first. (Honest peers may still get ESP once their SA is up; labsim's BYPASS
  does not show that.)
* Where no policy matches, the packet passes in clear, unless ``ip xfrm policy
  setdefault`` (or its ``getdefault`` listing) says ``block``.

>>> policy = import_xfrm('''src 10.1.0.0/16 dst 10.1.0.5/32
... \\tdir in priority 2000 ptype main
... \\ttmpl src 0.0.0.0 dst 0.0.0.0
... \\t\\tproto esp reqid 1 mode transport
... src 0.0.0.0/0 dst 255.255.255.255/32 proto udp dport 137
... \\tdir in priority 1000 ptype main
... ''', "policies.txt")
>>> print(policy.spd_text())
bypass local 255.255.255.255 remote 0.0.0.0/0 proto udp lport 137 dir in   # policies.txt:5
protect local 10.1.0.5 remote 10.1.0.0/16 dir in                           # policies.txt:1
bypass any                                                                 # policies.txt
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from dataclasses import dataclass, field

from ..errors import ConfigError
from ..ipsec.spd import PROTOCOLS, AddressTerm, Rule, Spd
from .policy import HostHints, ImportedPolicy, ImportNote, Origin

PROTO_NAMES = {**PROTOCOLS, "sctp": 132, "dccp": 33, "ipv6-icmp": 58, "mobility-header": 135}
STATS_LINES = ("lifetime", "limit:", "expire", "stats:", "replay-window", "enc-mask")
FLAG_WORDS = ("localok", "icmp")
OLD_SOCKET_DIRS = {"3": "in", "4": "out", "5": "fwd"}


@dataclass
class _Token:
    text: str
    line: int


@dataclass
class _Template:
    line: int = 0
    proto: str | None = None    # None: the listing gave none (ip always prints it): never assumed silently
    mode: str | None = None
    level: str = "required"
    src: str = "0.0.0.0"
    dst: str = "0.0.0.0"


@dataclass
class _Policy:
    line: int
    text: str
    src: object = None
    dst: object = None
    proto: int | None = None
    sport: int | None = None
    dport: int | None = None
    direction: str = ""
    socket: bool = False
    action: str = "allow"
    priority: int = 0
    ptype: str = "main"
    marked: str = ""
    device: str = ""
    icmp_or_key: bool = False
    offload: str = ""
    old_socket: str = ""
    templates: list[_Template] = field(default_factory=list)


def import_xfrm(text: str, path: str) -> ImportedPolicy:
    """Translate ``ip xfrm policy`` output or commands; a malformed line raises ConfigError with file and line."""
    notes: list[ImportNote] = []
    policies, defaults = _read(text, path, notes)
    kept: list[_Policy] = []
    for pol in policies:
        why = _skip_reason(pol)
        if why:
            notes.append(ImportNote(path, pol.line, why[0], why[1]))
        else:
            kept.append(pol)
    kept.sort(key=lambda p: (p.priority, p.line))
    rules, origins = [], []
    for pol in kept:
        rule = _rule(pol, path, notes)
        rules.append(rule)
        origins.append(Origin(path, pol.line, pol.text))
    _warn_ties(kept, rules, path, notes)
    for direction, (action, line) in _default_rules(defaults):
        rules.append(Rule(action, direction=direction))
        origins.append(Origin(path, line, "(no xfrm policy matches: " + (
            "the kernel passes the packet in clear)" if action == "bypass" else "setdefault blocks it)")))
    approximate = frozenset(i for i, pol in enumerate(kept) if pol.icmp_or_key)
    left_out = tuple(f"{path}:{pol.line}" for pol in policies if pol.marked and pol.direction != "fwd"
                     and not pol.socket and pol.templates)
    return ImportedPolicy(path, "xfrm", Spd(tuple(rules)), tuple(origins), None, None, tuple(notes),
                          _hints(kept, path), approximate=approximate, left_out=left_out)


# ---------------------------------------------------------------- reading the text

def _read(text: str, path: str, notes: list) -> tuple[list[_Policy], dict]:
    policies: list[_Policy] = []
    defaults: dict[str, tuple[str, int]] = {}
    block: list[_Token] = []
    block_start, block_text = 0, ""
    in_defaults = False

    def flush() -> None:
        nonlocal block
        if block:
            policies.append(_parse_policy(block, path, block_start, block_text))
            block = []

    for line_no, raw in enumerate(text.splitlines(), start=1):
        code = raw.split("#", 1)[0] if raw.lstrip().startswith("#") else raw
        if not code.strip():
            continue
        words = code.split()
        if in_defaults and words[0].rstrip(":") in ("in", "out", "fwd") and raw[:1].isspace():
            defaults[words[0].rstrip(":")] = (_default_word(words, path, line_no), line_no)
            continue
        in_defaults = False
        if raw[:1].isspace():
            if not block:
                raise ConfigError(path, line_no, "an indented line must follow a policy's 'src ... dst ...' line")
            if _statistics(words):
                continue   # lifetimes and counters from `ip -s xfrm policy`: they say nothing about matching
            block.extend(_Token(w, line_no) for w in words)
            continue
        flush()
        if words[0] == "src":
            block, block_start, block_text = [_Token(w, line_no) for w in words], line_no, raw.strip()
        elif words[:2] == ["Default", "policies:"]:
            in_defaults = True
        elif words[0] == "ip":
            _command(words, line_no, raw.strip(), path, policies, defaults, notes)
        else:
            raise ConfigError(path, line_no, f"expected a policy as `ip xfrm policy show` prints it ('src ADDR "
                                             f"dst ADDR' then an indented 'dir ...' line) or an `ip xfrm policy "
                                             f"add` command, not {words[0]!r}")
    flush()
    return policies, defaults


def _statistics(words: list[str]) -> bool:
    return (words[0] in STATS_LINES or words[0].split("(")[0].isdigit() and "(bytes)" in words[0]
            or (words[0] == "add" and len(words) > 1 and words[1][:4].isdigit()))


def _is_hex(text: str) -> bool:
    try:
        int(text, 16)
        return True
    except ValueError:
        return False


def _default_word(words: list[str], path: str, line_no: int) -> str:
    if len(words) < 2 or words[1] not in ("accept", "block", "allow"):
        raise ConfigError(path, line_no, "a default policy is 'accept' or 'block'")
    return "block" if words[1] == "block" else "accept"


def _command(words, line_no, raw, path, policies, defaults, notes) -> None:
    rest = [w for w in words[1:] if not w.startswith("-")]
    if rest[:2] != ["xfrm", "policy"] and rest[:2] != ["x", "p"]:
        raise ConfigError(path, line_no, "only `ip xfrm policy` commands belong in a policy file")
    verb = rest[2] if len(rest) > 2 else ""
    tokens = [_Token(w, line_no) for w in rest[3:]]
    if verb in ("add", "update", "a", "u"):
        policies.append(_parse_policy(tokens, path, line_no, raw))
    elif verb == "setdefault":
        if len(tokens) % 2 or not tokens:
            raise ConfigError(path, line_no, "setdefault takes DIR ACTION pairs, e.g. setdefault in block out block")
        for d, a in zip(tokens[::2], tokens[1::2]):
            if d.text not in ("in", "out", "fwd") or a.text not in ("accept", "block"):
                raise ConfigError(path, line_no, f"setdefault {d.text} {a.text}: DIR is in, out or fwd and ACTION "
                                                 "accept or block")
            defaults[d.text] = (a.text, line_no)
    elif verb in ("flush", "deleteall"):
        notes.append(ImportNote(path, line_no, "info", f"`{verb}` empties the SPD before the lines after it"))
        policies.clear()
    else:
        raise ConfigError(path, line_no, f"`ip xfrm policy {verb}` is not a policy; use add, update or setdefault")


def _parse_policy(tokens: list[_Token], path: str, line: int, raw: str) -> _Policy:
    pol = _Policy(line, raw)
    i = 0

    def value(what: str) -> _Token:
        nonlocal i
        if i + 1 >= len(tokens):
            raise ConfigError(path, tokens[i].line, f"'{tokens[i].text}' needs {what}")
        i += 1
        return tokens[i]

    tmpl: _Template | None = None
    while i < len(tokens):
        tok = tokens[i]
        word = tok.text
        if tmpl is not None and word in ("src", "dst", "proto", "spi", "mode", "reqid", "level"):
            v = value({"src": "an address", "dst": "an address", "level": "required or use"}.get(word, "a value"))
            if word == "level" and v.text not in ("required", "use"):
                raise ConfigError(path, v.line, f"a template's level is required or use, not {v.text!r}")
            if word in ("src", "dst"):
                try:
                    ipaddress.ip_address(v.text)
                except ValueError:
                    raise ConfigError(path, v.line, f"the template's {word} {v.text!r} is not an address: the kernel "
                                                    "keeps tunnel endpoints as addresses, so `ip xfrm` never prints "
                                                    "a name here (was the listing edited?); give the gateway's "
                                                    "address, such as 192.0.2.1") from None
            if word in ("proto", "mode", "level", "src", "dst"):
                setattr(tmpl, word, v.text)
        elif word in ("src", "dst"):
            v = value("an address or prefix")
            setattr(pol, word, _prefix(v, path))
        elif word == "proto":
            v = value("a protocol")
            pol.proto = _protocol(v, path)
        elif word in ("sport", "dport"):
            v = value("a port number")
            if not v.text.isdigit() or int(v.text) > 65535:
                raise ConfigError(path, v.line, f"{word} is a port number 0-65535, not {v.text!r}")
            setattr(pol, word, int(v.text))
        elif word in ("type", "code", "key", "dev", "uid", "mask", "index", "share", "if_id", "mark", "ctx"):
            v = value("a value")
            if word in ("mark", "if_id", "ctx"):
                pol.marked = f"{word} {v.text}"
            elif word == "dev":
                pol.device = v.text
            elif word in ("type", "code", "key"):
                pol.icmp_or_key = True
        elif word == "security":   # "security context LABEL": only SELinux-labelled traffic matches
            if i + 2 >= len(tokens) or tokens[i + 1].text != "context":
                raise ConfigError(path, tok.line, "'security' must be followed by 'context LABEL'")
            pol.marked = f"security context {tokens[i + 2].text}"
            i += 2
        elif word == "flag":
            while i + 1 < len(tokens) and (tokens[i + 1].text in FLAG_WORDS or tokens[i + 1].text.startswith("(0x")
                                           or _is_hex(tokens[i + 1].text)):
                i += 1
        elif word == "offload":
            i += 2 if i + 2 < len(tokens) and tokens[i + 1].text == "packet" else 0
        elif word == "crypto":
            # iproute2 prints hardware offload as `crypto offload parameters: dev DEV [dir in|out] [mode packet]`
            if i + 2 >= len(tokens) or tokens[i + 1].text != "offload" or tokens[i + 2].text != "parameters:":
                raise ConfigError(path, tok.line, "'crypto' must be followed by 'offload parameters: dev DEV ...'")
            i += 2
            while i + 2 < len(tokens) and tokens[i + 1].text in ("dev", "dir", "mode") \
                    and tokens[i + 1].line == tok.line:
                pol.offload = f"{pol.offload} {tokens[i + 1].text} {tokens[i + 2].text}".strip()
                i += 2
        elif word in ("dir", "socket"):
            v = value("in, out or fwd")
            if word == "dir" and v.text in OLD_SOCKET_DIRS:
                # older iproute2 printed per-socket policies as dir 3, 4, 5 (XFRM_POLICY_MAX + in/out/fwd)
                pol.direction, pol.socket, pol.old_socket = OLD_SOCKET_DIRS[v.text], True, v.text
            elif v.text not in ("in", "out", "fwd"):
                raise ConfigError(path, v.line, f"dir is in, out or fwd, not {v.text!r}")
            else:
                pol.direction, pol.socket = v.text, word == "socket"
        elif word == "action":
            v = value("allow or block")
            if v.text not in ("allow", "block"):
                raise ConfigError(path, v.line, f"action is allow or block, not {v.text!r}")
            pol.action = v.text
        elif word == "priority":
            v = value("a number")
            if not v.text.isdigit():
                raise ConfigError(path, v.line, f"priority is a number, not {v.text!r}")
            pol.priority = int(v.text)
        elif word == "ptype":
            pol.ptype = value("main or sub").text
        elif word == "tmpl":
            tmpl = _Template(tok.line)
            pol.templates.append(tmpl)
        else:
            raise ConfigError(path, tok.line, f"unknown word {word!r} in an xfrm policy")
        i += 1
    if pol.src is None or pol.dst is None:
        raise ConfigError(path, line, "a policy needs both 'src ADDR[/LEN]' and 'dst ADDR[/LEN]'")
    if pol.src.version != pol.dst.version:
        raise ConfigError(path, line, "src and dst must be the same address family")
    if not pol.direction:
        raise ConfigError(path, line, "the policy has no 'dir in|out|fwd' (is its indented line missing?)")
    return pol


def _prefix(tok: _Token, path: str):
    try:
        return ipaddress.ip_network(tok.text, strict=False)
    except ValueError:
        raise ConfigError(path, tok.line, f"{tok.text!r} is not an address or prefix such as 10.1.0.0/16") from None


def _protocol(tok: _Token, path: str) -> int | None:
    text = tok.text.lower()
    if text in PROTO_NAMES:
        return PROTO_NAMES[text]
    if text.isdigit() and int(text) <= 255:
        return int(text) or None
    raise ConfigError(path, tok.line, f"unknown protocol {tok.text!r}; use tcp, udp, icmp, ... or a number")


# ---------------------------------------------------------------- into labsim rules

def _skip_reason(pol: _Policy) -> tuple[str, str] | None:
    if pol.old_socket:
        return "info", (f"dir {pol.old_socket} is how older iproute2 prints a per-socket policy (socket "
                        f"{pol.direction}); it applies to one program's socket, such as the IKE daemon's own bypass, "
                        "and is skipped (labsim lets IKE through by itself)")
    if pol.socket:
        return "info", (f"a per-socket policy (socket {pol.direction}) applies to one program's socket, such as the "
                        "IKE daemon's own bypass; labsim lets IKE through by itself")
    if pol.direction == "fwd":
        return "info", "a fwd policy decides packets this host forwards, not its own traffic"
    if pol.ptype == "sub":
        return "warning", "a sub-policy (ptype sub) is consulted only with Mobile IPv6; not imported"
    if pol.marked:
        return "warning", (f"this policy matches only packets with {pol.marked} (route-based IPsec); labsim's "
                           "packets carry no marks, so it is not imported")
    return None


def _rule(pol: _Policy, path: str, notes: list) -> Rule:
    out = pol.direction == "out"
    local, remote = (pol.src, pol.dst) if out else (pol.dst, pol.src)
    lport, rport = (pol.sport, pol.dport) if out else (pol.dport, pol.sport)
    if pol.device:
        notes.append(ImportNote(path, pol.line, "warning", f"this policy applies only to packets via {pol.device}; "
                                                           "the auditor applies it to all traffic"))
    if pol.icmp_or_key:
        notes.append(ImportNote(path, pol.line, "warning", "ICMP type/code and GRE key selectors are not modelled; "
                                                           "the rule matches the whole protocol"))
        lport = rport = None
    if pol.offload:
        notes.append(ImportNote(path, pol.line, "info", f"crypto offload ({pol.offload}): the network card applies "
                                                        "this policy; which packets it protects is the same"))
    for t in pol.templates:
        if t.proto is None:
            notes.append(ImportNote(path, t.line, "warning", "this template names no protocol (ip xfrm always "
                                                             "prints one: was the listing cut?); the auditor assumes "
                                                             "ESP"))
            t.proto = "esp"
        if t.mode is None:
            gateway = not ipaddress.ip_address(t.dst).is_unspecified and \
                ipaddress.ip_address(t.dst) != (pol.dst if out else pol.src).network_address
            t.mode = "tunnel" if gateway else "transport"
            notes.append(ImportNote(path, t.line, "warning", f"this template names no mode (ip xfrm always prints "
                                                             f"one: was the listing cut?); its endpoint {t.dst} makes "
                                                             f"the auditor assume {t.mode} mode"))
    ipsec = [t for t in pol.templates if t.proto in ("esp", "ah")]
    tunnel = None
    if pol.action == "block":
        action = "discard"
    elif not ipsec:
        action = "bypass"
    elif all(t.level == "use" for t in ipsec):
        action = "bypass"
        notes.append(ImportNote(path, pol.line, "warning", "level use: the kernel sends and accepts clear packets "
                                                           "whenever no SA exists, so against an attacker this is "
                                                           "BYPASS (weaker than a soft SA, section 7); imported as "
                                                           "bypass"))
    else:
        action = "protect"
        # The outer template decides the gateway: an IPcomp tunnel around ESP transport is still a tunnel.
        gw = next((t.dst for t in pol.templates if t.mode == "tunnel" and t.proto in ("esp", "ah", "comp")), None)
        if out and gw and ipaddress.ip_address(gw) != remote.network_address and not ipaddress.ip_address(gw).is_unspecified:
            tunnel = ipaddress.ip_address(gw)
    return Rule(action, local=AddressTerm(prefix=local), remote=AddressTerm(prefix=remote), proto=pol.proto,
                lport=(lport, lport) if lport is not None else None,
                rport=(rport, rport) if rport is not None else None, direction=pol.direction, tunnel=tunnel,
                line_no=pol.line)


def _warn_ties(kept: list[_Policy], rules: list[Rule], path: str, notes: list) -> None:
    for i, (a, ra) in enumerate(zip(kept, rules)):
        for b, rb in zip(kept[i + 1:], rules[i + 1:]):
            if b.priority != a.priority:
                break
            if a.direction == b.direction and ra.action != rb.action and _overlap(a, b):
                notes.append(ImportNote(path, b.line, "warning", f"this policy and the one at line {a.line} share "
                                        f"priority {a.priority}, overlap and disagree; the kernel picks by insertion "
                                        "order, which the listing does not show (the auditor takes line "
                                        f"{a.line})"))


def _overlap(a: _Policy, b: _Policy) -> bool:
    return (a.src.overlaps(b.src) and a.dst.overlaps(b.dst) and (a.proto is None or b.proto is None or a.proto == b.proto)
            and all(x is None or y is None or x == y for x, y in ((a.sport, b.sport), (a.dport, b.dport))))


def _default_rules(defaults: dict) -> list[tuple[str, tuple[str, int | None]]]:
    out_action, out_line = defaults.get("out", ("accept", None))
    in_action, in_line = defaults.get("in", ("accept", None))
    word = {"accept": "bypass", "block": "discard"}
    if out_action == in_action and out_line == in_line:
        return [("both", (word[out_action], out_line))]
    return [("out", (word[out_action], out_line)), ("in", (word[in_action], in_line))]


def _hints(kept: list[_Policy], path: str) -> HostHints:
    """The host's own address: the /32 or /128 its policies name on our side most often."""
    ours = Counter()
    first_line = {}
    for pol in kept:
        own = pol.src if pol.direction == "out" else pol.dst
        if own.prefixlen == own.max_prefixlen and not own.network_address.is_multicast \
                and own.network_address != ipaddress.ip_address("255.255.255.255"):
            ours[own.network_address] += 1
            first_line.setdefault(own.network_address, pol.line)
    outer = []
    for pol in kept:
        for t in pol.templates:
            if pol.direction == "out" and t.mode == "tunnel" and t.src and not ipaddress.ip_address(t.src).is_unspecified \
                    and ipaddress.ip_address(t.src) not in outer:
                outer.append(ipaddress.ip_address(t.src))
    if not ours:
        return HostHints(outer=tuple(outer))
    best = sorted(ours.items(), key=lambda kv: (-kv[1], kv[0].version, int(kv[0])))
    addresses = tuple(a for a, _ in best)
    return HostHints(addresses=addresses[:1] + tuple(a for a in addresses[1:] if a.version != addresses[0].version)[:1],
                     addresses_origin=Origin(path, first_line[addresses[0]], f"policies name {addresses[0]} as ours"),
                     outer=tuple(outer))


__all__ = ["import_xfrm"]
