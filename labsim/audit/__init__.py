"""Audit a real host-to-host IPsec policy for the attack classes of "Experiences with Host-to-Host IPsec".

This first part imports configurations into labsim's model: strongSwan ``swanctl.conf``,
``ip xfrm policy show`` output, and labsim SPD text (:func:`load_policy`).
"""

from __future__ import annotations

from .importers import detect_format, import_text, load_policy
from .policy import ImportedPolicy

__all__ = ["load_policy", "import_text", "detect_format", "ImportedPolicy"]
