"""``python -m labsim``: see :mod:`labsim.cli`."""

import sys

from .cli import main

sys.exit(main())
