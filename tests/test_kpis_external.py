"""External bodies and "operating as of `end`" (metrics.md, "Period, as-of date, scope"), worked out by hand.

The data is tests/tiny_fixture.py's (the rows test_kpis.py names E1..E7, D1..D7, ...) plus:
  agencies  EXT   external body (a State ministry, no province), owner of D8
            EXT2  another external body
  datasets  D8   owned by EXT: shared, key, operating, API, metadata, steward: never in scope, `all` included
            D9   owned by C1: shared, key, API, metadata, steward, operating since 2026-03-20 (after end 03-08)
            D10  owned by P2C: shared, not key, API, metadata, steward, operating since 2026-03-08 (= end)
  elements  EL12 D8 mapped (excluded)   EL13 D9 not mapped   EL14 D10 mapped
  checks    D8/R4 (clean) 03-05 100/10: excluded (it would pull quality_clean down)
  exchanges E8  EXT  -> P2X  D8 api 40/40 rec 400 (03-05): counts for P2X's side; cross-level (external->commune)
            E9  P1C  -> EXT  D2 api 10/9  rec 90  (03-06): counts for P1C's side; D2 now used by a non-owner
            E10 EXT  -> EXT2 D8 api 20/20 rec 200 (03-07): no side in any scope: counts nowhere
Period under test: 2026-03-02 .. 2026-03-08 (end = as-of date 03-08), as in test_kpis.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
import tiny_fixture as tf
from test_scope_databases import assert_same_kpis_in_own_database

from dashboard.data.check import check_data_dir
from dashboard.data.contract import polars_schema
from dashboard.data.io import write_table
from dashboard.engine.kpis import Period, Scope, compute_kpis
from dashboard.engine.query import run_query, run_sql

PERIOD = Period(dt.date(2026, 3, 2), dt.date(2026, 3, 8))

AGENCIES = [
    *tf.AGENCIES,
    ("EXT", "external", None, None, False),  # external body: owns D8, exchanges with P2X and P1C
    ("EXT2", "external", None, None, False),  # external body: only in E10 with EXT
]

# (dataset_id, owner, steward, data_layer, sharing_class, is_key, stage, operating_since, api, metadata_complete)
DATASETS = [
    *[(*row[:7], None, *row[7:]) for row in tf.DATASETS],  # D1..D7 as in the tiny fixture, operating_since null
    ("D8", "EXT", "EXT unit", "master", "shared", True, "operating", None, True, True),  # external owner
    ("D9", "C1", "C1 unit", "master", "shared", True, "operating", "2026-03-20", True, True),  # live after end
    ("D10", "P2C", "P2 office", "reference", "shared", False, "operating", "2026-03-08", True, True),  # live on end
]
ELEMENTS = [*tf.ELEMENTS, ("EL12", "D8", "T1"), ("EL13", "D9", None), ("EL14", "D10", "T2")]
CHECKS = [*tf.CHECKS, ("2026-03-05", "D8", "R4", 100, 10)]
EXCHANGES = [
    *tf.EXCHANGES,
    ("2026-03-05", "EXT", "P2X", "D8", "api", 40, 40, 400, 50.0),  # E8
    ("2026-03-06", "P1C", "EXT", "D2", "api", 10, 9, 90, 60.0),  # E9
    ("2026-03-07", "EXT", "EXT2", "D8", "api", 20, 20, 200, 70.0),  # E10
]


def tables() -> dict[str, pl.DataFrame]:
    out = tf.tables()
    out["agencies"] = tf._frame(
        "agencies",
        [(a, f"Cơ quan {a}", f"Agency {a}", lvl, parent, prov, pilot) for a, lvl, parent, prov, pilot in AGENCIES],
    )
    out["datasets"] = tf._frame(
        "datasets",
        [
            (ds, f"CSDL {ds}", f"Dataset {ds}", owner, steward, layer, sharing, key, stage,
             tf.d(since) if since else None, api, meta, 24)
            for ds, owner, steward, layer, sharing, key, stage, since, api, meta in DATASETS
        ],
    )  # fmt: skip
    out["data_elements"] = tf._frame(
        "data_elements", [(el, ds, f"field_{el.lower()}", term, True, False) for el, ds, term in ELEMENTS]
    )
    out["quality_checks"] = tf._frame(
        "quality_checks", [(tf.d(day), ds, r, checked, passed) for day, ds, r, checked, passed in CHECKS]
    )
    out["exchanges_daily"] = tf._frame(
        "exchanges_daily",
        [(tf.d(day), p, c, ds, ch, calls, ok, rec, lat) for day, p, c, ds, ch, calls, ok, rec, lat in EXCHANGES],
    )
    return out


def R(num: float, den: float, status: str | None) -> tuple:
    return (num / den if den else None, num, den, status)


def N(value: float) -> tuple:
    return (value, None, None, None)


# Scope all, 03-02..03-08. Datasets in scope: D1..D7, D9, D10 (D8's owner is external).
EXPECTED_ALL = {
    # operating as of 03-08: D1..D5, D10 (since 03-08 <= end); not D9 (03-20), D6 building, D7 retired, D8 external.
    # shared/open with API: D1, D2, D10 -> 3 / 6
    "sharing_coverage": R(3, 6, "amber"),
    # operating shared/open: D1, D2, D3, D4, D10.  In use: D1 (P1C, P2C), D4 (P1C), D2 (E9: EXT is not its owner)
    "shared_data_utilization": R(3, 5, "amber"),
    # E1..E5 (196 ok / 210 calls) + E8 (P2X's side) 40/40 + E9 (P1C's side) 9/10; E10 has no side in scope
    "exchange_success_rate": R(196 + 40 + 9, 210 + 40 + 10, "red"),  # 245 / 260 = 0.942
    # cross-level ok: E1 98 + E2 50 + E3 18 (as before) + E8 external->commune 40 + E9 provincial->external 9
    "cross_level_share": R(98 + 50 + 18 + 40 + 9, 245, None),
    # agencies in scope: C1, C2, P1C, P1X, P2C, P2X (never EXT, EXT2); connected: C1, P1C, P1X, P2C and now P2X (E8)
    "connected_agencies": R(5, 6, "amber"),
    "records_exchanged": N(1000 + 500 + 200 + 300 + 0 + 400 + 90),  # E1..E5, E8, E9 = 2490
    # >= 2 consumers other than the owner: D1 only (D2 has one, EXT) -> 1 / 5
    "reuse_breadth": R(1, 5, "red"),
    # quality as in test_kpis.py: D8's clean check is not among the datasets in scope
    "quality_clean": R(90 + 50 + 10, 100 + 100 + 10, "red"),
    "datasets_ready": R(2, 4, "amber"),  # D1, D4 of D1..D4 (D8 would add a fifth, not ready)
    # not retired in scope: D1..D6, D9, D10 = 8; owner and steward: D1, D2, D5, D6, D9, D10
    "ownership_coverage": R(6, 8, "red"),
    # elements of those: EL1..EL9, EL13, EL14 = 11; with a term: EL1, EL2, EL4, EL6, EL8, EL9, EL14
    "dictionary_coverage": R(7, 11, "amber"),
    "metadata_completeness": R(6, 8, "red"),  # D1, D2, D4, D5, D9, D10
    # key, not retired, in scope: D1, D2, D6, D9 (D8 external); operating as of 03-08: D1, D2 (D9 only from 03-20)
    "key_databases_operating": R(2, 4, "amber"),
}

# Province P2 = P2C, P2X; its datasets D4, D10.
EXPECTED_P2 = {
    "sharing_coverage": R(1, 2, "amber"),  # operating D4, D10; shared with API: D10
    "shared_data_utilization": R(1, 2, "amber"),  # D4 used by P1C (E4); D10 unused
    # rows with P2C or P2X at one end: E2 50/50, E4 30/30, E8 40/40 (the external provider's row counts for P2X)
    "exchange_success_rate": R(50 + 30 + 40, 50 + 30 + 40, "green"),
    "cross_level_share": R(50 + 40, 120, None),  # E2 central->provincial, E8 external->commune; E4 same level
    "connected_agencies": R(2, 2, "green"),  # P2C (E2, E4), P2X (E8)
    "records_exchanged": N(500 + 300 + 400),
    "key_databases_operating": R(0, 0, None),  # no key database in P2
}


def _rows(df) -> dict[str, dict]:
    return {r["kpi_id"]: r for r in df.to_dicts()}


def _check(row: dict, expected: tuple) -> None:
    kpi = row["kpi_id"]
    for field, exp in zip(("value", "numerator", "denominator"), expected[:3]):
        got = row[field]
        if exp is None:
            assert got is None, f"{kpi}.{field}: expected null, got {got!r}"
        else:
            assert got is not None and got == pytest.approx(exp), f"{kpi}.{field}: expected {exp!r}, got {got!r}"
    assert row["status"] == expected[3], f"{kpi}.status: expected {expected[3]!r}, got {row['status']!r}"


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tiny_external")
    for name, df in tables().items():
        write_table(path, name, df)
    return path


def test_the_fixture_satisfies_the_contract(base):
    assert check_data_dir(base) == []


@pytest.mark.parametrize("kpi_id", sorted(EXPECTED_ALL))
def test_all_scope(base, kpi_id):
    _check(_rows(compute_kpis(base, PERIOD, Scope.parse("all")))[kpi_id], EXPECTED_ALL[kpi_id])


@pytest.mark.parametrize("kpi_id", sorted(EXPECTED_P2))
def test_province_p2(base, kpi_id):
    _check(_rows(compute_kpis(base, PERIOD, Scope.parse("province:P2")))[kpi_id], EXPECTED_P2[kpi_id])


def test_an_external_body_is_no_agency_in_scope_and_owns_no_dataset_in_scope(base):
    rows = _rows(compute_kpis(base, PERIOD, Scope.parse("agency:EXT")))
    _check(rows["connected_agencies"], R(0, 0, None))  # EXT is not among the agencies in scope, even its own
    _check(rows["key_databases_operating"], R(0, 0, None))  # D8 is not among the datasets in scope
    _check(rows["sharing_coverage"], R(0, 0, None))


def test_operating_as_of_end_moves_with_the_period(base):
    # Previous week 02-23..03-01: D10 (since 03-08) and D9 (since 03-20) not yet operating.
    # operating in scope: D1..D5; shared with API: D1, D2 -> 2 / 5; key: D1, D2 of D1, D2, D6, D9 -> 2 / 4
    before = _rows(compute_kpis(base, Period(dt.date(2026, 2, 23), dt.date(2026, 3, 1)), Scope()))
    _check(before["sharing_coverage"], R(2, 5, "red"))
    _check(before["key_databases_operating"], R(2, 4, "amber"))
    # Week 03-16..03-22: D9 operating since 03-20 <= 03-22. Operating: D1..D5, D9, D10 (7); shared with API:
    # D1, D2, D9, D10 -> 4 / 7; key operating: D1, D2, D9 of 4 -> 3 / 4
    after = _rows(compute_kpis(base, Period(dt.date(2026, 3, 16), dt.date(2026, 3, 22)), Scope()))
    _check(after["sharing_coverage"], R(4, 7, "amber"))
    _check(after["key_databases_operating"], R(3, 4, "amber"))


def test_the_lifecycle_counts_a_dataset_operating_after_end_as_building(base):
    params = {**PERIOD.params(), **Scope().params(), "lang": "en"}
    stages = {r["lifecycle_stage"]: r for r in run_query(base, Scope(), "governance_lifecycle", params).to_dicts()}
    # in scope: D1..D7, D9, D10. As of 03-08: operating D1..D5, D10 (6); building D6 and D9 (2); retired D7
    assert stages["operating"]["count_datasets"] == 6
    assert stages["building"]["count_datasets"] == 2
    assert stages["building"]["count_key_databases"] == 2  # D6, D9
    assert stages["retired"]["count_datasets"] == 1


def test_level_flows_name_the_external_level(base):
    params = {**PERIOD.params(), **Scope().params(), "lang": "en"}
    flows = run_query(base, Scope(), "sharing_level_flows", params)
    pairs = dict(zip(zip(flows["provider_level"], flows["consumer_level"]), flows["count_calls_ok"]))
    assert pairs[("external", "commune")] == 40  # E8
    assert pairs[("provincial", "external")] == 9  # E9
    assert ("external", "external") not in pairs  # E10 has no side in scope


def test_every_scope_gets_the_same_kpis_in_its_own_database(base):
    for scope in (Scope("province", "P1"), Scope("province", "P2")):
        assert_same_kpis_in_own_database(base, scope, PERIOD)
    for agency in run_sql(base, Scope(), "select agency_id from agencies")["agency_id"]:
        assert_same_kpis_in_own_database(base, Scope("agency", agency), PERIOD)


def test_curated_data_without_the_optional_column_reads_it_as_null(tmp_path):
    tf.write_tiny(tmp_path)
    datasets = pl.read_parquet(tmp_path / "curated" / "datasets.parquet").drop("operating_since")
    datasets.write_parquet(tmp_path / "curated" / "datasets.parquet")
    assert check_data_dir(tmp_path) == []
    rows = _rows(compute_kpis(tmp_path, PERIOD, Scope()))
    _check(rows["key_databases_operating"], R(2, 3, "amber"))  # as in test_kpis.py: D1, D2 of D1, D2, D6


def test_the_contract_rules_for_external_bodies_and_operating_since(tmp_path):
    out = tables()
    out["agencies"] = pl.concat(
        [
            out["agencies"],
            tf._frame("agencies", [("EXT3", "Cơ quan EXT3", "Agency EXT3", "external", None, "P1", False)]),
        ]
    )
    out["datasets"] = out["datasets"].with_columns(
        pl.when(pl.col("dataset_id") == "D6")  # building, yet an operating_since
        .then(pl.lit(dt.date(2026, 1, 1)))
        .otherwise(pl.col("operating_since"))
        .alias("operating_since")
    )
    for name, df in out.items():
        write_table(tmp_path, name, df)
    found = {(v.table, v.kind, v.message.split(":")[0]) for v in check_data_dir(tmp_path)}
    assert found == {
        ("agencies", "row_rule", "a central or external body must not have a province_code"),
        ("datasets", "row_rule", "operating_since is set but lifecycle_stage is not operating"),
    }
    assert polars_schema("datasets")["operating_since"] == pl.Date


def test_curate_accepts_a_source_without_the_optional_column_and_writes_it(tmp_path):
    from dashboard.data.curate import curate

    source = tmp_path / "source"
    source.mkdir()
    for name, df in tables().items():
        (df.drop("operating_since") if name == "datasets" else df).write_parquet(source / f"{name}.parquet")
    report = curate(tmp_path / "data", source)
    assert report.status == "ok"
    assert report.tables["datasets"].loaded == 10 and report.tables["datasets"].quarantined == 0  # D1..D10
    assert not any("operating_since" in note for note in report.tables["datasets"].notes)
    curated = pl.read_parquet(tmp_path / "data" / "curated" / "datasets.parquet")
    assert curated.schema["operating_since"] == pl.Date and curated["operating_since"].null_count() == 10
    rows = _rows(compute_kpis(tmp_path / "data", PERIOD, Scope()))
    _check(rows["key_databases_operating"], R(3, 4, "amber"))  # D9 has no date now: D1, D2, D9 of D1, D2, D6, D9
