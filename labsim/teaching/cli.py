"""``python -m labsim build-notebooks`` and ``python -m labsim grade``."""

from __future__ import annotations

import json
from pathlib import Path

from ..cli import command
from ..errors import LabsimError


def _build_args(p) -> None:
    p.add_argument("names", nargs="*", help="only these notebooks (e.g. 02 or 02_classic_dns_vulnerability)")
    p.add_argument("--root", default="notebooks", help="the notebooks folder (default: notebooks)")
    p.add_argument("--check", action="store_true", help="only check that the notebooks match their sources")
    p.add_argument("--no-execute", action="store_true", help="write the notebooks without running them")
    p.add_argument("--mode", default="self-study",
                   help="self-study (default): write notebooks/solutions.json so qN.solution() opens after two "
                        "real attempts; graded: no solutions in the student's files or kernel")


@command("build-notebooks", "build the student and instructor notebooks from notebooks/source", _build_args)
def cmd_build(args) -> int:
    from .build import build, stale
    root = Path(args.root)
    if not (root / "source").is_dir():
        raise LabsimError(f"no {root / 'source'} folder: run this from the repository's top level or pass --root")
    if args.check:
        problems = stale(root)
        for problem in problems:
            print(problem)
        print("notebooks match their sources" if not problems else f"{len(problems)} notebook(s) out of date")
        return 1 if problems else 0
    build(root, args.names or None, run=not args.no_execute, mode=args.mode)
    return 0


def _grade_args(p) -> None:
    p.add_argument("submission", help="the student's .ipynb")
    p.add_argument("--json", action="store_true", help="print the marks as JSON")
    p.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell")


@command("grade", "run a student's notebook and print a score table", _grade_args)
def cmd_grade(args) -> int:
    from .grade import as_json, grade, table
    path = Path(args.submission)
    if not path.is_file():
        raise LabsimError(f"no such notebook: {str(path)!r}")
    marks = grade(path, args.timeout)
    print(json.dumps(as_json(marks), indent=2) if args.json else table(marks, path.name))
    return 0
