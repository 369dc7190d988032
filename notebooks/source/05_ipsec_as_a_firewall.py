# %% [markdown]
# # 05 · IPsec as a firewall
#
# *Paper: section 7 and figure 5 · Problems 5a and 5b · Solution 5 · Time: about 40 minutes · Reference:
# [glossary](GLOSSARY.md), [SPD syntax card](SPD-SYNTAX.md)*
#
# **Goals.** By the end of this notebook you can
# 1. explain how an SPD filters packets, and what a stateful extension with *soft SAs* adds to it;
# 2. explain why hosts let inbound broadcast and multicast bypass IPsec;
# 3. show how these two reasonable features combine into a hole (problem 5a), and how a laxer policy for a newer
#    protocol such as IPv6 is the same kind of hole (problem 5b);
# 4. write a policy that keeps the printer and the name services working and closes both holes (solution 5).

# %%
import labsim
from labsim.teaching.nb05 import feature_interaction, q1, q2, q3, q4

# %% [markdown]
# ## 1. A firewall made of SPD rules
#
# An SPD already is a packet filter: a DISCARD rule drops every packet its selectors
# match, by address, protocol or port. But standard IPsec judges each packet on its own, without memory of the
# packets before it. It is *stateless*. A home router or a personal firewall does more: it lets in the replies
# to connections you opened, and drops what arrives unasked.
#
# Some IPsec stacks add this, outside the standard. When the host sends to a peer that does not answer IKE, say
# a printer or another small device without IPsec, the stack falls back to clear and remembers the peer in a
# *soft SA*. From then on, clear packets from that peer are let in, although the rule says PROTECT. Why would an
# administrator want that? Section 7 gives the reason: in a large network with many printers and embedded
# devices, writing and maintaining a BYPASS rule for each one by hand is too tedious, and the extension finds
# them by itself. In labsim the extension is the word `fallback` on a PROTECT rule (see the
# [SPD syntax card](SPD-SYNTAX.md)).

# %% [markdown]
# ## 2. Broadcast and multicast
#
# An SA joins two hosts. A *broadcast* goes to every host on the local network and a
# *multicast* to a group of them, so neither has an SA to use. An administrator can drop such packets or let
# them bypass IPsec. Many services need them: DHCP hands out
# addresses by broadcast, and NetBIOS, the old Windows naming service, finds hosts by broadcasting "who is
# HOST-A?". So they are bypassed. Encryption would add little, since every host on the segment receives these
# packets anyway; the missing authentication is left to the applications that care.
#
# Here is `host-a`'s SPD in `fig5`. It protects the whole intranet, over IPv4 and over IPv6, and falls back to
# clear for peers that cannot do IPsec (`local broadcast ... dir in` selects packets we receive that were sent to
# the broadcast address):
#
# ```
# bypass  local broadcast dir in              # broadcast has no SAs
# bypass  local multicast dir in              # nor has multicast
# protect remote 1.2.0.0/16 fallback          # the intranet: IPsec, or clear plus a soft SA for peers without it
# protect remote 2001:db8:12::/48 fallback    # the intranet's IPv6 prefix, the same
# bypass  any                                 # the rest of the world
# ```

# %% [markdown]
# ## 3. Together: figure 5 (problem 5a)
#
# An attacker plugs a machine into the office network at `1.2.0.66`. It holds no certificate. It wants
# `host-a`'s shared files, served by SMB (Windows file sharing) on TCP port 445. A clear SYN (the packet that
# opens a TCP connection) from `1.2.0.66` matches
# `protect remote 1.2.0.0/16` and is dropped, unless a soft SA for `1.2.0.66` is open. A soft SA opens when
# `host-a` sends to `1.2.0.66` first. So the attacker needs `host-a` to speak first.
#
# The broadcast bypass gives it the means. The attacker broadcasts a NetBIOS query: "who is HOST-A?". The
# broadcast is let in. NetBIOS on `host-a` answers, and the answer goes in unicast, to `1.2.0.66` only. That
# answer matches the PROTECT rule, so `host-a` tries IKE; the attacker stays silent; the rule falls back to
# clear and opens a soft SA for `1.2.0.66`. The attacker now connects to port 445 in clear, and the soft SA lets
# it in. DHCP and BOOTP (DHCP's predecessor) answer broadcasts with unicast too. The
# lesson is wider than NetBIOS: at the IP layer, it is hard to know which host really began a conversation, so
# rules that trust "we spoke first" break easily.
#
# > **Problem 5a** (section 7): a stateful extension to IPsec can be turned against the host. Inbound traffic
# > that may bypass IPsec, such as broadcast or multicast, makes the host send the first packet.
#
# Figure 5 tells two stories in one run, and so does the simulator: each `fig5` run has a verdict for **the
# attack** (the attacker's unsolicited connection to port 445) and one for **the print job** (`host-a` printing on
# the printer at `1.2.0.80`, which speaks no IPsec). The banner gives one line for each, so "the attack was
# blocked" and "the print job was blocked" are never confused.
#
# The panel plays `fig5`. Find four things in the event list: the broadcast accepted by rule 1, the unicast
# answer matching rule 3, the soft SA opening after 3 s without an IKE reply, and the SYN to port 445 admitted.

# %% tags=["nbval-ignore-output"]
labsim.panel("fig5")

# %% [markdown]
# ## 4. Predict, then run, then explain
#
# **Exercise 1 (predict).** Keep the extension, but discard inbound broadcast and multicast
# (`broadcast="discard"`). What verdict will the simulator give for **the print job**? (The check judges that
# flow's verdict.)

# %% tags=["exercise"]
# BEGIN SOLUTION
answer = "clear"
# END SOLUTION
# BEGIN STUB
answer = ...   # one of: "protected", "clear", "exposed", "impersonated", "blocked"
# END STUB
q1.check(answer)

# %% [markdown]
# ### Both features, every mix
#
# The paper calls this a *feature interaction*: two mechanisms, each sensible on its own, that fail together.
# Before you run the next cell, fill in the table in your head: each mix of the two features, whether the
# attacker gets in, and what happens to `host-a`'s print job. Then try the panel above with `stateful=off` and
# `broadcast=discard`.

# %%
feature_interaction()

# %% [markdown]
# Against this attacker, only the mix of both features lets it in. Each feature alone stops it, and removing the
# extension costs the printer. That is why administrators turned it on. Discarding broadcast keeps the printer
# but has its own price, which the table cannot show: every service that finds its peers by broadcast, NetBIOS
# names here and DHCP on a real network, stops hearing anyone.
#
# Discarding broadcast removes the attacker's trigger, not the soft SA `host-a` opens itself when it prints. A
# soft SA trusts an address, and section 5.4 warns that an address the policy exempts can be hijacked. Try
# `attacker_via="printer_address"` in the panel: the attacker sends no broadcast, lets `host-a` print, then
# answers for the printer's address `1.2.0.80` on the LAN and connects to port 445 from it. The print job's soft
# SA lets it in whether broadcast is bypassed or discarded; only `stateful="off"` stops it, and the printer with
# it. The paper gives this hijack no problem number and neither does the verdict: it is not problem 5a, since no
# answer to the attacker opened the soft SA.
#
# ## 5. A newer protocol with a laxer policy (problem 5b)
#
# A firewall usually drops what it does not know. An IPsec policy usually lets it through: traffic for which
# no protection exists is bypassed, or host-to-host IPsec could not be switched on until every protocol had its
# own protection. New protocols are the standing example. When the paper was written, many IPv6 stacks had no
# IPsec support that administrators could use, so IPv6 often got a softer policy than IPv4. In `fig5` that is
# `ipv6_policy="bypass"`: `host-a` lets all of IPv6 bypass IPsec. An attacker who comes in over IPv6
# (`attacker_via="ipv6"`) asks with LLMNR, the IPv6-era cousin of NetBIOS, but with such a policy it hardly needs
# a trigger at all.
#
# > **Problem 5b** (section 7): new protocols often arrive before their IPsec support does, and an attacker can
# > use them to go around the protection of the old ones.
#
# **Exercise 2 (reproduce a problem).** Find toggle values for `fig5` that show problem 5b.

# %% tags=["exercise"]
# BEGIN SOLUTION
toggles = {"ipv6_policy": "bypass", "attacker_via": "ipv6"}
# END SOLUTION
# BEGIN STUB
toggles = ...   # a dict, for example {"stateful": "off"}
# END STUB
q2.check(toggles)

# %% [markdown]
# The paper's solution 5 is short: when a new protocol is rolled out, weigh its availability against the
# protection the old protocols already have, and keep the two policies in step. The `fig5` toggles offer only
# blunt versions of that.
#
# **Exercise 3 (choose the mitigation).** `host-a` bypasses IPsec for IPv6, and the attacker comes in over IPv6.
# Which change stops the attacker *and* still lets `host-a` print? The check runs all five; once you have it
# right (or after a second try) it tells you what each one does, and what the working one costs.

# %% tags=["exercise"]
# BEGIN SOLUTION
choice = "same IPv6 policy as IPv4, and discard broadcast and multicast"
# END SOLUTION
# BEGIN STUB
choice = ...   # "switch the stateful extension off", "discard inbound broadcast and multicast",
               # "give IPv6 the same policy as IPv4", "same IPv6 policy as IPv4, and stateful off" or
               # "same IPv6 policy as IPv4, and discard broadcast and multicast"
# END STUB
q3.check(choice)

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **For instructors.** The rows show the two doors one at a time. Closing the IPv6 bypass alone turns problem 5b
# back into problem 5a, now with an LLMNR multicast as the trigger. Ask what the winning option breaks:
# NetBIOS and LLMNR no longer hear anyone, and on a real network DHCP would stop too.
# <!-- END SOLUTION -->
#
# ## 6. Do better than the toggles
#
# The working option in exercise 3 switches off the name services. You can keep them. The fallback was only
# ever meant for the printer; the attacker got one because the rule covered the whole intranet.
#
# **Exercise 4 (write a policy).** Rewrite `host-a`'s SPD so that the attacker gets nothing over IPv4 or IPv6,
# `host-a` still prints to the printer (`1.2.0.80`, TCP port 9100, no IPsec), and its name services still
# answer broadcast and multicast queries. The starting point is the policy from section 2. Besides the runs, the
# check looks at what your SPD decides for the name-service *answer* packet (an application that answers is no use
# if its answer is discarded), for an IPv6 peer of the intranet, and for the web.

# %% tags=["exercise"]
# BEGIN SOLUTION
my_spd = """
bypass  local broadcast dir in                # name services need broadcast
bypass  local multicast dir in                # and multicast
bypass  remote 1.2.0.80 proto tcp port 9100   # the printer, and only its print port
protect remote 1.2.0.0/16                     # the intranet: IPsec, no fallback
protect remote 2001:db8:12::/48               # the intranet's IPv6 prefix, the same
bypass  any                                   # the rest of the world
"""
# END SOLUTION
# BEGIN STUB
my_spd = """
bypass  local broadcast dir in              # broadcast has no SAs
bypass  local multicast dir in              # nor has multicast
protect remote 1.2.0.0/16 fallback          # the intranet: IPsec, or clear plus a soft SA for peers without it
protect remote 2001:db8:12::/48 fallback    # the intranet's IPv6 prefix, the same
bypass  any                                 # the rest of the world
"""
# END STUB
q4.check(my_spd)

# %% [markdown]
# Watch it with `labsim.panel("fig5", spd={"host-a": my_spd})`: the broadcast still gets in and NetBIOS still
# answers, but the answer now waits for IKE and is dropped, and no soft SA ever opens.
#
# <!-- BEGIN SOLUTION -->
# **For instructors.** Two shapes pass: a narrow BYPASS for the printer's address and port, or a fallback
# limited to the printer (`protect remote 1.2.0.80 fallback` above the intranet rule). Both are exactly the
# per-device exemptions the stateful extension was meant to save. Neither is free: a host that takes over
# `1.2.0.80` receives the print jobs in clear (problem 1a's pattern, notebook 02), and a fallback for the
# printer still opens a soft SA for whoever answers there. `labsim.panel("fig5", spd={"host-a": my_spd})` with
# `attacker_via="printer_address"` shows the difference: the printer-only fallback lets the attacker who took
# over `1.2.0.80` into port 445, the BYPASS for port 9100 alone does not. Narrow rules limit the damage; they do
# not remove it (the paper makes this point in section 6.4).
# <!-- END SOLUTION -->

# %% [markdown]
# **Reflection.** Section 7 explains the problem partly by motive: administrators write IPsec policies to let
# through whatever has no protection yet, while firewalls drop what they do not know. In two or three
# sentences: which of the two habits did your policy of exercise 4 follow for IPv6, and what would the other
# habit have cost?

# %% [markdown] tags=["reflection"]
# BEGIN STUB
# *Your answer:* ...
# END STUB
# BEGIN SOLUTION
# *A model answer:* it treats IPv6 like IPv4, protecting the intranet prefix and letting only the Internet through
# in clear, which is closer to the firewall's habit for the intranet. Bypassing all IPv6 would keep every new
# IPv6 service working at once but opens the side door of problem 5b; discarding all IPv6 would close it and
# break every IPv6 service. Solution 5 asks for that trade-off to be made on purpose.
# END SOLUTION

# %% [markdown]
# ## Summary
#
# - DISCARD rules make the SPD a stateless packet filter. A non-standard stateful extension falls back to clear
#   for peers without IPsec and opens a soft SA that lets their clear packets in.
# - Broadcast and multicast have no SAs, so hosts that rely on them bypass IPsec for them inbound.
# - Together the two fail: a broadcast makes the host answer in unicast, the answer opens a soft SA, and the
#   attacker walks in (problem 5a). Rules that depend on who spoke first are fragile at the IP layer.
# - A newer protocol with a laxer policy is a door of the same kind (problem 5b). Solution 5 is a trade-off,
#   not a fixed rule: while a new protocol is being deployed, weigh a strong policy for it against keeping the
#   network available (section 7).
# - Exemptions should be as narrow as the devices that need them: one address and one port, not a whole
#   intranet. In a large network that is the tedious per-device list the extension was invented to avoid.
#
# ## Further reading
#
# - The paper, section 7 and figure 5.
# - RFC 4301, *Security Architecture for the Internet Protocol*, section 5 (packet processing: nothing in it
#   remembers earlier packets).
# - RFC 1001 and RFC 1002, NetBIOS over TCP/IP (the name query and its unicast answer).
# - RFC 4795, *Link-Local Multicast Name Resolution (LLMNR)*.
# - Next: `06_conclusions_and_the_experiment`.
