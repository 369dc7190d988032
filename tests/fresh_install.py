"""Helpers for the tests that install the course from scratch and start Jupyter servers.

A copy of the repository as a clone has it (no virtual environments, caches or build
droppings), fresh virtual environments, an environment for Jupyter processes that shares
nothing with the machine's own Jupyter (HOME, config, data, runtime, settings and IPython
dirs), and a stop that ends a server's process group and any kernel it left behind.
Used by tests/test_binder.py, tests/test_readme_commands.py and tests/browser/.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOT_IN_A_CLONE = (".git", ".venv", "venv", "__pycache__", "*.egg-info", ".hypothesis", ".pytest_cache",
                  "build", "dist", ".ipynb_checkpoints", "screenshots")
NESTED = "LABSIM_NESTED_TEST_RUN"
"""Set in the environment of a test run started by a test (the README's test command run by
tests/test_readme_commands.py): the tests that install the course again skip there."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_repo(dest: Path) -> Path:
    """The repository's files as a fresh clone has them (work in progress included), at ``dest``."""
    shutil.copytree(REPO, dest, ignore=shutil.ignore_patterns(*NOT_IN_A_CLONE), symlinks=True)
    return dest


def make_venv(where: Path) -> Path:
    """A fresh virtual environment made by the system's python3 (as the README does); its python."""
    python3 = shutil.which("python3") or sys.executable
    subprocess.run([python3, "-m", "venv", str(where)], check=True)
    return where / "bin" / "python"


def isolated_env(home: Path, *, repo_on_path: bool = True, ipython_startup: str | None = None) -> dict[str, str]:
    """The environment of a Jupyter process: a fresh HOME and Jupyter dirs, nothing inherited from the machine's.

    ``repo_on_path`` puts this repository first on PYTHONPATH, so kernels import the labsim
    under test whatever the environment has installed. ``ipython_startup`` is Python code that
    every kernel runs before the notebook (an IPython startup file); the browser suite's
    self-test uses it to break the panel.
    """
    home.mkdir(parents=True, exist_ok=True)
    settings = home / "lab-settings"
    notification = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True, exist_ok=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER", "IPYTHON", "PYTEST", "VIRTUAL_ENV", "PYTHONPATH"))}
    env.update(
        HOME=str(home),
        JUPYTER_CONFIG_DIR=str(home / ".jupyter"),
        JUPYTER_DATA_DIR=str(home / ".local" / "share" / "jupyter"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "lab-workspaces"),
        IPYTHONDIR=str(home / ".ipython"),
        MPLCONFIGDIR=str(home / "mpl"),
        BROWSER="true",          # never open a browser window, whatever a config says
    )
    if repo_on_path:
        env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])
    if ipython_startup:
        startup = home / ".ipython" / "profile_default" / "startup" / "00-labsim-test.py"
        startup.parent.mkdir(parents=True, exist_ok=True)
        startup.write_text(ipython_startup)
    return env


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


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _signal(pids: list[int], sig: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def stop(proc: subprocess.Popen, grace: float = 20) -> None:
    """Terminate ``proc``'s process group (started with start_new_session=True); kill it after ``grace`` s.

    Kernels that the server started in sessions of their own get the same treatment.
    """
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
    while (left := [p for p in below if _alive(p)]) and time.monotonic() < deadline:
        _signal(left, signal.SIGTERM)
        time.sleep(0.2)
    _signal([p for p in below if _alive(p)], signal.SIGKILL)
