"""The command line: ``python -m labsim list | run | pcap ...``.

Errors a person can make (an unknown scenario, toggle or value, a malformed SPD file) print
one clear message and exit with status 2, never a traceback.

Other layers add commands without this module importing them: a module listed in
``PLUGINS`` calls :func:`command` (and may add arguments through ``EXTRA_ARGUMENTS``)::

    from labsim.cli import command

    @command("figures", "regenerate figures/", arguments=lambda p: p.add_argument("--out"))
    def cmd_figures(args): ...
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .errors import LabsimError

COMMANDS = {}
EXTRA_ARGUMENTS: dict[str, list] = {}
PLUGINS = ("labsim.viz.cli", "labsim.teaching.cli", "labsim.audit.cli")


def command(name: str, help: str, arguments=None):
    """Register ``fn(args) -> exit status`` as ``python -m labsim NAME``; ``arguments(parser)`` adds its options."""
    def wrap(fn):
        COMMANDS[name] = (fn, help)
        if arguments is not None:
            EXTRA_ARGUMENTS.setdefault(name, []).append(arguments)
        return fn
    return wrap


def parse_sets(pairs: list[str]) -> dict[str, str]:
    toggles = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name or not value:
            raise LabsimError(f"--set takes NAME=VALUE, for example --set dns=honest; got {pair!r}")
        toggles[name.strip()] = value.strip()
    return toggles


def read_policy_files(pairs: list[str], what: str) -> dict[str, str]:
    texts = {}
    for pair in pairs or []:
        host, sep, path = pair.partition("=")
        if not sep:
            raise LabsimError(f"--{what} takes HOST=FILE, for example --{what} host-a=my.{what}; got {pair!r}")
        try:
            texts[host] = Path(path).read_text()
        except OSError as exc:
            raise LabsimError(f"cannot read {what.upper()} file {path!r}: {exc.strerror}") from None
    return texts


def _run_from_args(args):
    from .result import run
    return run(args.scenario, parse_sets(args.set), seed=args.seed,
               spd=read_policy_files(getattr(args, "spd", None), "spd"),
               pad=read_policy_files(getattr(args, "pad", None), "pad"))


@command("list", "the scenarios and their toggles, with defaults")
def cmd_list(args) -> int:
    from .scenarios import get, scenario_ids
    specs = [get(sid) for sid in scenario_ids()]
    if args.json:
        print(json.dumps([{"id": s.id, "title": s.title, "section": s.section, "figure": s.figure,
                           "summary": s.summary,
                           "toggles": [{"name": t.name, "values": list(t.values), "default": t.default,
                                        "help": t.help} for t in s.toggles]} for s in specs], indent=2))
        return 0
    for s in specs:
        where = f"section {s.section}" + (f", figure {s.figure}" if s.figure else "")
        print(f"{s.id:<7} {s.title} ({where})")
        print(f"        {s.summary}")
        for t in s.toggles:
            values = "/".join(f"[{v}]" if v == t.default else v for v in t.values)
            print(f"        --set {t.name}={values}  {t.help}")
        print()
    print("[value] is the default. Example: python -m labsim run fig1 --set dns=honest")
    return 0


@command("run", "play a scenario and print its event list and verdict")
def cmd_run(args) -> int:
    result = _run_from_args(args)
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        print(result.text(), end="")
    return 0


@command("pcap", "write a scenario's packets (real ESP) to a pcap file and its keys beside it")
def cmd_pcap(args) -> int:
    from .pcap import write_pcap
    result = _run_from_args(args)
    try:
        path, keys, count = write_pcap(result, args.file)
    except OSError as exc:
        raise LabsimError(f"cannot write {args.file!r}: {exc.strerror}") from None
    print(f"wrote {count} packets to {path} and the ESP keys to {keys}")
    print(f"decrypt with: tshark -r {path} -o esp.enable_encryption_decode:TRUE "
          f"-o \"uat:esp_sa:$(head -1 {keys})\"")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m labsim",
                                     description="A host-to-host IPsec simulator for the course on "
                                                 "'Experiences with Host-to-Host IPsec'.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (fn, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=fn)
        if name in ("run", "pcap"):
            p.add_argument("scenario", help="basics, fig1 ... fig5 (see `list`)")
            if name == "pcap":
                p.add_argument("file", help="the pcap file to write")
            p.add_argument("--set", action="append", metavar="NAME=VALUE", help="set a toggle (repeatable)")
            p.add_argument("--spd", action="append", metavar="HOST=FILE", help="replace a host's SPD with a file")
            p.add_argument("--pad", action="append", metavar="HOST=FILE", help="replace a host's PAD with a file")
            p.add_argument("--seed", type=int, default=0, help="the random seed (default 0)")
        if name in ("list", "run"):
            p.add_argument("--json", action="store_true", help="print JSON")
        for extra in EXTRA_ARGUMENTS.get(name, ()):
            extra(p)
    return parser



def main(argv: list[str] | None = None) -> int:
    _load_plugins()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except LabsimError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _load_plugins() -> None:
    """Commands that live beside their layer (figures, animate, grade, audit) register here."""
    import importlib
    for module in PLUGINS:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if not (exc.name and module.startswith(exc.name)):
                raise

