"""A new user's check: the README's two commands, exactly as written, work on a fresh copy of the repository.

The commands are read out of README.md ("Two commands"), so they cannot drift from what
this test runs. Both run with ``bash -c`` in a copy of the repository as a clone has it,
with a temporary HOME:

1. the course command must bring up a JupyterLab that serves notebooks/00_start_here.ipynb;
   it is stopped as soon as it answers. A student runs it on their own machine, where a
   browser opens; here a jupyter_server_config.py in the temporary JUPYTER_CONFIG_DIR adds
   what a headless machine needs: no browser, 127.0.0.1 on a free port with a known token,
   and, only when the test runs as root (CI does), ``allow_root``. The command itself is
   not touched.
2. the test command must pass. It runs this whole test suite again, in the new venv; there
   ``LABSIM_NESTED_TEST_RUN`` is set, and the tests that install the course from scratch
   (this one and tests/test_binder.py) skip, which stops the recursion.

Slow: two pip installs and a full test run (a few minutes), but part of the default run.
"""

import os
import re
import secrets
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from fresh_install import NESTED, REPO, copy_repo, free_port, isolated_env, stop

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(os.environ.get(NESTED)), reason="already inside the README's test command"),
]


def readme_commands(readme: str) -> dict[str, str]:
    """The one-line commands in the README's "Two commands" section: {'course': ..., 'tests': ...}.

    >>> readme_commands("## Two commands\\n\\nrun it:\\n\\n```\\na && .venv/bin/jupyter lab x.ipynb\\n```\\n"
    ...                 "test it:\\n\\n```\\na && .venv/bin/python -m pytest -q\\n```\\n## Next\\n")
    {'course': 'a && .venv/bin/jupyter lab x.ipynb', 'tests': 'a && .venv/bin/python -m pytest -q'}
    """
    section = readme.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    blocks = [b.strip() for b in re.findall(r"```[^\n]*\n(.*?)```", section, re.S)]
    assert len(blocks) == 2 and all("\n" not in b for b in blocks), blocks
    course = [b for b in blocks if "jupyter lab" in b]
    tests = [b for b in blocks if "pytest" in b]
    assert len(course) == len(tests) == 1, blocks
    return {"course": course[0], "tests": tests[0]}


COMMANDS = readme_commands((REPO / "README.md").read_text())


def test_ci_runs_the_readme_test_command_exactly():
    """.ci/run's last command is the README's test command, character for character."""
    lines = [ln.strip() for ln in (REPO / ".ci" / "run").read_text().splitlines()]
    commands = [ln for ln in lines if ln and not ln.startswith("#")]
    assert commands[-1] == COMMANDS["tests"]


@pytest.fixture(scope="module")
def fresh_clone(tmp_path_factory):
    base = tmp_path_factory.mktemp("newuser")
    return copy_repo(base / "ipsec-lab"), base


def _headless_config(config_dir: Path, port: int, token: str) -> None:
    config_dir.mkdir(parents=True, exist_ok=True)
    lines = ["c.ServerApp.open_browser = False", "c.ServerApp.ip = '127.0.0.1'", f"c.ServerApp.port = {port}",
             "c.ServerApp.port_retries = 0", f"c.IdentityProvider.token = {token!r}"]
    if os.geteuid() == 0:
        lines.append("c.ServerApp.allow_root = True   # CI runs as root; a student's machine does not")
    (config_dir / "jupyter_server_config.py").write_text("\n".join(lines) + "\n")


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.status


def test_the_course_command_serves_the_first_notebook(fresh_clone):
    """The course command installs the course in a fresh .venv and starts a JupyterLab that serves notebook 00."""
    repo, base = fresh_clone
    port, token = free_port(), secrets.token_hex(16)
    env = isolated_env(base / "home-course", repo_on_path=False)
    _headless_config(Path(env["JUPYTER_CONFIG_DIR"]), port, token)
    log = base / "course.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(["bash", "-c", COMMANDS["course"]], cwd=repo, env=env, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while True:
            assert proc.poll() is None, f"the course command exited ({proc.returncode}):\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"no JupyterLab after 600 s:\n{log.read_text()[-3000:]}"
            try:
                if _get(f"{url}/api/status?token={token}") == 200:
                    break
            except OSError:
                time.sleep(0.5)
        # Given a file, JupyterLab serves the file's folder and opens the file in it.
        assert _get(f"{url}/api/contents/00_start_here.ipynb?content=0&token={token}") == 200
        assert _get(f"{url}/lab/tree/00_start_here.ipynb?token={token}") == 200
    finally:
        stop(proc)
    assert f"Serving notebooks from local directory: {repo / 'notebooks'}" in log.read_text()


def test_the_course_venv_runs_every_student_notebook(fresh_clone):
    """What the course command installed (requirements.txt, before any test tool) runs each student notebook."""
    repo, base = fresh_clone
    python = repo / ".venv" / "bin" / "python"
    if not python.exists():
        pytest.skip("the course command did not make .venv (see the test before)")
    env = isolated_env(base / "home-notebooks", repo_on_path=False)
    notebooks = sorted((repo / "notebooks").glob("*.ipynb"))
    result = subprocess.run([str(python), "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                             "--ExecutePreprocessor.timeout=300", "--output-dir", str(base / "executed"),
                             *map(str, notebooks)], cwd=base, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-4000:]


@pytest.mark.skipif(os.environ.get("LABSIM_CI") == "1",
                    reason="CI is this very command on a fresh clone (test_ci_runs_the_readme_test_command_exactly)")
def test_the_test_command_passes_on_a_fresh_clone(fresh_clone):
    """The test command, in the same copy, installs the test tools and the whole suite passes there."""
    repo, base = fresh_clone
    env = isolated_env(base / "home-tests", repo_on_path=False)
    env[NESTED] = "1"
    env["TMPDIR"] = str(base / "tmp")       # the inner pytest's temporary dirs stay apart from ours
    Path(env["TMPDIR"]).mkdir()
    started = time.monotonic()
    result = subprocess.run(["bash", "-c", COMMANDS["tests"]], cwd=repo, env=env, capture_output=True, text=True,
                            stdin=subprocess.DEVNULL, timeout=1500)
    tail = (result.stdout + result.stderr)[-3000:]
    print(f"the README's test command took {time.monotonic() - started:.0f} s:\n{tail[-600:]}")
    assert result.returncode == 0, tail
    assert re.search(r"\d+ passed", result.stdout), tail
