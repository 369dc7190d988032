# %% [markdown]
# # 03 · The identifier mismatch
#
# *Paper: section 5 and figure 2 · Problem 1b · Solution 1 · Time: about 50 minutes · Reference:
# [glossary](GLOSSARY.md), [SPD syntax card](SPD-SYNTAX.md)*
#
# **Goals.** By the end of this notebook you can
# 1. explain how one company machine can pose as another over IPsec, with honest DNS and a genuine
#    certificate (problem 1b);
# 2. say what *group authentication* is, what it still stops, and what it does not;
# 3. for each fix the paper weighs (signed forward and reverse DNS, a peer authorization database, name handles,
#    an application that checks its peer), show with a run what it stops and what it costs;
# 4. fix a peer authorization database whose entries are too broad or in the wrong order.

# %%
import labsim
from labsim.teaching.inspect import show_certificate, show_policy, trace_lines
from labsim.teaching.nb03 import compare_fixes, q1, q2, q3, q4, without_insider

# %% [markdown]
# ## 1. Three kinds of identifier
#
# *Reminder from notebook 01:* the SPD picks PROTECT, BYPASS or DISCARD by address; IKE authenticates the peer with
# a certificate from a CA and sets up the SAs that ESP uses (every term is in the [glossary](GLOSSARY.md)).
#
# In notebook 02 a forged DNS answer sent `host-a` to the wrong address. Here DNS
# tells the truth. The paper's figure 2 follows one connection and counts the identifiers on the way (section 5.1):
#
# 1. The application starts from a **name**, `server-b.example.org`.
# 2. The resolver turns it into an **address**, `1.2.3.4`, correctly. The application calls `connect(1.2.3.4)`.
#    From here on, the operating system knows only the address.
# 3. host-a's SPD says PROTECT for `1.2.0.0/16`, so IKE runs with whoever answers at `1.2.3.4`.
# 4. That peer sends a certificate. Certificates name hosts (notebook 01, section 6), so this one carries a
#    **name**, and here that name is `pc-c.example.org`.
#
# To notice the trick, host-a would have to compare the certified name with the name the application began
# with. But that name never reached the stack: the stack holds an address, the certificate holds a name, and
# there is nothing to compare. The stacks the authors observed simply skipped the check and carried on.


# %% [markdown]
# Who is `pc-c`? An ordinary desktop of Example Corp with its own, perfectly valid certificate from the company CA.
# Its owner has turned it against a colleague: on the shared office network it answers the requests for `1.2.3.4`
# that should reach server-b (forged replies of ARP, the protocol that maps an IP address to a network card), it has
# added `1.2.3.4` to its own DNS name, and it races forged answers to reverse-DNS questions about `1.2.3.4`. Each of
# these is within reach of any insider.
#
# > **Problem 1b** (section 5.1): host-to-host IPsec, as deployed, proves only that a peer holds *some*
# > certificate from a trusted CA. Any two machines certified by the same CA can pass for one another.
#
# This is **group authentication**. It still achieves something: an outsider who plugs a laptop into the office, a
# machine whose certificate was revoked, and forged packets arriving from outside the intranet are all refused, and
# for the network the authors studied those were the main goals. What it does not give is authentication of
# *individual* hosts. A world-wide public-key infrastructure (PKI) would not help either: with one, every certified
# host on the Internet could pose as every other. Section 5.1 makes the same point about IKEv2, which can
# authenticate servers with the certificates TLS uses and clients with passwords (EAP): that eases the shortage
# of certificates, but any two certified servers could still impersonate each other.

# %% [markdown]
# ## 2. Try it
#
# The panel plays scenario `fig2`. Start with `name_check = none`, what deployed stacks do. In the event list,
# find pc-c's preparations (the `note` lines at time 0), the certificate host-a receives in `IKE_AUTH`, and the
# line where host-a's stack "checks" the name. The other values of `name_check` are the fixes this notebook goes
# through; come back to the panel after each exercise to watch the fix it was about.

# %% tags=["nbval-ignore-output"]
labsim.panel("fig2", connect_by="name")

# %% [markdown]
# The certificate host-a received is genuine. Compare it with the one server-b would have sent:

# %%
attack = labsim.run("fig2")
show_certificate(attack, "pc-c")
show_certificate(attack, "server-b")

# %% [markdown]
# Same issuer, both valid, each naming its own host. Every test IKE makes passes for pc-c:

# %%
trace_lines(attack, "certificate of", "AUTH of", "PAD:", "name check", host="host-a")

# %% [markdown]
# ## 3. First fix: ask DNS (section 5.2)
#
# If you were staring at the IKE code with a name and an address in hand, you would reach for DNS. The first idea is
# a **forward** lookup: resolve the certified name, `pc-c.example.org`, and accept the peer if `1.2.3.4` is among
# the answers. Example Corp even signs its zone with the DNS Security Extensions (DNSSEC), so a forged answer could
# be caught.
#
# **Exercise 1 (predict, with a reason).** host-a uses the forward check (`name_check="forward_dns"`). What
# verdict? Add a one-line reason: whose record does the check read?

# %% tags=["exercise"]
# BEGIN SOLUTION
answer = "impersonated"
reason = "the forward record of pc-c.example.org is pc-c's own, and it points at 1.2.3.4"
# END SOLUTION
# BEGIN STUB
answer = ...   # one of: "protected", "clear", "exposed", "impersonated", "blocked"
reason = ...   # one line
# END STUB
q1.check((answer, reason))

# %% [markdown]
# ### What the run shows
#
# No forgery was needed. The record was pc-c's own, and the zone signs whatever a name's owner registers:

# %%
forward = labsim.run("fig2", name_check="forward_dns")
trace_lines(forward, "register", "name check forward_dns")

# %% [markdown]
# A forward record shows only what the **owner of a name** wants that name to point to, and pc-c owns
# `pc-c.example.org`. It may point its name at any address it likes, including server-b's. The question host-a
# needs answered goes the other way: does the **owner of the address** `1.2.3.4` say that this address belongs
# to `pc-c.example.org`? That is what reverse DNS records (`PTR`, pointer, records under `in-addr.arpa`) are for: their
# tree follows the way address blocks are handed out, so whoever holds a block controls its reverse names.
#
# **Exercise 2 (choose).** Three DNS-based checks are on the table. Which one would you ship in host-a's stack?
# The check runs all three against pc-c; once you have it right (or after a second try) it says what each does.

# %% tags=["exercise"]
# BEGIN SOLUTION
choice = "look the address up, DNSSEC-validated"
# END SOLUTION
# BEGIN STUB
choice = ...   # "look the certified name up (forward DNS)", "look the address up (reverse DNS)"
               # or "look the address up, DNSSEC-validated"
# END STUB
q2.check(choice)

# %% [markdown]
# Without signatures, the reverse lookup is just another DNS question in clear on the office network, and pc-c,
# sitting on that network, answers it first:

# %%
trace_lines(labsim.run("fig2", name_check="reverse_dns"), "races a forged answer", "name check reverse_dns")

# %% [markdown]
# The validated reverse lookup works in this simulation because Example Corp signs its reverse zone. Few
# networks do. Here is the same office with nobody cheating, but without DNSSEC, as in most real networks:

# %%
print(without_insider("secure_reverse_dns", dnssec=False).banner())
trace_lines(without_insider("secure_reverse_dns", dnssec=False), "name check secure_reverse_dns")

# %% [markdown]
# The check now refuses the *real* server-b. Section 5.2 lists more practical obstacles: addresses handed out by
# DHCP (the Dynamic Host Configuration Protocol) often have stale or generic reverse names; an address with several
# names, or many hosts behind one network address translator (NAT), gives back at most one, maybe not the certified
# one; and applications learn addresses in ways DNS never sees (a call set up by SIP, the Session Initiation
# Protocol; NetBIOS names; a configuration file). Inside one well-run intranet these can be overcome; as a general
# answer, reverse DNS is not one.
#
# ## 4. Second fix: a peer authorization database (section 5.3)
#
# The newer IPsec architecture (RFC 4301) adds a **peer authorization database** (PAD) to each host: for each
# authenticated identity, which CA must have certified it and which addresses it may use. With the PAD below,
# host-a refuses pc-c at `1.2.3.4`:

# %%
pad_run = labsim.run("fig2", name_check="pad")
show_policy(pad_run, "host-a")
trace_lines(pad_run, "PAD:", host="host-a")

# %% [markdown]
# For a VPN this is exactly right: a gateway has a handful of peers with fixed addresses, or it handed out the
# address itself. For host-to-host IPsec it only renames the problem. Someone must keep, on every host, a table
# of which name owns which address: the reverse-DNS table of section 5.2, kept locally instead of on a server.
# When it goes stale, it refuses honest hosts. Last week server-b was renumbered from `1.2.3.5` to `1.2.3.4`, and
# nobody updated host-a's PAD:

# %%
stale_pad = 'peer server-b.example.org ca "Example Corp CA" addresses 1.2.3.5'
print(labsim.run("basics", pad={"host-a": stale_pad}).banner())

# %% [markdown]
# **Exercise 3 (fix a PAD).** Example Corp's desktops get their addresses from DHCP, always inside
# `1.2.0.0/24`; servers have fixed addresses. Listing every desktop is hopeless, so the administrator wrote a
# wildcard entry for them and one line for the server. Like the SPD, the PAD uses the first entry whose name
# matches. Fix it: pc-c must not pass for server-b, host-a must still reach the real server-b, and another
# insider posing from an address outside the desktop pool must be refused too, and the desktops of the pool,
# including one that got its lease this morning, must still be accepted. The check runs the attacks and asks
# your PAD about the desktops.

# %% tags=["exercise"]
# BEGIN SOLUTION
my_pad = """
peer server-b.example.org ca "Example Corp CA" addresses 1.2.3.4
peer *.example.org        ca "Example Corp CA" addresses 1.2.0.0/24
"""
# END SOLUTION
# BEGIN STUB
my_pad = """
peer *.example.org        ca "Example Corp CA" addresses 1.2.0.0/16
peer server-b.example.org ca "Example Corp CA" addresses 1.2.3.4
"""
# END STUB
q3.check(my_pad)

# %% [markdown]
# Your PAD stops a desktop from using a server's address. It does not stop one desktop from posing as another
# inside the pool: there, authentication is still by group.
#
# <!-- BEGIN SOLUTION -->
# **For instructors.** Two independent mistakes are planted: the wildcard covers the whole intranet, and it comes
# first, so server-b is judged by it. Students who only reorder still fail the pc-c row; students who only narrow
# the wildcard lock out server-b. Students who add a line for pc-c alone fail the third row: naming the known bad
# host is not a policy. Ask how the PAD would have to change every time DHCP hands out an address.
# <!-- END SOLUTION -->
#
# ## 5. Third fix: remember the name (section 5.4)
#
# The application does not care which address server-b has; it cares that the peer proves the name it started
# from. So let the operating system remember that name. In the paper's trick, the resolver hands the application
# not an address but an opaque **handle**, an index into a table that holds both the address and the name it was
# resolved from. The application passes the handle to `connect()`, and during IKE the stack compares the
# remembered name with the certificate. (The idea comes from the Host Identity Protocol's local identifiers.)

# %%
trace_lines(labsim.run("fig2", name_check="name_handle"), "handle", "name check name_handle")

# %% [markdown]
# It works, and it needs no table. Its cost falls on applications. A handle only looks like an address: a
# program that compares addresses, logs them, checks which subnet they are in, or sends them to another host
# gets nonsense. And a program that obtained its address without asking the resolver (typed by a user, read from
# a configuration file, received in a message) holds no handle at all.
#
# Section 5.4 counts these programs as the trick's price: the paper expects them to break, a compatibility cost
# rather than a hole in security. This simulator assumes something else, which a real system might do: an operating
# system that hands out handles but still accepts a raw address beside them. There the stack has no name to compare.
#
# **Exercise 4 (reproduce).** Keep name handles on (`name_check="name_handle"`) and find the `fig2` toggle under
# which this simulator, with its raw-address assumption, lets pc-c pose as server-b again.

# %% tags=["exercise"]
# BEGIN SOLUTION
toggles = {"name_check": "name_handle", "connect_by": "address"}
# END SOLUTION
# BEGIN STUB
toggles = ...   # a dict of fig2 toggles, for example {"name_check": "name_handle"}
# END STUB
q4.check(toggles)

# %% [markdown]
# This is the paper's appendix A experiment in miniature: look a name up with `nslookup`, type the address into
# `telnet`, and the name you meant exists only in your head. Notebook 06 runs the experiment against every check.
#
# Section 5.4 has a second half: the policy is still written in addresses. Even a perfect name check runs only
# inside IKE, and IKE runs only where the SPD says PROTECT. Two runs with name handles switched on: pc-c's attack
# of figure 2, and the DNS spoofing of figure 1, whose forged address is under a BYPASS rule.

# %%
for scenario in ("fig2", "fig1"):
    result = labsim.run(scenario, name_check="name_handle")
    print(f"{scenario}: {result.banner()}")

# %% [markdown]
# The handle stops pc-c, which has to authenticate. It does nothing against figure 1: the attacker steers the
# connection to `3.4.5.6`, no IKE runs, and no name is ever compared. Whoever can make the host use a BYPASS
# rule turns authentication off altogether.
#
# ## 6. The paper's answer: let the application check (section 5.5, solution 1)
#
# IPsec was built to be invisible to applications: an administrator writes the policy, and the IP layer enforces
# it. But the only party that knows which peer was meant is the application. The paper's solution gives up some
# of that invisibility: give applications an interface to ask, for a socket, whether its traffic is protected,
# which identity the peer proved, and which CA vouched for it, and let them refuse.
#
# > **Solution 1** (section 5.5): let applications state the IPsec protection they need and verify what they
# > actually got, including the peer's authenticated identity and the issuer of its credential.

# %%
trace_lines(labsim.run("fig2", name_check="application"), "name check application", "peer identity")

# %% [markdown]
# The stack accepted pc-c, as before; the application asked who the peer was and closed the connection without
# sending a byte. TLS (the protocol behind `https`) works this way: the client checks the server's certificate
# against the name it was asked to reach. The check needs that name, so an application handed a bare address has
# nothing to compare; it then refuses, as a TLS client does (notebook 06 runs this case).
#
# The same check also covers figure 1. There the connection goes to `3.4.5.6` in clear, and no stack check runs;
# but the application asks its socket, hears that nothing protects the connection, and refuses:

# %%
print(labsim.run("fig1", name_check="application").banner())

# %% [markdown]
# The paper sketches a more radical version: replace the host-wide SPD with a *per-socket* policy, set by each
# application for its own connections. An administrator will still want some rules that no application can
# switch off, and combining the two, *policy reconciliation*, is a problem the paper leaves open (section 5.5).
#
# ## 7. Every fix, with and without an attack
#
# Each cell of this table is a fresh run. The first two columns are attacks: there a fix should say `blocked`.
# The other four are ordinary days with nobody cheating: there it should say `protected`, and a `blocked` is the
# fix's **cost**, an honest peer refused. Read each row across: protection and cost side by side.

# %%
compare_fixes()

# %% [markdown]
# The PAD stops pc-c in both attack columns and fails when server-b is renumbered or a desktop gets a new lease:
# for host-to-host IPsec it is less a solution than the problem restated (section 5.3), since someone must keep
# the table of who owns which address, which is exactly what signed reverse DNS needed. The checks that start
# from the name (name handles, the application) cost nothing on an ordinary day. When no name reaches them (a
# typed address) they differ. The paper expects a program that bypasses handles simply to break; this simulator,
# assuming a system that still takes raw addresses beside handles, lets pc-c in. The application refuses to send,
# a failure to communicate rather than a failure of security.
#
# **Reflection.** Section 5.2 argues that the check host-a needs is a *reverse* mapping, from the address to the
# name. In two or three sentences: why is a forward lookup of the certified name not enough, and why do the
# everyday columns of the table make a reverse mapping expensive?

# %% [markdown] tags=["reflection"]
# BEGIN STUB
# *Your answer:* ...
# END STUB
# BEGIN SOLUTION
# *A model answer:* a forward record is written by the owner of the name, so pc-c can point pc-c.example.org at
# any address, including server-b's; only the owner of the address can vouch for which name it belongs to.
# Keeping that mapping true (signed reverse zones, or a PAD on every host) is costly: it goes stale when a
# server is renumbered or DHCP hands out a new lease. Section 5.2 notes that some DHCP servers do update reverse
# records, so inside one intranet these obstacles can sometimes be overcome; outside it, reverse answers are often
# generic names given out by an ISP.
# END SOLUTION

# %% [markdown]
# ## Summary
#
# - The application knows a name, the SPD an address, the certificate another name. With honest DNS, a colleague
#   with a valid certificate can still answer for a server's address, and deployed stacks never notice: problem 1b.
# - Host-to-host IPsec with one company CA gives **group authentication**: it keeps outsiders out, but lets every
#   insider pose as every other.
# - Forward DNS proves nothing (each owner writes its own records); reverse DNS works only when signed, and
#   signed reverse zones are rare; a PAD works but is the same name-to-address table, kept by hand on every host,
#   and it refuses honest hosts when addresses change (section 5.3: a rephrasing of the problem).
# - A name check in the stack, however good, runs only under PROTECT rules; a BYPASS rule skips it (section 5.4).
# - Name handles and the application's own check compare the right names, but only when the name reaches the
#   operating system; solution 1 puts the application in charge of checking its peer, and it also catches a
#   connection that was steered around IPsec altogether.
#
# ## Further reading
#
# - The paper, section 5 and figure 2; appendix A for the experiment.
# - RFC 4301, section 4.4.3, *Peer Authorization Database*.
# - RFC 4033, *DNS Security Introduction and Requirements*; RFC 1035 section 3.5 for `in-addr.arpa`.
# - RFC 7401, *Host Identity Protocol version 2*, the source of the name-handle idea.
# - RFC 6125, on checking a service's name against its certificate, as TLS clients do.
# - Next: notebook 04, where a laptop leaves the office and trusts the wrong DNS server.
