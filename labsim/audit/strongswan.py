"""Import a strongSwan ``swanctl.conf`` into labsim's SPD and PAD.

How strongSwan turns the file into kernel policies, and how the auditor follows it:

* A child with ``start_action = trap`` installs trap policies for its traffic selectors:
  PROTECT rules. ``start`` installs them only once the SA is up (imported as PROTECT,
  with a warning); ``none``, the default, installs them while a peer has negotiated the SA
  or an administrator started it: the state an audit is about, so they are imported as
  installed, with a warning that the traffic is clear while the child is down. (A child
  whose peer's address the file does not give is not imported: its policies would name
  whichever peer connects.)
* ``mode = pass`` and ``mode = drop`` children are shunts, installed with ``start_action
  = trap``. Their priority decides their place: strongSwan's shunt manager gives *pass*
  shunts the highest priority, so they win over every IPsec policy, and *drop* shunts the
  lowest (``shunt_manager.c``, since 5.2), so IPsec and pass policies win over them.
* Within a class, the kernel priority strongSwan computes (``get_priority`` in
  ``kernel_netlink_ipsec.c``) prefers longer prefixes, then a protocol, then ports; a
  child's ``priority`` sets it by hand. The auditor sorts rules by that number.
* Where no policy matches, Linux passes the packet in clear: the import ends ``bypass any``.
* ``remote.id`` is who the peer must prove to be. A concrete name becomes a name selector
  on the child's rules and a PAD entry for ``remote_addrs``; ``%any`` becomes ``peer *``:
  any certificate from the CA in ``cacerts`` may claim any address in the traffic
  selectors, the paper's group authentication (section 5.1, problem 1b).

>>> policy = import_swanctl('''
... connections {
...   intranet {
...     remote_addrs = 10.1.0.0/16
...     remote { id = %any
...              cacerts = corp-ca.pem }
...     children { mesh { mode = transport
...                       remote_ts = 10.1.0.0/16
...                       start_action = trap } }
...   }
...   dns { children { dns { mode = pass
...                          remote_ts = 10.1.0.53/32[udp/53]
...                          start_action = trap } } }
... }''', "swanctl.conf")
>>> print(policy.spd_text())
bypass remote 10.1.0.53 proto udp port 53   # swanctl.conf:12
protect remote 10.1.0.0/16                  # swanctl.conf:8
bypass any                                  # swanctl.conf
>>> print(policy.build_pad("Example Corp CA").text())
peer * ca "Example Corp CA" addresses 10.1.0.0/16
"""

from __future__ import annotations

import ipaddress

from ..errors import ConfigError
from ..ipsec.spd import AddressTerm, Rule, Spd
from .policy import HostHints, ImportedPolicy, ImportNote, Origin, PadSpec
from .swanctl_syntax import Section, Setting, parse_settings
from .swanctl_values import identity_pattern, prefixes, split_list, traffic_selector

PRIO_BASE = 200_000
SHUNT_MODES = {"pass": "bypass", "drop": "discard"}
IPSEC_MODES = ("tunnel", "transport", "transport_proxy", "beet", "iptfs")
CONN_KEYS = {"version", "local_addrs", "remote_addrs", "local_port", "remote_port", "proposals", "vips",
             "aggressive", "pull", "dscp", "encap", "mobike", "dpd_delay", "dpd_timeout", "fragmentation",
             "childless", "send_certreq", "send_cert", "ppk_id", "ppk_required", "keyingtries", "unique",
             "reauth_time", "rekey_time", "over_time", "rand_time", "pools", "mediation", "mediated_by",
             "mediation_peer", "if_id_in", "if_id_out", "ocsp", "close_action"}
ROUND_KEYS = {"round", "certs", "pubkeys", "auth", "id", "eap_id", "aaa_id", "xauth_id", "groups", "cert_policy",
              "cacerts", "ca_id", "revocation"}
CHILD_KEYS = {"mode", "local_ts", "remote_ts", "start_action", "priority", "policies", "ah_proposals",
              "esp_proposals", "sha256_96", "rekey_time", "life_time", "rand_time", "rekey_bytes", "life_bytes",
              "rand_bytes", "rekey_packets", "life_packets", "rand_packets", "updown", "hostaccess", "ipcomp",
              "inactivity", "reqid", "mark_in", "mark_in_sa", "mark_out", "set_mark_in", "set_mark_out",
              "if_id_in", "if_id_out", "label", "label_mode", "tfc_padding", "replay_window", "hw_offload",
              "copy_df", "copy_ecn", "copy_dscp", "dpd_action", "close_action", "policies_fwd_out", "interface",
              "per_cpu_sas", "icmp", "iptfs_drop_time", "iptfs_reorder_window", "iptfs_max_queue", "iptfs_packet_size",
              "iptfs_accept_fragments", "iptfs_dont_frag"}
ROUTE_BASED = ("if_id_in", "if_id_out", "mark_in", "mark_out", "interface")


def import_swanctl(text: str, path: str) -> ImportedPolicy:
    """Translate swanctl.conf ``text``; a malformed line raises ConfigError with file and line."""
    return _Importer(parse_settings(text, path), path).run()


class _Importer:
    def __init__(self, tree: Section, path: str):
        self.tree, self.path = tree, path
        self.notes: list[ImportNote] = []
        self.rules: list[tuple[int, int, Rule, Origin, bool]] = []   # (priority, order, rule, origin, own?)
        self.pads: list[tuple[PadSpec, bool]] = []               # (spec, concrete name?)
        self.hint_name: tuple[str, Origin] | None = None
        self.hint_addresses: tuple[tuple, Origin] | None = None
        self.left_out: list[str] = []
        self.hint_org: tuple[str, Origin] | None = None   # children that install IPsec policies the file does not let us know

    def note(self, where, severity: str, message: str) -> None:
        path, line = (where.path, where.line) if where is not None else (self.path, None)
        self.notes.append(ImportNote(path, line, severity, message))

    def run(self) -> ImportedPolicy:
        templates = {name.split(".")[0] for name in _references(self.tree)}
        for path, line, pattern in self.tree.unmatched_includes:
            self.notes.append(ImportNote(path, line, "warning", f"include {pattern} matches no file, so nothing "
                                                                "was read from it (audit the included files too)"))
        for name, section in self.tree.sections.items():
            if name == "connections":
                for conn in section.sections.values():
                    self.connection(conn)
                for key, setting in section.settings.items():
                    self.note(setting, "warning", f"'{key}' directly under connections is not a connection; ignored")
            elif name in ("secrets", "pools", "authorities"):
                self.note(section, "info", f"section '{name}' does not change which packets are protected; not read")
            elif name in templates:
                self.note(section, "info", f"'{name}' is a template: connections that inherit from it ('NAME : "
                                           f"{name}') were read with its settings; on its own it installs nothing")
            else:
                self.note(section, "warning", f"unknown top-level section '{name}' (swanctl.conf has connections, "
                                              "secrets, pools, authorities); ignored")
        for key, setting in self.tree.settings.items():
            self.note(setting, "warning", f"unknown top-level setting '{key}'; ignored")
        if not any(True for _ in self.tree.sections.get("connections", Section("", "", 0)).sections):
            self.note(None, "warning", "no connections are defined: the host has no IPsec policy at all")
        ordered = sorted(self.rules, key=lambda r: (r[0], r[1]))
        rules = [r[2] for r in ordered] + [Rule("bypass")]
        origins = [r[3] for r in ordered] + [Origin(self.path, None, "(no policy matches: the kernel passes the "
                                                                     "packet in clear)")]
        name, name_origin = self.hint_name or (None, None)
        addresses, addresses_origin = self.hint_addresses or ((), None)
        org, org_origin = self.hint_org or (None, None)
        hints = HostHints(name=name, name_origin=name_origin, addresses=addresses, addresses_origin=addresses_origin,
                          organisation=org, organisation_origin=org_origin)
        own = frozenset(i for i, r in enumerate(ordered) if r[4])
        return ImportedPolicy(self.path, "strongswan", Spd(tuple(rules)), tuple(origins), self.pad_specs(), "pad",
                              tuple(self.notes), hints, own, left_out=tuple(self.left_out))

    # ------------------------------------------------------------ one connection

    def connection(self, conn: Section) -> None:
        for key, setting in conn.settings.items():
            if key not in CONN_KEYS:
                self.note(setting, "warning", f"unknown connection option '{key}'; ignored")
            elif key in ("if_id_in", "if_id_out"):
                self.note(setting, "warning", f"'{key}': route-based policies apply only to traffic routed into "
                                              "an XFRM interface; the auditor applies them to all traffic")
        remote_addrs = self.addresses(conn.get("remote_addrs"), conn)
        local_addrs = self.addresses(conn.get("local_addrs"), conn)
        if local_addrs and len(local_addrs) == 1 and local_addrs[0].prefixlen == local_addrs[0].max_prefixlen \
                and self.hint_addresses is None:
            self.hint_addresses = ((local_addrs[0].network_address,), _origin(conn.get("local_addrs")))
        local, remote = self.round(conn, "local"), self.round(conn, "remote")
        for side in (local, remote):
            ident = side.get("id") if side is not None else None
            if ident is not None and self.hint_org is None and "=" in ident.value:
                org = next((part.split("=", 1)[1].strip() for part in ident.value.split(",")
                            if part.strip().upper().startswith("O=")), None)
                if org:
                    self.hint_org = (org, _origin(ident))
        if local is not None and local.get("id") is not None and self.hint_name is None:
            ident = identity_pattern(local.get("id").value)
            if not is_dns_name(ident):
                self.note(local.get("id"), "info", f"our id {local.get('id').value!r} is not a DNS name (an email "
                                                   "address, a key id or an address), so the host's DNS name is not "
                                                   "taken from it")
            elif ident not in ("*",) and not ident.startswith("*."):
                self.hint_name = (ident, _origin(local.get("id")))
        other = next((p.network_address for p in remote_addrs or () if p.prefixlen == p.max_prefixlen), None)
        children = conn.section("children")
        for key in conn.sections:
            if key != "children" and not _is_round(key):
                self.note(conn.sections[key], "warning", f"unknown section '{key}' in connection '{conn.name}'; "
                                                         "ignored")
        if children is None:
            self.note(conn, "info", f"connection '{conn.name}' has no children, so it installs no policy")
            return
        for child in children.sections.values():
            self.child(conn, child, remote, remote_addrs, other)

    def addresses(self, setting: Setting | None, where) -> tuple | None:
        """Prefixes for remote_addrs/local_addrs; None means %any."""
        if setting is None:
            return None
        out = []
        for item in split_list(setting.value):
            if item.lower() in ("%any", "%any4", "%any6"):
                return None
            try:
                out.extend(prefixes(item))
            except ValueError:
                self.note(setting, "warning", f"'{item}' is a DNS name that strongSwan resolves when it uses the "
                                              "connection; the auditor cannot resolve it and treats it as %any")
                return None
        return tuple(out)

    def round(self, conn: Section, side: str) -> Section | None:
        rounds = [s for k, s in conn.sections.items() if k == side or k.startswith(side + "-")]
        if not rounds:
            return None
        rounds.sort(key=lambda s: int(s.value("round", "0") or 0) if (s.value("round") or "0").isdigit() else 0)
        for extra in rounds[1:]:
            self.note(extra, "warning", f"authentication round '{extra.name}' is not modelled (labsim runs one "
                                        "certificate round); only the first round is audited")
        for key, setting in rounds[0].settings.items():
            if key not in ROUND_KEYS:
                self.note(setting, "warning", f"unknown option '{key}' in '{rounds[0].name}'; ignored")
        return rounds[0]

    # ------------------------------------------------------------ one child

    def child(self, conn: Section, child: Section, remote: Section | None, remote_addrs, other) -> None:
        for key, setting in child.settings.items():
            if key not in CHILD_KEYS:
                self.note(setting, "warning", f"unknown child option '{key}'; ignored")
            elif key in ROUTE_BASED:
                self.note(setting, "warning", f"'{key}' limits this child's policies to marked or routed traffic; "
                                              "the auditor applies them to all traffic")
        mode_setting = child.get("mode")
        mode = (mode_setting.value.lower() if mode_setting else "tunnel")
        where = mode_setting or child
        if mode not in IPSEC_MODES and mode not in SHUNT_MODES:
            raise ConfigError(where.path, where.line, f"mode must be one of {', '.join(IPSEC_MODES + tuple(SHUNT_MODES))}"
                                                      f", not {mode!r}")
        actions = self.start_actions(child)
        label = f"{conn.name}.children.{child.name}"
        local_ts = self.selectors(child, "local_ts")     # read (and checked) even if nothing gets installed
        remote_ts = self.selectors(child, "remote_ts")
        manual = child.get("priority")
        if manual is not None and not manual.value.isdigit():
            raise ConfigError(manual.path, manual.line, f"priority is a number, not {manual.value!r}")
        if (child.value("policies", "yes") or "yes").lower() in ("no", "false", "0"):
            self.note(child.get("policies"), "warning", f"{label}: policies = no, so strongSwan installs no policy "
                                                        "for it; its traffic is decided by other rules")
            return
        if "trap" not in actions:
            if mode in SHUNT_MODES:
                self.note(child.get("start_action") or child, "warning",
                          f"{label}: a {mode} shunt is installed only with start_action = trap; this one is loaded "
                          "but never installed, so it has no effect")
                return
            if "start" not in actions:
                if other is None:
                    self.note(child.get("start_action") or child, "warning",
                              f"{label}: no start_action: its policies are installed only for whichever peer "
                              "negotiates it (narrowed to that peer's address), and this file does not say which "
                              "(remote_addrs is a range or %any); the auditor imports no rule for it")
                    self.left_out.append(_origin(child).cite())
                    return
                self.note(child.get("start_action") or child, "warning",
                          f"{label}: no start_action (none): its policies are installed while the peer has "
                          "initiated it or an administrator started it (swanctl --initiate), the state an audit is "
                          "about, so the auditor imports them as installed. While it is down, this traffic passes "
                          "in clear (start_action = trap closes that gap)")
            else:
                self.note(child.get("start_action"), "warning",
                          f"{label}: start_action = start protects this traffic only while the SA is up; if it "
                          "fails or is closed, packets pass in clear (add trap). The auditor assumes it is up")
        shunt = mode in SHUNT_MODES
        wildcard = other is None
        if not shunt and wildcard and mode == "tunnel":
            if "trap" in actions:
                self.note(mode_setting or child, "warning", f"{label}: strongSwan refuses to trap a tunnel-mode "
                                                            "child whose remote address is unknown (a range or %any "
                                                            "in remote_addrs); it installs no policy")
            else:
                self.note(mode_setting or child, "warning", f"{label}: a tunnel to whichever peer connects (remote_addrs "
                                                            "is a range or %any): its policies name that peer's "
                                                            "address, which this file does not say; not imported")
                self.left_out.append(_origin(child).cite())
            return
        ident, requires_ca, name = self.identity(conn, remote, remote_addrs, shunt)
        gateway = None
        if not shunt and mode == "tunnel" and other is not None:
            inside = [ts for ts in remote_ts if ts[0] not in (None, "dynamic")]
            just_the_peer = all(p.prefixlen == p.max_prefixlen and p.network_address == other
                                for ts in inside for p in ts[0])
            if inside and not just_the_peer:
                gateway = other   # a tunnel to a gateway (even when its range, such as 0.0.0.0/0, covers it)
            elif inside:
                self.note(mode_setting or child, "info", f"{label}: tunnel mode between the two end hosts behaves like "
                                                "transport mode for this audit (paper section 3)")
        for l_prefixes, l_proto, l_ports, l_setting in local_ts:
            for r_prefixes, r_proto, r_ports, r_setting in remote_ts:
                if l_proto and r_proto and l_proto != r_proto:
                    continue
                proto = l_proto or r_proto
                for lp in self.resolve(l_prefixes, shunt, "self"):
                    for rp in self.resolve(r_prefixes, shunt, other):
                        if lp not in (None, "self") and rp is not None and lp.version != rp.version:
                            continue
                        self.add_rule(child, label, mode, actions, proto, lp, rp, l_ports, r_ports, name, gateway,
                                      r_setting or l_setting or child, wildcard)
        if not shunt:
            self.pads.append((PadSpec(ident, requires_ca, remote_addrs, _origin((remote.get("id") if remote else None)
                                                                                 or remote or conn)),
                              ident != "*" and not ident.startswith("*.")))

    def start_actions(self, child: Section) -> set[str]:
        setting = child.get("start_action")
        if setting is None:
            return {"none"}
        actions = {a.strip().lower() for a in setting.value.split("|")}
        bad = actions - {"none", "trap", "start", "route", "add"}
        if bad:
            raise ConfigError(setting.path, setting.line, f"start_action is none, trap, start or trap|start, "
                                                          f"not {setting.value!r}")
        return {"trap" if a == "route" else "none" if a == "add" else a for a in actions}

    def selectors(self, child: Section, key: str) -> list[tuple]:
        """[(prefixes or 'dynamic', proto, (first, last) ports or None, setting)]."""
        setting = child.get(key)
        if setting is None:
            return [("dynamic", None, None, None)]
        out = []
        for item in split_list(setting.value):
            try:
                out.append((*traffic_selector(item, lambda message: self.note(setting, "warning", message)), setting))
            except ValueError as exc:
                raise ConfigError(setting.path, setting.line, f"{key}: {exc}") from None
        return out

    def resolve(self, prefixes, shunt: bool, other) -> list:
        """``dynamic`` is our own address ("self") or the peer's; shunts and wildcard traps use "any" (None)."""
        if prefixes != "dynamic":
            return list(prefixes)
        if shunt or other is None:
            return [None]
        return ["self"] if other == "self" else [ipaddress.ip_network(other)]

    def identity(self, conn: Section, remote: Section | None, remote_addrs, shunt: bool):
        if shunt:
            return "*", False, None
        id_setting = remote.get("id") if remote else None
        auth = (remote.value("auth", "pubkey") if remote else "pubkey").lower()
        ident = identity_pattern(id_setting.value) if id_setting else "*"
        if id_setting is not None and ("^" in id_setting.value and id_setting.value.rstrip().endswith("$")):
            self.note(id_setting, "warning", "a regular-expression identity is not evaluated; the auditor "
                                             "treats it as %any (any certified name)")
            ident = "*"
        if auth == "psk":
            self.note(remote.get("auth"), "warning", "pre-shared key: every host that knows the key can claim any "
                                                     "identity; labsim models it as any certificate of the CA")
            return "*", True, None
        if auth not in ("pubkey", "") and not auth.startswith(("pubkey", "rsa", "ecdsa", "ed25519", "bliss")):
            self.note(remote.get("auth"), "warning", f"auth = {auth} is not modelled; the auditor treats the peer "
                                                     "as authenticating with a certificate for its id")
        requires_ca = bool(remote and remote.get("cacerts"))
        if remote is not None and remote.get("cacerts") and len(split_list(remote.value("cacerts"))) > 1:
            self.note(remote.get("cacerts"), "info", "several CA files: the auditor treats them all as the "
                                                     "organisation's CA of the host profile")
        if remote is not None and not remote.get("cacerts") and not remote.get("certs"):
            self.note(remote, "info", f"'{remote.name}' names no cacerts: any CA the daemon has loaded may "
                                      "certify this peer")
        if remote is not None and remote.get("certs") and ident == "*":
            self.note(remote.get("certs"), "warning", "the peer's certificate is pinned with certs, which labsim "
                                                      "does not model; give remote.id as well so the audit knows "
                                                      "the name")
        concrete = ident != "*" and not ident.startswith("*.")
        return ident, requires_ca, ident if concrete else None

    def add_rule(self, child, label, mode, actions, proto, local, remote, l_ports, r_ports, name, gateway, setting,
                 wildcard) -> None:
        action = SHUNT_MODES.get(mode, "protect")
        own = local == "self" and not wildcard
        local = None if local == "self" else local
        rule = Rule(action, local=AddressTerm(prefix=local) if local is not None else None,
                    remote=AddressTerm(prefix=remote) if remote is not None else None, proto=proto,
                    lport=l_ports, rport=r_ports, name=name if action == "protect" else None, tunnel=gateway,
                    line_no=setting.line)
        manual = child.get("priority")
        if manual is not None:
            priority = int(manual.value)
        else:
            base = {"bypass": PRIO_BASE, "protect": 2 * PRIO_BASE, "discard": 3 * PRIO_BASE}[action]
            own_len = 0 if not own else (32 if (remote or _v4()).version == 4 else 128)
            plen = (local.prefixlen if local is not None else own_len) + (remote.prefixlen if remote is not None else 0)
            routed = action == "protect" and "trap" in actions
            priority = (base - plen * 512 - (256 if proto else 0) - 4 * (16 * (l_ports is not None and l_ports[0] == l_ports[1])
                        + 16 * (r_ports is not None and r_ports[0] == r_ports[1])) - (0 if routed else 1))
        text = f"{label}: {setting.name} = {setting.value}" if isinstance(setting, Setting) else f"{label}"
        self.rules.append((priority, len(self.rules), rule, Origin(setting.path, setting.line, text), own))

    def pad_specs(self) -> tuple[PadSpec, ...]:
        """Concrete names first (each may also use what a wildcard entry allows it), then wildcards."""
        concrete = [spec for spec, is_name in self.pads if is_name]
        wild = sorted((spec for spec, is_name in self.pads if not is_name),
                      key=lambda s: (s.pattern == "*", -s.pattern.count(".")))
        out, seen = [], set()
        for spec in concrete:
            addresses = spec.addresses
            for w in wild:
                if _pattern_covers(w.pattern, spec.pattern) and addresses is not None:
                    addresses = None if w.addresses is None else _collapse(addresses + w.addresses)
            key = (spec.pattern, spec.requires_ca, addresses)
            if key not in seen:
                seen.add(key)
                out.append(PadSpec(spec.pattern, spec.requires_ca, addresses, spec.origin))
        for spec in wild:
            key = (spec.pattern, spec.requires_ca, spec.addresses)
            if key not in seen:
                seen.add(key)
                out.append(spec)
        return tuple(out)


def is_dns_name(ident: str) -> bool:
    """A host name an application could look up: not user@domain, not a DN or key id, not an address."""
    if "@" in ident or "=" in ident or ident.startswith(("#", "keyid:")) or ":" in ident:
        return False
    try:
        ipaddress.ip_address(ident)
        return False
    except ValueError:
        return "." in ident or ident == "*"


def _references(section: Section) -> list[str]:
    """Every ``a.b`` that some ``NAME : a.b`` section inherits from, anywhere in the tree."""
    out = [name for name, _, _ in section.references]
    for child in section.sections.values():
        out += _references(child)
    return out


def _v4():
    return ipaddress.ip_network("0.0.0.0/0")


def _collapse(prefixes) -> tuple:
    v4 = [p for p in prefixes if p.version == 4]
    v6 = [p for p in prefixes if p.version == 6]
    return tuple(ipaddress.collapse_addresses(v4)) + tuple(ipaddress.collapse_addresses(v6))


def _pattern_covers(wild: str, name: str) -> bool:
    return wild == "*" or name.lower().endswith(wild[1:].lower())


def _is_round(key: str) -> bool:
    return key in ("local", "remote") or key.startswith(("local-", "remote-"))


def _origin(where) -> Origin:
    if isinstance(where, Setting):
        return Origin(where.path, where.line, f"{where.name} = {where.value}")
    return Origin(where.path, where.line, where.name)


__all__ = ["import_swanctl"]
