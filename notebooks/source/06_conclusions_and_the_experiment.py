# %% [markdown]
# # 06 · Conclusions, and the experiment of appendix A
#
# *Paper: section 8 and appendix A · Time: about 25 minutes*
#
# **Goals.** By the end of this notebook you can
# 1. run the paper's own experiment and explain why no operating system can check the name in a certificate
#    when it is handed only an address;
# 2. say which of the fixes you have met work from an address alone and which need the name;
# 3. summarise the paper's argument: IP addresses are poor identifiers for security policy, and applications
#    have to take part in their own protection.

# %%
import labsim
from labsim.teaching.nb06 import q1, q2, q3, q4

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

# %% tags=["nbval-ignore-output"]
labsim.panel("fig2", connect_by="address")

# %% [markdown]
# Each name check the operating system might try, with only the address to go on (every row is a fresh run):

# %%
for check in ("none", "forward_dns", "reverse_dns", "secure_reverse_dns", "pad", "name_handle", "application"):
    result = labsim.run("fig2", name_check=check, connect_by="address")
    print(f"{check:<20} {result.outcome:<13} {result.explanation[:90]}")

# %% [markdown]
# Two groups appear. Checks that start from the **name** (name handles, the application's own check) have
# nothing to work with. Checks that start from the **address** (a PAD, a signed reverse zone) still stop
# `pc-c`, but only because somebody wrote down which name owns which address, which is the very table the
# paper says host-to-host IPsec lacks (sections 5.2 and 5.3).
#
# **Exercise 1 (predict).** With name handles switched on (`name_check="name_handle"`) and the address typed by
# hand, what does the simulator say? Decide before you look back at the table.

# %%
# BEGIN SOLUTION
answer = "impersonated"
# END SOLUTION
# BEGIN STUB
answer = ...   # one of: "protected", "clear", "exposed", "impersonated", "blocked"
# END STUB
q1.check(answer)

# %% [markdown]
# **Exercise 2 (choose).** Only an address reaches the stack. Which check still keeps `pc-c` from reading the
# request? The check runs all three and says what each one does.

# %%
# BEGIN SOLUTION
choice = "a PAD"
# END SOLUTION
# BEGIN STUB
choice = ...   # "name handles", "the application asks its socket" or "a PAD"
# END STUB
q2.check(choice)

# %% [markdown]
# **Exercise 3 (write a PAD).** Write `host-a`'s peer authorization database so that `pc-c` cannot use
# `server-b`'s address even for a typed address, while `host-a` still reaches the real `server-b` over IPsec
# (the check also runs `fig1` with honest DNS using your PAD). The syntax is one line per identity:
# `peer NAME ca "CA NAME" addresses ADDRESS[,ADDRESS...]`.

# %%
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
# **Exercise 4 (reproduce).** Solution 1 of the paper puts the application in charge: it asks its socket who
# the peer proved to be. Find `fig2` toggles under which even that check lets the impersonation through.

# %%
# BEGIN SOLUTION
toggles = {"name_check": "application", "connect_by": "address"}
# END SOLUTION
# BEGIN STUB
toggles = ...   # a dict of fig2 toggles
# END STUB
q4.check(toggles)

# %% [markdown]
# <!-- BEGIN SOLUTION -->
# **For instructors.** Exercise 4 is the appendix's point turned against solution 1: an application can only
# check a name it was given. Browsers work because the user types a name, not an address; ask students which
# everyday tools they use with raw addresses.
# <!-- END SOLUTION -->
#
# ## 2. The whole course in one table
#
# Each row runs one attack of the paper and then one of its fixes. Read the last two columns: several fixes
# stop the attack by stopping the traffic, and one (protecting private ranges) trades problem 3 for problem 4.

# %%
from labsim.teaching.overview import overview

overview()

# %% [markdown]
# ## 3. What the paper concludes
#
# The authors found every weakness in this course on real deployments. Their diagnosis has two parts.
#
# - **Addresses are the wrong names.** The SPD selects traffic by IP address, certificates name hosts, and
#   applications start from host names. Whoever controls the mapping between them (a DNS server, a visited
#   network, an ARP table, a colleague's machine) controls which rule applies. Private addresses make it worse,
#   because they mean different hosts in different places.
# - **Transparency has a price.** IPsec was meant to protect applications without their knowing. But only the
#   application knows which peer it meant, so it is the only place where that check can be made. The paper
#   proposes giving applications an interface to state their policy and to see what protection they actually got.
#
# Two things soften the verdict in practice. Some weaknesses come from deployment compromises, such as the
# exemptions for broadcast and for hosts that cannot do IPsec, which may fade. And most modern applications
# and middleware already protect themselves (TLS, authenticated RPC), assuming the network is hostile: that is
# why attacks that work in the lab often fail on a production network.
#
# ## Summary
#
# - A stack given only an address can check an identity against addresses (PAD, signed reverse DNS), never
#   against the name the user meant.
# - Every address-based check needs a trustworthy table from names to addresses; host-to-host IPsec has none
#   by default.
# - Applications that authenticate their peers by name themselves (solution 1, TLS) close the gap, as long as
#   they are given names.
#
# ## Further reading
#
# - The paper, section 8 and appendix A; section 5.4 on name handles and the HIP idea they borrow.
# - RFC 4301, section 4.4.3 (the PAD) and RFC 6125 (checking a name against a certificate).
# - RFC 7401, *Host Identity Protocol version 2*, and RFC 3972, *Cryptographically Generated Addresses*: two
#   designs that stop using addresses as host identifiers.
# - Next: `07_audit_your_policy` applies all of this to a real configuration.
