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

from whitespot.cli.main import main

__all__ = ["main"]
