"""Commands of the drawing layer: ``python -m labsim figures`` and ``python -m labsim animate``.

This module is imported by every ``python -m labsim`` call, so it imports nothing heavy at
module level: matplotlib loads only when one of these commands runs.
"""

from __future__ import annotations

from pathlib import Path

from labsim.cli import command, parse_sets, read_policy_files
from labsim.errors import LabsimError


def _figures_arguments(parser) -> None:
    parser.add_argument("--out", default="figures", metavar="DIR",
                        help="where to write fig1.png, fig1.svg ... and README.md (default: figures)")


@command("figures", "regenerate the paper's figures 1-5 (PNG and SVG) and their alt text",
         arguments=_figures_arguments)
def cmd_figures(args) -> int:
    from .figures import figure_scenarios, write_figures
    try:
        written = write_figures(args.out)
    except OSError as exc:
        raise LabsimError(f"cannot write figures to {args.out!r}: {exc.strerror}") from None
    numbers = ", ".join(str(n) for n in figure_scenarios())
    print(f"wrote {len(written)} files to {args.out}/ (figures {numbers}, and README.md with their alt text)")
    return 0


def _animate_arguments(parser) -> None:
    parser.add_argument("scenario", help="basics, fig1 ... fig5 (see `list`)")
    parser.add_argument("out", metavar="OUT.html", help="the HTML file to write")
    parser.add_argument("--set", action="append", metavar="NAME=VALUE", help="set a toggle (repeatable)")
    parser.add_argument("--spd", action="append", metavar="HOST=FILE", help="replace a host's SPD with a file")
    parser.add_argument("--pad", action="append", metavar="HOST=FILE", help="replace a host's PAD with a file")
    parser.add_argument("--seed", type=int, default=0, help="the random seed (default 0)")
    parser.add_argument("--autoplay", action="store_true", help="play the run once when the page opens")
    parser.add_argument("--speed", type=float, default=1.0, help="playing speed (default 1.0; 2 is twice as fast)")


@command("animate", "write a run as one self-contained HTML page that animates it (for slides and web pages)",
         arguments=_animate_arguments)
def cmd_animate(args) -> int:
    from labsim.result import run

    from .player import animation_document
    if args.speed <= 0:
        raise LabsimError(f"--speed must be above 0, for example --speed 2; got {args.speed}")
    result = run(args.scenario, parse_sets(args.set), seed=args.seed, spd=read_policy_files(args.spd, "spd"),
                 pad=read_policy_files(args.pad, "pad"))
    page = animation_document(result, autoplay=args.autoplay, speed=args.speed)
    try:
        Path(args.out).write_text(page, encoding="utf-8")
    except OSError as exc:
        raise LabsimError(f"cannot write {args.out!r}: {exc.strerror}") from None
    print(f"wrote {args.out} ({len(page.encode()):,} bytes, {len(result.events)} events): {result.banner()}")
    return 0
