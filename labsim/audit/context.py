"""Everything the audit knows about one host: the imported policy plus the resolved profile.

Values the profile leaves open are inferred from the policy (the organisation's ranges from
its PROTECT rules, the host's address from the selectors that name it, the DNS server from
the rule for port 53) or else take a stated default; each fact remembers its source, so the
report can show which conclusions rest on assumptions.

>>> from labsim.audit.spdtext import import_spd_text
>>> policy = import_spd_text("bypass remote 10.1.0.53 proto udp port 53\\nprotect remote 10.1.0.0/16\\nbypass any", "a.spd")
>>> ctx = resolve_context(policy, HostProfile())
>>> str(ctx.dns_server), [str(r) for r in ctx.ranges], str(ctx.host_address)
('10.1.0.53', ['10.1.0.0/16'], '10.1.0.5')
>>> ctx.fact("dns_server").source
'inferred from a.spd:1'
"""

from __future__ import annotations

import dataclasses
import ipaddress
from dataclasses import dataclass

from ..addresses import Address, Prefix, is_private
from ..ipsec.pad import Pad, parse_pad
from ..ipsec.spd import AddressTerm, Match, PacketView, Spd
from ..errors import ConfigError
from .policy import ImportedPolicy, Origin
from .profile import HostProfile, Server

DEFAULT_RANGE = ipaddress.ip_network("10.1.0.0/16")
LINK_LOCAL_HOST = ipaddress.ip_address("fe80::5")


@dataclass(frozen=True)
class Fact:
    name: str
    value: str
    source: str

    def to_json(self) -> dict:
        return {"name": self.name, "value": self.value, "source": self.source}


@dataclass(frozen=True)
class AuditContext:
    policy: ImportedPolicy
    profile: HostProfile
    spd: Spd                    # the policy as the host runs it (fallback on every PROTECT if stateful)
    pad: Pad
    name_check: str
    ranges: tuple[Prefix, ...]
    host_name: str
    host_address: Address
    host_address6: Address | None
    dns_server: Address
    servers: tuple[Server, ...]
    facts: tuple[Fact, ...]

    def fact(self, name: str) -> Fact:
        return next(f for f in self.facts if f.name == name)

    def origin(self, index: int) -> Origin:
        return self.policy.origin_of(index)

    def decide(self, view: PacketView) -> Match:
        return self.spd.lookup(view)

    def in_org(self, address: Address) -> bool:
        return any(address.version == p.version and address in p for p in self.ranges)

    def org_private(self) -> tuple[Prefix, ...]:
        """The organisation's ranges that are private (RFC 1918 / unique local): where problem 3 lives."""
        return tuple(p for p in self.ranges if is_private(p.network_address))

    @property
    def dns_assumed(self) -> bool:
        """True when neither the profile nor the configuration says where the DNS server is."""
        return self.fact("dns_server").source.startswith("assumed")

    def with_dns_server(self, address: Address, source: str) -> "AuditContext":
        """The same context with the DNS server at ``address`` (one of the places an assumption tries)."""
        facts = tuple(Fact(f.name, _show(address), source) if f.name == "dns_server" else f for f in self.facts)
        return dataclasses.replace(self, dns_server=address, facts=facts)

    def rule_text(self, index: int) -> str:
        return f"{self.spd.rules[index]} ({self.origin(index).cite()})"


def resolve_context(policy: ImportedPolicy, profile: HostProfile) -> AuditContext:
    facts: list[Fact] = []

    def note(name: str, value, source: str):
        facts.append(Fact(name, _show(value), source))
        return value

    def given(name: str):
        source = profile.source_of(name)
        return (getattr(profile, name), f"set in {source}" if source != "flag" else "set by a flag") if source else None

    if not profile.source_of("domain"):
        inferred = _infer_domain(policy)
        if inferred is not None:
            profile = dataclasses.replace(profile, domain=inferred[0])
            note("domain", inferred[0], inferred[1])
    if not profile.source_of("ca") and policy.hints.organisation:
        ca = f"{policy.hints.organisation} CA"
        profile = dataclasses.replace(profile, ca=ca)
        note("ca", ca, f"inferred from the organisation in the identities ({policy.hints.organisation_origin.cite()})")
    for name in ("domain", "ca", "ipv6", "dnssec", "mobile", "dns_away", "stateful", "port", "service_port",
                 "broadcast_responders", "private_ranges"):
        if name in ("domain", "ca") and any(f.name == name for f in facts):
            continue
        note(name, getattr(profile, name), (given(name) or (None, "default"))[1])

    ranges = given("ranges") or _infer_ranges(policy)
    ranges_value = note("ranges", tuple(ranges[0]), ranges[1])
    host = given("host_address") or _infer_host(policy, ranges_value, 4)
    host_address = note("host_address", host[0], host[1])
    host6 = given("host_address6") or (_infer_host(policy, ranges_value, 6) if profile.ipv6 else (None, "IPv6 off"))
    host_address6 = note("host_address6", host6[0], host6[1])
    name = given("host_name") or ((policy.hints.name, f"inferred from {policy.hints.name_origin.cite()}")
                                  if policy.hints.name else (f"host-a.{profile.domain}", "default"))
    host_name = note("host_name", name[0], name[1])
    dns = given("dns_server") or _infer_dns(policy, ranges_value, host_address)
    dns_server = note("dns_server", dns[0], dns[1])
    check, pad = _identity(policy, profile)
    note("name_check", check[0], check[1])
    note("pad", pad[0].text() or "(empty)", pad[1])
    servers = given("servers") or _infer_servers(policy, profile)
    note("servers", servers[0], servers[1])
    spd = _bind_own_address(policy, host_address, host_address6)
    if profile.stateful:
        spd = Spd(tuple(dataclasses.replace(r, fallback=True) if r.action == "protect" else r for r in spd.rules))
    return AuditContext(policy, profile, spd, pad[0], check[0], ranges_value, host_name, host_address,
                        host_address6, dns_server, tuple(servers[0]), tuple(facts))


def _bind_own_address(policy: ImportedPolicy, v4: Address, v6: Address | None) -> Spd:
    """Rules whose local selector is "this host" (strongSwan's ``dynamic``) get the host's address."""
    rules = list(policy.spd.rules)
    for i in policy.own_address_rules:
        rule = rules[i]
        family = rule.remote.prefix.version if rule.remote is not None and rule.remote.prefix is not None else 4
        own = v4 if family == 4 else v6
        if own is not None:
            rules[i] = dataclasses.replace(rule, local=AddressTerm(prefix=ipaddress.ip_network(own)))
    return Spd(tuple(rules))


def move_local(spd: Spd, old: Address, new: Address) -> Spd:
    """The SPD after the host moves from ``old`` to ``new``: selectors naming its own address follow it.

    That is what an IKE daemon does when the address changes (strongSwan reinstalls its
    policies with the new ``dynamic`` address).
    """
    old_net, new_net = ipaddress.ip_network(old), ipaddress.ip_network(new)
    return Spd(tuple(dataclasses.replace(r, local=AddressTerm(prefix=new_net))
                     if r.local is not None and r.local.prefix == old_net else r for r in spd.rules))


def _show(value) -> str:
    if isinstance(value, (tuple, list)):
        return ", ".join(_show(v) for v in value) or "(none)"
    if isinstance(value, Server):
        return f"{value.name}={value.address}:{value.port}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "(none)" if value is None else str(value)


def identity_domain(pattern: str) -> str | None:
    """The DNS domain an identity belongs to: ``*.corp.example``, ``pc-c.corp.example`` and
    ``alice@corp.example`` all give ``corp.example``; ``*``, addresses and bare names give None."""
    text = pattern.strip().lower().rstrip(".")
    if "@" in text:
        text = "x." + text.rsplit("@", 1)[1]
    if text.startswith("*."):
        text = "x." + text[2:]
    if "=" in text or ":" in text or "." not in text or "*" in text:
        return None
    try:
        ipaddress.ip_address(text)
        return None
    except ValueError:
        pass
    domain = text.split(".", 1)[1]
    return domain if "." in domain or len(domain) > 1 else None


def _infer_domain(policy: ImportedPolicy):
    """The domain most of the file's identities (peers' and our own) belong to, and where it was seen."""
    seen: list[tuple[str, Origin]] = []
    for spec in policy.pad or ():
        domain = identity_domain(spec.pattern)
        if domain:
            seen.append((domain, spec.origin))
    if policy.hints.name and identity_domain(policy.hints.name):
        seen.append((identity_domain(policy.hints.name), policy.hints.name_origin))
    if not seen:
        return None
    counts: dict[str, int] = {}
    for domain, _ in seen:
        counts[domain] = counts.get(domain, 0) + 1
    best = max(counts, key=lambda d: (counts[d], -len(d)))
    origin = next(o for d, o in seen if d == best)
    return best, f"inferred from the identities in the file ({origin.cite()} ...)"


def _infer_ranges(policy: ImportedPolicy):
    found, first = [], None
    for i, rule in enumerate(policy.spd.rules):
        if rule.action == "protect" and rule.remote is not None and rule.remote.prefix is not None \
                and rule.remote.prefix.prefixlen > 0 and rule.tunnel is None:
            found.append(rule.remote.prefix)
            first = first or policy.origin_of(i)
    v4 = list(ipaddress.collapse_addresses(p for p in found if p.version == 4))
    v6 = list(ipaddress.collapse_addresses(p for p in found if p.version == 6))
    full = next((i for i, r in enumerate(policy.spd.rules) if r.action == "protect" and r.remote is not None
                 and r.remote.prefix is not None and r.remote.prefix.prefixlen == 0
                 and r.remote.prefix.version == 4), None)
    if not v4 and full is not None:
        # A full tunnel (everything through IPsec): the private ranges it exempts in clear are
        # the host's own network, where the textbook 1a happens (DNS in clear on the LAN).
        local = [(i, r.remote.prefix) for i, r in enumerate(policy.spd.rules[:full]) if r.action == "bypass"
                 and r.remote is not None and r.remote.prefix is not None and r.remote.prefix.version == 4
                 and 0 < r.remote.prefix.prefixlen < 32 and is_private(r.remote.prefix.network_address)]
        if local:
            nets = list(ipaddress.collapse_addresses(p for _, p in local))
            return (*nets, *v6), (f"inferred: the host's own network, which the full tunnel at "
                                  f"{policy.origin_of(full).cite()} exempts ({policy.origin_of(local[0][0]).cite()})")
    if not v4:
        return (DEFAULT_RANGE, *v6), ("default (no PROTECT rule names an IPv4 range)" if not found
                                      else f"inferred from the PROTECT rules ({first.cite()} ...), plus a default "
                                           "IPv4 range")
    return (*v4, *v6), f"inferred from the PROTECT rules ({first.cite()} ...)"


def _infer_host(policy: ImportedPolicy, ranges, version: int):
    for address in policy.hints.addresses:
        if address.version == version:
            return address, f"inferred from {policy.hints.addresses_origin.cite()}"
    # A subnet-to-subnet (gateway) policy names no host address: audit a host in the subnet it
    # protects on this side, whose traffic the tunnel carries.
    for i, rule in enumerate(policy.spd.rules):
        local = rule.local.prefix if rule.local is not None else None
        if rule.action == "protect" and local is not None and local.version == version and local.prefixlen > 0 \
                and local.num_addresses > 8 and not local.network_address.is_link_local:
            return local.network_address + 5, (f"assumed: an address in {local}, which the PROTECT rule at "
                                               f"{policy.origin_of(i).cite()} covers on this side")
    for prefix in ranges:
        if prefix.version == version and prefix.num_addresses > 8:
            return prefix.network_address + 5, "assumed: an address in the organisation's range"
    if version == 6:
        return LINK_LOCAL_HOST, "assumed: a link-local address, which every IPv6 host has"
    return DEFAULT_RANGE.network_address + 5, "default"


def _infer_dns(policy: ImportedPolicy, ranges, host=None):
    for i, rule in enumerate(policy.spd.rules):
        if rule.rport == (53, 53) and rule.proto in (None, 17) and rule.remote is not None \
                and rule.remote.prefix is not None and rule.remote.prefix.num_addresses == 1:
            return rule.remote.prefix.network_address, f"inferred from {policy.origin_of(i).cite()}"
    v4 = next((p for p in ranges if p.version == 4 and p.num_addresses > 64), None)
    if v4 is None:   # the policy names single peers only: a server on the host's own segment
        v4 = ipaddress.ip_network(f"{host}/24", strict=False) if host is not None and host.version == 4 \
            else DEFAULT_RANGE
    return v4.network_address + 53, "assumed: no rule names a DNS server"


def _identity(policy: ImportedPolicy, profile: HostProfile):
    """(name check, source), (PAD, source): the profile's word wins over what the config implies."""
    source = profile.source_of("name_check")
    if source:
        check = (profile.name_check, f"set in {source}" if source != "flag" else "set by a flag")
    elif policy.name_check:
        check = (policy.name_check, "the configuration's peer identities (remote.id)")
    else:
        check = ("none", "default: what deployed stacks do (the configuration names no peer identities)")
    if profile.pad:
        try:
            with open(profile.pad, encoding="utf-8") as f:
                text = f.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(profile.pad, None, f"cannot read the PAD file: {exc}") from None
        return check, (parse_pad(text, source=profile.pad), f"read from {profile.pad}")
    pad = policy.build_pad(profile.ca)
    if pad is not None:
        return check, (pad, f"built from {policy.path}'s remote ids and cacerts")
    if check[0] == "pad":
        raise ConfigError(policy.path, None, "name_check = pad needs a PAD: give one with --pad FILE (labsim PAD "
                                             "syntax) or pad = \"FILE\" in the profile")
    return check, (Pad.permissive(), "default: any certificate from a trusted CA for any address")


def _infer_servers(policy: ImportedPolicy, profile: HostProfile):
    found, where = [], None
    for i, rule in enumerate(policy.spd.rules):
        if rule.action == "protect" and rule.name and not rule.name.startswith("*") and "@" not in rule.name \
                and "=" not in rule.name and rule.remote is not None \
                and rule.remote.prefix is not None and rule.remote.prefix.num_addresses == 1:
            port = rule.rport[0] if rule.rport else profile.port
            server = Server(rule.name, rule.remote.prefix.network_address, port)
            if server not in found:
                found.append(server)
                where = where or policy.origin_of(i)
    if found:
        found.sort(key=lambda s: s.port != profile.port)   # servers of the default port first
        return tuple(found), f"inferred from the rules that name their peer ({where.cite()} ...)"
    return (), "none given: the audit picks a server in each protected range"


__all__ = ["AuditContext", "Fact", "resolve_context", "move_local"]
