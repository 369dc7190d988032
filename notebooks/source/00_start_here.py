# %% [markdown]
# # 00 · Start here
#
# This workbook is a lab course on one paper: *Experiences with Host-to-Host IPsec*, by Aura, Roe and
# Mohammed of Microsoft Research. The authors watched IPsec being rolled out
# between the machines of a large company network, and found that it protected less than people
# thought. Each notebook takes one section of the paper, rebuilds its example inside a small
# simulator, and lets you break it and fix it yourself.
#
# **Time:** about 15 minutes for this notebook. The notebooks' own estimates add up to about five hours for the
# whole course (15 + 40 + 35 + 50 + 55 + 40 + 35 + 40 minutes); plan two or three sittings.
#
# **Reference, for every notebook:** the [glossary](GLOSSARY.md) defines each term and acronym once, and the
# [SPD syntax card](SPD-SYNTAX.md) lists every word of the policy language the exercises use.
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
# ## Before you start: a short quiz
#
# Seven statements about host-to-host IPsec. Which do you think are true? Answer with the set of their numbers
# (`set()` if you think none is). Nothing is judged now: your answer is kept, and notebook 06 asks the same
# questions again, checks them against the simulator, and shows which answers you changed.

# %% tags=["exercise"]
from labsim.teaching.nb00 import quiz

quiz.show()

# %% tags=["exercise"]
# BEGIN SOLUTION
my_quiz = {"4", "6", "7"}
# END SOLUTION
# BEGIN STUB
my_quiz = ...   # a set of statement numbers, for example {"1", "5"}
# END STUB
quiz.record(my_quiz)

# %% [markdown]
# ## The attacker this course assumes
#
# The paper (section 2) does not ask whether an attacker is *likely* to be in the right place at the right time.
# It assumes the strong attacker of Dolev and Yao: one who may sit anywhere on the network and can read, drop,
# replay and forge any packet, and who is stopped only by cryptography it cannot break. Some attackers in this
# course are outsiders with no credentials at all; others are *insiders*: machines of the same company with a
# perfectly valid certificate. The paper also assumes that IPsec's algorithms and key exchange are sound. Every
# problem you will see comes from how IPsec is put together and configured, not from broken cryptography.
#
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
# When a run shows one of the paper's numbered problems (1a, 1b, 2, 3, 4, 5a, 5b), the banner names it. Some runs
# tell two stories at once (in notebook 05, an attack and a print job); their banner has one line for each.
#
# Every run also keeps a trace: each decision a simulated host took, with the reason and the rule
# that decided it. Here are the first lines:

# %%
print("\n".join(result.trace_text().splitlines()[:8]))

# %% [markdown]
# ## How exercises are checked
#
# Each exercise ends with one call such as `q1.check(answer)`. The check does not compare your answer
# with a stored one: it runs your answer through the simulator and tells you what came out. A wrong first
# try is told what is likely wrong, not the answer; a second try shows the whole run. If you are stuck,
# `q1.hint()` gives a hint, and after two real attempts `q1.solution()` shows a worked solution (unless your
# instructor runs the course in graded mode, where solutions are not available).
#
# **Exercise 1 (predict).** Try it on a small one. In `basics` the toggle `policy` sets the one rule of *both*
# hosts. With `policy="bypass"`, what verdict will the simulator give? Decide before you run anything.

# %% tags=["exercise"]
from labsim.teaching.nb00 import q1

# BEGIN SOLUTION
answer = "clear"
# END SOLUTION
# BEGIN STUB
answer = ...   # one of: "protected", "clear", "exposed", "impersonated", "blocked"
# END STUB
q1.check(answer)

# %% [markdown]
# ## The live panel
#
# Each section notebook has a panel like the one below. The buttons are the scenario's *toggles*; every
# click re-runs the simulation. The banner shows the verdict. The picture animates the packets: the
# legend explains each shape (clear text, IPsec-protected, key exchange, DNS, dropped). The event list
# beside it lets you step through the run one decision at a time and open any packet's headers.
#
# Check your answer to exercise 1 here: set `policy` to `bypass` and watch the lock disappear from the packets.
# Then try `server_ipsec = off` with `policy = protect`.

# %% tags=["nbval-ignore-output"]
labsim.panel("basics")

# %% [markdown]
# **Reflection.** In one or two sentences: the verdict `clear` means the data reached the right host. Why does
# the course still treat it differently from `protected`? Write your answer in the cell below.

# %% [markdown] tags=["reflection"]
# BEGIN STUB
# *Your answer:* ...
# END STUB
# BEGIN SOLUTION
# *A model answer:* in clear, nothing proves who received the data or that nobody else read or changed it on the
# way; `clear` is only safe if the policy was right to allow it, and the attacks of this course all work by
# making a host use a BYPASS rule it should not have used.
# END SOLUTION

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
# | `06_conclusions_and_the_experiment` | section 8, appendix A | why no operating system can check the name by itself, and why applications must take charge |
# | `07_audit_your_policy` | all of it | audit a real strongSwan or Linux policy for the paper's attacks |
#
# Instructors find worked solutions in `notebooks/solutions/` and `notebooks/source/solutions.toml`.

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
