"""The SQL workbench's sandbox under attack: every attack is refused with a plain message, the curated files
are byte-identical afterwards, and the app keeps serving other users. Counts refer to tests/tiny_fixture.py
(6 agencies: C1, C2, P1C, P1X, P2C, P2X; dossiers K1 P1C, K2 P1X in the week, K3 P2C)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import shutil
import time

import duckdb
import polars as pl
import pytest
from tiny_fixture import write_tiny

from dashboard.engine import sandbox
from dashboard.engine.kpis import compute_kpis
from dashboard.engine.query import run_sql
from dashboard.i18n import t
from dashboard.period import Period
from dashboard.scope import Scope
from dashboard.sqlpages.run import refusal_text

WEEK = {"start": dt.date(2026, 3, 2), "end": dt.date(2026, 3, 8), "scope_type": "all", "scope_id": None, "lang": "vi"}
P1 = Scope("province", "P1")


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A tiny data dir of this module's own: if an attack ever got through, no other test would suffer."""
    path = tmp_path_factory.mktemp("workbench")
    write_tiny(path)
    return path


def fingerprint(base) -> dict[str, str]:
    """sha256 of every file under the data dir (curated Parquet and anything an attack might add)."""
    files = sorted(p for p in base.rglob("*") if p.is_file())
    return {str(p.relative_to(base)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def still_serves_everyone(base) -> None:
    """After an attack: the workbench, the shared scope databases and the KPI function all still answer."""
    assert sandbox.run_workbench(base, Scope(), "select count(*) as n from agencies", WEEK).frame.rows() == [(6,)]
    # province P1's database holds P1's dossier rows only: K1 (P1C), K2 (P1X), K4 (P1C, before the week)
    assert sandbox.run_workbench(base, P1, "select count(*) as n from dossiers_daily", WEEK).frame.rows() == [(3,)]
    assert run_sql(base, Scope(), "select count(*) as n from agencies")["n"].to_list() == [6]
    kpis = compute_kpis(base, Period(WEEK["start"], WEEK["end"]), Scope())
    # exchange_success_rate: (98 + 50 + 18 + 30 + 0) / (100 + 50 + 20 + 30 + 10) = 196/210
    rate = kpis.filter(pl.col("kpi_id") == "exchange_success_rate")["value"][0]
    assert rate == pytest.approx(196 / 210)


ATTACKS = {
    "copy to": ("copy agencies to '{curated}/agencies.parquet' (format parquet)", "not_select"),
    "copy to elsewhere": ("copy (select * from agencies) to '/tmp/stolen.csv'", "not_select"),
    "attach": ("attach '{curated}/evil.duckdb' as evil", "not_select"),
    "install": ("install httpfs", "not_select"),
    "load": ("load httpfs", "not_select"),
    "set": ("set enable_external_access = true", "not_select"),
    "set memory": ("set memory_limit = '100GB'", "not_select"),
    "reset": ("reset memory_limit", "not_select"),
    "pragma": ("pragma database_list", "not_select"),
    "create": ("create table stolen as select * from agencies", "not_select"),
    "create or replace view": ("create or replace view agencies as select 1 as agency_id", "not_select"),
    "drop": ("drop view agencies", "not_select"),
    "insert": ("insert into agencies select * from agencies", "not_select"),
    "update": ("update agencies set level = 'central'", "not_select"),
    "delete": ("delete from agencies", "not_select"),
    "call": ("call pragma_version()", "not_select"),
    "export database": ("export database '{curated}/dump'", "not_select"),
    "read_csv": ("select * from read_csv('/etc/passwd')", "file_function"),
    "read_csv_auto in a lateral join": (
        "select * from agencies, lateral (select * from read_csv_auto('/etc/hosts')) as h",
        "file_function",
    ),
    "read_text": ("select * from read_text('/etc/passwd')", "file_function"),
    "read_blob in a cte": ("with f as (select * from read_blob('/etc/passwd')) select * from f", "file_function"),
    "read_parquet of a curated file": ("select * from read_parquet('{curated}/agencies.parquet')", "file_function"),
    "read_parquet in a scalar subquery": (
        "select (select count(*) from read_parquet('{curated}/*.parquet')) as n",
        "file_function",
    ),
    "parquet_scan": ("select * from parquet_scan('{curated}/agencies.parquet')", "file_function"),
    "read_json": ("select * from read_json_auto('/etc/os-release')", "file_function"),
    "glob": ("select * from glob('/*')", "file_function"),
    "a file named in from": ("select * from '{curated}/agencies.parquet'", "file_function"),
    "a file named in describe": ("describe '/etc/passwd'", "file_function"),
    "query() runs sql text": ("select * from query('drop view agencies')", "table_function"),
    "settings": ("select * from duckdb_settings()", "table_function"),
    "two statements": ("select 1; drop view agencies", "several"),
    "a statement hidden after a line comment": ("select 1 -- harmless\n; drop view agencies", "several"),
    "a statement hidden behind a block comment": ("/* select 1; */ drop view agencies", "not_select"),
    "a comment that hides nothing": ("select count(*) as n from agencies /* ; drop view agencies */", None),
    "an unknown parameter": ("select $secret as s", "parameter"),
}


@pytest.mark.parametrize("name", list(ATTACKS))
@pytest.mark.parametrize("scope", [Scope(), P1], ids=["all", "province"])
def test_each_attack_is_refused_and_changes_nothing(base, name, scope):
    sql, code = ATTACKS[name]
    sql = sql.format(curated=base / "curated")
    before = fingerprint(base)
    if code is None:
        # the comment is just a comment: the statement runs and counts the scope's agencies (all: 6)
        result = sandbox.run_workbench(base, scope, sql, WEEK)
        assert result.frame.height == 1
    else:
        with pytest.raises(sandbox.Refused) as refused:
            sandbox.run_workbench(base, scope, sql, WEEK)
        assert refused.value.code == code
        for lang in ("vi", "en"):
            message = refusal_text(refused.value, lang)
            assert message and "Error" not in message  # words for people, not a stack trace
    assert fingerprint(base) == before
    assert not (base / "curated" / "dump").exists() and not (base / "curated" / "evil.duckdb").exists()
    still_serves_everyone(base)


def test_refusals_read_as_plain_words():
    refusal = sandbox.Refused("not_select", kind="COPY")
    assert refusal_text(refusal, "vi") == (
        "Chỉ được chạy câu lệnh đọc dữ liệu (SELECT). Lệnh loại COPY không được phép ở đây."
    )
    refusal = sandbox.Refused("file_function", name="read_csv")
    assert refusal_text(refusal, "en") == (
        "Files and folders cannot be read here (read_csv). Use the tables listed on the left."
    )


def test_the_statement_type_comes_from_duckdb_not_from_the_text():
    # a SELECT keyword inside a comment or a string does not make a statement a SELECT, and vice versa
    assert sandbox.check_select("/* select */ (select 'drop view agencies' as x)").parameters == frozenset()
    with pytest.raises(sandbox.Refused) as refused:
        sandbox.check_select("-- select\ndelete from agencies")
    assert refused.value.values == {"kind": "DELETE"}
    assert duckdb.extract_statements("select 1")[0].type == duckdb.StatementType.SELECT


def test_a_query_that_runs_too_long_is_stopped(base):
    before = fingerprint(base)
    slow = "select count(*) as n from range(100000) a, range(100000) b where a.range + b.range = 7"
    started = time.perf_counter()
    with pytest.raises(sandbox.Refused) as refused:
        sandbox.run_workbench(base, Scope(), slow, WEEK, timeout_s=1.0)
    took = time.perf_counter() - started
    assert refused.value.code == "timeout"
    assert refusal_text(refused.value, "en").startswith("The statement ran longer than 1 seconds")
    assert took < 10  # the full cross join takes minutes
    assert fingerprint(base) == before
    still_serves_everyone(base)


def test_a_query_that_needs_too_much_memory_is_stopped(base):
    before = fingerprint(base)
    # 300 million 8-byte integers in one list: about 2.4 GB, over the workbench's 1 GB
    hungry = "select sum(len(l)) as n from (select list(range) as l from range(300000000))"
    with pytest.raises(sandbox.Refused) as refused:
        sandbox.run_workbench(base, Scope(), hungry, WEEK)
    assert refused.value.code == "memory"
    assert fingerprint(base) == before
    still_serves_everyone(base)


def test_the_engine_refuses_too_when_the_guard_is_bypassed(base):
    """Defence in depth: a restricted scope's workbench database has no file access and a locked configuration."""
    cur = sandbox.workbench_database(base, P1).cursor()
    try:
        for sql in (
            "select * from read_csv('/etc/passwd')",
            f"select * from read_parquet('{base}/curated/agencies.parquet')",
            "copy (select 1) to '/tmp/should_not_exist.csv'",
            "set enable_external_access = true",
            "set memory_limit = '100GB'",
            "install httpfs",
        ):
            with pytest.raises(duckdb.Error):
                cur.execute(sql).fetchall()
    finally:
        cur.close()
    all_cur = sandbox.workbench_database(base, Scope()).cursor()
    try:
        with pytest.raises(duckdb.Error):  # outside the curated folder, even the `all` database reads nothing
            all_cur.execute("select * from read_csv('/etc/passwd')").fetchall()
        with pytest.raises(duckdb.Error):
            all_cur.execute("set lock_configuration = false")
    finally:
        all_cur.close()


def test_the_result_keeps_at_most_10000_rows_and_says_how_many_it_cut(base):
    result = sandbox.run_workbench(base, Scope(), "select range as i from range(25000)", WEEK)
    assert sandbox.MAX_ROWS == 10_000
    assert result.frame.height == 10_000 and result.total_rows == 25_000 and result.truncated
    assert result.frame["i"][-1] == 9_999
    small = sandbox.run_workbench(base, Scope(), "select range as i from range(3)", WEEK)
    assert (small.frame.height, small.total_rows, small.truncated) == (3, 3, False)
    assert small.elapsed_ms >= 0


def test_the_workbench_runs_in_the_scope_with_the_filters_bound(base):
    sql = "select agency_id, sum(dossiers) as n from dossiers_daily where dossier_date between $start and $end group by 1 order by 1"
    # the week: K1 P1C 10, K2 P1X 30, K3 P2C 30; province P1's database holds only P1C and P1X
    assert sandbox.run_workbench(base, Scope(), sql, WEEK).frame.rows() == [("P1C", 10), ("P1X", 30), ("P2C", 30)]
    assert sandbox.run_workbench(base, P1, sql, WEEK).frame.rows() == [("P1C", 10), ("P1X", 30)]
    scoped = "select count(*) as n from scope_agency_ids($scope_type, $scope_id)"
    assert sandbox.run_workbench(
        base, P1, scoped, {**WEEK, "scope_type": "province", "scope_id": "P1"}
    ).frame.rows() == [(2,)]


@pytest.mark.parametrize("kind", ["csv", "xlsx", "parquet"])
def test_downloads_hold_the_result(kind):
    frame = pl.DataFrame({"province": ["Hà Nội", "Huế"], "n": [1234, 5]})
    data = sandbox.export(frame, kind)
    if kind == "csv":
        assert data.decode("utf-8-sig") == "province,n\nHà Nội,1234\nHuế,5\n"
    elif kind == "xlsx":
        assert pl.read_excel(io.BytesIO(data)).equals(frame)
    else:
        assert pl.read_parquet(io.BytesIO(data)).equals(frame)


def test_the_schema_browser_shows_every_contract_table_with_meanings():
    tables = sandbox.schema_tables()
    assert len(tables) == 12  # 11 required tables and the optional kpi_targets
    assert tables[-1]["table"] == "kpi_targets"
    agencies = next(x for x in tables if x["table"] == "agencies")
    assert (
        "province_code",
        "VARCHAR",
        "the province this body belongs to; null for central and external bodies",
        True,
    ) in agencies["columns"]
    assert t("workbench.refused_memory", "vi").startswith("Câu lệnh cần quá nhiều bộ nhớ")


def test_a_new_data_version_gets_a_new_workbench_database(tmp_path):
    write_tiny(tmp_path)
    first = sandbox.workbench_database(tmp_path, Scope())
    assert sandbox.workbench_database(tmp_path, Scope()) is first
    shutil.copy(tmp_path / "curated" / "agencies.parquet", tmp_path / "curated" / "agencies.parquet.bak")
    (tmp_path / "curated" / "agencies.parquet").touch()
    time.sleep(0.01)
    (tmp_path / "curated" / "agencies.parquet").write_bytes(
        (tmp_path / "curated" / "agencies.parquet.bak").read_bytes()
    )
    assert sandbox.workbench_database(tmp_path, Scope()) is not first
