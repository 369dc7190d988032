"""``python -m labsim audit CONFIG``: the auditor on the command line.

The profile comes from ``--profile FILE``, else from ``labsim-profile.toml`` beside CONFIG,
else from defaults; each flag below overrides one setting. A configuration or profile that
cannot be read is an error naming the file and line (exit status 2); ``--fail-on-exposed``
makes any exposed finding exit with status 1 (for CI).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback

from ..cli import command
from ..errors import LabsimError
from ..ipsec.identity import NAME_CHECKS
from .auditor import audit_policy
from .folder import audit_folder
from .importers import NothingToAudit, load_policy
from .policy import FORMATS
from .profile import DNS_AWAY, RESPONDERS, HostProfile, convert
from . import find_profile

#: flag -> (profile field, help); repeatable flags build lists.
FLAGS = {
    "--domain": ("domain", "the organisation's DNS domain (default example.org)"),
    "--ca": ("ca", "the name of the organisation's CA (default Example Corp CA)"),
    "--range": ("ranges", "one of the organisation's address ranges (repeat; default: the PROTECT rules' ranges)"),
    "--host-name": ("host_name", "the audited host's DNS name"),
    "--host-address": ("host_address", "the audited host's IPv4 address"),
    "--host-address6": ("host_address6", "the audited host's IPv6 address"),
    "--dns-server": ("dns_server", "the DNS server the host uses at home"),
    "--dns-away": ("dns_away", "when away: the DNS server the visited network's DHCP names, or the home one"),
    "--name-check": ("name_check", "what the stack does with a peer's certified name (ip xfrm and SPD files)"),
    "--pad": ("pad", "a PAD file in labsim syntax (peer NAME ca \"CA\" addresses A,B)"),
    "--port": ("port", "the TCP port of the service the host connects to (default 80)"),
    "--service-port": ("service_port", "the TCP port the host itself serves (default 445)"),
    "--broadcast-responder": ("broadcast_responders", "a service answering broadcasts in unicast (repeat)"),
    "--private-range": ("private_ranges", "a private range the host may meet away (repeat; default RFC 1918 + ULA)"),
    "--server": ("servers", "a peer the host talks to, NAME=ADDRESS[:PORT] (repeat)"),
}
SWITCHES = {
    "dnssec": "DNS answers are signed and validated (default: no)",
    "mobile": "the host travels to other networks (default: no)",
    "stateful": "the stack falls back to clear and keeps soft SAs, section 7 (default: no)",
    "ipv6": "IPv6 is on (default: yes)",
}
CHOICES = {"--dns-away": DNS_AWAY, "--name-check": NAME_CHECKS, "--broadcast-responder": tuple(RESPONDERS)}
REPEATED = ("--range", "--broadcast-responder", "--private-range", "--server")


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", help="swanctl.conf, `ip xfrm policy show` output, or labsim SPD text; or a folder "
                                       "of hosts' configurations (one line per host and problem)")
    parser.add_argument("--format", choices=FORMATS, help="the configuration's kind (guessed when omitted)")
    parser.add_argument("--profile", metavar="FILE", help="a TOML host profile (default: labsim-profile.toml "
                                                          "beside CONFIG, if there is one)")
    parser.add_argument("--no-profile", action="store_true", help="ignore labsim-profile.toml beside CONFIG")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--no-events", action="store_true", help="with --json, leave out the counterexamples' traces")
    parser.add_argument("--static", action="store_true", help="reason only; run no counterexample (claims nothing)")
    parser.add_argument("--fail-on-exposed", action="store_true", help="exit with status 1 if any problem is exposed")
    parser.add_argument("--seed", type=int, default=0, help="the random seed of the counterexample runs (default 0)")
    group = parser.add_argument_group("host profile (each overrides one setting of the profile)")
    for flag, (field, help_text) in FLAGS.items():
        kwargs = {"metavar": field.upper().rstrip("S") if flag in REPEATED else field.upper(), "help": help_text,
                  "dest": "set_" + field}
        if flag in REPEATED:
            kwargs["action"] = "append"
        if flag in CHOICES:
            kwargs["choices"] = CHOICES[flag]
            kwargs.pop("metavar")
        group.add_argument(flag, **kwargs)
    for name, help_text in SWITCHES.items():
        group.add_argument(f"--{name}", action=argparse.BooleanOptionalAction, default=None, help=help_text,
                           dest="set_" + name)


def profile_from_args(args, config: str | None = None) -> HostProfile:
    """The TOML profile (given or found beside the config), then every flag that was given."""
    path = args.profile or (None if args.no_profile else find_profile(config or args.config))
    profile = HostProfile.from_toml(path) if path else HostProfile()
    values = {}
    for key, value in vars(args).items():
        if not key.startswith("set_") or value is None:
            continue
        field = key[4:]
        try:
            values[field] = convert(field, value, profile.port)
        except (ValueError, TypeError) as exc:
            flag = next((f for f, (name, _) in FLAGS.items() if name == field), f"--{field}")
            raise LabsimError(f"{flag}: {exc}") from None
    return profile.with_values(values, "flag") if values else profile


#: Exit statuses: 0 done, 1 exposed (with --fail-on-exposed), 2 bad input (file and line named),
#: 3 an unexpected error inside the auditor (a bug: report it), so CI can tell them apart.
EXIT_INTERNAL = 3
#: The output was cut (the reader of a pipe stopped): 128 + SIGPIPE, as a shell reports it.
EXIT_PIPE = 141


@command("audit", "audit a real IPsec configuration for the paper's problems 1a-5b", arguments=_arguments)
def cmd_audit(args) -> int:
    try:
        return _audit(args)
    except NothingToAudit as exc:   # valid and empty: not an error, and nothing exposed
        print(f"{exc}")
        return 0
    except BrokenPipeError:   # the reader (| head) stopped reading: no verdict was delivered
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_PIPE
    except LabsimError:
        raise
    except Exception as exc:   # a bug, not a finding: never the status --fail-on-exposed uses
        where = traceback.extract_tb(exc.__traceback__)[-1]
        print(f"error: internal error while auditing {args.config}: {type(exc).__name__}: {exc} "
              f"(at {os.path.basename(where.filename)}:{where.lineno}); this is a bug in labsim audit, not a finding "
              f"about the configuration (exit status {EXIT_INTERNAL})", file=sys.stderr)
        return EXIT_INTERNAL


def _audit(args) -> int:
    if not os.path.exists(args.config):
        raise LabsimError(f"{args.config}: no such file")
    if os.path.isdir(args.config):
        if args.json:
            raise LabsimError("--json audits one file; a folder gives one line per host and problem")

        def profile_for(path):
            return profile_from_args(args, path)
        return audit_folder(args, profile_for)
    report = audit_policy(load_policy(args.config, args.format), profile_from_args(args), seed=args.seed,
                          run=not args.static)
    if args.json:
        print(json.dumps(report.to_json(events=not args.no_events), indent=2))
    else:
        print(report.text())
    return 1 if args.fail_on_exposed and report.exposed else 0


__all__ = ["cmd_audit", "profile_from_args", "EXIT_INTERNAL"]
