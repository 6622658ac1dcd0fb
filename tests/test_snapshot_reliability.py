"""The weekly snapshot when things go wrong: a run killed midway, two runs at once, a stale lock, an existing
week, a failure inside a run, input that breaks the contract. Each leaves either a whole snapshot or none."""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from snapshot_helpers import TODAY, fresh_base, write_pages

from dashboard.data.io import write_table
from dashboard.weekly import snapshot

ROOT = Path(__file__).resolve().parents[1]
# Runs the real command, with one change: writing report.xlsx starts a file, says so, then hangs. The test
# then does to it what it wants (a second run, SIGTERM, SIGKILL) while its lock and temporary folder exist.
PAUSED_RUN = """
import sys, time, pathlib
import dashboard.weekly.report.xlsx as xlsx
marker = pathlib.Path(sys.argv[2])
def hang(report, path):
    path.write_bytes(b"half a workbook")
    marker.write_text("paused")
    time.sleep(300)
xlsx.write_xlsx = hang
from dashboard.cli import main
sys.exit(main(["snapshot", "--data-dir", sys.argv[1], "--formats", "parquet,xlsx"]))
"""


@pytest.fixture(autouse=True)
def _today_and_pages(monkeypatch, tmp_path):
    monkeypatch.setenv("DASHBOARD_TODAY", TODAY)
    monkeypatch.setenv("DASHBOARD_PAGES_DIR", str(write_pages(tmp_path / "pages")))
    monkeypatch.setenv("DASHBOARD_CHROMIUM", str(tmp_path / "no-chromium"))


@pytest.fixture
def base(tiny_base, tmp_path):
    return fresh_base(tiny_base, tmp_path)


def run(base, *args, **kw):
    out, err = io.StringIO(), io.StringIO()
    code = snapshot.run(base, *args, out=out, err=err, **kw)
    return code, out.getvalue(), err.getvalue()


def ledger(base) -> list[dict]:
    return [json.loads(line) for line in (base / "snapshots" / "ledger.jsonl").read_text().splitlines()]


def leftovers(base) -> list[str]:
    """Everything under snapshots/ but the ledger: folders, temporary folders, locks."""
    return sorted(p.name for p in (base / "snapshots").iterdir() if p.name != "ledger.jsonl")


def start_paused_run(base: Path, tmp_path: Path) -> subprocess.Popen:
    marker = tmp_path / "paused"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", PAUSED_RUN, str(base), str(marker)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not marker.exists():
        if proc.poll() is not None:
            pytest.fail(f"the paused run ended early: {proc.communicate()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the paused run never reached report.xlsx")
        time.sleep(0.1)
    return proc


def test_a_second_run_of_the_week_is_refused_while_the_first_holds_it_then_sigterm_leaves_nothing(base, tmp_path):
    proc = start_paused_run(base, tmp_path)
    try:
        # the first run is midway: a temporary folder with a half-written file, and the week's lock
        assert any(name.startswith(".tmp-2026-W10-") for name in leftovers(base))
        assert ".lock-2026-W10" in leftovers(base)
        code, _, err = run(base, formats="parquet", wait=0.5)  # waits half a second, then refuses
        assert code == snapshot.EXIT_LOCKED
        assert f"process {proc.pid}" in err and "another snapshot run is writing this week" in err
        assert not (base / "snapshots" / "2026-W10").exists()
    finally:
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "stopped by SIGTERM" in stderr
    assert leftovers(base) == []  # no snapshot folder, no temporary folder, no lock
    assert [e["status"] for e in ledger(base)] == ["refused", "interrupted"]


def test_a_run_killed_outright_leaves_no_snapshot_and_the_next_run_recovers(base, tmp_path):
    proc = start_paused_run(base, tmp_path)
    proc.send_signal(signal.SIGKILL)  # no chance to clean up
    proc.communicate(timeout=60)
    assert not (base / "snapshots" / "2026-W10").exists()  # nothing half-written under the week's name
    assert ".lock-2026-W10" in leftovers(base)  # a stale lock of a dead process ...
    code, out, err = run(base, formats="parquet")  # ... which the next run recovers
    assert code == 0, err
    assert f"recovered a stale lock of process {proc.pid}" in err and "removed .tmp-2026-W10-" in err
    assert leftovers(base) == ["2026-W10"]
    entries = ledger(base)
    assert [e["status"] for e in entries] == ["abandoned", "ok"]
    assert entries[0]["pid"] == proc.pid and "died" in entries[0]["error"]


def test_a_stale_lock_file_of_a_dead_process_is_recovered(base):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    lock = base / "snapshots" / ".lock-2026-W10"
    lock.parent.mkdir()
    lock.write_text(
        json.dumps({"pid": int(dead.stdout), "host": os.uname().nodename, "since": "2026-03-09T07:00:00+07:00"})
    )
    code, _, err = run(base, formats="parquet")
    assert code == 0, err
    assert not lock.exists()


def test_a_live_lock_is_respected(base):
    """The kernel lock decides, not the PID written in the file: a live holder is respected even when its
    record names a dead process, and a run waiting with --wait gets the lock as soon as the holder lets go."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    lock = base / "snapshots" / ".lock-2026-W10"
    lock.parent.mkdir()
    lock.write_text(json.dumps({"pid": int(dead.stdout), "host": os.uname().nodename, "since": "2026-03-10"}))
    holder = os.open(lock, os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)  # held by this process, through another open file
    try:
        code, _, err = run(base, formats="parquet")
        assert code == snapshot.EXIT_LOCKED and "--wait" in err
        assert f"process {dead.stdout.strip()}" in err  # who the record names
        assert lock.exists() and leftovers(base) == [".lock-2026-W10"]
        threading.Timer(1.0, os.close, args=(holder,)).start()  # the holder lets go in a second
        code, _, err = run(base, formats="parquet", wait=30)
        assert code == 0, err
    finally:
        with contextlib.suppress(OSError):
            os.close(holder)
    assert leftovers(base) == ["2026-W10"]


def test_a_lock_held_by_a_process_that_dies_is_released_by_the_kernel(base, tmp_path):
    """No PID guessing: a process holding the lock is SIGKILLed and the lock is free at once."""
    lock = base / "snapshots" / ".lock-2026-W10"
    lock.parent.mkdir()
    ready = tmp_path / "ready"
    code = (
        "import fcntl, os, sys, time, pathlib\n"
        f"fd = os.open({str(lock)!r}, os.O_RDWR | os.O_CREAT)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        f"pathlib.Path({str(ready)!r}).write_text('held')\n"
        "time.sleep(300)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code])
    try:
        for _ in range(200):
            if ready.exists():
                break
            time.sleep(0.05)
        assert run(base, formats="parquet")[0] == snapshot.EXIT_LOCKED
    finally:
        proc.kill()
        proc.wait(timeout=30)
    code_, _, err = run(base, formats="parquet")
    assert code_ == 0, err
    assert leftovers(base) == ["2026-W10"]


def test_an_existing_week_is_not_overwritten_without_force_and_replaced_whole_with_it(base):
    assert run(base, formats="parquet,html")[0] == 0
    folder = base / "snapshots" / "2026-W10"
    before = json.loads((folder / "manifest.json").read_text())["created_at"]
    html = (folder / "report.html").stat().st_mtime_ns
    code, _, err = run(base, formats="parquet")
    assert code == snapshot.EXIT_EXISTS
    assert "already exists" in err and "--force" in err
    assert (folder / "report.html").stat().st_mtime_ns == html
    time.sleep(1.1)  # created_at has whole seconds
    code, _, err = run(base, formats="parquet", force=True)
    assert code == 0, err
    assert json.loads((folder / "manifest.json").read_text())["created_at"] != before
    # replaced as a whole: the old report.html does not linger beside the new parquet-only snapshot
    assert sorted(p.name for p in folder.iterdir()) == ["kpis.parquet", "manifest.json"]
    assert leftovers(base) == ["2026-W10"]


def test_a_failure_midway_leaves_nothing_behind(base, monkeypatch):
    def broken(frame, path):
        path.write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(snapshot, "write_kpis", broken)
    code, _, err = run(base, formats="parquet")
    assert code == snapshot.EXIT_FAILED and "disk full" in err and "nothing was written" in err
    assert leftovers(base) == []
    assert ledger(base)[-1]["status"] == "failed" and "disk full" in ledger(base)[-1]["error"]


def test_a_report_part_that_fails_is_recorded_and_the_rest_is_written(base, monkeypatch):
    import dashboard.weekly.report.xlsx as xlsx

    def broken(report, path):
        raise RuntimeError("workbook broke")

    monkeypatch.setattr(xlsx, "write_xlsx", broken)
    code, out, _ = run(base, formats="parquet,xlsx,html")
    assert code == snapshot.EXIT_PARTIAL and "FAILED" in out and "workbook broke" in out
    folder = base / "snapshots" / "2026-W10"
    parts = json.loads((folder / "manifest.json").read_text())["parts"]
    assert parts["xlsx"]["status"] == "failed" and "workbook broke" in parts["xlsx"]["error"]
    assert parts["html"]["status"] == "ok" and (folder / "report.html").is_file()
    assert ledger(base)[-1]["status"] == "partial"


def test_input_that_breaks_the_contract_gives_a_clear_error_and_no_snapshot(tmp_path):
    from tiny_fixture import tables

    base = tmp_path / "bad"
    frames = tables()
    # more successful calls than calls: row rule calls_ok <= calls broken on one row
    frames["exchanges_daily"] = frames["exchanges_daily"].with_columns(calls_ok=frames["exchanges_daily"]["calls"] + 1)
    for name, frame in frames.items():
        write_table(base, name, frame)
    code, _, err = run(base, formats="parquet")
    assert code == snapshot.EXIT_FAILED
    assert "the input data fails the contract" in err and "exchanges_daily" in err and "no snapshot" in err
    assert "python -m dashboard check" in err
    assert leftovers(base) == []
    assert ledger(base)[-1]["status"] == "failed"
