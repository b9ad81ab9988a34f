"""Outputs never take what a user owns: links, modes, inputs, older sets, names (issue 38).

Each case builds its files in the test and runs ``whitespot`` as a user would: a symlinked
``--out`` keeps its link; files and folders get the user's umask; an output that is (or
would replace) an input is refused before anything is read; a set of files is put in place
whole or not at all, naming the user's path; Ctrl-C around the swap says what is on disk;
names up to the file system's limit work, longer ones and a file-size limit are one line.
"""

from __future__ import annotations

import os
import resource
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from whitespot.cli import main
from whitespot.data import make_province, write_layer

EXIT_USAGE, EXIT_FILE, EXIT_INTERRUPTED = 2, 3, 130
PACKAGE = "gap_list.xlsx"

pytestmark = pytest.mark.filterwarnings("ignore::whitespot.data.DefaultAppliedWarning")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Villages and towers of a small synthetic province, as CSV."""
    folder = tmp_path_factory.mktemp("inputs")
    province = make_province(villages=12, seed=3)
    return {
        "villages": write_layer(province.villages, folder / "villages.csv"),
        "towers": write_layer(province.towers, folder / "towers.csv"),
    }


def run(capsys, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def report(capsys, files, out: object, *extra: object):
    return run(capsys, "report", "--villages", files["villages"], "--towers", files["towers"],
               "--lang", "en", *extra, "--out", out)  # fmt: skip


def gaps(capsys, files, out: object, *extra: object):
    return run(capsys, "gaps", "--villages", files["villages"], "--towers", files["towers"],
               *extra, "--out", out)  # fmt: skip


def hidden(*folders: Path) -> list[str]:
    """Hidden files or folders (staging leftovers) anywhere under `folders`."""
    return sorted(str(p) for f in folders for p in f.rglob(".*"))


def tree(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# --- 2. a symlinked --out keeps its link -------------------------------------------------------


def test_a_symlinked_package_folder_keeps_its_link_and_gets_the_package(files, capsys, tmp_path):
    shared = tmp_path / "shared"
    link = tmp_path / "link"
    link.symlink_to(Path("shared") / "folder")  # relative, as `ln -s` makes it
    for run_number in (1, 2):  # the folder made through the link, then replaced through it
        code, _, err = report(capsys, files, link)
        assert code == 0, err
        assert link.is_symlink() and os.readlink(link) == str(Path("shared") / "folder")
        assert (shared / "folder" / PACKAGE).is_file(), run_number
        (shared / "folder" / "notes.txt").write_text("kept")
    assert (shared / "folder" / "notes.txt").read_text() == "kept"
    assert hidden(tmp_path) == []


def test_a_symlinked_output_file_keeps_its_link(files, capsys, tmp_path):
    real = tmp_path / "round-3" / "gaps.xlsx"
    real.parent.mkdir()
    real.write_bytes(b"an older list")
    link = tmp_path / "latest.xlsx"
    link.symlink_to(real)
    code, _, err = gaps(capsys, files, link)
    assert code == 0, err
    assert link.is_symlink() and link.resolve() == real
    assert real.read_bytes().startswith(b"PK")  # the new workbook, where the link points
    assert hidden(tmp_path) == []


# --- 3. modes as the user's umask says ---------------------------------------------------------


@pytest.fixture
def umask_027():
    previous = os.umask(0o027)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_package_and_files_get_the_modes_of_the_users_umask(files, capsys, tmp_path, umask_027):
    out = tmp_path / "pkg"
    assert report(capsys, files, out)[0] == 0
    assert mode(out) == 0o750  # as mkdir under umask 027 (a temporary folder is 0700)
    assert {p.name: mode(p) for p in out.iterdir()} == {p.name: 0o640 for p in out.iterdir()}
    assert gaps(capsys, files, tmp_path / "g.csv")[0] == 0
    for name in ("g.csv", "g_communes.csv", "g_province.csv", "g_settings.csv"):
        assert mode(tmp_path / name) == 0o640, name


def test_an_existing_package_folder_keeps_its_mode(files, capsys, tmp_path):
    out = tmp_path / "pkg"
    out.mkdir()
    out.chmod(0o2775)  # a group's shared folder
    assert report(capsys, files, out)[0] == 0
    assert mode(out) == 0o2775
    assert report(capsys, files, out)[0] == 0  # replacing a package keeps it too
    assert mode(out) == 0o2775


def test_an_existing_output_file_keeps_its_mode_as_open_would(files, capsys, tmp_path):
    for name in ("g.xlsx", "g.csv", "g_settings.csv"):
        (tmp_path / name).write_text("older")
        (tmp_path / name).chmod(0o664)  # writable by the group
    assert gaps(capsys, files, tmp_path / "g.xlsx")[0] == 0
    assert gaps(capsys, files, tmp_path / "g.csv")[0] == 0
    for name in ("g.xlsx", "g.csv", "g_settings.csv"):
        assert mode(tmp_path / name) == 0o664, name
        assert (tmp_path / name).read_text(errors="replace") != "older"


# --- 4. an output never replaces an input ------------------------------------------------------


GARBAGE = b"not a table \x00\x01, so reading it would fail"


def refused(capsys, argv: list[object], victim: Path, option: str, named: str = "") -> str:
    """Run `argv`; check exit 2 before reading (the input is garbage), the input untouched."""
    code, _, err = run(capsys, *argv)
    assert code == EXIT_USAGE, err
    assert len(err.strip().splitlines()) == 1
    assert option in err and (named or victim.name) in err
    assert victim.read_bytes() == GARBAGE
    return err


def garbage(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(GARBAGE)
    return path


def test_gaps_out_equal_to_its_villages_file_is_refused(files, capsys, tmp_path):
    villages = garbage(tmp_path / "v.csv")
    argv = ["gaps", "--villages", villages, "--towers", files["towers"], "--out", villages]
    err = refused(capsys, argv, villages, "--villages")
    assert "never replaces an input" in err


def test_an_out_that_resolves_to_an_input_through_a_link_or_dots_is_refused(
    files, capsys, tmp_path
):
    towers = garbage(tmp_path / "data" / "t.csv")
    (tmp_path / "alias").symlink_to("data")
    out = tmp_path / "work" / ".." / "alias" / "t.csv"
    (tmp_path / "work").mkdir()
    argv = ["gaps", "--villages", files["villages"], "--towers", towers, "--out", out]
    refused(capsys, argv, towers, "--towers")


def test_an_input_that_is_a_side_table_of_the_output_is_refused(files, capsys, tmp_path):
    side = garbage(tmp_path / "g_settings.csv")
    argv = ["gaps", "--villages", files["villages"], "--towers", files["towers"],
            "--measurements", side, "--out", tmp_path / "g.csv"]  # fmt: skip
    refused(capsys, argv, side, "--measurements")


def test_households_partitions_where_the_output_writes_its_own_are_refused(files, capsys, tmp_path):
    parts = tmp_path / "g_households"
    garbage(parts / "p1.parquet")
    argv = ["gaps", "--villages", files["villages"], "--towers", files["towers"],
            "--households", parts, "--out", tmp_path / "g.csv"]  # fmt: skip
    refused(capsys, argv, parts / "p1.parquet", "--households", named=parts.name)


def test_a_package_out_that_is_the_villages_file_is_one_line(files, capsys, tmp_path):
    villages = garbage(tmp_path / "list.csv")
    argv = ["report", "--villages", villages, "--towers", files["towers"], "--out", villages]
    refused(capsys, argv, villages, "--villages")
    towers = garbage(tmp_path / "t.csv")
    code, _, err = run(capsys, "report", "--villages", files["villages"], "--towers", towers,
                       "--out", tmp_path / "list.csv")  # fmt: skip
    assert code == EXIT_USAGE and err.count("\n") == 1 and "is a file, not a folder" in err


@pytest.mark.parametrize("option", ["--villages", "--towers", "--calibration"])
def test_an_input_inside_the_package_it_would_replace_is_refused(files, capsys, tmp_path, option):
    out = tmp_path / "pkg"
    victim = garbage(out / ("gap_list.csv" if option != "--calibration" else "progress.csv"))
    given = {"--villages": files["villages"], "--towers": files["towers"]}
    given[option] = victim
    argv = ["report", "--lang", "en", *[a for kv in given.items() for a in kv], "--out", out]
    refused(capsys, argv, victim, option)


@pytest.mark.parametrize(
    ("command", "option", "name"),
    [
        ("plan", "--gaps", "g.csv"),
        ("plan", "--candidates", "sites.csv"),
        ("map", "--gaps", "m.html"),
        ("map", "--towers", "m.html"),
        ("calibrate", "--measurements", "drive.json"),
        ("calibrate", "--towers", "drive.json"),
    ],
)
def test_plan_map_and_calibrate_refuse_an_output_over_an_input(
    files, capsys, tmp_path, command, option, name
):
    victim = garbage(tmp_path / name)
    given = {
        "plan": {"--gaps": files["villages"], "--sites": "3"},
        "map": {"--gaps": files["villages"]},
        "calibrate": {"--towers": files["towers"], "--measurements": files["villages"]},
    }[command]
    given[option] = victim
    argv = [command, *[a for kv in given.items() for a in kv], "--out", victim]
    refused(capsys, argv, victim, option)


# --- 5. a set of files is whole or absent ------------------------------------------------------


def test_a_folder_in_the_way_of_one_file_leaves_the_older_set_whole(files, capsys, tmp_path):
    older = {"g.csv": "old list", "g_communes.csv": "old", "g_province.csv": "old"}
    for name, text in older.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "g_settings.csv").mkdir()  # in the way of the fourth file
    code, _, err = gaps(capsys, files, tmp_path / "g.csv")
    assert code == EXIT_FILE
    assert len(err.strip().splitlines()) == 1
    assert str(tmp_path / "g_settings.csv") in err and "whitespot-" not in err
    assert {n: (tmp_path / n).read_text() for n in older} == older  # none of the new set
    assert (tmp_path / "g_settings.csv").is_dir()
    assert hidden(tmp_path) == []


# --- 6. Ctrl-C around the swap -----------------------------------------------------------------

CHILD = textwrap.dedent(
    """
    import shutil, signal, sys
    from pathlib import Path
    import whitespot.cli._commands as commands
    import whitespot.coverage._export as export
    import whitespot.data._swap as swap
    import whitespot.report._package as package
    from whitespot.cli import main

    point, argv = sys.argv[1], sys.argv[2:]

    def ctrl_c_then(function):
        def wrapped(*args, **kwargs):
            signal.raise_signal(signal.SIGINT)  # as a Ctrl-C at this very point
            return function(*args, **kwargs)
        return wrapped

    if point == "writing":  # while the package is staged
        package.write_summary = ctrl_c_then(package.write_summary)
    elif point == "staging":  # while a gap list's files are staged
        export.write_layer = ctrl_c_then(export.write_layer)
    elif point == "swap":  # as the package folder is swapped in
        swap._swap_in = ctrl_c_then(swap._swap_in)
    elif point == "move":  # as a gap list's files are moved in
        swap._move_in = ctrl_c_then(swap._move_in)
    elif point == "cleanup":  # while the older package is removed, after the swap
        def removing(path, *args, **kwargs):
            if (Path(path) / "new" / "gap_list.xlsx").exists():  # the older package
                signal.raise_signal(signal.SIGINT)
            return shutil.rmtree(path, *args, **kwargs)
        swap.shutil = type(sys)("shutil")
        swap.shutil.rmtree = removing
        swap.shutil.copytree, swap.shutil.copy2 = shutil.copytree, shutil.copy2
    elif point == "summary":  # while the summary is printed, after the write
        commands.print = ctrl_c_then(print)
    sys.exit(main(argv))
    """
)


def interrupted(point: str, argv: list[object]) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", CHILD, point, *[str(a) for a in argv]]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize(
    ("point", "code", "said", "package"),
    [
        ("writing", EXIT_INTERRUPTED, "nothing was written", "old"),
        ("swap", 0, "written whole", "new"),
        ("cleanup", 0, "written whole", "new"),
        ("summary", 0, "written whole", "new"),
    ],
)
def test_ctrl_c_around_the_swap_says_what_is_on_disk(
    files, capsys, tmp_path, point, code, said, package
):
    out = tmp_path / "pkg"
    assert report(capsys, files, out, "--target", "5")[0] == 0
    old = tree(out)
    (out / "notes.txt").write_text("mine")
    argv = ["report", "--villages", files["villages"], "--towers", files["towers"],
            "--lang", "en", "--target", "7", "--out", out]  # fmt: skip
    done = interrupted(point, argv)
    assert done.returncode == code, done.stderr
    assert said in done.stderr and str(out) in done.stderr
    assert "Traceback" not in done.stderr
    now = tree(out)
    assert now.pop("notes.txt") == b"mine"
    assert (now == old) == (package == "old")
    assert set(now) == set(old)  # whole: every file of one package
    assert hidden(tmp_path) == []  # nothing hidden left behind


@pytest.mark.parametrize(
    ("point", "code", "said"),
    [("staging", EXIT_INTERRUPTED, "nothing was written"), ("move", 0, "written whole")],
)
def test_ctrl_c_as_a_gap_list_set_is_moved_in(files, tmp_path, point, code, said):
    out = tmp_path / "g.csv"
    done = interrupted(
        point, ["gaps", "--villages", files["villages"], "--towers", files["towers"], "--out", out]
    )
    assert done.returncode == code, done.stderr
    assert said in done.stderr and str(out) in done.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == (["g.csv", "g_communes.csv", "g_province.csv", "g_settings.csv"] * (code == 0))
    assert hidden(tmp_path) == []


def test_leftovers_of_a_killed_run_are_removed_by_the_next_and_it_says_so(
    files, capsys, tmp_path, monkeypatch
):
    from whitespot.data import _swap as swap  # noqa: PLC0415 the module whose cleanup is skipped

    out = tmp_path / "pkg"
    assert report(capsys, files, out)[0] == 0
    real = swap.shutil.rmtree

    def killed_before_removing_the_older(path, *args, **kwargs):
        if not (Path(path) / "new" / PACKAGE).exists():
            real(path, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(swap.shutil, "rmtree", killed_before_removing_the_older)
        assert report(capsys, files, out)[0] == 0
    assert len(hidden(tmp_path)) > 0
    code, _, err = report(capsys, files, out)
    assert code == 0, err
    assert "warning:" in err and "left by an interrupted run" in err and str(out) in err
    assert hidden(tmp_path) == []


# --- 7. long names, a file-size limit --------------------------------------------------------

LEGAL = "ấ" * 83  # 249 bytes of UTF-8
ILLEGAL = "ấ" * 90  # 270 bytes: more than the 255 of ext4, tmpfs, NTFS, APFS


def test_a_package_folder_named_up_to_the_limit_is_written(files, capsys, tmp_path):
    out = tmp_path / f"{LEGAL}a"  # 250 bytes
    assert len(os.fsencode(out.name)) == 250
    code, _, err = report(capsys, files, out)
    assert code == 0, err
    assert (out / PACKAGE).is_file()
    code, _, err = report(capsys, files, out)  # and replaced
    assert code == 0, err
    assert hidden(tmp_path) == []


def test_a_gap_list_named_up_to_the_limit_is_written(files, capsys, tmp_path):
    out = tmp_path / f"{LEGAL}.xlsx"  # 254 bytes
    code, _, err = gaps(capsys, files, out)
    assert code == 0, err
    assert out.is_file() and hidden(tmp_path) == []


@pytest.mark.parametrize("out", [f"{ILLEGAL}.xlsx", f"{ILLEGAL}/gaps.xlsx"])
def test_a_name_past_the_limit_is_one_line_naming_it(files, capsys, tmp_path, out):
    code, _, err = gaps(capsys, files, tmp_path / out)
    assert code == EXIT_USAGE
    assert len(err.strip().splitlines()) == 1
    size = len(os.fsencode(Path(out).parts[0]))  # 275 for the file, 270 for the folder
    assert f"{size} bytes" in err and "at most 255 bytes" in err
    assert list(tmp_path.iterdir()) == []


def test_a_side_table_name_past_the_limit_names_the_file_and_the_limit(files, capsys, tmp_path):
    out = tmp_path / f"{LEGAL}.csv"  # legal; its _settings.csv beside it is not
    code, _, err = gaps(capsys, files, out)
    assert code == EXIT_FILE
    assert len(err.strip().splitlines()) == 1
    assert "_settings.csv" in err or "_communes.csv" in err or "_province.csv" in err
    assert "255 bytes" in err and "whitespot-" not in err
    assert list(tmp_path.iterdir()) == []


def limited(megabytes: float) -> None:
    """Limit the size of any file the child writes (``ulimit -f``)."""
    size = int(megabytes * 1024 * 1024)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


@pytest.mark.parametrize(
    ("command", "out", "named"),
    [
        ("report", "pkg", "pkg/"),
        ("gaps", "g.gpkg", "g.gpkg"),
        ("gaps", "g.geojson", "g.geojson"),
        ("gaps", "g.xlsx", "g.xlsx"),
    ],
)
def test_a_file_size_limit_is_one_line_naming_the_file(files, tmp_path, command, out, named):
    argv = [sys.executable, "-m", "whitespot.cli", command, "--villages", files["villages"],
            "--towers", files["towers"], "--out", out]  # fmt: skip
    done = subprocess.run(
        [str(a) for a in argv],
        cwd=tmp_path,
        preexec_fn=lambda: limited(0.01),  # 10 KiB: every output is larger
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == EXIT_FILE, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"error: {named}") and "whitespot-" not in done.stderr
    assert list(tmp_path.iterdir()) == []  # nothing left behind
