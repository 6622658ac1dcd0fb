"""Scope files (dashboard/data/scope_files.py): each scope's rows written at curation, its database built from them.

The tiny fixture with its rollups and scope files: the files hold each row once per scope it belongs to (counted by
hand below), a province's or central body's database reads only its own files, a body inside a province copies its
rows from its province's files, and every scope gets the same KPIs in its own database as in `all`.  Scope files
that no longer match the tables are not trusted.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from test_scope_databases import assert_same_kpis_in_own_database
from tiny_fixture import agencies_with_body_moved, write_tiny

from dashboard.data.io import write_table
from dashboard.data.rollups import ROLLUPS, build_rollups
from dashboard.data.scope_files import (
    DERIVED_PER_SCOPE,
    DIMENSIONS,
    PARTITIONED,
    build_scope_files,
    refresh_scope_files,
    scope_files_state,
    scope_folder,
)
from dashboard.engine.db import DATABASES, DatabaseCache, database
from dashboard.engine.query import run_sql
from dashboard.period import Period
from dashboard.scope import Scope

WEEK = Period(dt.date(2026, 3, 2), dt.date(2026, 3, 8))
MONTHS = Period(dt.date(2026, 2, 1), dt.date(2026, 3, 31))
SCOPES = [
    Scope("province", "P1"),
    Scope("province", "P2"),
    *(Scope("agency", a) for a in ("C1", "C2", "P1C", "P1X", "P2C", "P2X")),
]


def _write(base: Path) -> Path:
    write_tiny(base)
    build_rollups(base)
    build_scope_files(base)
    return base


@pytest.fixture(scope="module")
def scoped_base(tmp_path_factory) -> Path:
    return _write(tmp_path_factory.mktemp("scoped"))


def _rows(base: Path, table: str, scope_type: str, scope_id: str) -> int:
    files = sorted(scope_folder(base, table, scope_type, scope_id).glob("*.parquet"))
    if not files:
        return 0
    con = duckdb.connect()
    try:
        return con.execute(
            "select count(*) from read_parquet($f, hive_partitioning = false)", {"f": [str(p) for p in files]}
        ).fetchall()[0][0]
    finally:
        con.close()


def _kind(base: Path, scope: Scope, table: str) -> str:
    con = database(base, scope).cursor()
    try:
        views = {r[0] for r in con.execute("select view_name from duckdb_views() where not internal").fetchall()}
    finally:
        con.close()
    return "view" if table in views else "table"


def test_each_row_is_written_once_per_scope_it_belongs_to(scoped_base):
    state, manifest = scope_files_state(scoped_base)
    assert state == "fresh"
    # Provinces and the bodies without a province; P1C, P1X, P2C, P2X are served from their province's files.
    assert manifest["scopes"] == ["agency:C1", "agency:C2", "province:P1", "province:P2"]
    # Exchanges (provider, consumer, dataset owner -> scopes):
    # E1 C1>P1C D1(C1): C1, P1 | E2 C1>P2C D1: C1, P2 | E3 P1X>P1C D2(P1C): P1 | E4 P2C>P1C D4(P2C): P2, P1
    # E5 C2>C1 D3(none): C2, C1 | E6 C1>P1X D1: C1, P1 | E7 P2C>P2X D4: P2
    expected = {("province", "P1"): 4, ("province", "P2"): 3, ("agency", "C1"): 4, ("agency", "C2"): 1}
    for (kind, ident), n in expected.items():
        assert _rows(scoped_base, "exchanges_daily", kind, ident) == n, (kind, ident)
    assert manifest["rows"]["exchanges_daily"] == 4 + 3 + 4 + 1
    # Dossiers: P1C, P1X, P2C, P1C, P2C -> P1: 3, P2: 2; the central bodies have none (no folder at all).
    assert _rows(scoped_base, "dossiers_daily", "province", "P1") == 3
    assert _rows(scoped_base, "dossiers_daily", "province", "P2") == 2
    assert not scope_folder(scoped_base, "dossiers_daily", "agency", "C1").exists()
    # The weekly rollup of P1: E1, E3, E4 in the week of 03-02, E6 in the week of 02-23 (each its own grain row).
    assert _rows(scoped_base, "exchanges_weekly", "province", "P1") == 4


@pytest.mark.parametrize("period", [WEEK, MONTHS], ids=str)
def test_every_scope_gets_the_same_kpis_from_its_files(scoped_base, period):
    for scope in SCOPES:
        assert_same_kpis_in_own_database(scoped_base, scope, period)


def test_a_province_reads_only_its_own_files(scoped_base):
    p1 = Scope("province", "P1")
    for table in PARTITIONED:
        if scope_folder(scoped_base, table, "province", "P1").exists():
            assert _kind(scoped_base, p1, table) == "view", table
    assert _kind(scoped_base, p1, "agencies") == "table"
    # its rollups made from exchanges_weekly: views over its files, written at curation
    assert all(_kind(scoped_base, p1, name) == "view" for name in DERIVED_PER_SCOPE)
    # C1 has no dossiers: an empty table with the columns of dossiers_daily.
    c1 = run_sql(scoped_base, Scope("agency", "C1"), "select * from dossiers_daily")
    assert c1.height == 0 and "dossier_date" in c1.columns
    # Only its own rows: E1, E3, E4, E6 (see above).
    got = run_sql(scoped_base, p1, "select exchange_date from exchanges_daily order by 1")["exchange_date"]
    assert [str(d) for d in got] == ["2026-03-01", "2026-03-03", "2026-03-05", "2026-03-06"]
    con = database(scoped_base, p1).cursor()
    other = scope_folder(scoped_base, "exchanges_daily", "province", "P2")
    own = scope_folder(scoped_base, "exchanges_daily", "province", "P1")
    try:
        assert con.sql(f"select count(*) from read_parquet('{own}/*.parquet')").fetchall() == [(4,)]
        for path in (f"{other}/*.parquet", f"{own}/../scope_id=P2/*.parquet"):
            with pytest.raises(duckdb.Error):
                con.sql(f"select * from read_parquet('{path}')").fetchall()
    finally:
        con.close()


def _table_rows(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    cur = con.cursor()
    try:
        frame = cur.sql(f'select * from "{table}"').pl()
    finally:
        cur.close()
    frame = frame.select(sorted(frame.columns))
    return sorted(frame.rows(), key=repr)


@pytest.mark.parametrize("scope", SCOPES, ids=lambda s: s.key)
def test_a_database_from_scope_files_holds_the_rows_copied_out_of_all(scoped_base, scope):
    """Whatever a scope's database reads from its files, copies out of `all` (its small tables) or out of its
    province's files (a body inside a province), every table holds exactly the rows of the database that copies
    them all out of `all` with queries/scope/ (build_scope_database)."""
    from dashboard.engine.db import _scope_tables, build_scope_database, build_scope_database_from_files

    all_con = database(scoped_base, Scope())
    from_files = build_scope_database_from_files(scoped_base, scope, all_con)
    copied = build_scope_database(all_con, scope)
    try:
        assert from_files is not None
        for table in (*_scope_tables(), *DERIVED_PER_SCOPE):
            assert _table_rows(from_files, table) == _table_rows(copied, table), table
    finally:
        from_files.close()
        copied.close()


def test_a_body_inside_a_province_copies_its_rows_from_the_province(scoped_base):
    p1x = Scope("agency", "P1X")
    assert _kind(scoped_base, p1x, "exchanges_daily") == "table"
    # P1X's exchanges: E3 (provider) and E6 (consumer); D5 (its dataset) has none.
    got = run_sql(scoped_base, p1x, "select exchange_date from exchanges_daily order by 1")["exchange_date"]
    assert [str(d) for d in got] == ["2026-03-01", "2026-03-05"]


def test_scope_files_that_no_longer_match_are_not_trusted(tmp_path):
    base = _write(tmp_path / "data")
    # P1X moves to P2: P1's files would still hold its rows.
    write_table(base, "agencies", agencies_with_body_moved("P1X", "P2"))
    assert scope_files_state(base)[0] == "stale"
    DATABASES.clear()
    p1 = Scope("province", "P1")
    assert _kind(base, p1, "exchanges_daily") == "table"  # copied out of `all`, as without scope files
    # P1 without P1X: E1 (P1C consumer), E3 (P1C consumer), E4 (P1C consumer); E6 (C1 > P1X) now belongs to P2.
    assert run_sql(base, p1, "select count(*) as n from exchanges_daily")["n"][0] == 3
    for scope in SCOPES:
        assert_same_kpis_in_own_database(base, scope, WEEK)
    assert refresh_scope_files(base) is not None
    assert scope_files_state(base)[0] == "fresh"
    assert refresh_scope_files(base) is None  # fresh: kept
    DATABASES.clear()
    assert _rows(base, "exchanges_daily", "province", "P1") == 3
    assert run_sql(base, p1, "select count(*) as n from exchanges_daily")["n"][0] == 3


def test_a_full_cache_keeps_the_database_it_just_built(scoped_base):
    cache = DatabaseCache(max_entries=1)
    try:
        cache.get(scoped_base, Scope())
        for scope in (Scope("province", "P1"), Scope("province", "P2")):
            con = cache.get(scoped_base, scope).cursor()  # a closed database would raise here
            assert con.execute("select count(*) from provinces").fetchall() == [(2,)]
            con.close()
    finally:
        cache.clear()


def test_the_workbench_reads_the_same_files_as_the_scope_database(scoped_base):
    from dashboard.engine.sandbox import Refused, run_workbench

    def n(scope: Scope, sql: str) -> int:
        return run_workbench(scoped_base, scope, sql, {}).frame.item(0, 0)

    p1 = Scope("province", "P1")
    assert n(p1, "select count(*) from exchanges_daily") == 4  # E1, E3, E4, E6 (its own files)
    assert n(p1, "select count(*) from dossiers_daily") == 3
    # `all`: the rollups held in memory there, read from their files here. Weekly grain rows: E1..E5 in the week
    # of 03-02 (five different keys), E6 in the week of 02-23, E7 in the week of 03-09; dossiers K1..K3 (03-02),
    # K4 (02-23), K5 (03-09).
    assert n(Scope(), "select count(*) from exchanges_weekly") == 7
    assert n(Scope(), "select count(*) from dossiers_weekly") == 5
    assert n(Scope(), "select count(*) from agencies") == 6
    other = scope_folder(scoped_base, "exchanges_daily", "province", "P2")
    with pytest.raises(Refused):
        run_workbench(scoped_base, p1, f"select count(*) from read_parquet('{other}/*.parquet')", {})


def test_warming_builds_the_all_database_the_pages_then_get(scoped_base, monkeypatch):
    import dashboard.engine.db as db

    builds = []
    real = db.build_all_database
    monkeypatch.setattr(db, "build_all_database", lambda base: builds.append(base) or real(base))
    DATABASES.clear()
    db.warm_all(scoped_base).join(timeout=120)
    assert builds == [scoped_base]
    database(scoped_base, Scope())
    assert builds == [scoped_base]  # the page got the warmed database, not a new one


@pytest.mark.parametrize("key", ["province:HNI", "province:LCU", "agency:VPTW"])
def test_demo_scope_files_hold_exactly_the_rows_of_the_scope_queries(demo_base, key):
    """The demo wrote scope files: a scope's large tables (views over them) and its dimension rows (read from them)
    equal queries/scope/ run in `all`."""
    from polars.testing import assert_frame_equal

    from dashboard.config import QUERIES_DIR

    assert scope_files_state(demo_base)[0] == "fresh"
    scope = Scope.parse(key)
    for table in PARTITIONED:
        has_files = scope_folder(demo_base, table, scope.type, scope.id).exists()
        assert _kind(demo_base, scope, table) == ("view" if has_files else "table"), table
        sql = (QUERIES_DIR / "scope" / f"{table}.sql").read_text(encoding="utf-8")
        expected = run_sql(demo_base, Scope(), sql, scope.params())
        got = run_sql(demo_base, scope, f'select * from "{table}"')
        assert got.height > 0 or not table.startswith("exchanges"), table  # VPTW has no dossiers
        assert_frame_equal(got.sort(got.columns), expected.sort(expected.columns)), (key, table)
    # Its rollups made from exchanges_weekly, read from its files: equal to their SQL over its exchanges_weekly.
    for name in DERIVED_PER_SCOPE:
        assert (scope_folder(demo_base, name, scope.type, scope.id) / "data_0.parquet").is_file(), name
        got = run_sql(demo_base, scope, f'select * from "{name}"')
        expected = run_sql(demo_base, scope, ROLLUPS[name].sql())
        assert got.height > 0, name
        assert_frame_equal(got.sort(got.columns), expected.sort(expected.columns)), (key, name)
    # Its dimension rows, written at curation: read from its files, equal to queries/scope/ run in `all`.
    for table in DIMENSIONS:
        assert (scope_folder(demo_base, table, scope.type, scope.id) / "data_0.parquet").is_file(), table
        sql = (QUERIES_DIR / "scope" / f"{table}.sql").read_text(encoding="utf-8")
        expected = run_sql(demo_base, Scope(), sql, scope.params())
        got = run_sql(demo_base, scope, f'select * from "{table}"')
        assert got.height > 1, table
        assert_frame_equal(got.sort(got.columns), expected.sort(expected.columns)), (key, table)
