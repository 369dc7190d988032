# %% [markdown]
# # 01 · How IPsec works
#
# *Paper: section 3 · Time: about 40 minutes · Reference: [glossary](GLOSSARY.md), [SPD syntax card](SPD-SYNTAX.md)*
#
# **Goals.** By the end of this notebook you can
# 1. say what each part of IPsec does: the security policy database, security associations, IKE and ESP;
# 2. write a small security policy and predict which of its rules a packet matches;
# 3. read a real ESP packet and say what it hides from an eavesdropper and what it does not;
# 4. read a host certificate, and notice that it names a host, not an address. Sections 4 to 7 of the paper
#    all grow from that one fact.

# %%
import labsim
from labsim.teaching.inspect import show_certificate, show_request, show_sas, trace_lines
from labsim.teaching.nb01 import q1, q2, q3, q4

# %% [markdown]
# ## 1. Four parts
#
# IPsec protects traffic at the IP (Internet Protocol) layer, below the transport protocols TCP and UDP, so programs
# get its protection without changing a line. The paper's section 3 describes it in four parts.
#
# - **ESP**, the *Encapsulating Security Payload*, protects each packet. It encrypts the packet's contents and
#   adds an integrity check, so a change on the way is detected. (IPsec also defines an *Authentication Header*,
#   AH, which only checks integrity; current advice is to use ESP instead, and this course does too.)
# - **A security association** (SA) is what two hosts share once they have agreed how to protect their traffic:
#   the keys, the algorithms and the mode. One SA covers one direction, so SAs come in pairs. The receiver of an
#   SA picks a number for it, the *security parameter index* (SPI), and every ESP packet carries that number so
#   the receiver knows which SA, and which key, to use.
# - **IKE**, the *Internet Key Exchange*, creates SAs. The two hosts agree on fresh keys and prove who they are to
#   each other, here with certificates from the company's certification authority (CA). There are two versions,
#   IKEv1 and IKEv2; the simulator speaks IKEv2, and for this course the difference does not matter.
# - **The security policy database** (SPD) is each host's list of rules. Every packet, outgoing *and* incoming,
#   is compared with the rules from the top, and the **first** rule whose *selectors* match (addresses,
#   protocol, ports) decides the action: **PROTECT** (use an SA, and run IKE first if none exists yet),
#   **BYPASS** (send or accept in clear) or **DISCARD** (drop). An incoming packet that should have come
#   through an SA, but arrived in clear, is dropped.


# %% [markdown]
# ### Host to host
#
# IPsec was designed mostly for virtual private networks (VPNs), where two gateways, or a laptop and a gateway,
# run one tunnel and one uniform policy. This course is about the other use, which the paper studies:
# **host-to-host** IPsec in transport mode, where every machine protects its own traffic. There, one policy
# cannot fit all peers. A host must talk over IPsec to peers that can, and in clear to those that cannot, such
# as printers. So its SPD mixes PROTECT and BYPASS rules, and their order matters.
#
# **Transport or tunnel mode.** An SA works in one of two modes. In *transport mode* ESP sits between the
# original IP header and the TCP or UDP header, and the SA runs between the two end hosts. In *tunnel mode* the
# whole original packet is wrapped, encrypted, inside a new IP packet addressed to a security gateway, which
# unwraps it on the far side; that is how a VPN carries a laptop's traffic into the office (notebook 04 uses it,
# written `tunnel GW` in an SPD rule). The modes differ in headers and in how the policy is looked up, but the
# paper's observations hold for both whenever they are used between hosts (sections 2 and 3).

# %% [markdown]
# ## 2. Watch one connection
#
# Scenario `basics` has one office network, Example Corp's intranet `1.2.0.0/16`. `host-a` (1.2.0.5) fetches a
# file from `server-b` (1.2.3.4). Both have one SPD rule for the whole intranet: `protect remote 1.2.0.0/16`.
# There is also `printer-b` (1.2.3.9), which, like most printers, has no IPsec at all.
#
# Play the run and step through the event list. Find, in order: the SPD rule that matches the first packet,
# the two IKE exchanges (`IKE_SA_INIT` agrees on keys, `IKE_AUTH` exchanges certificates), the moment the SA
# pair is installed, and the ESP packets. Then try `policy = bypass`.

# %% tags=["nbval-ignore-output"]
labsim.panel("basics")

# %% [markdown]
# Each host now holds a pair of SAs. host-a's outbound SA and server-b's inbound SA share an SPI: the one
# server-b chose. Check it below against the `spi=` of the ESP packets in the event list.

# %%
result = labsim.run("basics")
show_sas(result, "host-a")
show_sas(result, "server-b")

# %% [markdown]
# ## 3. Predict, then run, then explain
#
# **Exercise 1 (predict).** `host-a` keeps its single rule, `protect remote 1.2.0.0/16`, and sends a print job
# to `printer-b` (`peer="printer-b"`). Before you run anything: what verdict will the simulator give?

# %% tags=["exercise"]
# BEGIN SOLUTION
answer = "blocked"
# END SOLUTION
# BEGIN STUB
answer = ...   # one of: "protected", "clear", "exposed", "impersonated", "blocked"
# END STUB
q1.check(answer)

# %% [markdown]
# ### What the run shows
#
# The trace shows why. Every line that mentions an SPD rule or the IKE timeout:

# %%
trace_lines(labsim.run("basics", peer="printer-b"), "SPD rule", "within 3 s")

# %% [markdown]
# The address `1.2.3.9` lies inside `1.2.0.0/16`, so the only rule says PROTECT. host-a holds the print job,
# asks the printer for IKE, waits, and gives up (set `peer = printer-b` in the panel above to watch it). One rule
# for the whole network is too blunt: the printer needs an exception.
#
# ## 4. Write a policy: the first match decides
#
# An SPD in this course is text, one rule a line, read from the top:
#
# ```
# ACTION  SELECTORS                      # comment
# bypass  remote 1.2.0.53 proto udp port 53
# protect remote 1.2.0.0/16
# discard any
# ```
#
# `ACTION` is `protect`, `bypass` or `discard`. Selectors narrow the rule: `remote` is the peer's address or
# range, `proto` the protocol (`tcp`, `udp`, ...), `port` the peer's port. `any` matches every packet. A packet
# matches a rule when it matches all of the rule's selectors, and only the first matching rule counts. The
# [SPD syntax card](SPD-SYNTAX.md) lists every selector the course uses, including the ones you meet later
# (`lport`, `dir in`, `local broadcast`, `name`, `tunnel`, `fallback`).
#
# **Exercise 2 (fix a policy).** host-a's administrator added a rule for the printer, which listens for print
# jobs on TCP port 9100, but the print job still fails. Fix `host-a`'s SPD so that host-a can print, server-b is
# still reached over IPsec, and host-a never talks to server-b in clear, even if server-b someday loses its
# IPsec. The check runs all three cases, and asks the policy itself about a few packets no run sends.

# %% tags=["exercise"]
# BEGIN SOLUTION
my_spd = """
bypass  remote 1.2.3.9 proto tcp port 9100   # printer-b speaks no IPsec
protect remote 1.2.0.0/16                    # every other intranet peer through IPsec
"""
# END SOLUTION
# BEGIN STUB
my_spd = """
protect remote 1.2.0.0/16                    # every intranet peer through IPsec
bypass  remote 1.2.3.9 proto tcp port 9100   # printer-b speaks no IPsec
"""
# END STUB
q2.check(my_spd)

# %% [markdown]
# Watch your policy at work: the panel below uses your SPD for `host-a`. Switch `peer` between the printer and
# the server, and find the rule that matched in the event list.

# %% tags=["nbval-ignore-output"]
labsim.panel("basics", spd={"host-a": my_spd}, initial={"peer": "printer-b"})

# %% [markdown]
# The general habit: put narrow exceptions before the broad rule they carve out of. A BYPASS rule should also
# be as narrow as you can make it (one address, one protocol, one port), because every packet it matches
# escapes IPsec.
#
# **Exercise 3 (predict, with a reason).** Now a careless administrator gives host-a a single rule, `bypass any`,
# while server-b keeps `protect remote 1.2.0.0/16`. host-a fetches its file from server-b as before. What
# happens? Give a one-line reason too: which host's rule decides, and why?

# %% tags=["exercise"]
# BEGIN SOLUTION
answer = "blocked"
reason = "server-b's PROTECT rule drops the clear SYN that host-a's BYPASS rule let out"
# END SOLUTION
# BEGIN STUB
answer = ...   # one of: "protected", "clear", "exposed", "impersonated", "blocked"
reason = ...   # one line: which rule decides, and why
# END STUB
q3.check((answer, reason))

# %% [markdown]
# ### What the run shows
#
# Both hosts apply their own policy, and server-b applies its policy to what it *receives*:

# %%
trace_lines(labsim.run("basics", spd={"host-a": "bypass any"}), host="server-b")

# %% [markdown]
# A clear packet from an address the receiver protects is dropped, because anyone on the network could have sent
# it. This inbound check is what makes PROTECT mean something: an attacker cannot simply skip IPsec.
#
# <!-- BEGIN SOLUTION -->
# **For instructors.** Exercise 3 separates students who picture IPsec as "the sender encrypts" from those who
# see two independent policies. A good follow-up: which host would notice the failure first, and how? (host-a,
# only by a timeout; server-b logs a drop.) In real deployments this asymmetry is a common source of
# hard-to-diagnose outages.
# <!-- END SOLUTION -->
#
# ## 5. Inside an ESP packet
#
# Here is the packet that carried host-a's request, `GET /salaries.xlsx`, exactly as it crossed the network,
# dissected by scapy. Below it, the same bytes decrypted with a copy of host-a's SA key, which only host-a and
# server-b hold.

# %%
show_request(labsim.run("basics"))

# %% [markdown]
# And the same request when the policy says BYPASS:

# %%
show_request(labsim.run("basics", policy="bypass"))

# %% [markdown]
# In transport mode, ESP sits between the IP header and the TCP header. Everything after the ESP header is one
# opaque block of ciphertext with an integrity tag at its end. The sequence number grows by one with every
# packet on an SA; the receiver refuses a number it has already seen, so a recorded packet cannot be replayed.
#
# The integrity tag is what stops the network's attacker from changing a packet. In this run an attacker on the
# path alters host-a's ESP packets on the way (`tamper="on"`); server-b's integrity check fails, and the packets
# are dropped before any application sees them:

# %%
tampered = labsim.run("basics", tamper="on")
trace_lines(tampered, "alters", "integrity check failed")
#
# **Exercise 4 (observe).** Which parts of host-a's ESP packet can anyone on the network read without the key?
# The check reads each one from the real packet bytes.

# %% tags=["exercise"]
# BEGIN SOLUTION
visible = {"the source address", "the destination address", "the SPI", "the sequence number"}
# END SOLUTION
# BEGIN STUB
visible = ...   # a set, chosen from: "the source address", "the destination address", "the SPI",
                # "the sequence number", "the destination port", "the request text"
# END STUB
q4.check(visible)

# %% [markdown]
# ## 6. A certificate names a host
#
# During `IKE_AUTH`, server-b sent host-a its certificate, a real X.509 certificate made with Python's
# `cryptography` library. Here is what it says:

# %%
show_certificate(labsim.run("basics"), "server-b")

# %% [markdown]
# Read it carefully. The CA vouches that a key belongs to the **name** `server-b.example.org`. The certificate
# says nothing about the **address** `1.2.3.4`; certificates for hosts almost never do. Yet host-a's SPD chose
# PROTECT by address, and host-a's stack, which was handed only the address `1.2.3.4`, accepted the name
# without comparing it with anything:

# %%
trace_lines(labsim.run("basics"), "name check", host="host-a")

# %% [markdown]
# Applications start from names, the SPD speaks addresses, and certificates speak names again. Nothing in IPsec ties
# the three together. Notebook 02 shows what a forged answer from the Domain Name System (DNS) does with that gap;
# notebook 03 shows that a colleague's perfectly valid certificate is enough.
#
# **Reflection.** The paper's introduction says IPsec was meant to be *transparent*: applications need not know
# it is there. From what you have seen in this notebook, name one thing host-a's application cannot learn about
# its connection to server-b, and say why that might matter.

# %% [markdown] tags=["reflection"]
# BEGIN STUB
# *Your answer:* ...
# END STUB
# BEGIN SOLUTION
# *A model answer:* the application cannot learn whether its connection is protected at all, nor which name the
# peer proved in IKE: it handed the stack an address, and the stack checked the certificate without it. If the
# stack accepts the wrong peer, or the policy bypasses IPsec for that address, the application cannot tell.
# END SOLUTION

# %% [markdown]
#
# ## Summary
#
# - ESP protects packets, SAs hold the keys (one per direction, found by SPI), IKE creates SAs and authenticates
#   the peers, and the SPD decides, packet by packet, whether to protect, bypass or discard.
# - The SPD is read from the top and the first match wins: put narrow exceptions (a printer) before broad rules
#   (the intranet), and keep BYPASS rules narrow.
# - Each host enforces its own policy on what it receives too; a clear packet where an SA is required is dropped.
# - ESP in transport mode hides ports and data but leaves addresses, SPI and sequence number readable.
# - A host certificate proves a name, not an address, while the SPD selects by address.
#
# ## Further reading
#
# - The paper, section 3.
# - RFC 4301, *Security Architecture for the Internet Protocol*: section 4.4.1 (the SPD) and section 4.1 (SAs).
# - RFC 4303, *IP Encapsulating Security Payload (ESP)*, and RFC 7296, *Internet Key Exchange Protocol Version 2*.
# - RFC 5280, the profile of X.509 certificates; section 4.2.1.6 describes the subjectAltName extension.
# - `python -m labsim pcap basics basics.pcap` writes this run's packets, with the ESP keys Wireshark needs to
#   decrypt them.
