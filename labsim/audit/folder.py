"""``python -m labsim audit FOLDER``: every host's configuration in a folder, one line per host and problem.

An administrator keeps the hosts' configurations side by side (``hosts/pc-a/swanctl.conf``,
``hosts/laptop-3/policies.txt`` ...), each optionally with its ``labsim-profile.toml``. The
folder audit reads every configuration file under FOLDER, audits each with the profile
beside it (or ``--profile``, and the flags), and prints one tab-separated line per host and
problem that needs a look (exposed, not demonstrated, could not decide), or one line
saying the host is clear; a file that cannot be read gets one line naming the file and line.
A progress bar goes to stderr, so the lines can be piped to a file or ``grep``.

Exit status: 3 if the auditor failed on some file (a bug), else 1 with ``--fail-on-exposed``
if any host is exposed, else 2 if some file could not be read, else 0.
"""

from __future__ import annotations

import os
import sys
import traceback

from ..errors import LabsimError
from .auditor import audit_policy
from .importers import NothingToAudit, load_policy

#: Files that hold a configuration (the profile and notes beside them do not).
CONFIG_NAMES = ("swanctl.conf",)
CONFIG_SUFFIXES = (".conf", ".txt", ".spd", ".xfrm", ".policy", ".policies")
SKIP = ("labsim-profile.toml", "README.md", "README.txt", "LICENSE", "SOURCE.md")
NEEDS_A_LOOK = ("exposed", "not demonstrated", "could not decide")


def configuration_files(folder: str) -> list[str]:
    """Every configuration file under ``folder``, in a stable order."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            if name in SKIP or name.startswith("."):
                continue
            if name in CONFIG_NAMES or name.endswith(CONFIG_SUFFIXES):
                found.append(os.path.join(root, name))
    return found


def _clean(text: str) -> str:
    return " ".join(text.split())


def audit_folder(args, profile_for, out=None, err=None) -> int:
    """Audit each file; ``profile_for(path)`` gives its profile (the one beside it, then the flags)."""
    out, err = out or sys.stdout, err or sys.stderr
    paths = configuration_files(args.config)
    if not paths:
        raise LabsimError(f"{args.config}: no configuration files in this folder (looked for swanctl.conf and "
                          f"files ending {', '.join(CONFIG_SUFFIXES)})")
    exposed = refused = crashed = 0
    show_bar = err.isatty() if hasattr(err, "isatty") else False
    for done, path in enumerate(paths, start=1):
        _progress(err, done - 1, len(paths), path, show_bar)
        try:
            report = audit_policy(load_policy(path, args.format), profile_for(path), seed=args.seed,
                                  run=not args.static)
        except NothingToAudit:
            print(f"{path}\t-\tnothing to audit\tthe file holds only comments", file=out)
            continue
        except LabsimError as exc:
            refused += 1
            print(f"{path}\t-\tcould not read\t{_clean(str(exc))}", file=out)
            continue
        except Exception as exc:   # a bug in the auditor: say so, and go on with the other hosts
            crashed += 1
            where = traceback.extract_tb(exc.__traceback__)[-1]
            print(f"{path}\t-\tinternal error\t{type(exc).__name__}: {_clean(str(exc))} (at "
                  f"{os.path.basename(where.filename)}:{where.lineno})", file=out)
            continue
        flagged = [f for f in report.findings if f.status in NEEDS_A_LOOK]
        exposed += any(f.exposed for f in flagged)
        for f in flagged:
            print(f"{path}\t{f.problem}\t{f.status}\t{_clean(f.why)}", file=out)
        if not flagged:
            print(f"{path}\t-\tnothing exposed\t{len(report.findings)} problems checked", file=out)
    _progress(err, len(paths), len(paths), "", show_bar)
    print(f"{len(paths)} files: {exposed} with a problem exposed, {refused} could not be read"
          + (f", {crashed} internal errors" if crashed else ""), file=err)
    if crashed:
        return 3
    if args.fail_on_exposed and exposed:
        return 1
    return 2 if refused else 0


def _progress(err, done: int, total: int, path: str, live: bool) -> None:
    width = 30
    filled = width * done // total
    bar = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {path}"
    if live:
        err.write("\r" + bar[:120].ljust(120) + ("\n" if done == total else ""))
    else:
        err.write(bar + "\n")
    err.flush()


__all__ = ["audit_folder", "configuration_files"]
