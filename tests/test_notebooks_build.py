"""The committed notebooks are built from their sources, and stay small."""

from pathlib import Path

from labsim.teaching.build import MAX_BYTES, sources, stale

ROOT = Path(__file__).resolve().parent.parent / "notebooks"


def test_committed_notebooks_match_their_sources():
    """Every student and instructor notebook has exactly the cells its source produces."""
    assert stale(ROOT) == []


def test_every_notebook_is_under_one_megabyte():
    """Notebooks are committed executed; each stays under 1 MB."""
    for path in list(ROOT.glob("*.ipynb")) + list((ROOT / "solutions").glob("*.ipynb")):
        assert path.stat().st_size < MAX_BYTES, path


def test_every_section_notebook_has_a_source():
    """The course's notebooks all come from notebooks/source."""
    assert [p.stem[:2] for p in sources(ROOT)][:1] == ["00"]
