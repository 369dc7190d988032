# %% [markdown]
# # 04 · Mobile hosts
#
# *Paper: section 6, figures 3 and 4 · Problems 2, 3 and 4 · Solutions 2, 3 and 4 · Time: about 55 minutes ·
# Reference: [glossary](GLOSSARY.md), [SPD syntax card](SPD-SYNTAX.md)*
#
# **Goals.** By the end of this notebook you can
# 1. explain why a laptop on someone else's network must not use the DNS server that network hands it, and
#    say which defences still work when that network redirects DNS on the quiet;
# 2. explain how a private address can name one host at the office and another in a hotel, and why a BYPASS
#    rule for private addresses leaks data there;
# 3. state what the safe rule for private addresses costs;
# 4. explain why an SPD cannot select bypassed traffic by host name, and write a policy that works without it.

# %%
import labsim
from labsim.teaching.nb04 import q1, q2, q3, q4, q5, q6

# %% [markdown]
# ## 1. A laptop away from home
#
# Notebooks 02 and 03 kept every host in one place. Section 6 of the paper takes a laptop on a trip. When it
# joins a hotel network, DHCP configures it: the hotel's DHCP server gives it an address, a router, and the
# address of a DNS server to use. The hotel chooses all three.
#
# Example Corp's laptop also runs a VPN client. Away from the office, its
# traffic for the intranet `1.2.0.0/16` travels inside an IPsec tunnel to the company's gateway
# `vpn.example.org` (`1.2.0.1`); the gateway proves its name with a certificate and passes the packets on inside
# the office (tunnel mode, notebook 01). Everything else goes straight to the Internet in clear. This is the
# laptop's SPD in the hotel; the first rule that matches a packet decides (`lport` is the laptop's own port, see
# the [SPD syntax card](SPD-SYNTAX.md)):
#
# ```
# bypass  proto udp lport 68                   # DHCP: no address yet, so nothing to protect with
# bypass  remote 1.2.0.53 proto udp port 53    # DNS to ns.example.org in clear, outside the tunnel
# protect remote 1.2.0.0/16 tunnel 1.2.0.1     # the VPN: the intranet through the home gateway
# bypass  any                                  # the rest of the world
# ```
#
# | host | where | role |
# |---|---|---|
# | `laptop` | the hotel, `7.7.7.23` (leased by DHCP) | Example Corp's mobile host |
# | `hotspot` | the hotel, `7.7.7.1` | the hotel's router, DHCP server and DNS server |
# | `attacker` | the hotel, `7.7.7.66` (figure 3) or `192.168.0.10` (figure 4) | a machine of the hotel's |
# | `vpn` | the office, `1.2.0.1` | Example Corp's VPN gateway |
# | `ns`, `server-b` | the office, `1.2.0.53` and `1.2.3.4` | the company's DNS server and the server the laptop wants |
# | `printer-b` | the office, `192.168.0.10` | the printer of figure 4; it speaks no IPsec |
# | `hotel-printer` | the hotel, `192.168.0.20` | the hotel's own printer, which guests may use; no IPsec |

# %% [markdown]
# ## 2. Whose DNS? (figure 3, problem 2)
#
# The laptop asks the DNS server that DHCP named, the hotel's. That server answers honestly for every name but
# one: for `server-b.example.org` it returns `7.7.7.66`, a machine the hotel runs. The address is on the
# Internet, so the laptop's last rule, `bypass any`, applies: the request leaves in clear and goes to the
# hotel's fake server. The hotel needed no special skill, just ordinary DNS server software with one false
# record (paper, section 6.1 and figure 3). Notebook 02 showed the same attack by an outsider who had to race
# the real answer; here the attacker *is* the server the laptop was told to trust.
#
# > **Problem 2** (section 6.1): a laptop that takes its DNS server from the network it is visiting lets that
# > network decide which address each name stands for, and so which of its IPsec rules applies.
#
# The panel plays scenario `fig3`. With the defaults, step through the event list and find three things: the
# DHCP answer that names `7.7.7.1` as the DNS server, the false answer for `server-b`, and the SPD rule that
# lets the request out in clear. Then set `dns_server` to `home`.

# %% tags=["nbval-ignore-output"]
labsim.panel("fig3")

# %% [markdown]
# ## 3. Solution 2, and why it needs IPsec
#
# The paper's advice (solution 2): never trust plain DNS on a network you do not control. If signed DNS is not
# available, reach a server you do trust, and protect the path to it with IPsec. Each half of that sentence
# matters, and the `fig3` toggles take it apart:
#
# - `dns_server=home`: the laptop asks `ns.example.org` instead of the hotel's server. This alone is weak. The
#   query still crosses the hotel's network, and tools that catch DNS queries in passing and hand them to a
#   local server are easy to get (`interception=on`). The answer even comes back with the home server's
#   address as its source.
# - `dns_protection=ipsec`: the query goes inside the VPN tunnel. The hotel sees only ESP (IPsec's
#   Encapsulating Security Payload, encrypted and authenticated), so it has nothing to redirect and cannot forge
#   an answer.
# - `dnssec=on`: DNSSEC (the DNS Security Extensions) signs the records, and the laptop checks each signature
#   with `example.org`'s key. A forged record fails, whichever server delivered it. The hotel can still refuse
#   to deliver the real one.
#
# One more toggle looks at the tunnel itself. ESP can authenticate packets without encrypting them ("NULL
# encryption", RFC 4303 and RFC 2410), and some companies configure their VPN that way so their own monitors can
# look inside. Try `vpn_encryption=null` with `dns_server=home`. The DNS answer through the tunnel still cannot
# be forged, since solution 2 asks the tunnel for integrity only; but the hotel reads `GET /salaries.xlsx` in the
# tunnel's packets. The laptop's stack did send through an SA, and believes its data protected; the simulator
# judges from the bytes that crossed the hotel's network. The socket interface of section 5.5 reports whether a
# connection is authenticated, encrypted or both; with `name_check=application` the application's refusal names
# the missing encryption too.
#
# **Exercise 1 (predict).** The laptop asks its home server (`dns_server="home"`), DNS still leaves in clear
# (`dns_protection="none"`), and the hotel intercepts DNS (`interception="on"`). What verdict will the
# simulator give? Decide before you run anything.

# %% tags=["exercise"]
# BEGIN SOLUTION
answer = "exposed"
# END SOLUTION
# BEGIN STUB
answer = ...   # one of: "protected", "clear", "exposed", "impersonated", "blocked"
# END STUB
q1.check(answer)

# %% [markdown]
# ### What the run shows
#
# Now the run itself. These are its DNS decisions; the host called `visited` is the hotel's network, whose
# proxy catches the query:

# %%
result = labsim.run("fig3", dns_server="home", interception="on")
print(result.banner())
print("\n".join(line for line in result.trace_text().splitlines() if " dns " in line))

# %% [markdown]
# The laptop asked `1.2.0.53`, and an answer came back from `1.2.0.53`. Plain DNS has no way to notice that the
# hotel's server wrote it.
#
# **Exercise 2 (choose the defences).** The hotel intercepts DNS. Which options keep the hotel from getting the
# laptop's request? Judge security first: an option that stops the forgery but leaves the laptop unable to reach
# `server-b` still counts as secure; whether the laptop reaches `server-b` is the option's *cost*, shown beside it
# once you have it right (section 6.3 prefers a communication failure to a security failure). Answer with the
# set of options that are secure.

# %% tags=["exercise"]
# BEGIN SOLUTION
choice = {"ask the home DNS server, through IPsec", "validate signed answers (DNSSEC)"}
# END SOLUTION
# BEGIN STUB
choice = ...   # a set, from: "ask the home DNS server", "put DNS under IPsec, but keep the server DHCP names",
               # "ask the home DNS server, through IPsec", "validate signed answers (DNSSEC)"
# END STUB
q2.check(choice)

# %% [markdown]
# Section 6.1 ranks the two secure options. Signed answers are the stronger: a forged record fails its
# signature whichever server delivers it. Asking a trusted server through IPsec is the weaker: it trusts that
# server, and the path to it. In this run the stronger fix reaches nobody, because the hotel never lets a genuine
# answer through; a network that carries all your packets can always drop them. That is a failure to
# communicate, and the paper prefers it to a failure of security.
#
# <!-- BEGIN SOLUTION -->
# **For instructors.** Ask students which of confidentiality, integrity and availability each option protects.
# A student who answers only the tunnel option is judging availability first; the check names the missing option.
# <!-- END SOLUTION -->
#
# ## 4. One address, two networks (figure 4, problem 3)
#
# Some address ranges are set aside for private use by RFC 1918: `10.0.0.0/8`, `172.16.0.0/12` and
# `192.168.0.0/16`. Any organisation may use them inside its own network, and routers on the Internet never carry
# them. They usually sit behind a NAT. Many
# administrators count this as protection: nobody on the Internet can reach a private address, so it is a
# good place for important servers, and for printers.
#
# Example Corp gives its printer `printer-b` the private address `192.168.0.10`. Printers speak no IPsec, so
# the laptop's policy lets private addresses bypass it. The VPN leaves private addresses outside the tunnel on
# purpose (a *split exclusion*), so that a travelling employee can use the printers of the network they visit.
# The hotel, like half the world, numbers its own machines in `192.168.0.0/24`, and there `192.168.0.10` is the
# hotel's machine.


# %% [markdown]
# Now the laptop prints to `printer-b.example.org`. It has learnt the lesson of figure 3: it asks the office's
# DNS server, through the tunnel, and gets the true answer, `192.168.0.10`. That address matches
# `bypass remote 192.168.0.0/16`, and a packet goes to whoever holds the address on the network where the
# sender stands. The print job reaches the hotel's machine, in clear. Nobody forged anything. The laptop itself
# carried the private address across the border between the two networks (section 6.2, figure 4).
#
# > **Problem 3** (section 6.2): a laptop that moves between networks loses track of which private address
# > space it is in, and may apply to a private address the policy that was meant for the same address elsewhere.
#
# The panel plays `fig4`. Find the true DNS answer arriving through the tunnel (ESP from `vpn.example.org`), the
# SPD rule that sends the SYN (the packet that opens the connection) in clear, and the hotel's machine reading
# the job. Then set `location` to `home`.
#
# The paper compares this with two older puzzles (section 6.2): a *multihomed* host, which sits on several
# networks at once, and IPv6 *scoped* addresses, valid only within one link or site. A multihomed host can at least
# tell the same address on two networks apart by the interface it arrives on; a laptop that moves has no such
# clue. Since address scope was never fully solved for multihomed hosts, the paper expects no clean fix here either.

# %% tags=["nbval-ignore-output"]
labsim.panel("fig4")

# %% [markdown]
# The address does not have to come from DNS. It may sit in a *hosts* file, or the laptop's DNS cache may still
# hold one from the office (`resolution="stale_cache"`): `192.168.0.20`, printer-b's address before it was
# renumbered, which DNS no longer gives.
#
# **Exercise 3 (predict).** The laptop, in the hotel, takes `printer-b`'s address from its cache and sends no
# DNS query at all. What verdict will the simulator give?

# %% tags=["exercise"]
# BEGIN SOLUTION
answer = "exposed"
# END SOLUTION
# BEGIN STUB
answer = ...   # one of: "protected", "clear", "exposed", "impersonated", "blocked"
# END STUB
q3.check(answer)

# %% [markdown]
# ## 5. The price of the fix (problem 4)
#
# Solution 3 in the paper: on a mobile host, expect no protection from the edges of a network, and in
# particular give private addresses no BYPASS rule. In `fig4` that is `private_policy="protect"`. A packet to
# `192.168.0.10` now waits for IKE, and the hotel's machine cannot authenticate as anyone Example Corp trusts.
# Nothing leaks.
#
# Look at what else the rule does. Every host in the hotel that uses a private address is now reachable only
# through IKE, and none of them speaks IPsec with Example Corp's CA: not the hotel's own printer at
# `192.168.0.20`, which the laptop's user legitimately wants, not its file server. The laptop has claimed the
# whole range for its own company. The paper calls
# this problem 4 (section 6.3). It offers no cure, and argues that failing to communicate is the better of the
# two failures. Private addresses are not unique, and authentication needs identifiers that are. Picking a
# private sub-range that "nobody else uses" works only until everyone does the same.
#
# **Exercise 4 (reproduce a problem).** Find toggle values for `fig4` that show problem 4: the laptop cannot
# print on the hotel's own printer, because it demands IPsec from a visited network's host that holds a private
# address. (Each `fig4` run has two flows: the print job to `printer-b`, and a job to the hotel's printer.)

# %% tags=["exercise"]
# BEGIN SOLUTION
toggles = {"private_policy": "protect"}
# END SOLUTION
# BEGIN STUB
toggles = ...   # a dict, for example {"location": "home"}
# END STUB
q4.check(toggles)

# %% [markdown]
# Both flows of that run, and the same rule back at the office, where a PROTECT rule for the private range costs
# the office printer, which speaks no IPsec either:

# %%
for location in ("visited", "home"):
    print(f"location={location}:")
    print(labsim.run("fig4", private_policy="protect", location=location).banner())

# %% [markdown]
# ## 6. Why not name the peers? (section 6.4, solution 4)
#
# Addresses are ambiguous; `printer-b.example.org` is not. The IPsec architecture (RFC 4301) lets an SPD rule
# select its peer by name, so why not write the policy in names? Section 6.4 of the paper explains the catch.
# A rule's address selectors are compared with the packet's headers. A name selector has to be compared with
# the name the peer *proved* in IKE, from its certificate. That name exists only after authentication, and a
# packet under a BYPASS rule never authenticates. So names can only ever appear on PROTECT rules.
#
# On PROTECT rules they help, and they do nothing for traffic that bypasses IPsec. Two runs show both halves.
# In each, host-a's PROTECT rule for server-b carries `name server-b.example.org` (`name_selector="on"`):
# pc-c's insider attack of figure 2, and the DNS spoofing of figure 1, whose forged address is bypassed.

# %%
for scenario in ("fig2", "fig1"):
    print(f"{scenario}: {labsim.run(scenario, name_selector='on').banner()}")

# %% [markdown]
# The name stops pc-c, which must prove a name in IKE and proves the wrong one. It cannot stop figure 1: the
# connection goes to `3.4.5.6` under `bypass any`, no IKE runs, and the rule with the name is never consulted.
# Hence the paper's solution 4 comes with a warning: rebuild IPsec so that policies stop selecting peers by IP
# address, but expect this to help only where every peer authenticates. If some peers may skip authentication,
# an attacker can pretend to be one of them; keeping BYPASS rules narrow (one address, one port) limits the
# damage. The paper's last word on it is again solution 1: an application that checks its own peer learns
# whether its data was protected at all, which no name selector can tell it (notebook 03 ran that check on
# figure 1).
#
# **Exercise 5 (see the refusal).** Write the rule you would *like* to have: one SPD line that lets `printer-b`
# bypass IPsec, selected by its name (the selector is `name HOST`). Run the check and read what the SPD parser
# says.

# %% tags=["exercise"]
# BEGIN SOLUTION
my_rule = "bypass remote 192.168.0.10 name printer-b.example.org"
# END SOLUTION
# BEGIN STUB
my_rule = ...   # one SPD line, a bypass rule that names printer-b.example.org
# END STUB
q5.check(my_rule)

# %% [markdown]
# So bypassed traffic must be selected by address and port, as narrowly as possible. What the laptop can do is
# make sure that an address it trusts means the same host wherever the laptop is.
#
# **Exercise 6 (write a policy).** Rewrite the laptop's away-from-home SPD so that, from the hotel, the print job
# reaches the real `printer-b` and the hotel's machine gets nothing; and if a stale cached address is used, no
# hotel host gets the job either. The same policy must still get the laptop to `server-b` safely on a hotel
# network that intercepts DNS (a `fig3` run). The starting point below is the laptop's policy in `fig4`.

# %% tags=["exercise"]
# BEGIN SOLUTION
my_spd = """
bypass  proto udp lport 68                                         # DHCP
protect remote 192.168.0.0/24 tunnel 1.2.0.1 name vpn.example.org  # the office's private subnet, through the VPN
protect remote 1.2.0.0/16 tunnel 1.2.0.1 name vpn.example.org      # the intranet, through the VPN
bypass  any                                                        # the rest of the world
"""
# END SOLUTION
# BEGIN STUB
my_spd = """
bypass  proto udp lport 68                  # DHCP: the laptop has no address yet
bypass  remote 192.168.0.0/16               # private addresses: printers speak no IPsec
protect remote 1.2.0.0/16 tunnel 1.2.0.1    # the VPN: the intranet through the home gateway
bypass  any                                 # the rest of the world
"""
# END STUB
q6.check(my_spd)

# %% [markdown]
# Watch your policy at work with `labsim.panel("fig4", spd={"laptop": my_spd}, location="visited")` (it is the
# policy for away from home, so the panel keeps the laptop in the hotel). Then ask what it cost: which hosts of
# the hotel can the laptop still reach at `192.168.0.x`?
#
# <!-- BEGIN SOLUTION -->
# **For instructors.** The tunnel rule for `192.168.0.0/24` must come before any rule that would bypass that
# range: a bypass above it still wins, and the job still goes to the hotel (the check shows this). The name
# selectors are optional; they name the gateway, since in tunnel mode the gateway is the peer that authenticates.
# Writing `name printer-b.example.org` there makes IKE fail, which is a good way to show what a tunnel
# authenticates. Note that `bypass any` still lets *other* private ranges (`10.0.0.0/8`, `192.168.1.0/24`)
# through in clear. A stricter policy discards or protects them too, and pays problem 4 for each.
# <!-- END SOLUTION -->

# %% [markdown]
# **Reflection.** Section 6.3 says a mobile host that protects a private range keeps that range for one domain
# only. In two or three sentences: what does your policy of exercise 6 cost the laptop in the hotel, and why does
# the paper still prefer that to the policy you started from?

# %% [markdown] tags=["reflection"]
# BEGIN STUB
# *Your answer:* ...
# END STUB
# BEGIN SOLUTION
# *A model answer:* every hotel host in 192.168.0.0/24, such as the hotel's own printer, is now sent into the
# tunnel and is unreachable. The starting policy leaked the print job in clear to whoever held 192.168.0.10 in the
# hotel; a connection that fails can be noticed and worked around, a leak cannot be undone.
# END SOLUTION

# %% [markdown]
# ## Summary
#
# - DHCP lets the network a laptop visits choose its DNS server, and so where its names point and which IPsec
#   rule applies (problem 2). Asking the home server is not enough while queries travel in clear: the visited
#   network can intercept them. Put DNS inside IPsec, or check signed answers (solution 2).
# - Private addresses mean different hosts on different networks. A laptop that carries an address from the
#   office to a hotel delivers to whoever holds it there, and a BYPASS rule for private ranges hands over the
#   data in clear (problem 3). No forgery is needed; a DNS cache or a hosts file is enough.
# - Protecting private ranges stops the leak and cuts the laptop off from the visited network's hosts that use
#   those ranges, such as the hotel's own printer (solution 3, problem 4). The paper takes the communication
#   failure over the security failure. Separately, it ranks signed DNS above IPsec to a friendly server because
#   signature chains give the same security whichever server answers (section 6.1).
# - A name can only be checked after authentication, so it cannot select BYPASS traffic (section 6.4).
#   Policies by name help only where every peer authenticates (solution 4). Keep bypass rules narrow, and
#   reach trusted hosts through something that proves its identity, such as the VPN gateway.
#
# ## Further reading
#
# - The paper, section 6 and figures 3 and 4.
# - RFC 1918, *Address Allocation for Private Internets*.
# - RFC 4301, *Security Architecture for the Internet Protocol*, section 4.4.1.1 (selectors, including names).
# - RFC 4033, *DNS Security Introduction and Requirements*.
# - RFC 2131, *Dynamic Host Configuration Protocol*, for what a DHCP server may tell a client.
# - Next: `05_ipsec_as_a_firewall`, where a broadcast opens a hole in a stateful policy.
