"""Where a command writes, checked before anything is read: never over an input, names that fit.

An output never replaces an input: ``--out`` that is (through links, relative paths or the
files of a package) one of the command's input files is refused with exit 2, naming the
option and the path. A name longer than the file system allows is refused the same way,
naming the limit.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from whitespot.report._package import OLD_PACKAGE_FILES

INPUT_OPTIONS = (
    "villages",
    "towers",
    "households",
    "grid",
    "dem",
    "communes",
    "measurements",
    "calibration",
    "candidates",
    "previous",
    "gaps",
    "sites",
)
"""Options that name files a command reads (``sample --villages 300`` is a count: skipped)."""

FOLDER_OUTPUTS = ("report",)
"""Commands whose ``--out`` is a package folder whose files (``OLD_PACKAGE_FILES``) it replaces."""
FOLDER_COMMANDS = ("demo", "report", "sample")
"""Commands whose ``--out`` is a folder."""
SIDE_TABLE_OUTPUTS = ("gaps", "plan")
"""Commands that write ``<stem>_<table>.csv`` (and ``<stem>_households``) beside ``--out``
(every format but ``.xlsx``)."""

DEFAULT_NAME_MAX = 255
"""Bytes of one name where the file system does not say (ext4, NTFS, APFS)."""


def output_problem(args: argparse.Namespace) -> str | None:
    """Return the one-line reason the command's ``--out`` cannot be written, or None."""
    out = getattr(args, "out", None)
    if out is None:
        return None
    problem = name_too_long(out) or _replaced_input(args, out)
    if problem is None and args.command in FOLDER_COMMANDS and os.path.isfile(out):
        problem = f"--out {out} is a file, not a folder: give a folder for the outputs"
    return problem


def name_max(path: str | os.PathLike) -> int:
    """Bytes allowed in one name on the file system of `path` (its nearest existing folder)."""
    for folder in (Path(path), *Path(path).parents):
        if os.path.isdir(folder):  # False, not an error, for a name too long
            try:
                return os.pathconf(folder, "PC_NAME_MAX")
            except (OSError, ValueError, AttributeError):
                break
    return DEFAULT_NAME_MAX


def name_too_long(out: str) -> str | None:
    """Return the one-line reason a name in `out` is longer than its file system allows."""
    limit = name_max(Path(out).absolute())
    for name in Path(out).parts:
        size = len(os.fsencode(name))
        if size > limit:
            shown = name if len(name) <= 24 else f"{name[:12]}…{name[-8:]}"
            return (
                f"--out {shown}: a name of {size} bytes; names on this file system are at most "
                f"{limit} bytes (UTF-8: a Vietnamese letter takes 2-3), shorten it"
            )
    return None


def _replaced_input(args: argparse.Namespace, out: str) -> str | None:
    """Name the input the output would replace, if any."""
    real_out = Path(os.path.realpath(out))
    for option in INPUT_OPTIONS:
        value = getattr(args, option, None)
        if not isinstance(value, str) or not value:
            continue
        real = Path(os.path.realpath(value))
        flag = f"--{option}"
        if real == real_out or _same_file(value, out):
            return (
                f"--out {out} is the {flag} file {value}: an output never replaces an input; "
                "write the output to another name"
            )
        if args.command in FOLDER_OUTPUTS and real.parent == real_out:
            if real.name in OLD_PACKAGE_FILES:
                return (
                    f"{flag} {value} is the package's {real.name} inside --out {out}, which "
                    "this run replaces: copy it to its own folder (e.g. "
                    f"{Path(out) / 'round-1'}) and pass that, or write to another folder"
                )
        elif _is_side_table(args.command, real, real_out):
            return (
                f"--out {out} would replace {value} (written beside it as {real.name}), the "
                f"{flag} input: an output never replaces an input; write the output to "
                "another name"
            )
    return None


def _is_side_table(command: str, real: Path, real_out: Path) -> bool:
    """Whether `real` is a file the command writes beside its main output."""
    return (
        command in SIDE_TABLE_OUTPUTS
        and real_out.suffix.lower() != ".xlsx"
        and real.parent == real_out.parent
        and real.name.startswith(f"{real_out.stem}_")
    )


def _same_file(first: str, second: str) -> bool:
    """Whether both paths name one file (a case-insensitive file system, a hard link)."""
    try:
        return os.path.samefile(first, second)
    except OSError:  # one is missing or unreadable: not the same file
        return False
