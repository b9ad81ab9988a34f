"""Hostile inputs read back through the command line: what a user hands whitespot again.

A calibration file, a gap list and a cluster address come back from people and from other
programs (a spreadsheet, Notepad, a hand edit). Each case builds its file in the test, runs
``whitespot`` as a user would, and checks the documented exit code and a message that
names the file, the group or rows, and the field or column.
"""

from __future__ import annotations

import pytest

from whitespot.cli import main

EXIT_INVALID, EXIT_USAGE = 1, 2


def run(capsys, *argv: object) -> tuple[int, str, str]:
    """Run the command; return its exit code, stdout and stderr."""
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- a cluster address -----------------------------------------------------------------------


@pytest.mark.parametrize("address", ["notanaddress", "tcp://10.0.0.5", "http://h:8786", "h:0"])
def test_a_scheduler_that_is_not_an_address_is_a_usage_error_naming_the_form(capsys, address):
    argv = ["gaps", "--villages", "v.csv", "--towers", "t.csv", "--scheduler", address,
            "--out", "gaps.csv"]  # fmt: skip
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert "--scheduler" in err and "tcp://host:port" in err and "Traceback" not in err
    assert len(err.strip().splitlines()[-1]) < 300
