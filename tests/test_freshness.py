"""Freshness, "late or low?" (dashboard/engine/freshness.py, queries/freshness_latest.sql, the banner of the leader
pages): on a copy of the tiny fixture whose exchanges of province P2 stop 5 days before the period's end.

The copy keeps the tiny fixture's dimensions and changes three facts (lags worked out by hand below):
  exchanges   03-01 C1->P1X · 03-03 C1->P2C (P2's last on or before 03-08) · 03-05 P1X->P1C · 03-07 C2->C1 ·
              03-08 C1->P1C · 03-09 P2C->P2X (after the end: never counts)
  dossiers    03-02 P1X · 03-03 P2C · 03-07 P1C · 03-07 P2C · 03-10 P2C (after the end); none of a central body
  quality     the tiny checks plus 03-02 D2/R4 (P1); roadmap: the tiny updates plus 03-02 RM5 (C2) in progress
Period 2026-03-02..03-08 (a Sunday), today 2026-03-10; DASHBOARD_LATE_DAYS unset: 2 days, weekly facts 2 + 7 = 9.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from apptest_helpers import open_page
from tiny_fixture import d, tables

from dashboard.data.contract import polars_schema
from dashboard.data.io import write_table
from dashboard.engine.freshness import LateSummary, LateTable, LateUnit, banner_lines, freshness, late_provinces
from dashboard.scope import Scope

PAGE = "pages/leaders/overview.py"
END = dt.date(2026, 3, 8)
TODAY = dt.date(2026, 3, 10)

EXCHANGES = [
    ("2026-03-01", "C1", "P1X", "D1", "api", 60, 30, 600, 300.0),  # P1 before the period: P1's latest as of 03-03
    ("2026-03-03", "C1", "P2C", "D1", "api", 50, 50, 500, 100.0),  # P2's last exchange on or before 03-08
    ("2026-03-05", "P1X", "P1C", "D2", "file", 20, 18, 200, None),  # inside P1
    ("2026-03-07", "C2", "C1", "D3", "manual", 10, 0, 0, None),  # C2's latest: 03-07
    ("2026-03-08", "C1", "P1C", "D1", "api", 100, 98, 1000, 120.0),  # P1 and C1 up to the end
    ("2026-03-09", "P2C", "P2X", "D4", "api", 10, 10, 100, 90.0),  # after the end: P2 stays at 03-03
]
DOSSIERS = [
    ("2026-03-02", "P1X", "ADMIT", 30, 22, 300, 270),  # P1 as of 03-03
    ("2026-03-03", "P2C", "TRANSFER", 30, 6, 200, 60),  # P2 as of 03-03
    ("2026-03-07", "P1C", "TRANSFER", 10, 10, 100, 100),  # P1 as of 03-08
    ("2026-03-07", "P2C", "ADMIT", 5, 5, 50, 50),  # P2 as of 03-08
    ("2026-03-10", "P2C", "ADMIT", 50, 50, 500, 500),  # after the end
]


def _facts(table: str, rows: list[tuple]) -> pl.DataFrame:
    if table == "exchanges_daily":
        rows = [(d(r[0]), *r[1:]) for r in rows]
    else:
        rows = [(d(day), ag, proc, f"Thủ tục {proc}", f"Procedure {proc}", *rest) for day, ag, proc, *rest in rows]
    return pl.DataFrame(rows, schema=polars_schema(table), orient="row")


def write_late(base: Path) -> None:
    """Write the copy of the tiny fixture described at the top as `<base>/curated/*.parquet`."""
    out = tables()
    out["exchanges_daily"] = _facts("exchanges_daily", EXCHANGES)
    out["dossiers_daily"] = _facts("dossiers_daily", DOSSIERS)
    extra_check = pl.DataFrame(
        [(d("2026-03-02"), "D2", "R4", 10, 9)], schema=polars_schema("quality_checks"), orient="row"
    )
    out["quality_checks"] = pl.concat([out["quality_checks"], extra_check])
    extra_update = pl.DataFrame(
        [(d("2026-03-02"), "RM5", 70.0, "in_progress", None, None)],
        schema=polars_schema("roadmap_updates"),
        orient="row",
    )
    out["roadmap_updates"] = pl.concat([out["roadmap_updates"], extra_update])
    for name, df in out.items():
        write_table(base, name, df)


@pytest.fixture(scope="module")
def late_base(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("late")
    write_late(base)
    return base


@pytest.fixture
def app_data(late_base) -> Path:
    return late_base


def _row(table: pl.DataFrame, name: str, unit_type: str, unit_id: str | None = None) -> dict:
    found = table.filter(
        (pl.col("table_name") == name)
        & (pl.col("unit_type") == unit_type)
        & ((pl.col("unit_id") == unit_id) if unit_id else pl.lit(True))
    )
    assert len(found) == 1, found
    return found.row(0, named=True)


def test_a_province_whose_exchanges_stop_5_days_before_the_end_is_late(late_base):
    table = freshness(late_base, Scope(), END, late_days=2, today=TODAY)
    p2 = _row(table, "exchanges_daily", "province", "P2")
    assert (p2["latest_on"], p2["lag_days"], p2["allowance_days"], p2["status"]) == (d("2026-03-03"), 5, 2, "late")
    p1 = _row(table, "exchanges_daily", "province", "P1")  # 03-08: lag 0
    assert (p1["latest_on"], p1["lag_days"], p1["status"]) == (d("2026-03-08"), 0, "fresh")
    overall = _row(table, "exchanges_daily", "scope")  # the scope as a whole has 03-08
    assert (overall["latest_on"], overall["lag_days"], overall["status"]) == (d("2026-03-08"), 0, "fresh")
    c2 = _row(table, "exchanges_daily", "body", "C2")  # 03-07: lag 1
    assert (c2["lag_days"], c2["status"]) == (1, "fresh")
    # nothing else is late: dossiers lag 1 (03-07), quality 2..5 days (allowance 9), roadmap 6 days (03-02)
    assert table.filter(pl.col("status") == "late").select("table_name", "unit_id").rows() == [
        ("exchanges_daily", "P2")
    ]
    assert late_provinces(late_base, Scope(), END, late_days=2, today=TODAY) == {"P2": ("exchanges_daily",)}


def test_no_row_at_all_is_no_data_not_late(late_base):
    table = freshness(late_base, Scope(), END, late_days=2, today=TODAY)
    c1 = _row(table, "dossiers_daily", "body", "C1")  # no central body processes dossiers
    assert (c1["latest_on"], c1["lag_days"], c1["status"]) == (None, None, "no_data")
    p1 = _row(table, "roadmap_updates", "province", "P1")  # P1's items: RM2 never reported, RM1b cancelled, RM3 done
    assert p1["status"] == "no_data"


def test_weekly_facts_get_a_week_more(late_base):
    table = freshness(late_base, Scope(), END, late_days=2, today=TODAY)
    p2 = _row(table, "quality_checks", "province", "P2")  # D4's checks on 03-03: lag 5 <= 2 + 7
    assert (p2["lag_days"], p2["allowance_days"], p2["status"]) == (5, 9, "fresh")
    c2 = _row(table, "roadmap_updates", "body", "C2")  # RM5 reported 03-02: lag 6 <= 9
    assert (c2["lag_days"], c2["status"]) == (6, "fresh")
    # with a weekly allowance of 0 + 7 = 7 days, the quality checks of P2 are still fresh (5), and with 0 the daily
    # dossiers of P1 and P2 (03-07, lag 1) turn late
    strict = freshness(late_base, Scope(), END, late_days=0, today=TODAY)
    assert _row(strict, "quality_checks", "province", "P2")["status"] == "fresh"
    assert _row(strict, "dossiers_daily", "province", "P1")["status"] == "late"


def test_the_setting_moves_the_line(late_base, monkeypatch):
    monkeypatch.setenv("DASHBOARD_LATE_DAYS", "5")  # P2's lag 5 is not more than 5
    assert late_provinces(late_base, Scope(), END, today=TODAY) == {}
    monkeypatch.setenv("DASHBOARD_LATE_DAYS", "two")
    with pytest.raises(ValueError, match="DASHBOARD_LATE_DAYS"):
        late_provinces(late_base, Scope(), END, today=TODAY)


def test_a_period_ending_before_the_last_data_has_nothing_late(late_base):
    # as of Tuesday 03-03: exchanges P1 03-01 (lag 2), P2 03-03 (0); dossiers P1 03-02 (1), P2 03-03 (0);
    # quality P1 03-02 (1), P2 03-03 (0); roadmap 03-02 (1); C2 has no exchange on or before 03-03: no data
    table = freshness(late_base, Scope(), dt.date(2026, 3, 3), late_days=2, today=TODAY)
    assert table.filter(pl.col("status") == "late").is_empty()
    assert _row(table, "exchanges_daily", "province", "P1")["lag_days"] == 2
    assert _row(table, "exchanges_daily", "body", "C2")["status"] == "no_data"


def test_a_period_ending_after_today_counts_to_today(late_base):
    # end 03-20 is after today 03-10: lags count to 03-10, where P2's 03-09 exchange is 1 day old
    table = freshness(late_base, Scope(), dt.date(2026, 3, 20), late_days=2, today=TODAY)
    p2 = _row(table, "exchanges_daily", "province", "P2")
    assert (p2["latest_on"], p2["lag_days"], p2["status"]) == (d("2026-03-09"), 1, "fresh")


@pytest.mark.parametrize("scope", [Scope("province", "P2"), Scope("province", "P1"), Scope("agency", "C2")])
def test_a_scope_database_gives_the_same_freshness_as_all(late_base, scope):
    own = freshness(late_base, scope, END, late_days=2, today=TODAY)
    in_all = freshness(late_base, scope, END, late_days=2, today=TODAY, database_scope=Scope())
    assert own.equals(in_all)
    units = set(own.select("unit_type", "unit_id").unique().rows())
    assert units == {("scope", scope.key), (("province", scope.id) if scope.type == "province" else ("body", scope.id))}


def test_the_province_scope_is_late_itself(late_base):
    table = freshness(late_base, Scope("province", "P2"), END, late_days=2, today=TODAY)
    own = _row(table, "exchanges_daily", "scope")
    assert (own["latest_on"], own["lag_days"], own["status"]) == (d("2026-03-03"), 5, "late")


def test_the_banner_names_at_most_five_and_counts_the_rest():
    units = tuple(
        LateUnit("province", f"P{i}", f"Tỉnh {i}", f"Province {i}", dt.date(2026, 3, 1), 10 - i) for i in range(7)
    )
    summary = LateSummary(END, 2, (LateTable("dossiers_daily", 2, dt.date(2026, 3, 4), 4, units),))
    lines = banner_lines(summary, "en")
    assert lines[1] == (
        "- **Dossiers and procedures** (data up to 4 Mar 2026, 4 days behind): Province 0 (10 days behind), "
        "Province 1 (9 days behind), Province 2 (8 days behind), Province 3 (7 days behind), "
        "Province 4 (6 days behind), and 2 more"
    )
    assert banner_lines(LateSummary(END, 2, ()), "vi") == []


def _banner(at) -> str:
    found = [w.value for w in at.warning if "muộn" in w.value or "Late data" in w.value]
    assert len(found) <= 1, found
    return found[0] if found else ""


def test_the_banner_on_the_overview_in_vietnamese(app):
    at = open_page(app)
    assert not at.exception
    assert _banner(at) == (
        "Dữ liệu về muộn so với ngày 08/03/2026: số liệu thấp ở đây có thể do dữ liệu chưa về đủ, "
        "không phải do kết quả kém.\n\n"
        "- **Trao đổi dữ liệu**: Tỉnh P2 (chậm 5 ngày)\n\n"
        "Được coi là về muộn khi chậm quá 2 ngày so với cuối kỳ với dữ liệu hằng ngày, quá 9 ngày với dữ liệu "
        "hằng tuần."
    )
    assert "Tỉnh P1" not in _banner(at)  # P1's exchanges reach 03-08


def test_the_banner_in_english(app):
    at = open_page(app, lang="en")
    assert not at.exception
    assert _banner(at).startswith("Late data for the period ending 8 Mar 2026")
    assert "- **Data exchanges**: Province P2 (5 days behind)" in _banner(at)
    assert "Province P1" not in _banner(at)


def test_no_banner_when_the_period_ends_before_the_last_data(app):
    at = open_page(app, start="2026-02-25", end="2026-03-03")
    assert not at.exception
    assert _banner(at) == ""


@pytest.mark.parametrize("page", ["sharing", "reuse", "quality", "roadmap", "governance"])
def test_every_leader_page_shows_the_banner(app, page):
    app.switch_page(f"pages/leaders/{page}.py")
    at = open_page(app)
    assert not at.exception
    assert "Tỉnh P2 (chậm 5 ngày)" in _banner(at)


# ---- the weekly snapshot records the same --------------------------------------------------------------------


def _snapshot(late_base, tmp_path, monkeypatch, **kw) -> Path:
    import io

    from snapshot_helpers import fresh_base, write_pages

    from dashboard.weekly import snapshot

    monkeypatch.setenv("DASHBOARD_TODAY", "2026-03-10")  # the last complete week: 2026-W10 = 03-02 .. 03-08
    monkeypatch.setenv("DASHBOARD_PAGES_DIR", str(write_pages(tmp_path / "pages")))
    monkeypatch.setenv("DASHBOARD_CHROMIUM", str(tmp_path / "no-chromium"))
    base = fresh_base(late_base, tmp_path)
    err = io.StringIO()
    assert snapshot.run(base, out=io.StringIO(), err=err, **kw) == 0, err.getvalue()
    return base


def test_the_snapshot_manifest_and_report_record_the_late_province(late_base, tmp_path, monkeypatch):
    import json

    base = _snapshot(late_base, tmp_path, monkeypatch, formats="parquet,xlsx,html")
    folder = base / "snapshots" / "2026-W10"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["freshness"] == {
        "as_of": "2026-03-08",
        "late_days": 2,
        "late_tables": [
            {
                "table": "exchanges_daily",
                "allowance_days": 2,
                "scope_late": False,  # the whole system has exchanges on 03-08
                "scope_latest_on": None,
                "scope_lag_days": None,
                "late_provinces": [
                    {
                        "id": "P2",
                        "name_vi": "Tỉnh P2",
                        "name_en": "Province P2",
                        "latest_on": "2026-03-03",
                        "lag_days": 5,
                    }
                ],
                "late_bodies": [],
            }
        ],
    }
    cover = dict(pl.read_excel(folder / "report.xlsx", sheet_name="Bìa", has_header=False).drop_nulls().rows())
    assert cover["Độ kịp thời của dữ liệu"].splitlines()[1] == "Trao đổi dữ liệu: Tỉnh P2 (chậm 5 ngày)"
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert '<div class="freshness late">' in html
    assert "<li>Trao đổi dữ liệu: Tỉnh P2 (chậm 5 ngày)</li>" in html


def test_a_fresh_province_report_says_all_is_up_to_date(late_base, tmp_path, monkeypatch):
    import json

    base = _snapshot(late_base, tmp_path, monkeypatch, formats="parquet,html", report_scope="province:P1")
    folder = base / "snapshots" / "scopes" / "province-P1" / "2026-W10"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["freshness"]["late_tables"] == []  # P1 is fresh, and P2 is not in P1's database
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert '<div class="freshness">' in html and "Mọi nguồn dữ liệu đều đã cập nhật đến cuối kỳ." in html
    assert "Tỉnh P2" not in html.split('<div class="freshness">')[1].split("</div>")[0]


def test_the_scorecard_note_names_the_late_tables():
    from dashboard.engine.freshness import late_data_note

    assert late_data_note(("exchanges_daily", "dossiers_daily"), "vi") == (
        "Dữ liệu của tỉnh này về muộn (Trao đổi dữ liệu, Hồ sơ, thủ tục): số liệu thấp có thể do dữ liệu chưa về, "
        "không phải do tỉnh chậm."
    )


def test_the_scorecard_marks_a_late_province_late_data(late_base, monkeypatch):
    """On the Provinces page, P2 (exchanges stopped on 03-03, lag 5 > 2) is marked "late data" with why, P1 is not."""
    from streamlit.testing.v1 import AppTest

    from dashboard.config import ROOT

    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(late_base))
    monkeypatch.setenv("DASHBOARD_TODAY", "2026-03-10")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update({"period": "custom", "start": "2026-03-02", "end": "2026-03-08"})
    at = at.switch_page("pages/leaders/provinces.py").run()
    assert not at.exception
    grid = next(d for d in at.dataframe if "Tỉnh, thành phố" in d.value.columns)
    marks = dict(zip(grid.value["Tỉnh, thành phố"], grid.value["Dữ liệu về muộn"]))
    assert marks == {"Tỉnh P2": "▲ Dữ liệu về muộn", "★ Tỉnh P1": ""}
    notes = [c.value for c in at.caption if c.value.startswith("▲ Tỉnh P2:")]
    assert len(notes) == 1 and "không phải do tỉnh chậm" in notes[0]


def test_the_data_version_hashes_each_curated_files_path_size_and_time_in_path_order(tmp_path):
    """data_version (asked before every query): sha1 over 'path|size|mtime_ns' lines of the curated Parquet files,
    in path-part order ('a/x' before 'a-b/x', as sorted Paths were), first 12 hex digits; other files ignored."""
    import hashlib
    import os

    from dashboard.config import data_version

    cur = tmp_path / "curated"
    for rel, body in (("a-b/x.parquet", b"12345"), ("a/x.parquet", b"123"), ("t.parquet", b"1"), ("a/notes.txt", b"")):
        (cur / rel).parent.mkdir(parents=True, exist_ok=True)
        (cur / rel).write_bytes(body)
    for i, rel in enumerate(("a/x.parquet", "a-b/x.parquet", "t.parquet")):
        os.utime(cur / rel, ns=(0, (i + 1) * 1_000_000_000))
    lines = "a/x.parquet|3|1000000000\na-b/x.parquet|5|2000000000\nt.parquet|1|3000000000\n"
    assert data_version(tmp_path) == hashlib.sha1(lines.encode()).hexdigest()[:12]
    os.utime(cur / "t.parquet", ns=(0, 4_000_000_000))  # a rewritten file is a new version
    assert data_version(tmp_path) != hashlib.sha1(lines.encode()).hexdigest()[:12]
    assert data_version(tmp_path / "none") == hashlib.sha1(b"").hexdigest()[:12]


def test_the_data_version_counts_the_scope_files_by_their_manifest(tmp_path):
    """curated/scopes/ is replaced whole with a new manifest.json: the manifest's size and time stand for its files."""
    import hashlib
    import os

    from dashboard.config import data_version

    cur = tmp_path / "curated"
    for rel, body in (("t.parquet", b"1"), ("scopes/manifest.json", b"{}"), ("scopes/a/s=1/d.parquet", b"12")):
        (cur / rel).parent.mkdir(parents=True, exist_ok=True)
        (cur / rel).write_bytes(body)
    os.utime(cur / "t.parquet", ns=(0, 1_000_000_000))
    os.utime(cur / "scopes" / "manifest.json", ns=(0, 2_000_000_000))
    lines = "scopes/manifest.json|2|2000000000\nt.parquet|1|1000000000\n"  # the scope file itself not listed
    assert data_version(tmp_path) == hashlib.sha1(lines.encode()).hexdigest()[:12]
    (cur / "scopes" / "a" / "s=1" / "d.parquet").write_bytes(b"123")  # not a version of its own: ...
    assert data_version(tmp_path) == hashlib.sha1(lines.encode()).hexdigest()[:12]
    os.utime(cur / "scopes" / "manifest.json", ns=(0, 3_000_000_000))  # ... a rewritten folder has a new manifest
    assert data_version(tmp_path) != hashlib.sha1(lines.encode()).hexdigest()[:12]
