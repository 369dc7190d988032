"""Start and stop JupyterLab and Voila for the browser suite, isolated from the machine's own Jupyter.

Every server gets its own temporary HOME, Jupyter config/data/runtime dirs, JupyterLab
settings dir (with the "Jupyter news?" toast silenced) and IPython dir, binds 127.0.0.1 on a
free port with ``port_retries=0``, and runs in its own process group so that
:func:`stop` can end it and every kernel it started.

Used by ``tests/browser/conftest.py`` and by ``tests/browser/measure_student.py``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--disable-gpu", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_notebooks(dest: Path) -> Path:
    """A private copy of notebooks/ (Lab autosaves what it runs; the repository stays untouched)."""
    shutil.copytree(REPO / "notebooks", dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "source"))
    return dest


def isolated_env(home: Path, *, ipython_startup: str | None = None) -> dict[str, str]:
    """The environment of a server: a fresh HOME and Jupyter dirs, and the repository's labsim first on the path.

    ``ipython_startup`` is Python code that every kernel of this server runs before the
    notebook (an IPython startup file); the self-test uses it to break the panel.
    """
    home.mkdir(parents=True, exist_ok=True)
    settings = home / "lab-settings"
    notification = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True, exist_ok=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IPYTHON", "PYTEST"))}
    env.update(
        HOME=str(home),
        JUPYTER_CONFIG_DIR=str(home / ".jupyter"),
        JUPYTER_DATA_DIR=str(home / ".local" / "share" / "jupyter"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "lab-workspaces"),
        IPYTHONDIR=str(home / ".ipython"),
        MPLCONFIGDIR=str(home / "mpl"),
        PYTHONPATH=os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]),
        BROWSER="true",          # never open a browser window, whatever a config says
    )
    if ipython_startup:
        startup = home / ".ipython" / "profile_default" / "startup" / "00-labsim-test.py"
        startup.parent.mkdir(parents=True, exist_ok=True)
        startup.write_text(ipython_startup)
    return env


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


def start_voila(root: Path, home: Path, *, env: dict | None = None, timeout: float = 60) -> Server:
    """Voila serving the notebooks in ``root`` (tree mode) on 127.0.0.1; tracebacks shown in the page."""
    port = free_port()
    argv = [sys.executable, "-m", "voila", str(root), "--no-browser", "--Voila.ip=127.0.0.1",
            f"--port={port}", "--Voila.port_retries=0", "--show_tracebacks=True"]
    return _launch(argv, root=root, home=home, env=env or isolated_env(home), port=port, token="",
                   probe="/", timeout=timeout)


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (kernels run in sessions of their own, outside its group)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kill(pids: list[int], sig: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def stop(server: Server | subprocess.Popen, grace: float = 20) -> None:
    """Terminate the server's process group; kill it, and any kernel left behind, after ``grace`` seconds."""
    proc = server.proc if isinstance(server, Server) else server
    below = descendants(proc.pid)
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=5)
    deadline = time.monotonic() + 5
    while (left := [p for p in below if Path(f"/proc/{p}").exists() and not _zombie(p)]) and time.monotonic() < deadline:
        _kill(left, signal.SIGTERM)
        time.sleep(0.2)
    _kill([p for p in below if Path(f"/proc/{p}").exists()], signal.SIGKILL)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True
