"""Put outputs in place whole: the older ones or the newer ones, never a mix.

A package (a department's submission: workbook, CSV files, map, summary) is written into a
hidden staging box beside its destination, then swapped in by one atomic rename: Linux's
``renameat2(RENAME_EXCHANGE)`` exchanges the two folders in one step; elsewhere the older
folder is renamed away and the new one renamed in, and a run killed between the two
renames is repaired by the next one (the older folder is put back). A set of files (a gap
list and its side tables) is moved into its folder file by file, the older files moved
aside first and put back if any move fails. Ctrl-C and SIGTERM are deferred while outputs
are put in place and the staging box removed, whichever thread the signal reaches.

What the user owns stays theirs: a symlinked destination keeps its link (the outputs go
where it points), a package folder is created with the mode ``mkdir`` gives under the
user's umask and an existing one keeps its mode, files of the user's own in the folder are
carried over, and the staging box's name (``.whitespot-`` and 17 characters) never adds
bytes to the user's name, so any name the file system allows can be written.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import os
import shutil
import signal
import stat
import tempfile
import threading
import warnings
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from os import PathLike
from pathlib import Path

from whitespot._errors import WhitespotWarning

STAGING_PREFIX = ".whitespot-"
"""Hidden staging boxes: ``.whitespot-<tag of the output's name>-<random>``, holding
``new`` (the output being written) and, while it is swapped in, ``old``."""

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2

_WRITTEN: ContextVar[list[Path] | None] = ContextVar("whitespot_written", default=None)


class LeftoverWarning(WhitespotWarning):
    """A run killed while writing left staging folders that this run removed or put back."""


@contextlib.contextmanager
def recording_writes() -> Iterator[list[Path]]:
    """Yield a list that receives each output put in place whole inside the block.

    An output is recorded in the same step, with signals deferred, as it is put in place,
    so a Ctrl-C delivered after the swap always finds it recorded: the command line says
    what is on disk.
    """
    written: list[Path] = []
    token = _WRITTEN.set(written)
    try:
        yield written
    finally:
        _WRITTEN.reset(token)


@contextlib.contextmanager
def _unrecorded() -> Iterator[None]:
    """Files written into a staging folder are not outputs yet: not recorded."""
    token = _WRITTEN.set(None)
    try:
        yield
    finally:
        _WRITTEN.reset(token)


def record_written(*paths: Path) -> None:
    """Record outputs just put in place (see :func:`recording_writes`)."""
    written = _WRITTEN.get()
    if written is not None:
        written.extend(paths)


@contextlib.contextmanager
def staged_folder(folder: str | PathLike, *, replaces: Iterable[str]) -> Iterator[Path]:
    """Yield an empty folder beside `folder`; swap it in whole if the block succeeds.

    A block that raises or is interrupted leaves `folder` as it was; once the swap is
    done, the older folder is removed. Errors name paths under `folder`, never the staging
    box.

    Parameters
    ----------
    folder : path-like
        The destination folder; created if needed. A symbolic link to a folder keeps its
        link: the package is written into the folder it points to.
    replaces : iterable of str
        Names that belong to the output (an older package's files): not carried over from
        the older folder. Everything else in it is carried over (hard links where the
        file system allows, copies elsewhere).
    """
    shown = Path(folder)
    target = Path(os.path.realpath(shown))
    target.parent.mkdir(parents=True, exist_ok=True)
    repair(target)
    if target.exists() and not target.is_dir():
        raise FileExistsError(errno.EEXIST, "a file is in the way of the folder", str(shown))
    box = _new_box(target.parent, target.name)
    staging = box / "new"
    try:
        os.mkdir(staging)  # the mode mkdir gives under the user's umask
        if target.exists():
            os.chmod(staging, stat.S_IMODE(target.stat().st_mode))
        with _named_for_user(staging, shown), _unrecorded():
            yield staging
            if target.exists():
                _carry_over(target, staging, set(replaces))
        with signals_deferred():
            try:
                _swap_in(staging, target, box / "old")
            except OSError as error:  # named by the destination, which is as it was
                raise OSError(
                    error.errno, f"{error.strerror}; the folder is unchanged", str(shown)
                ) from error
            record_written(shown)
            shutil.rmtree(box, ignore_errors=True)  # with the older folder
    finally:
        with signals_deferred():
            shutil.rmtree(box, ignore_errors=True)


@contextlib.contextmanager
def staged_files(
    folder: str | PathLike, *, replaces: Iterable[str] = (), key: str = ""
) -> Iterator[Path]:
    """Yield an empty staging folder; move its files into `folder` only if the block succeeds.

    Outputs of several files (a gap list with its side tables, a plan, household
    partitions) are written whole or not at all: everything is written into a hidden
    staging box inside `folder`, then moved into place with Ctrl-C and SIGTERM held back.
    The older files of the same names are moved aside first; if any move fails (a folder
    in the way of a file, a permission) every move is undone, so `folder` holds the whole
    older set or the whole newer one, and the error names the user's path.

    Parameters
    ----------
    folder : path-like
        Where the files go; created if needed.
    replaces : iterable of str
        Names of files in `folder` that belong to the same output (an older package's
        ``progress.csv``): removed when the new set does not write them.
    key : str, optional
        The output's name (its main file): leftovers of a killed run writing the same
        output are cleaned up, those of other outputs in the folder are left alone.
    """
    shown = Path(folder)
    target = Path(os.path.realpath(shown))
    target.mkdir(parents=True, exist_ok=True)
    _repair_files(target, key)
    box = _new_box(target, key)
    staging = box / "new"
    try:
        os.mkdir(staging)
        with _named_for_user(staging, shown, unnamed=shown / key if key else shown), _unrecorded():
            yield staging
        with signals_deferred():
            moved = _move_in(staging, target, box / "old", set(replaces), shown)
            record_written(*(shown / name for name in moved))
            shutil.rmtree(box, ignore_errors=True)  # with the older files
    finally:
        with signals_deferred():
            shutil.rmtree(box, ignore_errors=True)


def repair(target: Path) -> None:
    """Put back an older folder left renamed away by a run killed mid-swap; drop leftovers.

    Leftovers are the staging boxes of runs killed while writing or while removing an
    older folder: two runs writing one destination at once are not supported. A
    :class:`LeftoverWarning` says what was done.
    """
    boxes = _boxes(target.parent, target.name)
    older = [box / "old" for box in boxes if (box / "old").is_dir()]
    put_back = not target.exists() and bool(older)
    if put_back:
        os.rename(older[-1], target)
    for box in boxes:
        shutil.rmtree(box, ignore_errors=True)
    if boxes:
        warnings.warn(
            f"{target}: removed {len(boxes)} staging folder(s) left by an interrupted run"
            + ("; the older folder was put back" if put_back else ""),
            LeftoverWarning,
            stacklevel=3,
        )


def _repair_files(folder: Path, key: str) -> None:
    """Put back older files a killed run moved aside; drop its staging boxes."""
    boxes = _boxes(folder, key)
    put_back = []
    for box in boxes:
        older = box / "old"
        for part in sorted(older.iterdir()) if older.is_dir() else []:
            if not os.path.lexists(folder / part.name):
                os.rename(part, folder / part.name)
                put_back.append(part.name)
        shutil.rmtree(box, ignore_errors=True)
    if boxes:
        warnings.warn(
            f"{folder}: removed {len(boxes)} staging folder(s) left by an interrupted run"
            + (f"; put back {', '.join(put_back)}" if put_back else ""),
            LeftoverWarning,
            stacklevel=3,
        )


def _tag(key: str) -> str:
    """Eight characters naming an output in its staging boxes' names, whatever its length."""
    return hashlib.sha1(os.fsencode(key), usedforsecurity=False).hexdigest()[:8]


def _new_box(parent: Path, key: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{_tag(key)}-", dir=parent))


def _boxes(parent: Path, key: str) -> list[Path]:
    return sorted(p for p in parent.glob(f"{STAGING_PREFIX}{_tag(key)}-*") if p.is_dir())


@contextlib.contextmanager
def _named_for_user(staging: Path, shown: Path, *, unnamed: Path | None = None) -> Iterator[None]:
    """Re-raise a file error inside `staging` naming the same path under `shown`."""
    try:
        yield
    except OSError as error:
        named = user_named(error, staging, shown, unnamed=unnamed)
        if named is error:
            raise
        raise named from error


def user_named(
    error: OSError, staging: Path, shown: Path, *, unnamed: Path | None = None
) -> OSError:
    """Return `error` with a path under `staging` named under `shown` instead.

    An error that names no file is given `unnamed` (default `shown`): the output's.
    """
    name = error.filename
    if name is None:
        return type(error)(error.errno, error.strerror, str(unnamed or shown))
    if not isinstance(name, str) or not name.startswith(str(staging)):
        return error
    relative = os.path.relpath(name, staging)
    path = shown if relative == "." else shown / relative
    return type(error)(error.errno, error.strerror, str(path))


def _carry_over(target: Path, staging: Path, replaces: set[str]) -> None:
    """Link (or copy) into `staging` what `target` holds beside the output's own files."""
    for entry in sorted(target.iterdir()):
        if entry.name in replaces or (staging / entry.name).exists():
            continue
        if entry.name.startswith(STAGING_PREFIX):  # whitespot's own leftovers, not the user's
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, staging / entry.name, symlinks=True, copy_function=_link_or_copy)
        elif entry.is_symlink():
            os.symlink(os.readlink(entry), staging / entry.name)
        else:
            _link_or_copy(entry, staging / entry.name)


def _link_or_copy(source: str | PathLike, destination: str | PathLike) -> None:
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def _swap_in(staging: Path, target: Path, older: Path) -> None:
    """Rename `staging` onto `target`; after it, `staging` or `older` holds the older folder."""
    if not target.exists():
        os.rename(staging, target)
        return
    if _exchange(staging, target):
        return
    os.rename(target, older)  # killed here: the next run puts `older` back (repair)
    try:
        os.rename(staging, target)
    except OSError:
        os.rename(older, target)
        raise


def _move_in(staging: Path, folder: Path, older: Path, replaces: set[str], shown: Path) -> list:
    """Move every file of `staging` into `folder`, the older ones aside into `older`.

    Returns the names moved in. Nothing is moved when a folder stands where a file goes
    (or a file where a folder goes); a move that fails undoes those before it.
    """
    parts = sorted(staging.iterdir())
    for part in parts:
        existing = folder / part.name
        if existing.exists() and existing.is_dir() != part.is_dir():
            kind = IsADirectoryError if existing.is_dir() else NotADirectoryError
            raise kind(
                errno.EISDIR if existing.is_dir() else errno.ENOTDIR,
                f"a {'folder' if existing.is_dir() else 'file'} is in the way; nothing of "
                "the new files was put in place",
                str(shown / part.name),
            )
    names = [part.name for part in parts]
    for part in parts:  # as `open` on an existing file: its mode stays
        if (folder / part.name).is_file() and part.is_file():
            os.chmod(part, stat.S_IMODE((folder / part.name).stat().st_mode))
    aside = sorted(n for n in {*names, *replaces} if os.path.lexists(folder / n))
    os.mkdir(older)
    moved_aside: list[str] = []
    moved_in: list[str] = []
    current = ""
    try:
        for current in aside:  # killed here: the next run puts them back (_repair_files)
            os.rename(folder / current, older / current)
            moved_aside.append(current)
        for current in names:
            os.rename(staging / current, folder / current)
            moved_in.append(current)
    except OSError as error:
        for name in reversed(moved_in):
            os.rename(folder / name, staging / name)
        for name in reversed(moved_aside):
            os.rename(older / name, folder / name)
        raise type(error)(
            error.errno,
            f"{error.strerror}; nothing of the new files was put in place, the older ones "
            "are as they were",
            str(shown / current),
        ) from error
    return names


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
