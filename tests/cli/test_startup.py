"""Ctrl-C while the command loads its modules ends quietly, as it does later (issue 30)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest


@pytest.mark.parametrize("delay_s", [0.25, 0.4, 0.8, 1.2])
def test_ctrl_c_while_starting_exits_130_without_a_traceback(tmp_path, delay_s):
    """Before Ctrl-C was held during the imports, 0.2-0.5 s sometimes ran the demo to the end
    (exit 0: a library's compiled code swallowed the interrupt) and 0.8 s ended in -2 (the
    interrupt left code run from a string, which CPython then called unhandled)."""
    command = [sys.executable, "-m", "whitespot.cli", "demo", "--out", str(tmp_path / "out")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(delay_s)  # the imports take seconds: the interrupt lands inside them
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err
    assert not (tmp_path / "out").exists()
