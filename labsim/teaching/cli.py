"""``python -m labsim build-notebooks``, ``grade`` and ``export-nbgrader``."""

from __future__ import annotations

import json
import sys
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
    p.add_argument("submission", help="a student's .ipynb, or a folder of them (one row per student and exercise)")
    p.add_argument("--json", action="store_true", help="print the marks and reflection answers as JSON")
    p.add_argument("--csv", action="store_true", help="print one CSV row per student and exercise (and reflection)")
    p.add_argument("--root", default="notebooks", help="the course's notebooks folder, whose source/ says which "
                                                       "exercises each notebook has (default: notebooks)")
    p.add_argument("--notebook", help="grade every submission as this course notebook (e.g. 03); by default "
                                      "each file's name says which")
    p.add_argument("--timeout", type=float, default=600, help="seconds allowed per notebook (default: 600)")


def _progress(done: int, total: int, what: str) -> None:
    """A progress bar on stderr (one line per notebook when stderr is not a terminal)."""
    width = 24
    filled = width * done // max(total, 1)
    line = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {what}"
    if sys.stderr.isatty():
        sys.stderr.write("\r" + line[:100].ljust(100) + ("\n" if done == total else ""))
    else:
        sys.stderr.write(line + "\n")
    sys.stderr.flush()


@command("grade", "run students' notebooks and judge each answer; a table, --json or --csv", _grade_args)
def cmd_grade(args) -> int:
    import csv

    from .grade import CSV_COLUMNS, as_json, csv_rows, grade, grade_folder, table
    path = Path(args.submission)
    root = Path(args.root)
    if not (root / "source").is_dir():
        raise LabsimError(f"no {root / 'source'} folder: run this from the repository's top level or pass --root")
    if path.is_dir():
        reports = grade_folder(path, root, args.timeout, args.notebook, progress=_progress)
        if not reports:
            raise LabsimError(f"no .ipynb files in {str(path)!r}")
    elif path.is_file():
        reports = [grade(path, root, args.timeout, args.notebook)]
    else:
        raise LabsimError(f"no such notebook or folder: {str(path)!r}")
    if args.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(csv_rows(reports))
    elif args.json:
        data = [as_json(r) for r in reports]
        print(json.dumps(data if path.is_dir() else data[0], indent=2))
    else:
        print("\n\n".join(table(r, str(Path(r.file).relative_to(path)) if path.is_dir() else None)
                          for r in reports))
    broken = [r for r in reports if r.status == "error"]
    if broken and path.is_dir():
        print(f"{len(broken)} of {len(reports)} notebooks could not be graded fully: "
              + ", ".join(str(Path(r.file).relative_to(path)) for r in broken), file=sys.stderr)
    return 0


def _export_args(p) -> None:
    p.add_argument("folder", help="the nbgrader course folder to write (source/<assignment>/ and nbgrader_config.py)")
    p.add_argument("names", nargs="*", help="only these notebooks (e.g. 03); by default all of them")
    p.add_argument("--root", default="notebooks", help="the course's notebooks folder (default: notebooks)")
    p.add_argument("--course", default="ipsec-lab", help="nbgrader's course id (default: ipsec-lab)")
    p.add_argument("--points", type=float, default=1, help="points per exercise (default: 1)")


@command("export-nbgrader", "write the course as an nbgrader course folder (answers, hidden tests, points)",
         _export_args)
def cmd_export_nbgrader(args) -> int:
    from .nbgrader import export
    root = Path(args.root)
    if not (root / "source").is_dir():
        raise LabsimError(f"no {root / 'source'} folder: run this from the repository's top level or pass --root")
    export(root, Path(args.folder), args.names or None, course=args.course, points=args.points)
    return 0
