"""Problems 5a and 5b: IPsec used as a firewall, and the packets it lets through to keep things working.

5a (section 7): with the stateful extension, a host that sends a peer a packet and gets no
IKE answer falls back to clear and opens a soft SA that admits the peer's clear packets.
Broadcasts bypass IPsec, and some services answer a broadcast with a unicast: so an
attacker on the LAN asks, the host answers, and the answer opens the door.

5b (section 7): a newer protocol without IPsec support gets a laxer policy. An attacker who
speaks IPv6 to a host whose IPv4 demands IPsec walks in.
"""

from __future__ import annotations

import ipaddress
from functools import partial

from ..addresses import LIMITED_BROADCAST
from ..broadcast import NBNS_PORT
from ..ipsec.spd import PacketView
from . import worlds
from .context import AuditContext
from .plan import Fix, Plan, fact_evidence, rule_evidence
from .sampling import EPHEMERAL_PORT, pick, within


def _lan(ctx: AuditContext):
    """The organisation's IPv4 range the host sits in: the segment its broadcasts reach."""
    return next((p for p in ctx.ranges if p.version == 4 and ctx.host_address in p),
                ipaddress.ip_network(f"{ctx.host_address}/24", strict=False))


def _inbound_tcp(ctx, peer, host):
    return ctx.spd.lookup(PacketView.inbound(peer, host, "tcp", EPHEMERAL_PORT, ctx.profile.service_port))


def check_5a(ctx: AuditContext) -> Plan:
    soft = [i for i, r in enumerate(ctx.spd.rules) if r.action == "protect" and r.fallback]
    if not soft:
        return Plan("5a", False, "no rule falls back to clear, so no soft SA is ever opened: a clear packet that "
                                 "matches PROTECT is always discarded",
                    (fact_evidence(ctx, "stateful", "the stack's fall-back-to-clear extension"),))
    if NBNS_PORT not in ctx.profile.responder_ports:
        return Plan("5a", False, "the host runs no service that answers a broadcast with a unicast",
                    (fact_evidence(ctx, "broadcast_responders", "services that answer broadcasts"),))
    lan, me, port = _lan(ctx), ctx.host_address, NBNS_PORT
    # A name query may go to the subnet's broadcast address or to 255.255.255.255; a policy
    # that lets either in is open to the trigger, so the search tries both.
    directed = lan.broadcast_address
    for bcast in (directed, LIMITED_BROADCAST):
        plan = _check_5a_via(ctx, soft, lan, me, port, bcast)
        if plan.exposed:
            return plan
    return _check_5a_via(ctx, soft, lan, me, port, directed)


def _check_5a_via(ctx: AuditContext, soft, lan, me, port, bcast) -> Plan:
    def hears(a):
        return ctx.spd.lookup(PacketView.inbound(a, bcast, "udp", port, port, (lan.broadcast_address,))).action \
            == "bypass"

    def answers_softly(a):
        m = ctx.spd.lookup(PacketView.outbound(me, a, "udp", port, port))
        return m.action == "protect" and m.rule.fallback

    def guarded(a):
        return _inbound_tcp(ctx, a, me).action == "protect"

    avoid = [me, ctx.dns_server]
    find = partial(pick, ctx.spd, where=within([lan]), regions=[lan], version=4, avoid=avoid,
                   preferred=[lan.network_address + 66])
    attacker = find(lambda a: hears(a) and answers_softly(a) and guarded(a))
    evidence = [fact_evidence(ctx, "stateful", "the fall-back-to-clear extension"),
                fact_evidence(ctx, "broadcast_responders", "answers broadcasts in unicast")]
    if attacker is None:
        sample = find(answers_softly) or lan.network_address + 66
        evidence.append(rule_evidence(ctx, ctx.spd.lookup(PacketView.inbound(sample, bcast, "udp", port, port,
                                                                             (bcast,))), "a broadcast from the LAN"))
        if find(hears) is None:
            why = "broadcasts from the LAN are discarded or must arrive through an SA, so nothing triggers the answer"
        elif find(lambda a: hears(a) and answers_softly(a)) is None:
            heard = find(hears)
            why = (f"the LAN addresses whose broadcasts get in (such as {heard}) are answered through a rule that "
                   "does not fall back to clear, so no soft SA opens")
        else:
            evidence.append(rule_evidence(ctx, _inbound_tcp(ctx, sample, me), "clear TCP from the LAN"))
            why = ("clear packets from the LAN reach the service without any soft SA (they are bypassed or "
                   "discarded outright), so the trigger changes nothing: not problem 5a")
        return Plan("5a", False, why, tuple(evidence))
    evidence += [rule_evidence(ctx, ctx.spd.lookup(PacketView.inbound(attacker, bcast, "udp", port, port, (bcast,))),
                               "the broadcast query gets in"),
                 rule_evidence(ctx, ctx.spd.lookup(PacketView.outbound(me, attacker, "udp", port, port)),
                               "the unicast answer falls back to clear")]
    why = (f"a broadcast from {attacker} is let in, the host answers it in unicast, IKE with the attacker stays "
           f"silent, the answer falls back to clear and opens a soft SA: the attacker's clear connection to TCP "
           f"{ctx.profile.service_port} is then admitted")
    fix = Fix("turn the fall-back-to-clear extension off (stateful = false; no 'fallback' on PROTECT rules), and "
              "write a narrow BYPASS rule for each device that cannot do IPsec",
              "every such device needs its own rule, each a small hole an attacker who takes its address can use "
              "(sections 4.2 and 7)",
              (("DISCARD inbound broadcast and multicast", "NetBIOS, DHCP and other broadcast protocols stop working "
                                                          "for this host"),))
    hedged = (f"a broadcast from {attacker} appears to be let in; if the host answered it in unicast and IKE with the "
              f"attacker stayed silent, the answer would fall back to clear and open a soft SA, admitting the "
              f"attacker's clear connection to TCP {ctx.profile.service_port}")
    return Plan("5a", True, why, tuple(evidence), partial(worlds.soft_sa, ctx, attacker, bcast), fix, hedged=hedged)


def check_5b(ctx: AuditContext) -> Plan:
    if not ctx.profile.ipv6 or ctx.host_address6 is None:
        return Plan("5b", False, "IPv6 is off on this host, so there is no second protocol path",
                    (fact_evidence(ctx, "ipv6", "IPv6 on the host"),), applicable=False)
    me4, me6, svc = ctx.host_address, ctx.host_address6, ctx.profile.service_port
    lan4 = _lan(ctx)
    lan6 = [p for p in ctx.ranges if p.version == 6 and me6 in p] or \
        [ipaddress.ip_network(f"{me6}/64", strict=False)]

    def open6(a):
        return _inbound_tcp(ctx, a, me6).action == "bypass" and \
            ctx.spd.lookup(PacketView.outbound(me6, a, "tcp", svc, EPHEMERAL_PORT)).action == "bypass"

    def strict4(a):
        return _inbound_tcp(ctx, a, me4).action in ("protect", "discard")

    attacker6 = pick(ctx.spd, open6, within(lan6), regions=lan6, version=6, avoid=[me6],
                     preferred=[lan6[0].network_address + 0x66])
    attacker4 = pick(ctx.spd, strict4, within([lan4]), regions=[lan4], version=4, avoid=[me4, ctx.dns_server],
                     preferred=[lan4.network_address + 66])
    sample6 = attacker6 or lan6[0].network_address + 0x66
    sample4 = attacker4 or lan4.network_address + 66
    evidence = [rule_evidence(ctx, _inbound_tcp(ctx, sample4, me4), f"TCP {svc} from {sample4} over IPv4"),
                rule_evidence(ctx, _inbound_tcp(ctx, sample6, me6), f"TCP {svc} from {sample6} over IPv6"),
                fact_evidence(ctx, "ipv6", "IPv6 on the host")]
    if attacker6 is None:
        return Plan("5b", False, f"clear IPv6 packets to TCP {svc} from the LAN are protected or discarded: IPv6 is "
                                 "no laxer than IPv4", tuple(evidence))
    if attacker4 is None:
        return Plan("5b", False, f"IPv4 lets clear packets to TCP {svc} in as well, so IPv6 is not the laxer path "
                                 "(that is a plain BYPASS, not problem 5b)", tuple(evidence))
    # The same peers: an attacker on the host's segment holds an IPv4 address of its choice. If
    # IPv4 lets most of them in clear, IPv6 is not what opens the door. A host whose address is a
    # tunnel's inner one (a VPN's virtual address) meets link-local IPv6 neighbours on the physical
    # network, where its outer address lives: that segment is the one to compare.
    outer = next((a for a in ctx.policy.hints.outer if a.version == 4 and a != me4), None)
    near = outer or me4
    segment = [a for a in ipaddress.ip_network(f"{near}/24", strict=False).hosts() if a != near]
    admitted = [a for a in segment if _inbound_tcp(ctx, a, near).action == "bypass"]
    if 2 * len(admitted) > len(segment):
        evidence[0] = rule_evidence(ctx, _inbound_tcp(ctx, admitted[0], near),
                                    f"TCP {svc} from {admitted[0]} to {near} over IPv4")
        return Plan("5b", False, f"IPv4 lets clear connections to TCP {svc} in from {len(admitted)} of the "
                                 f"{len(segment)} other addresses of the host's own network{' (where its tunnel starts)' if outer else ''} (such as {admitted[0]}); "
                                 f"only a few peers, such as {attacker4}, must use IPsec. An attacker there needs no "
                                 "IPv6: that is a plain BYPASS, not problem 5b (IPv6 laxer than IPv4 for the same "
                                 "peers)", tuple(evidence))
    why = (f"over IPv4 the service demands IPsec (or refuses) for {attacker4}, but over IPv6 a clear connection from "
           f"{attacker6} is let in: the attacker simply uses IPv6")
    fix = Fix("give IPv6 the IPv4 policy: PROTECT the organisation's IPv6 ranges and DISCARD other IPv6 (link-local "
              "included) to the host's services, or turn IPv6 off on the host",
              "IPv6 services are unavailable until IPsec covers them (solution 5: reconcile security and "
              "availability when deploying new protocols)")
    hedged = (f"over IPv4 the service demands IPsec (or refuses) for {attacker4}, but over IPv6 the policy seems to let "
              f"a clear connection from {attacker6} in: an attacker could try IPv6")
    return Plan("5b", True, why, tuple(evidence), partial(worlds.laxer_ipv6, ctx, attacker4, attacker6), fix,
                hedged=hedged)


__all__ = ["check_5a", "check_5b"]
