"""Rollups give the same numbers as the daily facts (dashboard/data/rollups.py, queries/_macros.sql).

The queries that read whole weeks from the rollups and the partial edge weeks from the daily facts are
compared with their daily-only versions (tests/rollup_reference/*.sql, the queries as they were before
the rollups), on the demo data and on a small fixture whose period starts and ends mid-week.  The
fixture's totals are also worked out by hand, so the test would notice both copies going wrong.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal
from tiny_fixture import agencies_with_body_moved
from tiny_fixture import tables as tiny_tables

from dashboard.data.contract import polars_schema
from dashboard.data.io import write_table
from dashboard.data.rollups import ROLLUPS, build_rollups, rollup_state
from dashboard.engine.db import DATABASES
from dashboard.engine.kpis import READY_THRESHOLD, Period, Scope, compute_kpis
from dashboard.engine.query import run_query, run_sql

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "tests" / "rollup_reference"
# (query, extra parameters): the KPIs, the overview's trend and ranking, and the topic pages' queries.
QUERIES = (
    ("kpis_exchanges", {}),
    ("kpis_dossiers", {}),
    ("sharing_weekly", {}),
    ("attention_provinces", {}),
    ("sharing_datasets", {}),
    ("sharing_provinces", {}),
    ("sharing_level_flows", {}),
    ("sharing_top_bodies", {"role": "provider"}),
    ("sharing_top_bodies", {"role": "consumer"}),
    ("sharing_dataset_weekly", {}),
    ("sharing_dataset_consumers", {}),
    ("reuse_breadth_distribution", {}),
    ("reuse_hotspots_by_body", {}),
    ("reuse_hotspots_by_procedure", {}),
    ("reuse_weekly", {}),
    ("freshness_latest", {}),
)


def _params(period: Period, scope: Scope) -> dict:
    return {
        **period.params(),
        **scope.params(),
        "minutes_per_dossier": 15.0,
        "ready_threshold": READY_THRESHOLD,
        "trend_start": period.start - dt.timedelta(days=17),  # a Friday before a Wednesday start
        "lang": "vi",
        "limit": 1000,
    }


def _same(base: Path, period: Period, scope: Scope, dataset_id: str) -> None:
    for name, extra in QUERIES:
        params = {**_params(period, scope), "dataset_id": dataset_id, **extra}
        reference = (REFERENCE / f"{name}.sql").read_text(encoding="utf-8")
        expected = run_sql(base, scope, reference, params)
        got = run_query(base, scope, name, params)
        # Ratios of equal integer sums are equal; only the calls-weighted p95 (a float sum) may differ in the
        # last bits, and the query rounds it.
        assert_frame_equal(got, expected, check_exact=False, rel_tol=1e-12, abs_tol=0), (name, period, scope)


# --------------------------------------------------------------------------- demo data

DEMO_PERIODS = [
    Period(dt.date(2025, 9, 1), dt.date(2025, 9, 28)),  # four whole weeks (Monday .. Sunday)
    Period(dt.date(2025, 6, 11), dt.date(2025, 9, 18)),  # Wednesday .. Thursday, 14 whole weeks between
    Period(dt.date(2025, 7, 1), dt.date(2025, 9, 30)),  # a quarter: Tuesday .. Tuesday
    Period(dt.date(2025, 8, 13), dt.date(2025, 8, 16)),  # inside one week: no whole week at all
    Period(dt.date(2025, 8, 10), dt.date(2025, 8, 11)),  # Sunday .. Monday: two edge days, no whole week
    Period(dt.date(2025, 1, 1), dt.date(2025, 9, 30)),  # everything, from a Wednesday
    Period(dt.date(2024, 12, 1), dt.date(2024, 12, 31)),  # before the data: empty
]


def _demo_cases() -> list:
    """`all` over every period, Hà Nội and the Central Party Office (VPTW, a body: the scope the flows rollup cannot
    serve) over the first two (whole weeks; edge days on both sides); the other pairs (their other periods, Lai
    Châu's) repeat those shapes on other rows: slow, run in CI."""
    cases = []
    for scope in (Scope(), Scope("province", "HNI"), Scope("agency", "VPTW"), Scope("province", "LCU")):
        for i, period in enumerate(DEMO_PERIODS):
            many = scope.type != "all" and (scope.id == "LCU" or i >= 2)
            cases.append(pytest.param(scope, period, marks=[pytest.mark.slow] if many else []))
    return cases


@pytest.mark.parametrize(
    ("scope", "period"), _demo_cases(), ids=lambda v: f"{v.start}..{v.end}" if isinstance(v, Period) else str(v)
)
def test_demo_rollup_queries_equal_daily_queries(demo_base, period, scope):
    assert all(rollup_state(demo_base, r) == "fresh" for r in ROLLUPS.values())  # the demo wrote them
    _same(demo_base, period, scope, "TW-DANGVIEN")


def test_demo_rollups_are_much_smaller_than_the_facts(demo_base):
    from dashboard.config import table_files

    def rows(table):
        return pl.scan_parquet(table_files(demo_base, table)).select(pl.len()).collect().item()

    assert rows("exchanges_weekly") * 3 < rows("exchanges_daily")
    assert rows("dossiers_weekly") < rows("dossiers_daily")


# --------------------------------------------------------------------------- mid-week fixture

# The period under test runs from Wednesday 2026-02-25 to Thursday 2026-03-12: one whole ISO week
# (03-02 .. 03-08, tiny's week) read from the rollups, and two partial weeks read from the daily facts.
MID = Period(dt.date(2026, 2, 25), dt.date(2026, 3, 12))
# (date, provider, consumer, dataset, channel, calls, calls_ok, records, p95)
EXTRA_EXCHANGES = [
    ("2026-02-24", "C1", "P1C", "D1", "api", 40, 40, 400, 100.0),  # Tuesday before the start: out
    ("2026-02-26", "C1", "P1C", "D1", "api", 10, 5, 50, 200.0),  # Thursday, first partial week: in
    ("2026-03-10", "C1", "P2C", "D1", "api", 20, 20, 200, 100.0),  # Tuesday, last partial week: in
    ("2026-03-13", "C1", "P2C", "D1", "api", 30, 30, 300, 100.0),  # Friday after the end: out
]
# (date, agency, procedure, dossiers, reusing, fields_total, fields_prefilled)
EXTRA_DOSSIERS = [
    ("2026-02-24", "P1C", "TRANSFER", 100, 0, 100, 0),  # Tuesday before the start: out
    ("2026-02-25", "P1C", "TRANSFER", 4, 2, 40, 20),  # the first day: in
    ("2026-03-12", "P2C", "ADMIT", 6, 6, 60, 60),  # the last day: in
]


@pytest.fixture(scope="module")
def midweek_base(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("midweek")
    t = tiny_tables()
    extra_x = pl.DataFrame(
        [(dt.date.fromisoformat(d), *rest) for d, *rest in EXTRA_EXCHANGES],
        schema=polars_schema("exchanges_daily"),
        orient="row",
    )
    extra_d = pl.DataFrame(
        [(dt.date.fromisoformat(d), a, p, f"Thủ tục {p}", f"Procedure {p}", *n) for d, a, p, *n in EXTRA_DOSSIERS],
        schema=polars_schema("dossiers_daily"),
        orient="row",
    )
    t["exchanges_daily"] = pl.concat([t["exchanges_daily"], extra_x])
    t["dossiers_daily"] = pl.concat([t["dossiers_daily"], extra_d])
    for name, df in t.items():
        write_table(base, name, df)
    build_rollups(base)
    return base


def _kpi(table: pl.DataFrame, kpi_id: str) -> dict:
    return table.filter(pl.col("kpi_id") == kpi_id).row(0, named=True)


def test_midweek_totals_by_hand(midweek_base):
    assert {r.name: rollup_state(midweek_base, r) for r in ROLLUPS.values()} == {
        "exchanges_weekly": "fresh",
        "dossiers_weekly": "fresh",
        "dataset_consumers_weekly": "fresh",
        "dataset_consumer_spans": "fresh",
        "exchange_agencies_weekly": "fresh",
        "exchange_flows_weekly": "fresh",
    }
    k = compute_kpis(midweek_base, MID, Scope())
    # tiny E1..E5 (the whole week): calls 100+50+20+30+10, ok 98+50+18+30+0, records 1000+500+200+300+0;
    # edges: E6 (03-01) 60/30 rec 600, E7 (03-09) 10/10 rec 100, extras 02-26 10/5 rec 50 and 03-10 20/20 rec 200.
    calls = (100 + 50 + 20 + 30 + 10) + 60 + 10 + 10 + 20
    calls_ok = (98 + 50 + 18 + 30 + 0) + 30 + 10 + 5 + 20
    rate = _kpi(k, "exchange_success_rate")
    assert (rate["numerator"], rate["denominator"]) == (calls_ok, calls) == (261, 310)
    assert _kpi(k, "records_exchanged")["value"] == (1000 + 500 + 200 + 300 + 0) + 600 + 100 + 50 + 200
    # dossiers: K1 10/10, K2 30/22, K3 30/6 (whole week); K4 (02-27) 20/5, K5 (03-10) 50/50, extras 4/2 and 6/6.
    reuse = _kpi(k, "dossier_reuse_rate")
    assert (reuse["numerator"], reuse["denominator"]) == (10 + 22 + 6 + 5 + 50 + 2 + 6, 10 + 30 + 30 + 20 + 50 + 4 + 6)


def _rollup_rows(base: Path, name: str) -> list[tuple]:
    from dashboard.config import table_files

    return [tuple(r) for r in pl.read_parquet(table_files(base, name)).iter_rows()]


def test_midweek_derived_rollups_by_hand(midweek_base):
    """The pairs and the bodies with calls_ok > 0, one row per week, sorted (tiny's rows and the extras above)."""
    w1, w2, w3 = dt.date(2026, 2, 23), dt.date(2026, 3, 2), dt.date(2026, 3, 9)
    # week 1: C1 -> P1C D1 on 02-24 and 02-26 (one pair), C1 -> P1X D1 on 03-01; week 2: D3's call failed (out);
    # week 3: C1 -> P2C D1 on 03-10 and 03-13 (one pair), P2C -> P2X D4.
    assert _rollup_rows(midweek_base, "dataset_consumers_weekly") == [
        (w1, "D1", "P1C"),
        (w1, "D1", "P1X"),
        (w2, "D1", "P1C"),
        (w2, "D1", "P2C"),
        (w2, "D2", "P1C"),
        (w2, "D4", "P1C"),
        (w3, "D1", "P2C"),
        (w3, "D4", "P2X"),
    ]
    # providers and consumers alike, with the last day each exchanged that week; C2 made only a failed call (D3, 03-07),
    # and that call is C1's last of week 2, as consumer.
    assert _rollup_rows(midweek_base, "exchange_agencies_weekly") == [
        (w1, "C1", True, dt.date(2026, 3, 1)),
        (w1, "P1C", True, dt.date(2026, 2, 26)),
        (w1, "P1X", True, dt.date(2026, 3, 1)),
        (w2, "C1", True, dt.date(2026, 3, 7)),
        (w2, "C2", False, dt.date(2026, 3, 7)),
        (w2, "P1C", True, dt.date(2026, 3, 6)),
        (w2, "P1X", True, dt.date(2026, 3, 5)),
        (w2, "P2C", True, dt.date(2026, 3, 6)),
        (w3, "C1", True, dt.date(2026, 3, 13)),
        (w3, "P2C", True, dt.date(2026, 3, 13)),
        (w3, "P2X", True, dt.date(2026, 3, 9)),
    ]


def test_midweek_consumer_spans_by_hand(midweek_base):
    """dataset_consumer_spans: the pairs of dataset_consumers_weekly above, each run of consecutive weeks one row
    (dataset, consumer, first week, last week), sorted."""
    w1, w2, w3 = dt.date(2026, 2, 23), dt.date(2026, 3, 2), dt.date(2026, 3, 9)
    assert _rollup_rows(midweek_base, "dataset_consumer_spans") == [
        ("D1", "P1C", w1, w2),
        ("D1", "P1X", w1, w1),
        ("D1", "P2C", w2, w3),
        ("D2", "P1C", w2, w2),
        ("D4", "P1C", w2, w2),
        ("D4", "P2X", w3, w3),
    ]


def test_consumer_spans_break_at_a_week_without_a_successful_call():
    """The spans' SQL over weekly rows made by hand: a week with no row, or with failed calls only, ends a run; two
    rows of one week (other providers, channels) are one week; a pair that never succeeds has no span."""
    w1, w2, w3, w4 = (dt.date(2026, 1, 5) + dt.timedelta(weeks=i) for i in range(4))
    rows = [  # week, provider, consumer, dataset, channel, calls_ok
        (w1, "P", "A", "D1", "api", 5),
        (w2, "P", "A", "D1", "api", 1),
        (w2, "Q", "A", "D1", "file", 2),
        (w3, "P", "A", "D1", "api", 0),
        (w4, "P", "A", "D1", "api", 3),
        (w3, "P", "B", "D2", "api", 1),
        (w1, "P", "C", "D2", "api", 0),
        (w2, "P", "C", "D2", "api", 0),
    ]
    con = duckdb.connect()
    try:
        con.execute(
            "create table exchanges_weekly (week_start date, provider_agency_id varchar, consumer_agency_id varchar, "
            "dataset_id varchar, channel varchar, calls_ok bigint)"
        )
        con.executemany("insert into exchanges_weekly values (?, ?, ?, ?, ?, ?)", rows)
        got = con.execute(f"select * from ({ROLLUPS['dataset_consumer_spans'].sql()}) order by all").fetchall()
    finally:
        con.close()
    assert got == [("D1", "A", w1, w2), ("D1", "A", w4, w4), ("D2", "B", w3, w3)]


def test_midweek_flows_rollup_by_hand(midweek_base):
    """exchange_flows_weekly: the exchange rows summed per week and (each end known, its level, its province), sorted
    (levels in alphabetical order; a central body has no province: null, last)."""
    w1, w2, w3 = dt.date(2026, 2, 23), dt.date(2026, 3, 2), dt.date(2026, 3, 9)
    central, central_ = (True, "central", None), (True, "central", None)
    assert _rollup_rows(midweek_base, "exchange_flows_weekly") == [
        # week 1: C1 -> P1X on 03-01 60/30; C1 -> P1C on 02-24 40/40 and 02-26 10/5
        (w1, *central, True, "commune", "P1", 60, 30, 600),
        (w1, *central, True, "provincial", "P1", 40 + 10, 40 + 5, 400 + 50),
        # week 2 (tiny's E1..E5): C2 -> C1 10/0; C1 -> P1C 100/98; C1 -> P2C 50/50; P1X -> P1C 20/18; P2C -> P1C 30/30
        (w2, *central, *central_, 10, 0, 0),
        (w2, *central, True, "provincial", "P1", 100, 98, 1000),
        (w2, *central, True, "provincial", "P2", 50, 50, 500),
        (w2, True, "commune", "P1", True, "provincial", "P1", 20, 18, 200),
        (w2, True, "provincial", "P2", True, "provincial", "P1", 30, 30, 300),
        # week 3: C1 -> P2C on 03-10 20/20 and 03-13 30/30; P2C -> P2X on 03-09 10/10
        (w3, *central, True, "provincial", "P2", 20 + 30, 20 + 30, 200 + 300),
        (w3, True, "provincial", "P2", True, "commune", "P2", 10, 10, 100),
    ]


def _tiny_with_rollups(tmp_path: Path) -> Path:
    """The tiny data set written to a data dir, with its rollups."""
    base = tmp_path / "data"
    for name, df in tiny_tables().items():
        write_table(base, name, df)
    build_rollups(base)
    return base


def _add_exchange(base: Path, row: tuple) -> None:
    """One more daily exchange row written by hand after the rollups (which are stale then)."""
    extra = pl.DataFrame([row], schema=polars_schema("exchanges_daily"), orient="row")
    write_table(base, "exchanges_daily", pl.concat([tiny_tables()["exchanges_daily"], extra]))


def test_a_derived_rollup_rebuilt_alone_is_made_from_a_fresh_weekly_rollup(tmp_path):
    """build_rollups(["exchange_agencies_weekly"]) after the fact changed: exchanges_weekly is stale, so it is
    rebuilt first, and the bodies of the new row are in the derived rollup."""
    base = _tiny_with_rollups(tmp_path)
    _add_exchange(base, (dt.date(2026, 3, 4), "C2", "P2X", "D1", "file", 5, 5, 7, None))
    assert rollup_state(base, ROLLUPS["exchanges_weekly"]) == "stale"
    counts = build_rollups(base, ["exchange_agencies_weekly"])
    assert sorted(counts) == ["exchange_agencies_weekly", "exchanges_weekly"]
    assert all(rollup_state(base, ROLLUPS[n]) == "fresh" for n in counts)
    week = [(a, ok) for w, a, ok, _ in _rollup_rows(base, "exchange_agencies_weekly") if w == dt.date(2026, 3, 2)]
    # C2 connected and P2X there at all through the new row only
    assert week == [("C1", True), ("C2", True), ("P1C", True), ("P1X", True), ("P2C", True), ("P2X", True)]


@pytest.mark.parametrize(
    "period",
    [
        MID,
        Period(dt.date(2026, 2, 26), dt.date(2026, 3, 10)),  # Thursday .. Tuesday
        Period(dt.date(2026, 3, 2), dt.date(2026, 3, 8)),  # exactly the whole week
        Period(dt.date(2026, 3, 3), dt.date(2026, 3, 7)),  # inside the week
        Period(dt.date(2026, 2, 23), dt.date(2026, 3, 15)),  # three whole weeks
    ],
    ids=lambda p: f"{p.start}..{p.end}",
)
@pytest.mark.parametrize(
    "scope", [Scope(), Scope("province", "P1"), Scope("province", "P2"), Scope("agency", "C1")], ids=str
)
def test_midweek_rollup_queries_equal_daily_queries(midweek_base, period, scope):
    _same(midweek_base, period, scope, "D1")


def test_stale_rollups_are_not_trusted(tmp_path):
    """Facts changed by hand after the rollups were built: the database rebuilds the rollup in memory."""
    base = _tiny_with_rollups(tmp_path)
    before = _kpi(compute_kpis(base, Period(dt.date(2026, 3, 2), dt.date(2026, 3, 8)), Scope()), "records_exchanged")
    _add_exchange(base, (dt.date(2026, 3, 4), "C2", "P2C", "D1", "file", 5, 5, 7, None))
    assert rollup_state(base, ROLLUPS["exchanges_weekly"]) == "stale"
    DATABASES.clear()
    after = _kpi(compute_kpis(base, Period(dt.date(2026, 3, 2), dt.date(2026, 3, 8)), Scope()), "records_exchanged")
    assert after["value"] == before["value"] + 7


def test_the_flows_rollup_is_stale_when_a_body_moves_and_the_kpis_follow(tmp_path):
    """exchange_flows_weekly joins agencies: P2X moved to province P1 (same size, same row count) makes it stale; the
    database then builds it in memory, and P2's and P1's success rates follow the move; `rollups` makes it fresh."""
    base = _tiny_with_rollups(tmp_path)
    week3 = Period(dt.date(2026, 3, 9), dt.date(2026, 3, 15))  # only E7: P2C -> P2X 10/10
    p1 = Scope("province", "P1")
    assert _kpi(compute_kpis(base, week3, p1), "exchange_success_rate")["denominator"] == 0  # no row of P1
    write_table(base, "agencies", agencies_with_body_moved("P2X", "P1"))
    assert rollup_state(base, ROLLUPS["exchange_flows_weekly"]) == "stale"
    assert rollup_state(base, ROLLUPS["exchanges_weekly"]) == "fresh"  # it does not read agencies
    DATABASES.clear()
    rate = _kpi(compute_kpis(base, week3, p1), "exchange_success_rate")
    assert (rate["numerator"], rate["denominator"]) == (10, 10)  # E7's consumer is P1's now
    assert build_rollups(base, ["exchange_flows_weekly"]) == {"exchange_flows_weekly": 1 + 5 + 1}  # E6; E1..E5; E7
    assert rollup_state(base, ROLLUPS["exchange_flows_weekly"]) == "fresh"
    assert (dt.date(2026, 3, 9), True, "provincial", "P2", True, "commune", "P1", 10, 10, 100) in _rollup_rows(
        base, "exchange_flows_weekly"
    )


def test_an_exchange_with_a_body_not_in_agencies_counts_through_its_other_end(tmp_path):
    """A provider the agencies table does not know: its flow's end is not known (no level, no province); the row is
    in `all` and in P1 through its consumer P1C, not in P2, as scope_agency_ids says."""
    base = _tiny_with_rollups(tmp_path)
    _add_exchange(base, (dt.date(2026, 3, 4), "ZZ9", "P1C", "D1", "api", 8, 6, 80, None))
    build_rollups(base)
    rows = _rollup_rows(base, "exchange_flows_weekly")
    assert (dt.date(2026, 3, 2), False, None, None, True, "provincial", "P1", 8, 6, 80) in rows
    week = Period(dt.date(2026, 3, 2), dt.date(2026, 3, 8))
    DATABASES.clear()
    calls = {
        key: (r["numerator"], r["denominator"])
        for key, scope in (("all", Scope()), ("P1", Scope("province", "P1")), ("P2", Scope("province", "P2")))
        for r in [_kpi(compute_kpis(base, week, scope), "exchange_success_rate")]
    }
    # tiny's week: all 196/210; P1 (E1, E3, E4 have P1C or P1X) 146/150; P2 (E2 C1 -> P2C, E4 P2C -> P1C) 80/80
    assert calls == {"all": (196 + 6, 210 + 8), "P1": (146 + 6, 150 + 8), "P2": (80, 80)}


def test_rollups_keep_demo_data_demo_and_real_data_real(tmp_path):
    """`rollups` on demo data rewrites derived files (rollups, scope files): the data is still demo data (mode
    `none` keeps serving it). On data whose facts were changed after the demo, it stays real data."""
    import datetime as dt

    import polars as pl

    from dashboard.config import table_files
    from dashboard.data.demo import generate
    from dashboard.data.demo_marker import is_demo_data
    from dashboard.data.rollups import run_rollups_command

    demo = tmp_path / "demo"
    generate(demo, seed=3, until=dt.date(2025, 2, 28), progress=False)
    assert is_demo_data(demo)
    assert run_rollups_command(demo) == 0
    assert is_demo_data(demo)

    changed = tmp_path / "changed"
    generate(changed, seed=3, until=dt.date(2025, 2, 28), progress=False)
    path = table_files(changed, "provinces")[0]
    frame = pl.read_parquet(path)
    frame.with_columns(pl.col("name_vi").str.replace("Hà Nội", "Hà Nội mới")).write_parquet(path)
    assert not is_demo_data(changed)
    assert run_rollups_command(changed) == 0
    assert not is_demo_data(changed)
