# %% [markdown]
# # 06 · Conclusions, and the experiment of appendix A
#
# *Paper: section 8 and appendix A · Solutions 1 to 5 · Time: about 35 minutes · Reference:
# [glossary](GLOSSARY.md), [SPD syntax card](SPD-SYNTAX.md)*
#
# **Goals.** By the end of this notebook you can
# 1. run the paper's own experiment and explain why no operating system can check the name in a certificate
#    when it is handed only an address;
# 2. say which of the fixes you have met work from an address alone, which need the name, and which fail safe;
# 3. rank the fixes as the paper does: applications in charge of their own security first, because only the
#    application knows which peer it meant and whether its data was protected (sections 5.5, 6.4, 8); the
#    table shows the consequence, one check covering problems 1a, 1b and 2;
# 4. build the course's table of problems and fixes yourself, judged on security first and cost second.

# %%
import labsim
from labsim.teaching.checks import clip
from labsim.teaching.nb06 import q1, q2, q3, q4, q5, q6, quiz

# %% [markdown]
# ## 1. The experiment
#
# Appendix A of the paper proposes a test anyone can run on a real machine. Configure IPsec with
# certificates for a peer. Then, in a terminal, look the peer's name up with `nslookup` and type the address it
# prints into `telnet`. At the moment you press Enter, the name you meant exists only in your head: `telnet`
# got an address, and so did the operating system. Whatever the certificate says, the system has nothing to
# compare it with.
#
# `fig2` can replay this: `connect_by="address"` makes the application resolve the name, then connect to the
# printed address, exactly like the person at the terminal. `pc-c` still answers for `1.2.3.4` with its own,
# perfectly valid certificate.
#
# **Exercise 1 (predict).** With name handles switched on (`name_check="name_handle"`) and the address typed by
# hand, what does the simulator say? It assumes an operating system that still accepts raw addresses beside
# handles. Decide before you run anything.

# %% tags=["exercise"]
# BEGIN SOLUTION
answer = "impersonated"
# END SOLUTION
# BEGIN STUB
answer = ...   # one of: "protected", "clear", "exposed", "impersonated", "blocked"
# END STUB
q1.check(answer)

# %% [markdown]
# **Exercise 2 (choose).** Only an address reaches the stack. Which of these checks still keep `pc-c` from the
# data? Judge security first: a check that refuses to send at all still keeps `pc-c` out. Answer with a set.

# %% tags=["exercise"]
# BEGIN SOLUTION
choice = {"the application asks its socket", "a PAD"}
# END SOLUTION
# BEGIN STUB
choice = ...   # a set, from: "name handles", "the application asks its socket", "a PAD"
# END STUB
q2.check(choice)

# %% [markdown]
# ### What the runs show
#
# Each name check the operating system might try, with only the address to go on (every row is a fresh run):

# %%
for check in ("none", "forward_dns", "reverse_dns", "secure_reverse_dns", "pad", "name_handle", "application"):
    result = labsim.run("fig2", name_check=check, connect_by="address")
    print(f"{check:<20} {result.outcome:<13} {clip(result.explanation, 90)}")

# %% [markdown]
# The panel replays the experiment; switch `name_check` and watch where the run stops.

# %% tags=["nbval-ignore-output"]
labsim.panel("fig2", connect_by="address")

# %% [markdown]
# Three groups appear. Checks that start from the **name** in the stack (name handles) have nothing to work
# with. The paper expects a program that connects to a typed address to break under name handles (section 5.4), a
# cost in compatibility, not in security; this simulator instead assumes a system that still accepts raw addresses
# beside handles, and so lets `pc-c` in. Checks that start from the **address** (a PAD, a signed reverse zone) still stop
# `pc-c`, but only because somebody wrote down which name owns which address, the very table the paper says
# host-to-host IPsec lacks (sections 5.2 and 5.3). The **application's** check has no name to compare either, and
# does what a TLS client given a bare address does: it refuses. That is a communication failure, not a security
# failure, and section 6.3 tells us which of the two to prefer.
#
# **Exercise 3 (write a PAD).** Write `host-a`'s peer authorization database so that `pc-c` cannot use
# `server-b`'s address even for a typed address, while `host-a` still reaches the real `server-b` over IPsec
# (the check also runs `fig1` with honest DNS using your PAD). The syntax is on the
# [SPD syntax card](SPD-SYNTAX.md): one line per identity, `peer NAME ca "CA NAME" addresses ADDRESS[,ADDRESS...]`.

# %% tags=["exercise"]
# BEGIN SOLUTION
my_pad = """
peer server-b.example.org ca "Example Corp CA" addresses 1.2.3.4
peer pc-c.example.org     ca "Example Corp CA" addresses 1.2.0.7
"""
# END SOLUTION
# BEGIN STUB
my_pad = """
peer * addresses any
"""
# END STUB
q3.check(my_pad)

# %% [markdown]
# ## 2. Solution 1 across the course
#
# Solution 1 (section 5.5) lets the application state the protection it needs and check what it got: is this
# socket protected, which identity did the peer prove, and which CA vouched for it? In notebook 03 it stopped
# `pc-c`. It does more. In figure 1 the forged address is under a BYPASS rule, so no IKE runs and no check inside
# the stack is ever asked (section 5.4); figure 3 is the same attack by a hotel's DNS server.
#
# **Exercise 4 (reproduce).** Find `fig1` toggles under which the DNS spoofing still happens (`dns="spoofed"`, no
# DNSSEC, the attacker outside at a bypassed address, `bypass any` as the last rule), and yet the attacker gets
# nothing because the connection is refused.

# %% tags=["exercise"]
# BEGIN SOLUTION
toggles = {"name_check": "application"}
# END SOLUTION
# BEGIN STUB
toggles = ...   # a dict of fig1 toggles
# END STUB
q4.check(toggles)

# %% [markdown]
# **Exercise 5 (predict).** A fix that refuses too much is no fix. On a normal day, with honest DNS
# (`dns="honest"`) and the application's check on (`name_check="application"`), what verdict does `fig1` give?
# Decide before you run anything.

# %% tags=["exercise"]
# BEGIN SOLUTION
answer = "protected"
# END SOLUTION
# BEGIN STUB
answer = ...   # one of: "protected", "clear", "exposed", "impersonated", "blocked"
# END STUB
q5.check(answer)

# %% [markdown]
# ### Solution 1 against problems 1a, 1b and 2
#
# The same application check in the three attacks that misdirect a connection:

# %%
for scenario in ("fig1", "fig2", "fig3"):
    print(f"{scenario}: {labsim.run(scenario, name_check='application').banner()}")

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **For instructors.** Exercise 4's wrong answers are instructive: a PAD or name handles leave figure 1 exposed,
# because every check in the stack runs inside IKE and bypassed traffic never gets there. Ask which everyday tools
# students use with raw addresses, and what a TLS client does when given one.
# <!-- END SOLUTION -->
#
# ## 3. Build the course's table
#
# **Exercise 6 (synthesis).** For each problem, pick the fix you would apply, from the fixes of the course:
#
# - `"the application checks its peer (solution 1)"`, `"signed DNS"`, `"a PAD"`, `"name handles"`,
# - `"signed DNS (solution 2's first choice)"`, `"DNS from home, through IPsec (solution 2)"` (its weaker
#   second choice), `"no BYPASS for private ranges (solution 3)"`, `"private ranges through the VPN tunnel"`,
# - `"no soft SAs"`, `"discard inbound broadcast and multicast"`, `"IPv6 in step with IPv4 (solution 5)"`.
#
# Section 6.1 ranks the two halves of solution 2: signed records rest on signature chains, so they are equally
# safe whichever server answers; IPsec to a friendly server is the fallback when signed DNS is missing.
#
# A problem may need two fixes at once: give a list. The check runs each problem's attack with your fix and
# judges it on security first (does the attack still succeed?), then shows the cost (does the host still reach
# its peer?).

# %% tags=["exercise"]
# BEGIN SOLUTION
my_table = {
    "1a": "the application checks its peer (solution 1)",
    "1b": "the application checks its peer (solution 1)",
    "2": "the application checks its peer (solution 1)",
    "3": "no BYPASS for private ranges (solution 3)",
    "5a": "discard inbound broadcast and multicast",
    "5b": ["IPv6 in step with IPv4 (solution 5)", "discard inbound broadcast and multicast"],
}
# Problem 3: solution 3 answers it; sending the private ranges through the VPN tunnel is an alternative, but
# section 6.2 names split tunnelling as a cause of the problem. Either way problem 4 remains: the laptop can no
# longer reach the hotel's printer.
# Problems 5a and 5b: "no soft SAs" in place of the discard is an equally good answer. Each has a cost (section 7):
# discarding broadcast hurts a host that depends on broadcast protocols such as NetBIOS or DHCP, and section 8
# counts such exemptions among the compromises made for deployment; no soft SAs means a BYPASS rule for every
# printer, tedious in a large network.
# END SOLUTION
# BEGIN STUB
my_table = {
    "1a": ...,
    "1b": ...,
    "2": ...,
    "3": ...,
    "5a": ...,
    "5b": ...,
}
# END STUB
q6.check(my_table)

# %% [markdown]
# Compare your table with the course's. Each row runs one attack, then one fix. The columns to read are
# **with the fix** (the verdict once the fix is on) and **problem left** (a problem the run still shows, such as
# problem 4 on the hotel printer's flow once private ranges are protected); **in the paper** says where the fix
# is discussed, and its cost where the run cannot show one: "the host's own traffic still gets through" in the
# check above is true of this small network, not of a host that needs broadcast. Solution 1 comes first wherever
# it applies.

# %%
from labsim.teaching.overview import overview

overview()

# %% [markdown]
# ## 4. What the paper concludes
#
# The authors found every weakness in this course on real deployments. Their diagnosis has two parts, and the
# table above is the evidence for both.
#
# - **Transparency has a price, and applications must take charge.** IPsec was meant to protect applications
#   without their knowing. But only the application knows which peer it meant, so it is the only place where that
#   check can be made. The paper proposes giving applications an interface to state their policy and to see
#   what protection they actually got; in the table, that one fix covers problems 1a, 1b and 2. The fixes inside
#   IPsec each cover one problem, and several cost a table of names and addresses that someone must maintain.
# - **Addresses are the wrong names.** The SPD selects traffic by IP address, certificates name hosts, and
#   applications start from host names. Whoever controls the mapping between them (a DNS server, a visited
#   network, an ARP table, a colleague's machine) controls which rule applies. Private addresses make it worse,
#   because they mean different hosts in different places. In the long run, security protocols should stop using
#   IP addresses as host identifiers (HIP and CGA are two attempts).
#
# Two things soften the verdict in practice. Some weaknesses come from deployment compromises, such as the
# exemptions for broadcast and for hosts that cannot do IPsec, which may fade, perhaps with IPv6. And most modern
# applications and middleware already protect themselves (TLS, authenticated RPC), assuming the network is
# hostile: that is why attacks that work in the lab often fail on a production network.
#
# **Reflection.** The paper closes with a question it does not answer: once applications protect themselves,
# is there any role left for host-to-host IPsec? Give your answer in a few sentences, using what the course
# showed you (for example group authentication keeping outsiders out, problem 1b, or the broadcast exemptions).

# %% [markdown] tags=["reflection"]
# BEGIN STUB
# *Your answer:* ...
# END STUB
# BEGIN SOLUTION
# *A model answer (one of several defensible ones):* yes, a smaller one. Group authentication still keeps
# outsiders, revoked machines and spoofed packets from outside off the intranet, which was the main goal of the
# network the paper studied, and it protects applications that do nothing for themselves. But it cannot tell
# insiders apart and is easily switched off by BYPASS rules, so it should be a second layer under applications
# that authenticate their peers by name, not the thing they rely on.
# END SOLUTION

# %% [markdown]
# ## 5. The quiz again
#
# The same seven statements as in notebook 00. This time the check judges each one against the simulator, shows
# the run that decides it, and marks the answers you changed since notebook 00.

# %% tags=["exercise"]
quiz.show()

# %% tags=["exercise"]
# BEGIN SOLUTION
my_quiz = {"4", "6", "7"}
# END SOLUTION
# BEGIN STUB
my_quiz = ...   # a set of statement numbers
# END STUB
quiz.check(my_quiz)

# %% [markdown]
# ## Summary
#
# - A stack given only an address can check an identity against addresses (PAD, signed reverse DNS), never
#   against the name the user meant; an application given only an address refuses, which fails safe.
# - Every address-based check needs a trustworthy table from names to addresses; host-to-host IPsec has none
#   by default, and keeping one is the PAD's cost.
# - Applications that authenticate their peers by name themselves (solution 1, TLS) close problems 1a, 1b and 2
#   at once: the paper's main conclusion.
#
# ## Further reading
#
# - The paper, section 8 and appendix A; section 5.4 on name handles and the HIP idea they borrow.
# - RFC 4301, section 4.4.3 (the PAD) and RFC 6125 (checking a name against a certificate).
# - RFC 7401, *Host Identity Protocol version 2*, and RFC 3972, *Cryptographically Generated Addresses*: two
#   designs that stop using addresses as host identifiers.
# - Next: `07_audit_your_policy` applies all of this to a real configuration.
