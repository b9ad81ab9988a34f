"""The ``whitespot`` command line: thin wrappers over the public API.

Exit codes
----------
0
    Success.
1
    An input file is invalid (the message lists the problems, with layer, column and ids).
2
    The command line is wrong (unknown command or option, missing argument).
3
    A file cannot be found, read or written.
4
    An unexpected internal error; rerun with ``--debug`` for the traceback and report it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

EXIT_INTERRUPTED = 130
"""Ctrl-C (128 + SIGINT), as shells report it."""

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``whitespot`` command (:func:`whitespot.cli.main.main`); return its exit code.

    The command's modules (pandas, geopandas, folium ...) take seconds to load: a Ctrl-C
    while they load ends quietly with 130 and nothing written, as it does later.
    """
    try:
        from whitespot.cli.main import main as run  # noqa: PLC0415 - Ctrl-C while loading

        return run(argv)
    except KeyboardInterrupt:
        print("interrupted: nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
