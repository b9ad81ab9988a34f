"""A package folder is swapped in whole: killed at any step, the older or the newer, never a mix.

Each run below is a child process that writes a new package over an older one and is
killed (``os._exit``, as SIGKILL would) at one step: while writing, while carrying the
user's own files over, at each rename, while removing the older folder. The folder then
holds the whole older package or the whole newer one, the user's own file is there, and
the next run finishes and leaves no hidden folder behind (issue 30, item 5).
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

from whitespot.data import LeftoverWarning
from whitespot.data._io import atomic_path
from whitespot.data._swap import repair, staged_files, staged_folder

CHILD = textwrap.dedent(
    """
    import ctypes, os, shutil, sys
    from pathlib import Path
    from whitespot.data import staged_folder

    step, call, mode, target = sys.argv[1], int(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
    if mode == "renames":  # no renameat2: the two-rename path
        def no_libc(*args, **kwargs):
            raise OSError("no renameat2 here")
        ctypes.CDLL = no_libc
    calls = {}
    def killing(name, function):
        def wrapped(*args, **kwargs):
            calls[name] = calls.get(name, 0) + 1
            if name == step and calls[name] == call:
                os._exit(9)
            return function(*args, **kwargs)
        return wrapped
    os.rename = killing("rename", os.rename)
    os.link = killing("link", os.link)
    shutil.rmtree = killing("rmtree", shutil.rmtree)
    with staged_folder(target, replaces={"a.txt", "b.txt", "c.txt"}) as new:
        for name in ("a.txt", "b.txt", "c.txt"):
            (new / name).write_text("new")
            if step == "write" and name == "b.txt":
                os._exit(9)
    """
)

OLD = {"a.txt": "old", "b.txt": "old", "mine.txt": "mine"}
NEW = {"a.txt": "new", "b.txt": "new", "c.txt": "new", "mine.txt": "mine"}


def run_child(target: Path, step: str, call: int, mode: str) -> int:
    command = [sys.executable, "-c", CHILD, step, str(call), mode, str(target)]
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=60)
    return done.returncode


def contents(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(folder.iterdir())} if folder.exists() else {}


@pytest.mark.parametrize("mode", ["exchange", "renames"])
@pytest.mark.parametrize(
    ("step", "call"),
    [("write", 0), ("link", 1), ("rename", 1), ("rename", 2), ("rename", 3), ("rmtree", 1)],
)
def test_killed_at_any_step_the_folder_is_old_or_new_whole(tmp_path, mode, step, call):
    target = tmp_path / "package"
    target.mkdir()
    for name, text in OLD.items():
        (target / name).write_text(text)
    killed = run_child(target, step, call, mode)
    assert killed in (0, 9)
    # the whole older package or the whole newer one; only a kill between the two renames
    # (no renameat2) leaves the folder renamed away, and any later run puts it back
    assert contents(target) in (OLD, NEW) or (mode == "renames" and not target.exists())
    hidden = [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        repair(target)
    assert [w.category for w in said] == [LeftoverWarning] * bool(hidden)  # and says so
    assert contents(target) in (OLD, NEW)
    assert run_child(target, "none", 0, mode) == 0  # the next run finishes
    assert contents(target) == NEW
    assert [p.name for p in tmp_path.iterdir()] == ["package"]  # nothing hidden left


# --- issue 38: what the user owns stays theirs --------------------------------------------------


def write_package(target: Path, text: str = "new") -> None:
    with staged_folder(target, replaces={"a.txt"}) as new:
        (new / "a.txt").write_text(text)


def test_a_symlinked_folder_keeps_its_link_and_gets_the_files(tmp_path):
    (tmp_path / "shared" / "folder").mkdir(parents=True)
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "shared" / "folder")
    write_package(link)
    write_package(link, "newer")
    assert link.is_symlink() and (tmp_path / "shared" / "folder" / "a.txt").read_text() == "newer"
    assert not [p for p in tmp_path.rglob(".*")]


def test_a_new_folder_gets_the_umask_and_an_existing_one_keeps_its_mode(tmp_path):
    previous = os.umask(0o022)
    try:
        write_package(tmp_path / "made")
        (tmp_path / "shared").mkdir()
        (tmp_path / "shared").chmod(0o770)
        write_package(tmp_path / "shared")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "made").stat().st_mode) == 0o755  # not mkdtemp's 0700
    assert stat.S_IMODE((tmp_path / "made" / "a.txt").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "shared").stat().st_mode) == 0o770


def test_a_move_that_fails_midway_puts_every_older_file_back(tmp_path, monkeypatch):
    for name in ("g.csv", "g_settings.csv"):
        (tmp_path / name).write_text("old")
    real = os.rename

    def failing(source, destination):
        if Path(source).parent.name == "new" and Path(destination).name == "g_settings.csv":
            raise PermissionError(errno.EACCES, "Permission denied", str(destination))
        real(source, destination)

    monkeypatch.setattr(os, "rename", failing)
    with pytest.raises(PermissionError) as raised, staged_files(tmp_path, key="g.csv") as new:
        for name in ("g.csv", "g_communes.csv", "g_settings.csv"):
            (new / name).write_text("new")
    assert raised.value.filename == str(tmp_path / "g_settings.csv")
    assert "nothing of the new files" in str(raised.value)
    assert {p.name: p.read_text() for p in tmp_path.iterdir()} == {
        "g.csv": "old",
        "g_settings.csv": "old",
    }


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EFBIG])
def test_a_full_disk_names_the_users_file_and_leaves_nothing(tmp_path, code):
    def full(path: Path) -> None:
        raise OSError(code, os.strerror(code), str(path))

    with pytest.raises(OSError) as raised, staged_folder(tmp_path / "pkg", replaces=()) as new:
        full(new / "map.html")
    assert raised.value.filename == str(tmp_path / "pkg" / "map.html")
    with pytest.raises(OSError) as raised, atomic_path(tmp_path / "g.xlsx") as temporary:
        full(temporary)
    assert raised.value.filename == str(tmp_path / "g.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_a_name_of_255_bytes_is_staged_without_adding_bytes(tmp_path):
    name = "ấ" * 84 + "abc"  # 255 bytes of UTF-8
    assert len(os.fsencode(name)) == 255
    write_package(tmp_path / name)
    with atomic_path(tmp_path / ("ấ" * 83 + "a.json")) as temporary:  # 255 bytes
        temporary.write_text("{}")
    assert sorted(len(os.fsencode(p.name)) for p in tmp_path.iterdir()) == [255, 255]
