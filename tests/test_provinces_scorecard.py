"""queries/provinces_scorecard.sql: hand-checked numbers on the tiny fixture (tests/tiny_fixture.py), its group rows
(the mean of the provinces, not a pooled ratio) on a variant with a third province, and every province row equal to
that province's own KPIs (compute_kpis) and to the row its own scope database gives.

Period 2026-03-02 .. 2026-03-08. P1 (pilot committee P1C): bodies P1C, P1X; P2 (not a pilot): P2C, P2X.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from tiny_fixture import tables

from dashboard.data.io import write_table
from dashboard.engine.kpis import Period, Scope, compute_kpis
from dashboard.engine.query import run_query

WEEK = Period(dt.date(2026, 3, 2), dt.date(2026, 3, 8))
KPI_COLUMNS = (
    "connected_agencies",
    "exchange_success_rate",
    "dossier_reuse_rate",
    "prefill_rate",
    "quality_index",
    "ownership_coverage",
    "schedule_performance",
)


def scorecard(base: Path, period: Period, database: Scope, lang: str = "vi") -> list[dict]:
    return run_query(
        base, database, "provinces_scorecard", {**period.params(), **database.params(), "lang": lang}
    ).to_dicts()


def by_kind(rows: list[dict]) -> dict[str, dict]:
    return {r["province_code"] or r["row_kind"]: r for r in rows}


def test_the_tiny_fixture_by_hand(tiny_base):
    rows = scorecard(tiny_base, WEEK, Scope())
    assert [r["row_kind"] for r in rows] == ["pilots", "others", "province", "province"]  # groups first
    got = by_kind(rows)
    assert got["P1"]["province_name"] == "Tỉnh P1" and got["P1"]["is_pilot"] and not got["P2"]["is_pilot"]
    expected = {
        "P1": {
            "connected_agencies": 2 / 2,  # P1C (E1, E3) and P1X (E3) both have calls_ok > 0
            "exchange_success_rate": 146 / 150,  # E1 98/100 + E3 18/20 + E4 30/30
            "dossier_reuse_rate": 32 / 40,  # K1 10/10 + K2 22/30
            "prefill_rate": 370 / 400,  # (100 + 270) / (100 + 300)
            # D2 only (D5's check is after end): correct 2*45/(2*50) = 0.9, sufficient 150/200 = 0.75
            "quality_index": (0.9 + 0.75) / 2,
            "ownership_coverage": 2 / 2,  # D2, D5 have owner and steward (D7 retired)
            # RM1b cancelled; RM2 w3 0% planned 7/30; RM3 w1 100% planned 1: 1 / (3*7/30 + 1) = 1/1.7
            "schedule_performance": 1 / 1.7,
        },
        "P2": {
            "connected_agencies": 1 / 2,  # P2C (E2, E4); P2X nothing
            "exchange_success_rate": 80 / 80,  # E2 50/50 + E4 30/30
            "dossier_reuse_rate": 6 / 30,
            "prefill_rate": 60 / 200,
            "quality_index": (1.0 + 1.0 + 1.0 + 0.9) / 4,  # D4: correct 30/30, sufficient, clean 1, live 9/10
            "ownership_coverage": 0 / 1,  # D4 has no steward
            "schedule_performance": (1 * 1.0 + 1 * 0.1) / (1 * 1 + 1 * 0),  # RM4 done (due), RM6 10% not yet started
        },
    }
    for code, values in expected.items():
        for kpi_id, value in values.items():
            assert got[code][kpi_id] == pytest.approx(value), (code, kpi_id)
    # one province per group: each group row is its province's row
    for group, code in (("pilots", "P1"), ("others", "P2")):
        assert got[group]["count_provinces"] == 1
        for kpi_id in KPI_COLUMNS:
            assert got[group][kpi_id] == pytest.approx(got[code][kpi_id]), (group, kpi_id)


@pytest.fixture(scope="module")
def three_provinces(tmp_path_factory) -> Path:
    """The tiny fixture plus P3 (not a pilot): one body P3C, 10 dossiers all reusing, no exchange, nothing else."""
    base = tmp_path_factory.mktemp("three")
    frames = tables()
    frames["provinces"] = pl.concat(
        [
            frames["provinces"],
            pl.DataFrame([("P3", "Tỉnh P3", "Province P3", "Southeast")], frames["provinces"].schema, orient="row"),
        ]
    )
    frames["agencies"] = pl.concat(
        [
            frames["agencies"],
            pl.DataFrame(
                [("P3C", "Cơ quan P3C", "Agency P3C", "provincial", None, "P3", False)],
                frames["agencies"].schema,
                orient="row",
            ),
        ]
    )
    k = frames["dossiers_daily"]
    frames["dossiers_daily"] = pl.concat(
        [
            k,
            pl.DataFrame(
                [(dt.date(2026, 3, 4), "P3C", "TRANSFER", "Thủ tục TRANSFER", "Procedure TRANSFER", 10, 10, 50, 0)],
                k.schema,
                orient="row",
            ),
        ]
    )
    for name, df in frames.items():
        write_table(base, name, df)
    return base


def test_a_group_row_is_the_mean_of_its_provinces(three_provinces):
    got = by_kind(scorecard(three_provinces, WEEK, Scope()))
    others = got["others"]
    assert others["count_provinces"] == 2  # P2 and P3
    assert others["dossier_reuse_rate"] == pytest.approx((6 / 30 + 10 / 10) / 2)  # 0.6; pooled would be 16/40 = 0.4
    assert others["prefill_rate"] == pytest.approx((60 / 200 + 0 / 50) / 2)  # 0.15; pooled 60/250 = 0.24
    assert others["connected_agencies"] == pytest.approx((1 / 2 + 0 / 1) / 2)  # P3C never exchanged
    assert others["exchange_success_rate"] == pytest.approx(1.0)  # P3 has no calls: null, left out of the mean
    assert others["quality_index"] == pytest.approx(0.975)  # P3 owns no dataset: P2's alone
    assert got["pilots"]["count_provinces"] == 1 and got["P3"]["exchange_success_rate"] is None


def assert_row_matches_the_kpis(row: dict, kpis: dict) -> None:
    for kpi_id in KPI_COLUMNS:
        if kpis[kpi_id] is None:
            assert row[kpi_id] is None, kpi_id
        else:
            assert row[kpi_id] == pytest.approx(kpis[kpi_id], rel=1e-12), kpi_id


def kpi_values(base: Path, period: Period, scope: Scope) -> dict:
    return {r["kpi_id"]: r["value"] for r in compute_kpis(base, period, scope).to_dicts()}


def test_each_fixture_row_equals_that_provinces_own_kpis(three_provinces):
    rows = [r for r in scorecard(three_provinces, WEEK, Scope()) if r["row_kind"] == "province"]
    assert [r["province_code"] for r in rows] == ["P1", "P2", "P3"]
    for row in rows:
        scope = Scope("province", row["province_code"])
        assert_row_matches_the_kpis(row, kpi_values(three_provinces, WEEK, scope))  # in the province's own database
        own = [r for r in scorecard(three_provinces, WEEK, scope) if r["row_kind"] == "province"]
        assert own == [row]  # its own database gives it the same row, and only its own


def test_each_demo_row_equals_that_provinces_own_kpis(demo_base):
    period = Period(dt.date(2025, 7, 1), dt.date(2025, 9, 28))
    rows = [r for r in scorecard(demo_base, period, Scope()) if r["row_kind"] == "province"]
    assert len(rows) == 34
    assert sum(r["is_pilot"] for r in rows) == 11  # the demo's 11 pilot committees
    for row in sorted(rows, key=lambda r: r["province_code"])[::7]:  # five provinces spread over the list
        scope = Scope("province", row["province_code"])
        assert_row_matches_the_kpis(row, kpi_values(demo_base, period, scope))
        own = [r for r in scorecard(demo_base, period, scope) if r["row_kind"] == "province"]
        assert own == [row]


def test_english_names(tiny_base):
    names = [r["province_name"] for r in scorecard(tiny_base, WEEK, Scope(), lang="en")]
    assert names == [None, None, "Province P1", "Province P2"]
