"""Pick the importer for a configuration: strongSwan, ip xfrm, or labsim's SPD text.

>>> detect_format("connections {\\n  a { }\\n}\\n", "x")
'strongswan'
>>> detect_format("src 10.1.0.0/16 dst 10.1.0.5/32\\n\\tdir in priority 1\\n", "x")
'xfrm'
>>> detect_format("protect remote 10.1.0.0/16\\n", "x")
'spd'
"""

from __future__ import annotations

import re

from ..errors import ConfigError
from .policy import FORMATS, ImportedPolicy
from .spdtext import import_spd_text
from .strongswan import import_swanctl
from .xfrm import import_xfrm

IMPORTERS = {"strongswan": import_swanctl, "xfrm": import_xfrm, "spd": import_spd_text}


class NothingToAudit(ConfigError):
    """The file is valid but holds no configuration (only comments or blank lines)."""


def is_empty(text: str) -> bool:
    """Only blank lines and ``#`` comments."""
    return all(not line.strip() or line.strip().startswith("#") for line in text.splitlines())


def detect_format(text: str, path: str) -> str:
    """Guess the format from the first line that is not a comment."""
    if is_empty(text):
        raise NothingToAudit(path, None, "nothing to audit: the file holds only comments and blank lines (no "
                                         "connections, no policies)")
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if re.match(r"(src\s|ip\s|Default policies:)", line):
            return "xfrm"
        if re.match(r"(protect|bypass|discard)(\s|$)", line, re.IGNORECASE):
            return "spd"
        if "{" in line or re.match(r"(connections|include)\b", line):
            return "strongswan"
        break
    raise ConfigError(path, None, "cannot tell which kind of configuration this is; say it with --format "
                                  f"{'|'.join(FORMATS)} (strongSwan swanctl.conf, `ip xfrm policy show` output, "
                                  "or labsim SPD text)")


def import_text(text: str, format: str | None = None, path: str = "<text>") -> ImportedPolicy:
    """Import configuration ``text``; ``format`` is strongswan, xfrm or spd (guessed when None)."""
    format = format or detect_format(text, path)
    if is_empty(text):
        raise NothingToAudit(path, None, "nothing to audit: the file holds only comments and blank lines (no "
                                         "connections, no policies)")
    if format not in IMPORTERS:
        raise ConfigError(path, None, f"unknown format {format!r}; choose one of: {', '.join(FORMATS)}")
    return IMPORTERS[format](text, path)


def load_policy(path: str, format: str | None = None) -> ImportedPolicy:
    """Read and import the configuration file at ``path``."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except IsADirectoryError:
        raise ConfigError(str(path), None, "is a directory; give the configuration file inside it") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), None, f"cannot read the file: {getattr(exc, 'strerror', None) or exc}") from None
    return import_text(text, format, str(path))


__all__ = ["load_policy", "import_text", "detect_format", "IMPORTERS", "NothingToAudit", "is_empty"]
