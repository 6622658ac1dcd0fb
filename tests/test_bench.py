"""The benchmark runs (smoke test, no timing assertion): python -m dashboard bench on the short demo data."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from dashboard.devtools.bench import format_bench, leader_pages, page_queries, run_bench, smallest_province

REPORT_KEYS = {"page", "scope", "queries", "cold_s", "warm_s", "engine_warm_s", "baseline_s", "ratio", "rss_mib"}


def test_page_queries_are_found_in_the_page_source():
    spec = page_queries(leader_pages()["overview"])
    names = [name for name, _, _ in spec["queries"]]
    assert spec["kpis"] is True
    assert {"sharing_weekly", "roadmap_by_phase", "attention_provinces"} <= set(names)
    assert ("attention_provinces", {"limit": 5}, []) in spec["queries"]  # literal arguments kept as written
    assert ("sharing_weekly", {}, ["trend_start"]) in spec["queries"]  # others get the bench's defaults


@pytest.mark.slow
def test_bench_reports_every_page_in_every_scope(demo_base, monkeypatch, tmp_path):
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(demo_base))
    report = run_bench(demo_base, scopes=("all", "province:HNI"), snapshot=False)
    pages = [p for p in leader_pages() if page_queries(leader_pages()[p])["queries"]]
    assert [(r["page"], r["scope"]) for r in report["pages"]] == [
        (p, s) for s in ("all", "province:HNI") for p in pages
    ]
    for row in report["pages"]:
        assert set(row) >= REPORT_KEYS
        assert row["cold_s"] > 0 and row["warm_s"] >= 0 and row["baseline_s"] > 0 and row["rss_mib"] > 0
    assert report["rows_exchanges_weekly"] < report["rows_exchanges_daily"]
    assert report["peak_rss_mib"] > 0
    assert report["app"]["ok"], report["app"]
    # Fresh processes (issue 11): `all` built first, then the scope's database, then every page, cold and again.
    fresh = report["fresh"]["scopes"]
    assert set(fresh) == {"all", "province:HNI"}
    for r in fresh.values():
        assert "error" not in r, r
        assert [p["page"] for p in r["pages"]] == pages
        assert r["start_s"] > 0 and all(p["fresh_cold_s"] > 0 and p["fresh_engine_warm_s"] > 0 for p in r["pages"])
    assert fresh["all"]["build_s"] == 0 and fresh["province:HNI"]["build_s"] > 0
    provinces = report["fresh"]["provinces"]
    assert provinces["provinces"] == 34 and provinces["peak_rss_mib"] > 0
    text = format_bench(report)
    assert "overview" in text and "app start to first overview" in text
    assert "every province's database" in text
    json.dumps(report, default=str)


def test_bench_times_the_weekly_snapshot(tiny_base, tmp_path):
    """The snapshot measure runs the snapshot command (it once looked for dashboard/snapshot.py, which the layout
    moved to dashboard/weekly/, and silently measured nothing)."""
    from snapshot_helpers import fresh_base

    from dashboard.devtools.bench import _snapshot

    base = fresh_base(tiny_base, tmp_path)
    result = _snapshot(base, dt.date(2026, 3, 10))  # a Tuesday: the last complete week is 2026-W10
    assert result["week"] == "2026-W10" and result["exit_code"] == 0, result
    assert result["snapshot_s"] > 0
    assert (base / "snapshots" / "2026-W10" / "kpis.parquet").is_file()


def test_the_small_province_has_the_fewest_exchange_rows_at_either_end(tiny_base):
    # tiny's weekly rows with a province body at an end: P1 E6 (P1X), E1 (P1C), E3 (P1X and P1C: twice), E4 (P1C) = 5;
    # P2 E2 (P2C), E4 (P2C), E7 (P2C and P2X: twice) = 4
    assert smallest_province(tiny_base) == "P2"
