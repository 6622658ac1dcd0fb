"""Issue 12, the data side: findings 3 (snapshot leak), 4 (a bad delivery), 8 (a damaged Parquet file),
14 (paths shown to analysts), and the database cache's eviction. docs/security-data.md lists each attack and its test."""

from __future__ import annotations

import shutil

import pytest

from dashboard.engine import db, sandbox
from dashboard.scope import Scope

# ---- finding 14: no shared temp directory, no server settings or catalog text for analysts ----------------------


def _allowed(con) -> list[str]:
    cur = con.cursor()
    try:
        return cur.sql("select current_setting('allowed_directories')").fetchall()[0][0]
    finally:
        cur.close()


def test_finding_14_each_database_has_a_private_temp_directory_or_none(tiny_base, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # DuckDB's default temp directory is `.tmp` under the working directory
    cache = db.DatabaseCache()
    other = tmp_path / "other"
    shutil.copytree(tiny_base / "curated", other / "curated")
    try:
        province = _allowed(cache.get(tiny_base, Scope("province", "P1")))
        assert province == []  # no file access at all, not even a temp directory
        first, second = _allowed(cache.get(tiny_base, Scope())), _allowed(cache.get(other, Scope()))
        assert str(tiny_base / "curated") + "/" in first
        for allowed in (first, second):
            assert not any(p.startswith(str(tmp_path) + "/.tmp") for p in allowed)  # not the shared `.tmp`
            assert len(allowed) <= 2
        temps = [set(a) - {str(b / "curated") + "/"} for a, b in ((first, tiny_base), (second, other))]
        assert not (temps[0] & temps[1])  # two databases never share a temp directory
    finally:
        cache.clear()


@pytest.mark.parametrize(
    "sql",
    [
        "select current_setting('allowed_directories') as a",
        "select CURRENT_SETTING('temp_directory') as a",
        "select 'temp_directory'.current_setting() as a",
        "select main.current_setting('allowed_directories') as a",
        "select getvariable('x') as a",
        "select * from duckdb_views()",
        "from duckdb_views",
        "select sql from duckdb_views where view_name = 'agencies'",
        "from duckdb_settings()",
        "select sql from sqlite_master",
        "from sqlite_schema",
        "from pg_views",
        "from pg_settings",
        "from pragma_database_list",
        "with t as (select 1) select * from t, duckdb_views",
    ],
)
def test_finding_14_the_guard_refuses_settings_variables_and_catalog_views(sql):
    with pytest.raises(sandbox.Refused) as refused:
        sandbox.check_select(sql)
    assert refused.value.code in ("server_function", "table_function", "file_function")


def test_finding_14_an_analyst_finds_no_server_path_in_the_workbench(tiny_base):
    """Everything an analyst could still run answers without the curated folder's or the temp directory's path."""
    for scope in (Scope(), Scope("province", "P1")):
        for sql in ("select * from agencies", "select current_database() as d, current_schema() as s"):
            result = sandbox.run_workbench(tiny_base, scope, sql, {})
            assert str(tiny_base) not in str(result.frame.rows())
    # ordinary names that merely look like catalog words still run
    assert sandbox.check_select("with tables as (select 1 as x) select x from tables").sql


# ---- the database cache: a new database is never the one evicted ---------------------------------------------------


def test_a_database_built_when_the_cache_is_full_is_not_closed(tiny_base, tmp_path):
    """Cache of 2 entries already holding the `all` databases of two other data dirs: a province database of a third
    must come back open (before the fix the eviction picked it, the only entry not named `all`, and closed it)."""
    dirs = []
    for name in ("a", "b", "c"):
        shutil.copytree(tiny_base / "curated", tmp_path / name / "curated")
        dirs.append(tmp_path / name)
    cache = db.DatabaseCache(max_entries=2)
    try:
        cache.get(dirs[0], Scope())
        cache.get(dirs[1], Scope())
        con = cache.get(dirs[2], Scope("province", "P1"))
        cur = con.cursor()
        # tiny fixture: P1 is the one province in its own database
        assert cur.sql("select province_code from provinces where province_code = 'P1'").fetchall() == [("P1",)]
        assert cur.sql("select count(distinct agency_id) from dossiers_daily").fetchall() == [(2,)]  # P1C, P1X
        cur.close()
    finally:
        cache.clear()
