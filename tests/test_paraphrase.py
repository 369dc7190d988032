"""The course paraphrases the paper; it never copies a sentence of it.

Any run of ten words that also appears in the paper counts as copying; the title and the
authors' names, which every citation repeats, are left out. The paper lives beside the
project (../shared/paper); without it, this test is skipped.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAPER = ROOT.parent / "shared" / "paper" / "host-to-host-ipsec.md"
N = 10


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def project_texts():
    for path in sorted(ROOT.rglob("*")):
        if path.suffix not in {".py", ".md", ".ipynb", ".txt"} or ".git" in path.parts or ".venv" in path.parts:
            continue
        text = path.read_text(errors="ignore")
        if path.suffix == ".ipynb":
            try:
                text = " ".join("".join(c.get("source", "")) for c in json.loads(text).get("cells", []))
            except ValueError:
                pass
        yield path, text


@pytest.mark.skipif(not PAPER.exists(), reason="the paper is not beside the project")
def test_no_ten_word_run_of_the_paper_appears_in_the_project():
    """No file repeats ten consecutive words of the paper."""
    text = PAPER.read_text(errors="ignore")
    paper = words(text[text.index("**Abstract.**"):])
    grams = {tuple(paper[i:i + N]) for i in range(len(paper) - N)}
    copied = []
    for path, text in project_texts():
        w = words(text)
        hit = next((" ".join(w[i:i + N]) for i in range(len(w) - N) if tuple(w[i:i + N]) in grams), None)
        if hit:
            copied.append(f"{path.relative_to(ROOT)}: {hit!r}")
    assert copied == []
