"""The load test's own pieces on the served demo data (no browser): simulated sessions open pages over Streamlit's
websocket protocol, and what goes wrong is counted; `python -m dashboard loadtest` prints its table."""

from __future__ import annotations

import argparse

from e2e_browser import TODAY

from dashboard.devtools import loadtest


def test_two_sessions_open_three_pages_without_errors(server):
    phase = loadtest.run_phase(server, loadtest.DEFAULT_PAGES, sessions=2, caches="warm")
    summary = phase.summary()
    assert summary["requests"] == 2 * 3
    assert phase.errors == []
    assert set(summary["by_page"]) == {"overview", "sharing", "quality"}
    assert 0 < summary["p50_s"] <= summary["p95_s"] <= summary["max_s"]
    assert summary["peak_memory_mib"] > 50  # a Streamlit server with DuckDB holds more than 50 MiB


def test_a_page_that_does_not_exist_counts_as_an_error(server):
    (run,) = loadtest.open_pages(server.ws_url, ["no-such-page"])
    assert any("page not found" in p for p in run.problems)


def test_a_session_reads_what_the_page_drew(server):
    (run,) = loadtest.open_pages(server.ws_url, ["overview"], "lang=en&period=last_4_weeks&scope=all", keep_text=True)
    assert run.problems == []
    assert "Overview" in run.texts  # the title, in English


def test_percentile_interpolates_between_ranks():
    values = [1.0, 2.0, 3.0, 4.0, 5.0]
    assert loadtest.percentile(values, 50) == 3.0
    # 95th of 5 values: rank 0.95 * (5 - 1) = 3.8 -> 4 + 0.8 * (5 - 4)
    assert abs(loadtest.percentile(values, 95) - 4.8) < 1e-9
    assert loadtest.percentile([2.5], 95) == 2.5


def test_the_command_runs_cold_and_warm_and_reports(e2e_base, tmp_path, capsys):
    args = argparse.Namespace(
        sessions="2",
        pages="overview",
        scale=1.0,
        data_dir=str(e2e_base),
        today=TODAY,
        json=str(tmp_path / "r.json"),
        log=str(tmp_path / "server.log"),
    )
    loadtest.run_loadtest_command(args)
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines() if line.strip().startswith("2 ")]
    assert [r[1] for r in rows] == ["cold", "warm"]
    assert all(r[3] == "0" for r in rows)  # no errors
    assert '"phases"' in (tmp_path / "r.json").read_text()
