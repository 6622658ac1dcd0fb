"""Progress bars: `\\r` redraws only on a terminal; in a log (cron, systemd, a file) one plain line per quarter."""

from __future__ import annotations

import io
import subprocess
import sys

from conftest import ROOT

from dashboard.progress import Bar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_log_gets_one_line_per_quarter_and_no_carriage_return():
    log = io.StringIO()
    bar = Bar("exchanges_daily", 8, stream=log)
    for done in range(1, 9):
        bar.update(done)
    bar.close()
    text = log.getvalue()
    assert "\r" not in text and "\x1b" not in text
    # 8 steps: 2/8 = 25 %, 4/8 = 50 %, 6/8 = 75 %, 8/8 = 100 %; 0 % is not a step; close() adds nothing more
    assert text.splitlines() == [f"exchanges_daily   {q:3d}%" for q in (25, 50, 75, 100)]


def test_a_jump_past_several_quarters_writes_one_line():
    log = io.StringIO()
    bar = Bar("rollups", 1, stream=log)
    bar.close("2 tables")
    assert log.getvalue() == "rollups           100%  2 tables\n"


def test_each_step_writes_a_line_per_step_then_the_summary():
    log = io.StringIO()
    bar = Bar("exchanges_daily", 3, stream=log, each_step=True)
    bar.update(1, "a.csv: 15 rows read")
    bar.update(1, "again")  # no step forward: no line
    bar.update(2, "b.csv: 2 rows read")
    bar.update(3)
    bar.close("3 files, 17 rows read")
    # 1/3 = 33 %, 2/3 = 66 % (rounded down), 3/3 = 100 %; then the summary on a line of its own
    assert log.getvalue().splitlines() == [
        "exchanges_daily    33%  a.csv: 15 rows read",
        "exchanges_daily    66%  b.csv: 2 rows read",
        "exchanges_daily   100%",
        "exchanges_daily   100%  3 files, 17 rows read",
    ]


def test_each_step_with_no_step_writes_the_summary_only():
    log = io.StringIO()
    Bar("rollups", 1, stream=log, each_step=True).close("2 tables")
    assert log.getvalue() == "rollups           100%  2 tables\n"


def test_a_terminal_gets_one_redrawn_line():
    tty = Terminal()
    bar = Bar("rollups", 2, stream=tty)
    bar.update(1)
    bar.close()
    text = tty.getvalue()
    assert text.count("\r") == 3  # 0 %, 50 %, 100 %
    assert text.endswith("\n") and text.count("\n") == 1
    assert "[##########----------]  50%" in text


def test_disabled_writes_nothing():
    out = io.StringIO()
    bar = Bar("x", 3, enabled=False, stream=out)
    bar.update(2)
    bar.close()
    assert out.getvalue() == ""


def test_the_demo_command_writes_no_carriage_return_to_a_log(tmp_path):
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "dashboard",
            "demo",
            "--data-dir",
            str(tmp_path),
            "--until",
            "2025-03-31",
            "--weeks",
            "0",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "\r" not in run.stderr and "\x1b" not in run.stderr
    assert "exchanges_daily   100%" in run.stderr.splitlines()
