"""binder/ alone is enough for the course: a fresh venv from binder/requirements.txt runs every notebook.

As repo2docker does, pip runs from the repository's root (a copy of it), so the "." line
installs labsim itself. The notebooks then run in that venv's own kernel, with nothing of
this test run's environment on the path: an import that only the test requirements satisfy
fails here. Slow (a venv and a pip install, about a minute), but part of the default run.
"""

import os
import subprocess
from pathlib import Path

import pytest

from fresh_install import NESTED, REPO, copy_repo, isolated_env, make_venv

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(os.environ.get(NESTED)), reason="the run that started this one checks binder/"),
]
BADGE_LAB = "?urlpath=lab/tree/notebooks/00_start_here.ipynb"
BADGE_VOILA = "?urlpath=voila/render/notebooks/02_classic_dns_vulnerability.ipynb"


@pytest.fixture(scope="module")
def binder_env(tmp_path_factory):
    """A copy of the repository and a venv with binder/requirements.txt installed from its root."""
    base = tmp_path_factory.mktemp("binder")
    repo = copy_repo(base / "repo")
    python = make_venv(base / "venv")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", "binder/requirements.txt"], cwd=repo,
                   check=True)
    return repo, python, base


def test_binder_folder_holds_only_what_repo2docker_reads():
    """binder/ has a requirements.txt and no stray configuration (apt.txt, postBuild, runtime.txt are not needed)."""
    assert sorted(p.name for p in (REPO / "binder").iterdir()) == ["requirements.txt"]


def test_binder_installs_labsim_and_no_test_tools(binder_env):
    """labsim comes from the repository's copy (the "-e ." line); pytest, nbval and playwright are not installed."""
    repo, python, _ = binder_env
    found = subprocess.run([str(python), "-c", "import labsim; print(labsim.__file__)"], cwd="/",
                           env=isolated_env(repo.parent / "home-import", repo_on_path=False),
                           capture_output=True, text=True, check=True).stdout
    assert Path(found.strip()) == repo / "labsim" / "__init__.py"
    for tool in ("pytest", "nbval", "playwright", "hypothesis"):
        missing = subprocess.run([str(python), "-c", f"import {tool}"], capture_output=True)
        assert missing.returncode != 0, f"binder/ installs {tool}, which only the tests need"


@pytest.mark.parametrize("version", ["student", "solutions"])
def test_every_notebook_runs_in_the_binder_environment(binder_env, version):
    """Each notebook (student or instructor version) runs top to bottom without an error in the binder venv."""
    repo, python, base = binder_env
    folder = repo / "notebooks" if version == "student" else repo / "notebooks" / "solutions"
    notebooks = sorted(folder.glob("*.ipynb"))
    assert notebooks, f"no notebook in {folder}"
    out = base / f"executed-{version}"
    env = isolated_env(base / f"home-{version}", repo_on_path=False)
    result = subprocess.run(
        [str(python), "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
         "--ExecutePreprocessor.timeout=300", "--ExecutePreprocessor.kernel_name=python3",
         "--output-dir", str(out), *map(str, notebooks)],
        cwd=base, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-4000:]
    assert sorted(p.name for p in out.glob("*.ipynb")) == [p.name for p in notebooks]


def test_readme_badges_open_lab_on_00_and_voila_on_02():
    """The Binder badge opens JupyterLab on the 00 notebook; the Voila link renders notebook 02's panels."""
    readme = (REPO / "README.md").read_text()
    assert f"https://mybinder.org/v2/gh/ORG/ipsec-lab/main{BADGE_LAB}" in readme
    assert f"https://mybinder.org/v2/gh/ORG/ipsec-lab/main{BADGE_VOILA}" in readme
    for target in ("notebooks/00_start_here.ipynb", "notebooks/02_classic_dns_vulnerability.ipynb"):
        assert Path(REPO / target).exists(), target
