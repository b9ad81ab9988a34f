"""``python -m whitespot.cli``."""

import sys

from whitespot.cli.main import main

sys.exit(main())
