"""nbval proves the checks: the instructor notebook fails at a check whose solution is replaced by its stub."""

import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "notebooks" / "solutions" / "02_classic_dns_vulnerability.ipynb"


def test_a_stub_in_the_instructor_notebook_fails_nbval_at_that_check(tmp_path):
    """Put q1's stub back into the solved notebook: nbval fails on exactly that cell, and passes otherwise."""
    nb = nbformat.read(str(SOLUTION), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    index = next(i for i, c in enumerate(code) if "q1.check(answer)" in c.source)   # nbval counts code cells
    code[index].source = code[index].source.replace('answer = "blocked"', "answer = ...")
    broken = tmp_path / "02_broken.ipynb"
    nbformat.write(nb, str(broken))
    sanitize = ROOT / "notebooks" / "nbval-sanitize.cfg"
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", "--nbval",
            "--nbval-current-env", f"--nbval-sanitize-with={sanitize}", "-rf", str(broken)]
    out = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert out.returncode == 1, out.stdout[-2000:]
    failed = [line for line in out.stdout.splitlines() if line.startswith("FAILED")]
    assert [f.split(" - ")[0] for f in failed] == [f"FAILED 02_broken.ipynb::Cell {index}"], out.stdout[-2000:]
    assert "[q1] Not yet. Replace ... with your answer" in out.stdout
