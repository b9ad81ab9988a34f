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

import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from whitespot import __version__

EXIT_INTERRUPTED = 130
"""Ctrl-C (128 + SIGINT), as shells report it."""

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``whitespot`` command (:func:`whitespot.cli._main.main`); return its exit code.

    The command's modules (pandas, geopandas, folium ...) take seconds to load, and a
    KeyboardInterrupt raised inside a library's import is not always an interrupt: compiled
    code that swallows errors while it registers its types drops it (the demo then ran to
    the end, exit 0, in 2 of 90 tries at 0.2-0.5 s). A Ctrl-C while they load is held until
    they are loaded, then ends the command quietly with 130 and nothing written, as it does
    later.
    """
    arguments = sys.argv[1:] if argv is None else list(argv)
    if arguments == ["--version"]:  # at once, without loading the command's modules
        print(f"whitespot {__version__}")
        return 0
    with _interrupts_held() as came:
        from whitespot.cli._main import main as run  # noqa: PLC0415 - loaded with Ctrl-C held
    if came:
        return _interrupted()
    try:
        return run(arguments)
    except KeyboardInterrupt:
        forget_interrupt()
        return _interrupted()


def _interrupted() -> int:
    print("interrupted: nothing was written", file=sys.stderr)
    return EXIT_INTERRUPTED


@contextmanager
def _interrupts_held() -> Iterator[list[int]]:
    """Hold Ctrl-C (SIGINT) while the block runs; the list it gives holds those that came.

    Only the main thread can set a signal handler; elsewhere nothing is held.
    """
    came: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield came
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: came.append(signum))
    try:
        yield came
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler if previous is None else previous)


def forget_interrupt() -> None:
    """Tell CPython that the Ctrl-C just caught was handled, so that 130 stands.

    CPython 3.11 marks a KeyboardInterrupt that leaves code run from a string (``exec`` of
    source text: dataclasses, Cython and scipy build code that way while they load) as
    unhandled, even when it is caught later, and at exit kills the process with SIGINT
    instead of returning the code (seen: -2 instead of 130 in 1 of 4 interrupts at 0.8 s).
    Running any string clears the mark, as every such run does first.
    """
    exec("")  # an empty string: clears the mark, runs nothing
