# %% [markdown]
# # 07 · Audit your own policy
#
# *Paper: sections 3 to 7, all seven problems · Time: about 40 minutes · Reference: [glossary](GLOSSARY.md),
# [SPD syntax card](SPD-SYNTAX.md)*
#
# **Goals.** By the end of this notebook you can
# 1. say what an audit for the paper's attacks finds that "the tunnel comes up" and "no rule is shadowed" miss;
# 2. read a strongSwan `swanctl.conf` and an `ip xfrm` policy listing well enough to follow an audit of them;
# 3. read an audit finding: the rule and line responsible, the run that proves it, the smallest fix and its cost;
# 4. fix a real configuration so that chosen attacks fail while the host's users can still work, and audit your
#    own.

# %%
import labsim
from labsim.audit import audit, audit_text
from labsim.teaching.nb07 import q1, q2, q3, example, reach, summary

# %% [markdown]
# ## 1. Three questions you can ask of a policy
#
# An administrator who has just written an IPsec policy usually asks two questions.
#
# - **Does the tunnel come up?** Do both ends agree on algorithms and credentials, so that IKE (the key
#   exchange) completes and the traffic flows under ESP (the encrypted packet format)? Network verification
#   tools check exactly this.
# - **Is every rule needed?** A rule that can never match, because a rule above it catches all its packets, is
#   *shadowed*; one whose removal changes nothing is *redundant*. Firewall policy analysers find these.
#
# Both answers can be "yes, all fine" for a policy that the paper breaks in several ways. The paper's problems are
# not mistakes inside the policy. They live where the policy meets the world around it: the DNS that turns
# names into the addresses the policy is written in (problems 1a and 2), the certificates that name hosts while
# the rules name addresses (1b), private addresses that mean another host on another network (3 and 4), and the
# packets let through unauthenticated to keep things working (5a and 5b).
#
# So the third question, **which of the paper's attacks does this policy allow?**, needs more than the policy.
# `labsim audit` imports a real configuration into labsim's SPD (security policy database) and PAD (peer
# authorization database), adds a *host profile* for what the file cannot say (the organisation's domain and
# CA, whether DNS answers are signed, whether the host travels, whether its IPsec agent falls back to clear),
# and then, for each problem, builds a small world around the host and plays the attack in the simulator. A
# problem is reported **exposed** only when that run shows the attack succeeding; the auditor's own reasoning
# is never enough.


# %% [markdown]
# ## 2. Reading a strongSwan configuration
#
# strongSwan is a widely used IPsec implementation for Linux. Its configuration file, `swanctl.conf`, is a tree
# of sections in braces:
#
# | setting | meaning |
# |---|---|
# | `connections { NAME { ... } }` | one IKE connection: whom to talk to and how to authenticate |
# | `remote_addrs` | the peer addresses this connection negotiates with |
# | `local { ... }`, `remote { ... }` | authentication rounds: how we prove who we are (`certs`, `id`), and what the peer must prove (`id`, `cacerts`) |
# | `id = %any` with `cacerts = corp-ca.pem` | the peer may be *anyone* holding a certificate from that CA |
# | `children { NAME { ... } }` | a child SA: the traffic this connection protects, and how |
# | `remote_ts`, `local_ts` | traffic selectors: addresses, optionally `[protocol/port]`, e.g. `10.1.0.53/32[udp/53]` |
# | `mode = transport` or `tunnel` | protect the traffic with ESP (transport mode for host-to-host) |
# | `mode = pass` or `drop` | a *shunt*: a policy with no SA at all, which lets the traffic through in clear (`pass`) or discards it (`drop`) |
# | `start_action = trap` | install the policy in the kernel now; the first packet that matches starts IKE |
#
# Here is the first example, a desktop in Example Corp's intranet `10.1.0.0/16`, configured the way many real
# deployments are. (`example(...)` is the path of a file in the repository's `examples/` folder, seen from this
# notebook.)

# %%
print(open(example("strongswan-group-auth/swanctl.conf")).read())

# %% [markdown]
# The auditor translates the file into the ordered SPD the kernel ends up with, each rule tagged with the line
# it came from. Note the order: strongSwan puts pass shunts above every IPsec policy, and Linux lets through in
# clear whatever no policy matches (the last rule, which has no line of its own).

# %%
report = audit(example("strongswan-group-auth/swanctl.conf"))
print(report.context.policy.spd_text())

# %% [markdown]
# ## 3. The audit
#
# First the two classic questions. Does the tunnel come up? `reach` plays `host-a` connecting to the file
# server `server-b.example.org` with honest DNS and no attacker. Are any rules shadowed or redundant?

# %%
tunnel = reach(report, "server-b.example.org=10.1.3.4:80")
print(tunnel.banner(), "-", tunnel.explanation)
print(len(report.anomalies), "shadowed or redundant rules")

# %% [markdown]
# Both answers are reassuring. Now the third question, one line per problem of the paper:

# %%
summary(report)

# %% [markdown]
# Three problems are exposed. Problems 2 to 4 are *not applicable* because nothing says this desktop ever
# leaves the office (the profile's `mobile` setting, which defaults to no), and 5a is not exposed because standard
# strongSwan has no fall-back-to-clear extension.
#
# Here is the whole report, as `python -m labsim audit` prints it. Skim it once from top to bottom: the policy
# with its source lines, the host profile with the source of every value (the file, a default, or an
# inference), then one finding per problem. Do not try to read every line yet; the next section takes one
# finding apart.

# %%
print(report.text())

# %% [markdown]
# ## 4. Anatomy of a finding
#
# Take problem 1b, group authentication (paper, section 5.1). A finding answers five questions.

# %%
finding = report["1b"]
print("status:        ", finding.status)
print("why:           ", finding.why)
for evidence in finding.evidence:
    print("responsible:   ", evidence.cite, "->", evidence.text)
print("counterexample:", " ".join(finding.counterexample.story))
print("simulator:     ", finding.result.banner())
print("smallest fix:  ", finding.fix.change)
print("its cost:      ", finding.fix.cost)

# %% [markdown]
# - **Why**: any host holding a certificate from Example Corp's CA may answer for `10.1.3.4`.
# - **Responsible**: line 26 (the PROTECT rule for the intranet) and line 20 (`id = %any`), which the
#   auditor turns into the PAD entry `peer * ... addresses 10.1.0.0/16`: every name the CA signs may use every
#   intranet address.
# - **Counterexample**: `pc-c`, an ordinary company machine with its own valid certificate, takes over
#   `server-b`'s address on the LAN.
# - **The simulator's verdict**: `impersonated`. The data went through IPsec, to the wrong host.
# - **The fix and its price**: name each server; someone must then keep the table of who owns which address
#   (section 5.3).
#
# The audit proposes the smallest change to this configuration, not the paper's first choice: for problem 1b
# that is solution 1, applications that check their peer themselves, which no SPD edit can provide.
#
# The counterexample is an ordinary labsim run, with a trace like every scenario's. These are the checks that
# passed during IKE, each side checking the other, and the moment the data arrives; find the lines where
# `host-a` checks `pc-c`:

# %%
for event in finding.result.events:
    if event.decision in ("pass", "steals"):
        print(f"{event.time_ms:5.1f} ms  {event.host:<7} {event.summary:<48} {event.reason}")

# %% [markdown]
# Everything `host-a` checks passes: the certificate is genuine, its signature verifies, the PAD allows
# `pc-c.example.org` at `10.1.3.4` (it allows *every* company name there), and so does the name check, which
# here is that same PAD lookup. Nothing compares
# `pc-c.example.org` with the name the application asked for.
#
# ## 5. Watch a counterexample
#
# Problem 1a (section 4.2): a rogue machine on the intranet forges the DNS answer for `server-b.example.org`,
# and the connection leaves in clear for an address on the Internet. Play it, and find the forged answer, the SPD
# rule that sends the request out in clear (rule 4, the kernel's default), and the attacker reading it. (The
# layout is drawn automatically for the audited organisation, so it looks plainer than the paper's figures.)

# %% tags=["nbval-ignore-output"]
labsim.show(report["1a"].result, title="audit of strongswan-group-auth: problem 1a")

# %% [markdown]
# ## 6. A laptop's kernel policy
#
# The second example is not a strongSwan file but what the Linux kernel itself holds. XFRM is the kernel's
# IPsec framework, and `ip xfrm policy show` lists its SPD:
#
# | in the listing | meaning |
# |---|---|
# | `src`, `dst`, `proto`, `sport`, `dport` | the selectors: which packets the policy is about |
# | `dir out`, `dir in`, `dir fwd` | our outgoing packets, our incoming ones, packets we forward as a router |
# | `priority` | the *lowest* number wins when several policies match |
# | `tmpl ... proto esp mode transport` | the packet must use an ESP security association: PROTECT |
# | `level use` in a `tmpl` | use an SA if one exists, otherwise send and accept the packet in clear |
# | no `tmpl` | let the packet through in clear: BYPASS; `action block` would DISCARD it |
# | `socket in`, `socket out` | a policy for one program's socket (the IKE daemon's own traffic) |
#
# Where no policy matches, the packet passes in clear unless `ip xfrm policy setdefault` says `block`. The
# listing cannot say everything, so a profile, `labsim-profile.toml`, sits beside it.

# %%
print(open(example("xfrm-broadcast-bypass/policies.txt")).read())
print(open(example("xfrm-broadcast-bypass/labsim-profile.toml")).read())

# %% [markdown]
# **Exercise 1 (predict).** Before you audit it: which of the seven problems (`"1a"`, `"1b"`, `"2"`, `"3"`,
# `"4"`, `"5a"`, `"5b"`) does this laptop expose? Work through them one at a time with the profile in mind.
# The check audits the laptop and compares; after a correct answer or a second try it shows the audit, problem by
# problem.

# %% tags=["exercise"]
# BEGIN SOLUTION
answer = {"1a", "1b", "2", "3", "5a", "5b"}
# END SOLUTION
# BEGIN STUB
answer = ...   # a set of problem ids, for example {"1a", "5b"}
# END STUB
q1.check(answer)

# %% [markdown]
# ### The audit itself
#
# Besides the findings, look at the rule anomalies and at the importer's warnings.

# %%
laptop = audit(example("xfrm-broadcast-bypass/policies.txt"))
summary(laptop)
for anomaly in laptop.anomalies:
    print(f"rule {anomaly.rule + 1} ({anomaly.cite}) is {anomaly.kind}")
for note in laptop.context.policy.notes:
    if note.severity == "warning":
        print(note)

# %% [markdown]
# The classic analysis has findings too: the administrator's four allow rules for broadcast and multicast are
# redundant, because the kernel lets unmatched packets through in clear anyway. Deleting them would change
# nothing, and that is exactly why they are harmless. The real holes are elsewhere:
#
# - `level use` for the printers is imported as BYPASS. An attacker never completes IKE, so for an attacker
#   "use IPsec if you can" means "use clear".
# - The profile says the laptop's agent falls back to clear. The trace of the 5a counterexample shows what that
#   does with a broadcast (paper, section 7 and figure 5). Here are the laptop's own decisions:

# %%
for event in laptop["5a"].result.events:
    if event.host == "laptop" and event.kind in ("spd", "app"):
        print(f"{event.time_ms:9.1f} ms  {event.decision:<8} {event.reason}")

# %% [markdown]
# The attacker's broadcast gets in; the laptop answers it in unicast; IKE with the attacker times out after
# three seconds; the answer falls back to clear and opens a soft SA; the attacker's clear connection to file
# sharing (TCP 445) is admitted.
#
# <!-- BEGIN SOLUTION -->
# **For instructors.** Ask why problem 4 is missing. The fallback lets the laptop talk in clear to anyone at a
# private address that does not answer IKE, including a hotel printer: no communication failure, because the
# security failure (problem 3) comes first. Section 6.3 of the paper prefers the opposite trade.
# <!-- END SOLUTION -->
#
# ## 7. Every fix has a price
#
# Back to `host-a`. Its users need three things, whatever we change: the file server `server-b` over IPsec,
# the printer `printer-b` (`10.1.9.10`, TCP 9100), which speaks no IPsec, in clear, and the web in clear
# (Example Corp has no web proxy). `reach` plays each of them, as it did for `server-b` above.
#
# **Exercise 2 (choose the fix).** Three administrators propose a fix for problem 1a. `q2.show()` prints what
# each one changes in the file (`-` removed, `+` added). Which fix removes 1a at a price `host-a`'s users can
# pay? The check audits all three and plays the three services for each.

# %% tags=["exercise"]
q2.show()

# %% tags=["exercise"]
# BEGIN SOLUTION
choice = "protect DNS"
# END SOLUTION
# BEGIN STUB
choice = ...   # "drop all other traffic", "protect DNS" or "name the server"
# END STUB
q2.check(choice)

# %% [markdown]
# **Exercise 3 (fix the configuration).** Now fix all three exposed problems at once: 1a, 1b and 5b must no
# longer be exposed, no other problem may appear, and the file server, the printer and the web must still work.
# Edit the text below; the hardened example (`examples/strongswan-hardened/swanctl.conf`) has blocks you can
# copy. The check audits your text with the same profile as before, plays the three services, and checks that
# DNS goes to a peer that must prove the DNS server's own name (an insider could otherwise answer for it).

# %% tags=["exercise"]
# BEGIN SOLUTION
my_config = """
connections {

   intranet {
      remote_addrs = 10.1.0.0/16
      local {
         auth = pubkey
         certs = host-a.pem
         id = host-a.example.org
      }
      remote {
         auth = pubkey
         id = %any
         cacerts = corp-ca.pem
      }
      children {
         intranet {
            mode = transport
            remote_ts = 10.1.0.0/16
            start_action = trap
            esp_proposals = aes256gcm16-x25519
         }
      }
   }

   dns {                                 # 1a: DNS under IPsec, to a named server
      remote_addrs = 10.1.0.53
      local {
         auth = pubkey
         certs = host-a.pem
         id = host-a.example.org
      }
      remote {
         auth = pubkey
         id = ns.example.org
         cacerts = corp-ca.pem
      }
      children {
         dns {
            mode = transport
            remote_ts = 10.1.0.53/32[udp/53]
            start_action = trap
         }
      }
   }

   server-b {                            # 1b: the file server must prove its own name
      remote_addrs = 10.1.3.4
      local {
         auth = pubkey
         certs = host-a.pem
         id = host-a.example.org
      }
      remote {
         auth = pubkey
         id = server-b.example.org
         cacerts = corp-ca.pem
      }
      children {
         server-b {
            mode = transport
            remote_ts = 10.1.3.4/32
            start_action = trap
         }
      }
   }

   clear {
      children {
         printers {
            mode = pass
            remote_ts = 10.1.9.0/24
            start_action = trap
         }
         no-ipv6 {                       # 5b: IPv6 gets no laxer policy than IPv4
            mode = drop
            remote_ts = ::/0
            start_action = trap
         }
      }
   }
}
"""
# END SOLUTION
# BEGIN STUB
my_config = """
connections {

   intranet {
      remote_addrs = 10.1.0.0/16
      local {
         auth = pubkey
         certs = host-a.pem
         id = host-a.example.org
      }
      remote {
         auth = pubkey
         id = %any                 # any certificate the CA issued...
         cacerts = corp-ca.pem     # ...may claim any address in remote_ts
      }
      children {
         intranet {
            mode = transport
            remote_ts = 10.1.0.0/16
            start_action = trap
            esp_proposals = aes256gcm16-x25519
         }
      }
   }

   # Shunts: what must stay in clear. strongSwan gives pass shunts the
   # highest priority, so they win over the intranet policy above.
   clear {
      children {
         dns {
            mode = pass
            remote_ts = 10.1.0.53/32[udp/53]
            start_action = trap
         }
         printers {
            mode = pass
            remote_ts = 10.1.9.0/24     # the printers speak no IPsec
            start_action = trap
         }
      }
   }
}
"""
# END STUB
q3.check(my_config)

# %% [markdown]
# Re-audit your configuration the way an administrator would, with the exercise's profile:

# %%
summary(audit_text(my_config, **q3.settings))

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **For instructors.** Discuss what the fix leaves open. Every intranet peer other than `server-b` and `ns` is
# still authenticated by `%any`: the audit checks the servers it is told about (the profile's `servers`), so
# each server that matters needs its own connection, and its own line in someone's table (section 5.3).
# Protecting DNS stops forgery on the path but not a lying or compromised DNS server (section 6.1), and it
# requires the DNS server to run IPsec with every client. A student who instead removes the DNS pass shunt,
# letting DNS fall under the intranet's `%any` connection, passes the audit's 1a row (its counterexample is an
# outsider) but fails the check's own row about DNS: under `%any`, any host with a company certificate can answer
# as the DNS server (section 5.1, problem 1b applied to DNS). Name the DNS server (`id = ns.example.org`), as the
# worked solution does.
# <!-- END SOLUTION -->

# %% [markdown]
# Protecting DNS keeps an outsider on the path from reading or forging the answers. It does not make a lying or
# compromised DNS server honest (section 6.1), and if the DNS connection accepted any company certificate
# (`id = %any`) rather than `ns.example.org`, any insider could answer as the DNS server (section 5.1).
#
# ## 8. The hardened policy, and the laptop's dilemma
#
# The third example follows the paper's advice as far as IPsec allows: a named connection per server, DNS under
# IPsec with signed answers, one narrow exemption for one printer, and everything else dropped.

# %%
hardened = audit(example("strongswan-hardened/swanctl.conf"))
summary(hardened)
web = reach(hardened, "www.example.com=198.51.100.80:80", ipsec=False)
print(web.banner(), "-", web.explanation)

# %% [markdown]
# Nothing is exposed, and the last line shows the price: no web at all, except through the company's proxy.
#
# Now put the same policy on a laptop (`mobile=True` overrides one setting of the profile):

# %%
summary(audit(example("strongswan-hardened/swanctl.conf"), mobile=True))

# %% [markdown]
# Two problems appear together. The printer's exemption names `10.1.9.10`, a private address that a hotel
# network may use for a host of its own (problem 3, section 6.2); and the drop rule cuts the laptop off from
# every hotel host in the private ranges (problem 4, section 6.3). Removing one brings back the other: the paper
# offers no cure, only the choice of the lesser failure, and it prefers a connection that fails to one that leaks.
#
# ## 9. Paste your own
#
# Paste a configuration of your own below: a strongSwan `swanctl.conf`, the output of `ip xfrm policy show`, a
# list of `ip xfrm policy add` commands, or labsim SPD text. The auditor recognises the format. Then tell it
# what the file cannot say, with settings such as `mobile=True`, `dnssec=True`, `stateful=True`,
# `ranges=["10.20.0.0/16"]`, `host_name="me.example.org"` or `servers=["files.example.org=10.20.1.5:445"]`.
# The cell holds an example to start from: a developer's desktop set up by hand.

# %%
my_policy = """
# dev-42.example.org: a developer's desktop, set up by hand with ip xfrm commands.
ip xfrm policy add src 10.1.0.42/32 dst 10.1.0.53/32 proto udp dport 53 dir out priority 1000
ip xfrm policy add src 10.1.0.53/32 dst 10.1.0.42/32 proto udp sport 53 dir in priority 1000
ip xfrm policy add src 10.1.0.42/32 dst 10.1.0.0/16 dir out priority 2000 tmpl proto esp mode transport
ip xfrm policy add src 10.1.0.0/16 dst 10.1.0.42/32 dir in priority 2000 tmpl proto esp mode transport
ip xfrm policy setdefault in block out block fwd block
"""
mine = audit_text(my_policy, host_name="dev-42.example.org")
summary(mine, fixes=True)

# %% [markdown]
# For the full report, print `mine.text()`; on the command line, `python -m labsim audit FILE` does the same,
# and `--json` gives every finding with its counterexample's trace. Two things to keep in mind when you read
# an audit of your own configuration.
#
# - It answers for the paper's seven problems, in a model of your network built from the file and the profile.
#   An "exposed" is backed by a simulated attack, not by a test on your machines; a "not exposed" means only
#   that the attack, as the paper describes it, failed in that model.
# - Lines the importer cannot translate exactly are listed under "Import notes" with their line numbers.
#   Nothing is dropped without a word, but read the warnings before trusting the verdicts.

# %% [markdown]
# **Reflection.** Pick the exposed finding of your own configuration, or of the laptop of exercise 1, that you
# would fix first. In two or three sentences: which fix, what it costs the host's users, and which problem of the
# paper it might bring back.

# %% [markdown] tags=["reflection"]
# BEGIN STUB
# *Your answer:* ...
# END STUB
# BEGIN SOLUTION
# *A model answer:* for the laptop, problem 5a first: drop the agent's fallback to clear and give the printers a
# narrow pass shunt (one address, one port). The cost is keeping that list of printers by hand; at a hotel the
# laptop can no longer print on a private-address printer in clear, which is problem 4, the failure the paper
# prefers.
# END SOLUTION

# %% [markdown]
# ## Summary
#
# - A policy can bring its tunnels up and contain no useless rule, and still allow most of the paper's attacks:
#   those attacks come from DNS, certificates, private addresses and exemptions, not from the order of rules.
# - An audit finding names the rule and line responsible and is proved by a simulated attack on the policy as
#   written; its fix comes with a price.
# - The prices are real: protected DNS needs IPsec on the DNS server, named peers need a table of who owns which
#   address, dropping the rest cuts off the web, and on a laptop problems 3 and 4 trade against each other.
#
# ## Further reading
#
# - The paper, sections 4 to 7; section 8 on why no configuration removes every problem.
# - RFC 4301, *Security Architecture for the Internet Protocol*, sections 4.4.1 (the SPD) and 4.4.3 (the PAD).
# - The strongSwan documentation of `swanctl.conf` (connections, children, traffic selectors, shunts), and the
#   Linux `ip-xfrm(8)` manual page.
# - `examples/README.md` in this repository: what each example shows and what the hardened policy costs.
