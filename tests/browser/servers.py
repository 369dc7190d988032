"""Start and stop JupyterLab and Voila for the browser suite, isolated from the machine's own Jupyter.

Every server gets its own temporary HOME, Jupyter config/data/runtime dirs, JupyterLab
settings dir (with the "Jupyter news?" toast silenced) and IPython dir
(:func:`fresh_install.isolated_env`), binds 127.0.0.1 on a free port with
``port_retries=0``, and runs in its own process group so that :func:`stop` can end it and
every kernel it started.

Used by ``tests/browser/conftest.py`` and by ``tests/browser/measure_student.py``.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from fresh_install import REPO, free_port, isolated_env  # noqa: F401 (REPO: the Voila template)
from fresh_install import stop as _stop

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "Server", "copy_notebooks", "free_port", "isolated_env", "start_lab",
           "start_voila", "stop"]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--disable-gpu", "--disable-quic"]


def copy_notebooks(dest: Path) -> Path:
    """A private copy of notebooks/ (Lab autosaves what it runs; the repository stays untouched)."""
    shutil.copytree(REPO / "notebooks", dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "source"))
    return dest


@dataclass
class Server:
    """A running Jupyter server: its process, base URL, token (Lab only) and log file."""
    proc: subprocess.Popen
    url: str
    token: str
    log: Path
    home: Path
    root: Path
    started_s: float = field(default=0.0)

    def page(self, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.url}{path}{sep}token={self.token}" if self.token else f"{self.url}{path}"

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-4000:]
        except OSError:
            return ""


def _wait_ready(server: Server, probe: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"the server exited with status {server.proc.returncode}:\n{server.log_text()}")
        try:
            with urllib.request.urlopen(server.page(probe), timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    stop(server)
    raise RuntimeError(f"the server did not answer {probe} within {timeout:.0f} s:\n{server.log_text()}")


def _launch(argv: list[str], *, root: Path, home: Path, env: dict, port: int, token: str, probe: str,
            timeout: float) -> Server:
    log = home / "server.log"
    started = time.monotonic()
    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    server = Server(proc, f"http://127.0.0.1:{port}", token, log, home, root)
    _wait_ready(server, probe, timeout)
    server.started_s = time.monotonic() - started
    return server


def start_lab(root: Path, home: Path, *, env: dict | None = None, timeout: float = 60) -> Server:
    """JupyterLab serving ``root`` on 127.0.0.1 with a random token."""
    port, token = free_port(), secrets.token_hex(16)
    argv = [sys.executable, "-m", "jupyterlab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}"]
    if os.geteuid() == 0:
        argv.append("--allow-root")
    return _launch(argv, root=root, home=home, env=env or isolated_env(home), port=port, token=token,
                   probe="/api/status", timeout=timeout)


def start_voila(root: Path, home: Path, *, env: dict | None = None, timeout: float = 60,
                template: str | None = None) -> Server:
    """Voila serving the notebooks in ``root`` (tree mode) on 127.0.0.1; tracebacks shown in the page."""
    port = free_port()
    env = dict(env or isolated_env(home))
    if template:
        # the course's Voila template (share/jupyter/voila/templates/labsim), found without installing
        env["JUPYTER_PATH"] = os.pathsep.join([str(REPO / "share" / "jupyter"), *filter(None, [env.get("JUPYTER_PATH")])])
    argv = [sys.executable, "-m", "voila", str(root), "--no-browser", "--Voila.ip=127.0.0.1",
            *([f"--VoilaConfiguration.template={template}"] if template else []),
            f"--port={port}", "--Voila.port_retries=0", "--show_tracebacks=True"]
    return _launch(argv, root=root, home=home, env=env, port=port, token="", probe="/", timeout=timeout)


def stop(server: Server) -> None:
    """Terminate the server's process group, kill it after 20 s, and any kernel it left behind."""
    _stop(server.proc)
