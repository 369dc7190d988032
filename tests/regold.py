"""Regenerate the golden traces in tests/golden, separately from the tests that compare them.

    python tests/regold.py                     # every scenario's default run
    python tests/regold.py fig1 fig2           # only these
    python tests/regold.py --check             # say what would change, write nothing
    python tests/regold.py fig4 --accept-verdict-change

For each scenario it runs the default toggles, compares the text with the golden file and
prints a summary of the difference (lines added and removed, the first changed lines). A
change in the trace is written. A change in the verdict block (from the ``verdict:`` line
to the end: every flow's banner and the explanation) is refused unless
``--accept-verdict-change`` is given, because a golden trace exists to catch exactly that.
Exit status: 0 when everything was written or unchanged, 1 when a change was refused (or,
with ``--check``, when anything differs), 2 for an unknown scenario.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from dataclasses import dataclass
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"
SCENARIOS = ("basics", "fig1", "fig2", "fig3", "fig4", "fig5")


def verdict_block(text: str) -> list[str]:
    """The lines from the first ``verdict:`` line to the end (empty if there is none)."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("verdict:")), len(lines))
    return lines[start:]


def golden_text(scenario: str) -> str:
    import labsim

    return labsim.run(scenario).text()


@dataclass
class Change:
    scenario: str
    status: str            # unchanged, new, updated, refused, would update, would refuse
    summary: str = ""


def summarize(old: str, new: str, context: int = 3) -> str:
    """``+A -R lines`` and the first few changed lines, as a unified diff."""
    diff = list(difflib.unified_diff(old.splitlines(), new.splitlines(), "golden", "now", n=0, lineterm=""))
    added = sum(1 for line in diff if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in diff if line.startswith("-") and not line.startswith("---"))
    shown = [line for line in diff[2:] if not line.startswith("@@")][: 2 * context]
    more = "" if len(shown) >= added + removed else f"\n      ... ({added + removed - len(shown)} more changed lines)"
    return f"+{added} -{removed} lines\n" + "\n".join(f"      {line[:160]}" for line in shown) + more


def regold(scenario: str, golden_dir: Path = GOLDEN, accept_verdict_change: bool = False, check: bool = False,
           text: str | None = None) -> Change:
    path = golden_dir / f"{scenario}.txt"
    new = golden_text(scenario) if text is None else text
    if not path.exists():
        if not check:
            path.write_text(new)
        return Change(scenario, "would create" if check else "new", f"{len(new.splitlines())} lines")
    old = path.read_text()
    if old == new:
        return Change(scenario, "unchanged")
    summary = summarize(old, new)
    if verdict_block(old) != verdict_block(new):
        summary += "\n    the verdict changes:\n" + "\n".join(
            f"      {line}" for line in difflib.unified_diff(verdict_block(old), verdict_block(new), "golden", "now",
                                                             n=0, lineterm="") if not line.startswith("@@"))
        if check:
            return Change(scenario, "would change the verdict", summary)
        if not accept_verdict_change:
            return Change(scenario, "REFUSED", summary + "\n    (rerun with --accept-verdict-change if the new "
                                                         "verdict is intended, and say why in the commit)")
    if check:
        return Change(scenario, "would update", summary)
    path.write_text(new)
    return Change(scenario, "updated", summary)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate the golden traces (tests/golden/*.txt).")
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO", help=f"default: all of {', '.join(SCENARIOS)}")
    parser.add_argument("--accept-verdict-change", action="store_true",
                        help="also write a golden file whose verdict block changes")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if anything differs")
    args = parser.parse_args(argv)
    unknown = [s for s in args.scenarios if s not in SCENARIOS]
    if unknown:
        print(f"unknown scenario {unknown[0]!r}; choose from {', '.join(SCENARIOS)}", file=sys.stderr)
        return 2
    changes = [regold(s, accept_verdict_change=args.accept_verdict_change, check=args.check)
               for s in args.scenarios or SCENARIOS]
    for change in changes:
        print(f"{change.scenario:<7} {change.status}" + (f": {change.summary}" if change.summary else ""))
    if args.check:
        return 0 if all(c.status == "unchanged" for c in changes) else 1
    return 1 if any(c.status == "REFUSED" for c in changes) else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))   # this checkout's labsim, not another install
    sys.exit(main())
