"""Benchmarks: ``python bench/run.py`` prints a table; ``--json`` prints one object of named figures.

Each ``bench/bench_*.py`` module defines ``BENCHMARKS``: a list of ``(name, unit, goal, function)``
where ``function()`` returns the measured number and ``goal`` is a string such as ``"<= 20"``.
Timings are measured here and printed; no test asserts them.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def load_benchmarks(only: list[str] | None = None):
    found = []
    for path in sorted(HERE.glob("bench_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for name, unit, goal, fn in module.BENCHMARKS:
            if not only or name in only:
                found.append((name, unit, goal, fn))
    return found


def machine() -> dict:
    return {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
            "system": platform.system()}


def meets(value, goal: str) -> bool | None:
    if isinstance(value, dict):
        marks = [meets(v, goal) for v in value.values()]
        return None if None in marks else all(marks)
    if not isinstance(value, (int, float)) or not goal:
        return None
    op, _, target = goal.partition(" ")
    target = float(target)
    return value <= target if op == "<=" else value >= target


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object of named figures")
    parser.add_argument("--tiny", action="store_true",
                        help="a tiny sample of each benchmark (checks that every one still runs)")
    parser.add_argument("names", nargs="*", help="run only these figures")
    args = parser.parse_args(argv)
    if args.tiny:
        os.environ["LABSIM_BENCH_TINY"] = "1"
    results = {}
    rows = []
    for name, unit, goal, fn in load_benchmarks(args.names):
        value = fn()
        results[name] = value
        rows.append((name, value, unit, goal, meets(value, goal)))
        if not args.json:
            print(f"{name:<28} {_fmt(value):>12} {unit:<10} goal {goal:<10} {_mark(meets(value, goal))}", flush=True)
    if args.json:
        print(json.dumps({**results, "machine": machine()}, indent=2, sort_keys=True))
    else:
        print(f"\nmachine: {machine()}")
    return 0


def _fmt(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={_fmt(v)}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:,.1f}" if value >= 10 else f"{value:.3f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _mark(ok) -> str:
    return {True: "met", False: "MISSED", None: ""}[ok]


if __name__ == "__main__":
    sys.exit(main())
