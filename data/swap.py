"""Put a folder of outputs in place whole: the older one or the newer one, never a mix.

A package (a department's submission: workbook, CSV files, map, summary) is written into a
new hidden folder beside its destination, then swapped in by one atomic rename: Linux's
``renameat2(RENAME_EXCHANGE)`` exchanges the two folders in one step; elsewhere the older
folder is renamed away and the new one renamed in, and a run killed between the two
renames is repaired by the next one (the older folder is put back). Ctrl-C and SIGTERM are
deferred while the folders are swapped, whichever thread the signal reaches. Files in the
destination that are not part of the package (the user's own) are carried over.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterable, Iterator
from os import PathLike
from pathlib import Path

NEW_MARK = ".whitespot-new-"
OLD_MARK = ".whitespot-old-"
"""Hidden sibling folders: a package being written, an older package being removed."""

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


@contextlib.contextmanager
def staged_folder(folder: str | PathLike, *, replaces: Iterable[str]) -> Iterator[Path]:
    """Yield an empty folder beside `folder`; swap it in whole if the block succeeds.

    A block that raises or is interrupted leaves `folder` as it was; once the swap is
    done, the older folder is removed.

    Parameters
    ----------
    folder : path-like
        The destination folder; created if needed.
    replaces : iterable of str
        Names that belong to the output (an older package's files): not carried over from
        the older folder. Everything else in it is carried over (hard links where the
        file system allows, copies elsewhere).
    """
    target = Path(folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    repair(target)
    if target.exists() and not target.is_dir():
        raise FileExistsError(errno.EEXIST, "a file is in the way of the folder", str(target))
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}{NEW_MARK}", dir=target.parent))
    try:
        yield staging
        if target.exists():
            _carry_over(target, staging, set(replaces))
        with signals_deferred():
            try:
                _swap_in(staging, target)
            except OSError as error:  # named by the destination, which is as it was
                raise OSError(
                    error.errno, f"{error.strerror}; the folder is unchanged", str(target)
                ) from error
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # after a swap, the older folder


def repair(target: Path) -> None:
    """Put back an older folder left renamed away by a run killed mid-swap; drop leftovers.

    Leftovers are the hidden folders of runs killed while writing or while removing an
    older folder: two runs writing one destination at once are not supported.
    """
    older = sorted(target.parent.glob(f".{target.name}{OLD_MARK}*"))
    if not target.exists() and older:
        os.rename(older[-1], target)
        older = older[:-1]
    for leftover in [*older, *target.parent.glob(f".{target.name}{NEW_MARK}*")]:
        shutil.rmtree(leftover, ignore_errors=True)


def _carry_over(target: Path, staging: Path, replaces: set[str]) -> None:
    """Link (or copy) into `staging` what `target` holds beside the output's own files."""
    for entry in sorted(target.iterdir()):
        if entry.name in replaces or (staging / entry.name).exists():
            continue
        if entry.is_dir():
            shutil.copytree(entry, staging / entry.name, copy_function=_link_or_copy)
        else:
            _link_or_copy(entry, staging / entry.name)


def _link_or_copy(source: str | PathLike, destination: str | PathLike) -> None:
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def _swap_in(staging: Path, target: Path) -> None:
    """Rename `staging` onto `target`; after it, `staging` holds the older folder (if any)."""
    if not target.exists():
        os.rename(staging, target)
        return
    if _exchange(staging, target):
        return
    older = Path(tempfile.mkdtemp(prefix=f".{target.name}{OLD_MARK}", dir=target.parent))
    os.rmdir(older)
    os.rename(target, older)  # killed here: the next run puts `older` back (repair)
    try:
        os.rename(staging, target)
    except OSError:
        os.rename(older, target)
        raise
    os.rename(older, staging)


def _exchange(first: Path, second: Path) -> bool:
    """Exchange two paths in one atomic step (Linux renameat2); False where unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    done = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EXDEV):
        return False  # the file system cannot exchange: rename twice
    raise OSError(code, os.strerror(code), str(second))


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Defer Ctrl-C and SIGTERM until the block ends, then deliver them.

    Python runs signal handlers in the main thread, whichever thread the operating system
    hands the signal to; replacing the handlers (not masking one thread) therefore holds
    back every signal sent while files are put in place. Outside the main thread handlers
    cannot be replaced, and the block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    kinds = (signal.SIGINT, signal.SIGTERM)
    previous = {
        kind: signal.signal(kind, lambda number, _: received.append(number)) for kind in kinds
    }
    try:
        yield
    finally:
        for kind, handler in previous.items():
            signal.signal(kind, handler)
        for number in dict.fromkeys(received):
            signal.raise_signal(number)
