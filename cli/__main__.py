"""``python -m whitespot.cli``."""

import sys

from whitespot.cli import main

sys.exit(main())
