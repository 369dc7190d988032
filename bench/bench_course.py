"""The whole course, executed: ``course_run_s``.

Runs every student notebook in notebooks/ top to bottom in a fresh kernel each (as
"Restart and run all" does), one after the other, and reports the total wall time in seconds
(goal: 60 s on a 2-core machine). ``course_kernel_s`` is the part spent inside cells, without
kernel start-up. Instructor versions are not counted: students run the student versions.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "notebooks"


def _execute_all():
    import nbformat
    from nbclient import NotebookClient
    total, in_cells = 0.0, 0.0
    paths = sorted(ROOT.glob("[0-9][0-9]_*.ipynb"))
    if os.environ.get("LABSIM_BENCH_TINY") == "1":    # a tiny sample: the first notebook only
        paths = paths[:1]
    for path in paths:
        nb = nbformat.read(str(path), as_version=4)
        started = time.perf_counter()
        client = NotebookClient(nb, timeout=300, kernel_name="python3", record_timing=True,
                                resources={"metadata": {"path": str(ROOT)}})
        client.execute()
        total += time.perf_counter() - started
        for cell in nb.cells:
            timing = cell.get("metadata", {}).get("execution", {})
            if "iopub.execute_input" in timing and "shell.execute_reply" in timing:
                from datetime import datetime
                begin = datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
                end = datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
                in_cells += (end - begin).total_seconds()
    return total, in_cells


_cache = {}


def course_run_s() -> float:
    _cache["run"] = _cache.get("run") or _execute_all()
    return round(_cache["run"][0], 1)


def course_kernel_s() -> float:
    _cache["run"] = _cache.get("run") or _execute_all()
    return round(_cache["run"][1], 1)


BENCHMARKS = [
    ("course_run_s", "s", "<= 60", course_run_s),
    ("course_kernel_s", "s", "", course_kernel_s),
]
