# %% [markdown]
# # 00 · Start here
#
# This workbook is a lab course on one paper: *Experiences with Host-to-Host IPsec*, by Aura, Roe and
# Mohammed of Microsoft Research. The authors watched IPsec being rolled out
# between the machines of a large company network, and found that it protected less than people
# thought. Each notebook takes one section of the paper, rebuilds its example inside a small
# simulator, and lets you break it and fix it yourself.
#
# **Time:** about 10 minutes for this notebook, 3 to 4 hours for the whole course.
#
# **You need:** nothing installed. Every notebook runs in your browser (on Binder, on your university's
# JupyterHub or on your own laptop). Nothing you do here sends a single packet to a real network: the
# simulator, `labsim`, builds real IPsec packets and real certificates, but only inside this notebook.

# %% [markdown]
# ## How a notebook works
#
# Run a cell with **Shift+Enter**. Run them in order, top to bottom; if something looks odd, use
# **Kernel → Restart Kernel and Run All Cells**. On a small screen, fold the file browser away with **Ctrl+B**
# so the pictures get the whole width. The first cell of every notebook is the only import you need:

# %%
import labsim

# %% [markdown]
# ## The simulator in one call
#
# `labsim.run(scenario, toggle=value, ...)` plays one scenario and tells you what happened. Here is the
# warm-up scenario, `basics`: a client, `host-a`, sends a request to `server-b`, and the policy says the
# traffic between them must be protected by IPsec.

# %%
result = labsim.run("basics")
print(result.banner())
print(result.explanation)

# %% [markdown]
# The verdict is one of five words, always worked out from what happened in the run:
#
# | verdict | what it means |
# |---|---|
# | `protected` | the data reached the intended peer, over IPsec, and the peer proved the right name |
# | `clear` | the data reached the intended peer without IPsec, because the policy allows that |
# | `exposed` | the data reached someone else, or an attacker's packet was let in |
# | `impersonated` | the data went over IPsec, but to a peer that proved a *different* name |
# | `blocked` | no data was delivered at all |
#
# When a run shows one of the paper's numbered problems (1a, 1b, 2, 3, 4, 5a, 5b), the banner names it.
#
# Every run also keeps a trace: each decision a simulated host took, with the reason and the rule
# that decided it. Here are the first lines:

# %%
print("\n".join(result.trace_text().splitlines()[:8]))

# %% [markdown]
# ## The live panel
#
# Each section notebook has a panel like the one below. The buttons are the scenario's *toggles*; every
# click re-runs the simulation. The banner shows the verdict. The picture animates the packets: the
# legend explains each shape (clear text, IPsec-protected, key exchange, DNS, dropped). The event list
# beside it lets you step through the run one decision at a time and open any packet's headers.
#
# Try it: set `policy` to `bypass` and watch the lock disappear from the packets.

# %% tags=["nbval-ignore-output"]
labsim.panel("basics")

# %% [markdown]
# ## How exercises are checked
#
# Each exercise ends with one call such as `q1.check(answer)`. The check does not compare your answer
# with a stored one: it runs your answer through the simulator and tells you what came out. If you are
# stuck, `q1.hint()` gives a hint and `q1.solution()` shows a worked solution. Try it on this small one:
# what verdict does `basics` give when `server-b` does not speak IPsec at all?

# %%
from labsim.teaching.nb00 import q1

# BEGIN SOLUTION
answer = "blocked"
# END SOLUTION
# BEGIN STUB
answer = ...   # one of: "protected", "clear", "exposed", "impersonated", "blocked"
# END STUB
q1.check(answer)

# %% [markdown]
# ## A map of the course
#
# | notebook | paper | what you will see |
# |---|---|---|
# | `01_how_ipsec_works` | section 3 | the security policy database, security associations, IKE and ESP; you write a policy |
# | `02_classic_dns_vulnerability` | section 4, figure 1, problem 1a | a forged DNS answer switches IPsec off |
# | `03_identifier_mismatch` | section 5, figure 2, problem 1b | a colleague's valid certificate is enough to impersonate a server |
# | `04_mobile_hosts` | section 6, figures 3 and 4, problems 2-4 | a laptop away from home trusts the wrong DNS and the wrong private addresses |
# | `05_ipsec_as_a_firewall` | section 7, figure 5, problems 5a and 5b | a broadcast opens a door in a stateful policy |
# | `06_conclusions_and_the_experiment` | section 8, appendix A | why no operating system can check the name by itself |
# | `07_audit_your_policy` | all of it | audit a real strongSwan or Linux policy for the paper's attacks |
#
# Instructors find worked solutions in `notebooks/solutions/`.

# %% [markdown]
# ## Running the course elsewhere
#
# - **Binder:** the *launch binder* badge in the repository's README opens this notebook in a fresh JupyterLab.
# - **Your laptop:** clone the repository and run
#   `python3 -m venv .venv && .venv/bin/pip install -r requirements.txt && .venv/bin/jupyter lab notebooks/00_start_here.ipynb`.
# - **The command line:** `python -m labsim list` shows every scenario; `python -m labsim run fig1` prints a run's
#   trace; `python -m labsim pcap fig1 fig1.pcap` writes its packets for Wireshark, real ESP included.
#
# Next: `01_how_ipsec_works`.
