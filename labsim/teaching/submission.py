"""Run a student's notebook and read what it answered, without trusting anything it prints.

:func:`run_submission` executes a notebook in a fresh kernel, in a temporary folder of its own
(working folder and ``HOME``), with an audit hook (:data:`SANDBOX`) installed before the first
cell. After each cell that calls ``qN.check(...)`` it asks the kernel for the check's arguments
through the Jupyter protocol's ``user_expressions`` (a reply to the grader's own request, which
nothing a cell prints can reach), as plain values (:func:`decode`). After the last cell, a probe
lists where each labsim function the kernel holds was defined; :func:`compare_probes` compares
that with the grader's own fresh import. :func:`tampering_in` reads the cells' code for
statements that patch an exercise or labsim. Judging the answers is :mod:`labsim.teaching.grade`'s.
"""

from __future__ import annotations

import ast
import json
import os
import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path

CHECK_ID = re.compile(r"^q\d+$")


def _python(code: str):
    """The cell's code as a Python syntax tree (IPython magics turned into calls), or None."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        code = TransformerManager().transform_cell(code)
    except Exception:   # noqa: BLE001 - IPython's transformer is best effort
        pass
    try:
        return ast.parse(code)
    except (SyntaxError, ValueError):
        return None


def check_calls(code: str) -> list[tuple[str, str]]:
    """``[(exercise, its arguments as source text)]`` for each top-level ``qN.check(...)`` statement of a cell.

    >>> check_calls('answer = 1\\nq1.check(answer)\\nprint("[q2] Correct.")  # q2.check(x)\\nq3.check(a, why=b)')
    [('q1', 'answer'), ('q3', 'a, why=b')]
    """
    tree = _python(code)
    found = []
    for stmt in tree.body if tree else []:
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "check"
                and isinstance(call.func.value, ast.Name) and CHECK_ID.match(call.func.value.id)):
            arguments = [ast.unparse(a) for a in call.args] + [
                f"{k.arg}={ast.unparse(k.value)}" if k.arg else f"**{ast.unparse(k.value)}" for k in call.keywords]
            found.append((call.func.value.id, ", ".join(arguments)))
    return found


def arguments_value(value) -> tuple[tuple, dict]:
    """The ``(args, kwargs)`` a recorded answer holds, checked for shape."""
    if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], tuple)
            and isinstance(value[1], dict) and all(isinstance(k, str) for k in value[1])):
        raise ValueError("not the arguments of a check")
    return value


# --- tampering seen in the code ---------------------------------------------------------------


def tampering_in(cells: list[str], exercises: list[str]) -> list[str]:
    """Statements of the submission that replace or patch an exercise, its check or labsim.

    >>> tampering_in(['q1.check = lambda a: print("[q1] Correct.")', 'import labsim\\nlabsim.run = None'], ["q1"])
    ['cell 1 assigns q1.check', 'cell 2 assigns labsim.run']
    """
    found = []
    for number, code in enumerate(cells, start=1):
        tree = _python(code)
        if tree is None:
            continue
        guarded = set(exercises) | {"labsim"}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
                if any(n and (n.startswith("unittest.mock") or n == "mock" or n == "unittest" and
                              any(a.name == "mock" for a in node.names)) for n in names):
                    found.append(f"cell {number} imports unittest.mock")
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("labsim"):
                    guarded |= {a.asname or a.name for a in node.names}
                if isinstance(node, ast.Import):
                    guarded |= {a.asname or a.name.split(".")[0] for a in node.names if a.name.startswith("labsim")}
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
                targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                for t in (target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]):
                    root = _root(t)
                    if isinstance(t, (ast.Attribute, ast.Subscript)) and root in guarded:
                        found.append(f"cell {number} {'deletes' if isinstance(node, ast.Delete) else 'assigns'} "
                                     f"{ast.unparse(t)}")
                    elif isinstance(t, ast.Name) and t.id in exercises:
                        found.append(f"cell {number} rebinds {t.id}")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in (
                    "setattr", "delattr") and node.args and _root(node.args[0]) in guarded:
                found.append(f"cell {number} calls {node.func.id} on {ast.unparse(node.args[0])}")
            if isinstance(node, ast.Attribute) and node.attr in ("__code__", "__dict__", "__class__") and \
                    _root(node) in guarded:
                found.append(f"cell {number} reaches into {ast.unparse(node)}")
    return list(dict.fromkeys(found))


def _root(node) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.value if not isinstance(node, ast.Call) else node.func
    return node.id if isinstance(node, ast.Name) else None


# --- tampering seen in the kernel --------------------------------------------------------------

#: Run in the kernel after the last cell: where each labsim function the kernel holds was defined.
_PROBE = '''
def {name}():
    import sys, types
    out = {{}}
    def where(value):
        code = getattr(value, "__code__", None)
        return f"{{code.co_filename}}:{{code.co_firstlineno}}:{{getattr(value, '__qualname__', '')}}" if code else None
    for modname, mod in list(sys.modules.items()):
        if mod is None or not (modname == "labsim" or modname.startswith("labsim.")):
            continue
        for attr, value in list(vars(mod).items()):
            if isinstance(value, types.FunctionType):
                out[f"{{modname}}.{{attr}}"] = where(value)
            elif isinstance(value, type) and (value.__module__ or "").startswith("labsim"):
                for key, member in list(vars(value).items()):
                    if isinstance(member, (types.FunctionType, staticmethod, classmethod)):
                        out[f"{{modname}}.{{attr}}.{{key}}"] = where(getattr(member, "__func__", member))
                    elif isinstance(member, property):
                        out[f"{{modname}}.{{attr}}.{{key}}"] = where(member.fget)
            elif type(value).__module__.startswith("labsim.teaching"):
                for key, member in list(vars(value).items()):
                    if callable(member):
                        out[f"{{modname}}.{{attr}}.{{key}}"] = where(member) or repr(type(member))
    user = sys.modules["__main__"].__dict__
    for q, (modname, attr) in {exercises!r}.items():
        mod = sys.modules.get(modname)
        if q in user and (mod is None or user[q] is not getattr(mod, attr, None)):
            out[f"the notebook's {{q}}"] = "replaced"
    import json
    return json.dumps({{"modules": sorted(m for m in sys.modules if m == "labsim" or m.startswith("labsim.")),
                       "where": out}})
'''

#: Defined in the kernel before each answer is read: the answer as tagged JSON (plain values only).
_ENCODER = '''
def {name}(value):
    import json
    def enc(v):
        if v is ... : return {{"ellipsis": True}}
        if v is None or type(v) in (bool, int, float, str): return {{"value": v}}
        if type(v) in (list, tuple, set, frozenset): return {{type(v).__name__: [enc(x) for x in v]}}
        if type(v) is dict: return {{"dict": [[enc(k), enc(x)] for k, x in v.items()]}}
        raise TypeError(f"an answer must be a plain value (text, number, list, set, dict), not {{type(v).__name__}}")
    return json.dumps(enc(value))
'''


def decode(data):
    """The plain value of one tagged answer (the inverse of the kernel's encoder).

    >>> decode({"dict": [[{"value": "dns"}, {"value": "honest"}]]}), decode({"set": [{"value": "a"}]})
    ({'dns': 'honest'}, {'a'})
    """
    (kind, inner), = data.items()
    if kind == "ellipsis":
        return ...
    if kind == "value":
        if inner is not None and type(inner) not in (bool, int, float, str):
            raise ValueError("not a plain value")
        return inner
    if kind in ("list", "tuple", "set", "frozenset"):
        return {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[kind](decode(x) for x in inner)
    if kind == "dict":
        return {decode(k): decode(v) for k, v in inner}
    raise ValueError(f"unknown answer kind {kind!r}")


def grader_probe(modules: list[str]) -> dict[str, str]:
    """The same map as the kernel's probe, computed in the grader's process (fresh imports)."""
    import importlib
    for name in modules:
        if re.fullmatch(r"labsim(\.\w+)*", name):
            try:
                importlib.import_module(name)
            except Exception:   # noqa: BLE001 - a module the kernel invented is compared as missing
                pass
    namespace: dict = {}
    exec(_PROBE.format(name="probe", exercises={}), namespace)   # noqa: S102 - our own text
    return json.loads(namespace["probe"]())["where"]


def compare_probes(kernel: dict, mine: dict) -> list[str]:
    """What the kernel's labsim holds that the installed labsim does not define that way."""
    found = []
    for key, where in sorted(kernel.items()):
        if key.startswith("the notebook's"):
            found.append(f"{key} was {where}")
        elif mine.get(key) != where:
            by = str(where).split(":")[0] if where else where
            if where and ("ipykernel_" in where or where.startswith("<")):
                by = "by the submission's code"
            found.append(f"{key} was replaced ({by})" if key in mine else f"{key} was added ({by})")
    modules = {k.rsplit(".", 1)[0] for k in kernel}
    for key in sorted(set(mine) - set(kernel)):
        if key.rsplit(".", 1)[0] in modules:
            found.append(f"{key} was deleted")
    return found


# --- running a submission ----------------------------------------------------------------------

#: Installed in the kernel (an IPython startup file) before the first cell: an audit hook, which
#: Python cannot remove, that refuses writes outside the folder, new processes and signals to others.
SANDBOX = '''
import os as _os, sys as _sys
def _labsim_sandbox(root=_os.path.realpath({root!r})):
    import os
    WRITE = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
    PATHS = {{"os.remove": 1, "os.rmdir": 1, "os.rename": 2, "os.mkdir": 1, "os.truncate": 1, "os.chmod": 1,
             "os.chown": 1, "os.link": 2, "os.symlink": 2, "os.utime": 1, "shutil.rmtree": 1, "shutil.move": 2,
             "shutil.copyfile": 2, "shutil.copytree": 2, "os.chflags": 1, "os.lchown": 1, "os.mknod": 1,
             "os.mkfifo": 1}}
    NEVER = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
             "pty.spawn", "os.startfile")
    def inside(path):
        if isinstance(path, int):
            return True
        real = os.path.realpath(os.fsdecode(path))
        return real == root or real.startswith(root + os.sep) or real == "/dev/null"
    def hook(event, args):
        if event == "open" and args and args[0] is not None:
            path, mode, flags = (tuple(args) + (None, 0))[:3]
            writing = bool((flags or 0) & WRITE) if mode is None else any(c in str(mode) for c in "wax+")
            if writing and not inside(path):
                raise PermissionError(f"labsim grade: a submission may not write outside its folder: {{path}}")
        elif event in PATHS:
            for path in args[:PATHS[event]]:
                if isinstance(path, (str, bytes, os.PathLike)) and not inside(path):
                    raise PermissionError(f"labsim grade: a submission may not change files outside its folder: "
                                          f"{{path}}")
        elif event in NEVER:
            raise PermissionError(f"labsim grade: a submission may not start processes ({{event}})")
        elif event in ("os.kill", "os.killpg") and args and args[0] not in (os.getpid(), 0):
            raise PermissionError(f"labsim grade: a submission may not signal other processes ({{event}})")
    _sys.addaudithook(hook)
_labsim_sandbox()
del _labsim_sandbox, _os, _sys
'''


def _sandbox(folder: Path) -> dict[str, str]:
    """The kernel's environment: HOME and every per-user folder inside ``folder``; the hook as a startup file."""
    ipython = folder / ".ipython"
    startup = ipython / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-labsim-grade-sandbox.py").write_text(SANDBOX.format(root=str(folder)))
    env = dict(os.environ)
    env.update({
        "HOME": str(folder), "IPYTHONDIR": str(ipython), "TMPDIR": str(folder / "tmp"),
        "MPLCONFIGDIR": str(folder / ".matplotlib"), "XDG_CACHE_HOME": str(folder / ".cache"),
        "XDG_CONFIG_HOME": str(folder / ".config"), "XDG_DATA_HOME": str(folder / ".local"),
        "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg",
    })
    (folder / "tmp").mkdir()
    return env


def _ask(client, code: str, expressions: dict[str, str]) -> dict:
    """Run ``code`` silently and return the kernel's ``user_expressions`` (the grader's own channel)."""
    msg_id = client.kc.execute(code, silent=True, store_history=False, user_expressions=expressions,
                               stop_on_error=False)
    reply = client.wait_for_reply(msg_id)
    return (reply or {}).get("content", {}).get("user_expressions", {}) or {}


def _text(result: dict) -> str | None:
    if not result or result.get("status") != "ok":
        return None
    try:
        return ast.literal_eval(result.get("data", {}).get("text/plain", ""))
    except (ValueError, SyntaxError):
        return None


def _error_of(cell) -> str | None:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return f"{out.get('ename')}: {out.get('evalue')}"
    return None


def run_submission(nb, exercises: dict[str, tuple[str, str]], timeout: float) -> tuple[dict, dict, dict, str | None]:
    """Execute ``nb`` sandboxed; return (answers, cell errors, kernel probe, fatal error).

    ``exercises`` maps each exercise the course has (q1) to where it is defined
    (``("labsim.teaching.nb03", "q1")``); only their check cells are read.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    answers: dict[str, tuple[str | None, str | None]] = {}   # q -> (encoded answer, why not)
    errors: dict[str, str] = {}
    probe: dict = {}
    fatal = None
    folder = Path(tempfile.mkdtemp(prefix="labsim-grade-"))
    started = time.monotonic()
    try:
        env = _sandbox(folder)
        client = NotebookClient(nb, timeout=int(timeout), kernel_name="python3", allow_errors=True,
                                record_timing=False, resources={"metadata": {"path": str(folder)}},
                                timeout_func=lambda cell: max(1, int(timeout - (time.monotonic() - started))))
        with client.setup_kernel(env=env, cwd=str(folder)):
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                try:
                    client.execute_cell(cell, index)
                except CellTimeoutError:
                    fatal = f"timed out after {timeout:.0f} s (cell {index + 1} was still running)"
                    break
                except DeadKernelError:
                    fatal = f"the kernel died while running cell {index + 1}"
                    break
                calls = {q: expr for q, expr in check_calls(cell.source) if q in exercises}
                if not calls:
                    continue
                error = _error_of(cell)
                for q in calls:
                    errors.pop(q, None)
                    if error:
                        errors[q] = error
                encoder = f"_labsim_answer_{secrets.token_hex(8)}"
                asked = {q: f"{encoder}((lambda *a, **k: (a, k))({expr}))" for q, expr in calls.items()}
                replies = _ask(client, _ENCODER.format(name=encoder), asked)
                for q in calls:
                    reply = replies.get(q, {})
                    text = _text(reply)
                    why = None if text is not None else (
                        f"{reply.get('ename')}: {reply.get('evalue')}" if reply.get("status") == "error"
                        else "the kernel gave no value")
                    answers[q] = (text, why)
            if fatal is None:
                name = f"_labsim_probe_{secrets.token_hex(8)}"
                reply = _ask(client, _PROBE.format(name=name, exercises=exercises), {"probe": f"{name}()"})
                text = _text(reply.get("probe", {}))
                try:
                    probe = json.loads(text) if text else {"error": "the kernel did not answer the probe"}
                except ValueError:
                    probe = {"error": "the kernel's answer to the probe is unreadable"}
    except (CellTimeoutError, DeadKernelError, RuntimeError, TimeoutError) as exc:
        fatal = fatal or f"the kernel failed: {exc}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return answers, errors, probe, fatal
