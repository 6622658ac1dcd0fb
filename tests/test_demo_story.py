"""The demo tells the seed's story (issue 13, section 5): the numbers move, the roadmap agrees with the data, the
population database's ministry is an external body, key databases go operating on dates, and the demo stores the
weekly snapshots of its last weeks. Expected values come from reference/*.csv read by hand, not from the code."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dashboard.cli import main
from dashboard.data.demo import PILOT_PROVINCES, dimensions, generate
from dashboard.engine.kpis import Period, Scope, compute_kpis
from dashboard.weekly.snapshot import recent_weeks

UNTIL = dt.date(2026, 11, 29)  # a Sunday: the week 2026-W48 (Mon 11-23 .. Sun 11-29) is the last complete one


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("demo_story_2026")
    generate(base, seed=42, scale=1, until=UNTIL, progress=False)
    return base


@pytest.fixture(scope="module")
def con(story) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for table in ("agencies", "datasets", "exchanges_daily", "dossiers_daily", "roadmap_items", "roadmap_updates"):
        con.execute(f"create view {table} as select * from read_parquet('{story}/curated/{table}.parquet')")
    return con


def _rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def _week(end: dt.date) -> Period:
    return Period(end - dt.timedelta(days=6), end)


def _kpis(base: Path, end: dt.date) -> dict[str, float | None]:
    df = compute_kpis(base, _week(end), Scope())
    return dict(zip(df["kpi_id"], df["value"]))


def test_the_population_ministry_is_an_external_body(story, con):
    assert _rows(con, "select level, province_code from agencies where agency_id = 'BCA'") == [("external", None)]
    assert _rows(con, "select owner_agency_id from datasets where dataset_id = 'BCA-DANCU'") == [("BCA",)]
    # its data still flows to Party bodies ...
    served = _rows(con, "select count(*) from exchanges_daily where provider_agency_id = 'BCA' and calls_ok > 0")
    assert served[0][0] > 0
    # ... but it is not among the agencies connected_agencies counts, nor its database among the key databases
    party_bodies = _rows(con, "select count(*) from agencies where level <> 'external'")[0][0]
    df = compute_kpis(story, _week(UNTIL), Scope())
    rows = {r["kpi_id"]: r for r in df.to_dicts()}
    assert rows["connected_agencies"]["denominator"] == party_bodies
    # key databases, not retired, owned by Party bodies (reference/central_datasets.csv): TW-DANGVIEN,
    # TW-TOCHUCDANG, TW-CANBO, TW-VANKIEN, TW-KTGS, TW-DANHMUC, TW-THIDUA = 7 (BCA-DANCU is the ministry's)
    assert rows["key_databases_operating"]["denominator"] == 7


def test_key_databases_go_operating_on_dates(story, con):
    since = dict(_rows(con, "select dataset_id, operating_since from datasets where is_key_database"))
    assert since["TW-TOCHUCDANG"] == dt.date(2026, 4, 6)  # after "build the party organisations database"
    assert since["TW-KTGS"] == dt.date(2026, 10, 19)
    assert since["TW-CANBO"] == dt.date(2025, 9, 1)
    assert since["TW-DANGVIEN"] is None  # operating before the extracts start
    # As of 2026-03-29: TW-DANGVIEN, TW-CANBO, TW-VANKIEN, TW-DANHMUC operating -> 4 / 7.
    # As of 2026-11-29: and TW-TOCHUCDANG (04-06), TW-KTGS (10-19) -> 6 / 7 (TW-THIDUA still building).
    assert _kpis(story, dt.date(2026, 3, 29))["key_databases_operating"] == pytest.approx(4 / 7)
    assert _kpis(story, UNTIL)["key_databases_operating"] == pytest.approx(6 / 7)


def test_pilots_start_low_and_improve_every_quarter(con):
    pilots = ", ".join(f"'{p}'" for p in PILOT_PROVINCES)
    rates = _rows(
        con,
        f"""
        select date_trunc('quarter', dossier_date) as q, sum(dossiers_reusing) / sum(dossiers)
        from dossiers_daily join agencies using (agency_id)
        where agencies.province_code in ({pilots}) and dossier_date <= '2026-09-30'
        group by q order by q""",
    )
    values = [r[1] for r in rates]
    assert len(values) == 7  # 2025-Q1 .. 2026-Q3
    assert values[0] < 0.25  # a low base
    assert values[-1] > 0.7
    assert all(b > a for a, b in zip(values, values[1:])), values  # rising every quarter


def test_the_last_year_moves(story):
    """No flat line for a leader looking back a year: each of these KPIs of `all` changes between the week a year
    ago and the last week, and the reuse rate changes every week of the last twelve."""
    year_ago, now = _kpis(story, UNTIL - dt.timedelta(weeks=52)), _kpis(story, UNTIL)
    for kpi in ("dossier_reuse_rate", "prefill_rate", "connected_agencies", "key_databases_operating"):
        assert now[kpi] > year_ago[kpi] + 0.05, (kpi, year_ago[kpi], now[kpi])
    weekly = [_kpis(story, UNTIL - dt.timedelta(weeks=k))["dossier_reuse_rate"] for k in range(12)]
    assert len({round(v, 4) for v in weekly}) == 12
    assert weekly[0] > weekly[-1]  # the last week above the week eleven weeks earlier


def test_the_strategy_is_a_draft_collecting_comments_in_november_2025(con):
    latest = dict(
        (item, status)
        for item, status in _rows(
            con,
            """
            select item_id, status from roadmap_updates
            where item_id in ('RM-S1.03', 'RM-S1.04') and week_start <= '2025-11-30'
            qualify row_number() over (partition by item_id order by week_start desc) = 1""",
        )
    )
    assert latest == {"RM-S1.03": "in_progress"}  # the draft; adoption has no report yet
    title, due = _rows(con, "select title_en, planned_due from roadmap_items where item_id = 'RM-S1.04'")[0]
    assert title == "Data strategy adopted" and due > dt.date(2025, 11, 30)


def test_the_first_20_committees_milestone_agrees_with_the_exchanges(con):
    statuses = {r[0] for r in _rows(con, "select status from roadmap_updates where item_id = 'RM-A2.02'")}
    assert "blocked" not in statuses
    (done_on,) = _rows(con, "select completed_on from roadmap_updates where item_id = 'RM-A2.02' and status = 'done'")[
        0
    ]
    # committees with a successful exchange through the platform (not the legacy document links TW-VANBAN and
    # TW-VANKIEN) by the day the milestone was reported done: at least 20
    connected = _rows(
        con,
        f"""
        select count(distinct consumer_agency_id) from exchanges_daily
        where consumer_agency_id like 'TU-%' and calls_ok > 0 and exchange_date <= '{done_on}'
          and dataset_id not in ('TW-VANBAN', 'TW-VANKIEN')""",
    )[0][0]
    assert connected >= 20


def test_the_owner_and_steward_task_is_not_done_while_datasets_lack_them(con):
    lacking = _rows(
        con,
        "select dataset_id from datasets where lifecycle_stage <> 'retired' "
        "and (owner_agency_id is null or steward is null) order by 1",
    )
    assert [r[0] for r in lacking] == ["DBN-HSDV", "TW-KHAOSAT", "TW-TCCS", "TW-THIDUA"]
    statuses = {r[0] for r in _rows(con, "select status from roadmap_updates where item_id = 'RM-G1.05'")}
    assert "done" not in statuses


def test_scale_33_gives_about_3300_communes():
    started = time.perf_counter()
    agencies = dimensions(seed=42, scale=33, until=UNTIL)["agencies"]
    levels = dict(agencies.group_by("level").len().iter_rows())
    assert levels["commune"] == 3 * 33 * 34  # 99 communes in each of the 34 provinces = 3,366
    assert levels["provincial"] == 5 * 34  # committee and four commissions per province, at any scale
    assert time.perf_counter() - started < 60  # no facts are drawn


def test_recent_weeks_are_the_last_complete_weeks_of_the_data():
    labels = [w.label for w in recent_weeks(UNTIL, 8)]
    assert labels == [f"2026-W{n}" for n in range(41, 49)]  # W48 = 11-23 .. 11-29
    assert [w.label for w in recent_weeks(dt.date(2026, 11, 30), 8)] == labels  # a Monday: W49 is not complete
    assert [w.label for w in recent_weeks(dt.date(2026, 11, 28), 2)] == ["2026-W46", "2026-W47"]


def test_the_demo_command_stores_the_snapshots_of_the_last_weeks(story, capsys):
    code = main(
        ["demo", "--data-dir", str(story), "--until", UNTIL.isoformat(), "--weeks", "2", "--snapshots-only", "--quiet"]
    )
    assert code == 0
    assert "Snapshots of 2 weeks (2026-W47 to 2026-W48)" in capsys.readouterr().out
    for label in ("2026-W47", "2026-W48"):
        folder = story / "snapshots" / label
        assert sorted(p.name for p in folder.iterdir()) == ["kpis.parquet", "manifest.json"]  # no report
        kpis = pl.read_parquet(folder / "kpis.parquet")
        assert set(kpis["week"]) == {label}
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["parts"]["xlsx"] == {"status": "not_requested"}
    assert not (story / "snapshots" / "2026-W46").exists()


def test_make_run_stores_the_snapshots_in_the_background(tmp_path):
    code = main(
        ["demo", "--data-dir", str(tmp_path), "--until", "2025-02-09", "--weeks", "1", "--snapshots-in-background"]
    )
    assert code == 0
    target = tmp_path / "snapshots" / "2025-W06" / "kpis.parquet"  # 2025-02-03 .. 2025-02-09
    deadline = time.monotonic() + 300
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(1)
    log = (tmp_path / "snapshots" / "demo-snapshots.log").read_text(encoding="utf-8")
    assert target.exists(), log


def test_a_week_ending_today_is_not_stored_yet(story, monkeypatch, capsys):
    monkeypatch.setenv("DASHBOARD_TODAY", UNTIL.isoformat())  # the data's last day, a Sunday, is today
    code = main(
        ["demo", "--data-dir", str(story), "--until", UNTIL.isoformat(), "--weeks", "1", "--snapshots-only", "--quiet"]
    )
    assert code == 0
    assert "Snapshots of 1 week (2026-W47 to 2026-W47)" in capsys.readouterr().out  # W48 ends today
