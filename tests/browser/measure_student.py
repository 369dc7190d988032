"""What one student's run of the whole course costs: memory and CPU of JupyterLab and its kernels.

    python tests/browser/measure_student.py            # prints a table and a JSON line

Starts JupyterLab as the browser suite does, opens every student notebook in headless
Chromium one after the other (as a student working through the course, leaving each
kernel running), runs all its cells and waits for the kernel to go idle. Reads from /proc:
each kernel's peak resident memory (VmHWM) and CPU time, the server's, and the largest sum
of all of them seen while sampling every 0.2 s (RSS, and PSS, which counts shared library
pages once, as a container's memory limit does). The numbers in the README's "For
instructors" come from this script.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

TICK = os.sysconf("SC_CLK_TCK")


def _status(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    return 0


def _pss(pid: int) -> int:
    """Proportional set size: shared library pages split between the processes that map them."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return 0


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")


def main() -> dict:
    from playwright.sync_api import sync_playwright

    import student
    from fresh_install import descendants
    from servers import CHROMIUM, CHROMIUM_ARGS, copy_notebooks, start_lab, stop

    notebooks = sorted(p.name for p in (HERE.parents[1] / "notebooks").glob("[0-9]*.ipynb"))
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        lab = start_lab(copy_notebooks(base / "notebooks"), base / "home")
        peak_total, peak_pss, kernels, done = [0], [0], {}, threading.Event()

        def sample():
            while not done.is_set():
                try:
                    pids = [lab.proc.pid, *descendants(lab.proc.pid)]
                    peak_total[0] = max(peak_total[0], sum(_status(p, "VmRSS") for p in pids))
                    peak_pss[0] = max(peak_pss[0], sum(_pss(p) for p in pids))
                    for pid in pids[1:]:
                        if "ipykernel" in _cmdline(pid):
                            kernels[pid] = (_status(pid, "VmHWM"), _cpu_s(pid))
                except (OSError, ValueError):
                    pass
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        timings = {}
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                for name in notebooks:
                    started = time.monotonic()
                    panel = student.open_in_lab(page, lab, name)
                    student.run_all_in_lab(page, panel, timeout=600_000)
                    timings[name] = round(time.monotonic() - started, 1)
                    print(f"{name}: run all in {timings[name]} s", file=sys.stderr)
                time.sleep(1)
                server = {"peak_rss_mb": _status(lab.proc.pid, "VmHWM") / 2**20, "cpu_s": _cpu_s(lab.proc.pid)}
                browser.close()
        finally:
            done.set()
            sampler.join()
            stop(lab)
    report = {
        "notebooks": timings,
        "kernels": len(kernels),
        "kernel_peak_rss_mb_max": max(k[0] for k in kernels.values()) / 2**20,
        "kernel_peak_rss_mb_each": sorted(round(k[0] / 2**20) for k in kernels.values()),
        "kernel_cpu_s_total": sum(k[1] for k in kernels.values()),
        "kernel_cpu_s_max": max(k[1] for k in kernels.values()),
        "server_peak_rss_mb": server["peak_rss_mb"],
        "server_cpu_s": server["cpu_s"],
        "all_at_once_peak_rss_mb": peak_total[0] / 2**20,
        "all_at_once_peak_pss_mb": peak_pss[0] / 2**20,
    }
    return report


if __name__ == "__main__":
    sys.path[:0] = [str(HERE), str(HERE.parent)]     # student.py, servers.py and tests/fresh_install.py
    result = main()
    for key, value in result.items():
        print(f"{key:28} {value if not isinstance(value, float) else round(value, 1)}")
    print(json.dumps(result))
