"""A scope is a database: same KPIs inside it as in `all`, only its rows, no file access, locked."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from dashboard.engine.db import DataMissingError, database
from dashboard.engine.kpis import compute_kpis
from dashboard.engine.query import run_sql
from dashboard.period import Period
from dashboard.scope import Scope


def provinces(base) -> list[str]:
    return run_sql(base, Scope(), "select province_code from provinces order by 1")["province_code"].to_list()


def assert_same_kpis_in_own_database(base, scope: Scope, period: Period) -> None:
    inside = compute_kpis(base, period, scope)
    in_all = compute_kpis(base, period, scope, database_scope=Scope())
    assert_frame_equal(inside, in_all, check_exact=False, rel_tol=1e-12)


@pytest.mark.parametrize(
    "period", [Period(dt.date(2026, 3, 2), dt.date(2026, 3, 8)), Period(dt.date(2026, 2, 1), dt.date(2026, 3, 31))]
)
def test_every_fixture_province_gets_the_same_kpis_in_its_own_database(tiny_base, period):
    codes = provinces(tiny_base)
    assert codes == ["P1", "P2"]
    for code in codes:
        assert_same_kpis_in_own_database(tiny_base, Scope("province", code), period)


def test_every_fixture_agency_gets_the_same_kpis_in_its_own_database(tiny_base):
    period = Period(dt.date(2026, 3, 2), dt.date(2026, 3, 8))
    for agency in run_sql(tiny_base, Scope(), "select agency_id from agencies")["agency_id"]:
        assert_same_kpis_in_own_database(tiny_base, Scope("agency", agency), period)


@pytest.mark.slow
def test_every_demo_province_gets_the_same_kpis_in_its_own_database(demo_base):
    codes = provinces(demo_base)
    assert len(codes) == 34
    for code in codes:
        assert_same_kpis_in_own_database(
            demo_base, Scope("province", code), Period(dt.date(2025, 7, 1), dt.date(2025, 9, 28))
        )


def test_a_province_database_holds_only_its_own_facts(tiny_base):
    p1 = Scope("province", "P1")
    dossiers = run_sql(tiny_base, p1, "select distinct agency_id from dossiers_daily order by 1")
    assert dossiers["agency_id"].to_list() == ["P1C", "P1X"]
    # exchanges: a P1 body at one end, or a dataset P1 owns (D2, D5)
    outsiders = run_sql(
        tiny_base,
        p1,
        """
        select count(*) as n from exchanges_daily e
        where e.provider_agency_id not in ('P1C', 'P1X') and e.consumer_agency_id not in ('P1C', 'P1X')
          and e.dataset_id not in ('D2', 'D5')""",
    )
    assert outsiders["n"][0] == 0
    checks = run_sql(
        tiny_base, p1, "select distinct d.owner_agency_id from quality_checks q join datasets d using (dataset_id)"
    )
    assert set(checks["owner_agency_id"]) <= {"P1C", "P1X"}


def test_scope_databases_have_no_file_access_and_a_locked_configuration(tiny_base):
    for scope in (Scope(), Scope("province", "P1")):
        con = database(tiny_base, scope).cursor()
        with pytest.raises(duckdb.Error):
            con.sql("select * from read_csv('/etc/passwd')").fetchall()
        with pytest.raises(duckdb.Error):
            con.execute("set enable_external_access = true")
        with pytest.raises(duckdb.Error):
            con.execute("set memory_limit = '100GB'")
        con.close()
    province = database(tiny_base, Scope("province", "P1")).cursor()
    curated = str(tiny_base / "curated" / "agencies.parquet")
    with pytest.raises(duckdb.Error):
        province.sql(f"select * from read_parquet('{curated}')").fetchall()
    province.close()


def test_a_new_version_of_the_data_gets_a_new_database(tmp_path):
    from tiny_fixture import tables, write_tiny

    from dashboard.data.io import write_table

    write_tiny(tmp_path)
    before = run_sql(tmp_path, Scope(), "select count(*) as n from dossiers_daily")["n"][0]
    frame = tables()["dossiers_daily"]
    write_table(
        tmp_path,
        "dossiers_daily",
        pl.concat([frame, frame.head(1).with_columns(pl.lit(dt.date(2026, 1, 1)).alias("dossier_date"))]),
    )
    after = run_sql(tmp_path, Scope(), "select count(*) as n from dossiers_daily")["n"][0]
    assert after == before + 1


def test_missing_data_is_a_clear_error(tmp_path):
    with pytest.raises(DataMissingError, match="python -m dashboard demo"):
        database(tmp_path, Scope())


def test_a_scope_source_database_gets_the_macros_its_scope_sql_calls_and_no_more():
    """build_scope_database_from_files creates in its source database only the macros of queries/_macros.sql up to
    SCOPE_SQL_MACROS_THROUGH: every macro queries/scope/*.sql calls must be among them."""
    import re

    from dashboard.config import QUERIES_DIR
    from dashboard.data.macros import SCOPE_SQL_MACROS_THROUGH, create_macros

    order = re.findall(r"create or replace macro (\w+)\(", (QUERIES_DIR / "_macros.sql").read_text(encoding="utf-8"))
    created = order[: order.index(SCOPE_SQL_MACROS_THROUGH) + 1]
    later = set(order) - set(created)
    for path in sorted((QUERIES_DIR / "scope").glob("*.sql")):
        called = set(re.findall(r"\b(\w+)\s*\(", path.read_text(encoding="utf-8")))
        assert not called & later, (
            f"{path.name} calls {sorted(called & later)}, created after {SCOPE_SQL_MACROS_THROUGH}"
        )

    con = duckdb.connect()
    for table in ("agencies", "datasets"):  # what the first macros read; no rows needed to create them
        con.execute(
            f"create table {table} (agency_id varchar, dataset_id varchar, owner_agency_id varchar, "
            "level varchar, province_code varchar)"
        )
    create_macros(con, through=SCOPE_SQL_MACROS_THROUGH)
    macros = {r[0] for r in con.execute("select function_name from duckdb_functions() where not internal").fetchall()}
    assert set(created) <= macros and not later & macros
    with pytest.raises(ValueError, match="no macro"):
        create_macros(con, through="no_such_macro")
