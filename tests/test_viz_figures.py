"""python -m labsim figures: the paper's figures, identical on every run, each with alt text."""

import re

import pytest

from labsim.cli import main
import labsim
from labsim.viz.figures import figure_for, figure_scenarios, write_figures


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    first, second = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    write_figures(first)
    assert main(["figures", "--out", str(second)]) == 0
    return first, second


def test_figures_cover_every_scenario_that_declares_a_paper_figure(two_runs):
    """fig1 ... fig5: one PNG and one SVG per figure number a scenario declares."""
    first, _ = two_runs
    numbers = list(figure_scenarios())
    assert numbers == [1, 2, 3, 4, 5]
    assert sorted(p.name for p in first.iterdir()) == sorted(
        ["README.md"] + [f"fig{n}.{ext}" for n in numbers for ext in ("png", "svg")])


def test_two_runs_give_byte_identical_files(two_runs):
    """Running the command twice writes the same bytes (fonts, hash salt and metadata are fixed)."""
    first, second = two_runs
    for path in first.iterdir():
        assert path.read_bytes() == (second / path.name).read_bytes(), path.name


def test_svgs_carry_a_title_and_the_alt_text(two_runs):
    """Each SVG names itself and holds its full description for screen readers, with no date."""
    first, _ = two_runs
    for n in figure_scenarios():
        svg = (first / f"fig{n}.svg").read_text()
        assert '<svg role="img" aria-labelledby="labsim-title labsim-desc"' in svg
        assert re.search(r'<desc id="labsim-desc">Network diagram of scenario fig%d ' % n, svg)
        assert "<dc:date>" not in svg and "Matplotlib v" not in svg


def test_readme_has_alt_text_and_verdict_for_each_figure(two_runs):
    """figures/README.md shows each figure with alt text that describes the flows and the verdict."""
    readme = (two_runs[0] / "README.md").read_text()
    for n in figure_scenarios():
        assert f"![Figure {n}:" in readme and f"(fig{n}.png)" in readme
    assert readme.count("> Network diagram of scenario") == len(figure_scenarios())
    assert "forged source address 1.2.0.53" in readme          # figure 1's spoofed answer
    assert "problem 1b" in readme and "problem 5a" in readme


def test_pngs_are_real_images_of_a_sensible_size(two_runs):
    """Each PNG opens and is wide enough to read (about 9 inches at 120 dpi)."""
    from PIL import Image
    for n in figure_scenarios():
        with Image.open(two_runs[0] / f"fig{n}.png") as im:
            assert im.width >= 1000 and im.height >= 800


def test_a_figure_of_changed_toggles_says_which_and_how_to_rerun_it():
    """Only a run with every toggle at its default is labelled "the defaults"; any other names its --set options."""
    texts = lambda fig: [t.get_text() for ax in fig.axes for t in ax.texts]   # noqa: E731
    changed = texts(figure_for(labsim.run("fig3", {"vpn_encryption": "null", "dns_server": "home"}), "fig3")[0])
    assert "Toggles (the defaults)" not in " ".join(changed)
    assert any(t.endswith("python -m labsim run fig3 --set dns_server=home --set vpn_encryption=null")
               for t in changed), changed
    default = texts(figure_for(labsim.run("fig3"), "fig3")[0])
    assert any(t.startswith("Toggles (the defaults): location=visited") for t in default), default
