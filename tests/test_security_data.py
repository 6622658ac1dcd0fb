"""Issue 12, the data side: findings 3 (snapshot leak), 4 (a bad delivery), 8 (a damaged Parquet file),
14 (paths shown to analysts), and the database cache's eviction. docs/security.md lists each attack and its test."""

from __future__ import annotations

import shutil
import sys

import pytest

from dashboard.config import ROOT
from dashboard.engine import db, sandbox
from dashboard.scope import Scope

# ---- finding 14: no shared temp directory, no server settings or catalog text for analysts ----------------------


def _allowed(con) -> list[str]:
    cur = con.cursor()
    try:
        return cur.sql("select current_setting('allowed_directories')").fetchall()[0][0]
    finally:
        cur.close()


def test_every_cursor_has_the_time_limit_and_the_footer_cache(tiny_base, demo_base):
    """Queries run on cursors: the settings `harden` and the build set must be the database's (GLOBAL), not the
    building connection's only. A plain `set` left cursors with no time limit and no footer cache."""
    cache = db.DatabaseCache()
    cases = [
        (tiny_base, Scope(), True),  # views over the curated files
        (demo_base, Scope("province", "HNI"), True),  # views over its scope files
        (tiny_base, Scope("province", "P1"), False),  # copies of its rows out of `all`: it reads no file
    ]
    try:
        for base, scope, reads_files in cases:
            cur = cache.get(base, scope).cursor()
            try:
                limit, footers = cur.sql(
                    "select current_setting('max_execution_time'), current_setting('parquet_metadata_cache')"
                ).fetchall()[0]
            finally:
                cur.close()
            assert (limit, footers) == (db.MAX_EXECUTION_MS, reads_files), scope
    finally:
        cache.clear()


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


# ---- finding 8: a damaged Parquet file gives one clear message, no traceback, and recovery by itself ---------------


def _app(base, page: str, monkeypatch):
    from streamlit.testing.v1 import AppTest
    from streamlit.util import calc_hash

    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(base))
    monkeypatch.setenv("DASHBOARD_TODAY", "2026-03-10")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params.update({"period": "custom", "start": "2026-03-02", "end": "2026-03-08"})
    at._page_hash = calc_hash(page)  # noqa: SLF001 - how AppTest opens a page by its url path
    return at


def _everything_shown(at) -> str:
    return " ".join(
        str(e.value) for kind in ("markdown", "caption", "code", "error", "warning", "info") for e in at.get(kind)
    )


@pytest.mark.parametrize(
    ("table", "damage"),
    [("agencies", lambda data: data[: len(data) // 2]), ("quality_checks", lambda data: b"")],
)
@pytest.mark.parametrize("page", ["overview", "workbench"])
def test_finding_08_a_damaged_parquet_file_shows_one_message_and_recovers(
    tiny_base, tmp_path, monkeypatch, table, damage, page
):
    base = tmp_path / "data"
    shutil.copytree(tiny_base / "curated", base / "curated")
    file = base / "curated" / f"{table}.parquet"
    good = file.read_bytes()
    file.write_bytes(damage(good))
    at = _app(base, page, monkeypatch).run()
    assert not at.exception
    assert len(at.error) == 1
    message = at.error[0].value
    assert f"«{table}»" in message and "python -m dashboard check" in message
    assert str(base) not in _everything_shown(at) and "magic" not in _everything_shown(at).lower()
    assert not at.metric and not at.dataframe and not at.title  # nothing else of the page
    # the file is delivered again: the next run shows the page, without a restart
    file.write_bytes(good)
    at.run()
    assert not at.exception and not at.error
    assert at.title and (at.metric or page == "workbench")


def test_finding_08_the_build_names_the_damaged_table(tiny_base, tmp_path):
    shutil.copytree(tiny_base / "curated", tmp_path / "curated")
    (tmp_path / "curated" / "quality_checks.parquet").write_bytes(b"")
    with pytest.raises(db.DataDamagedError) as damaged:
        db.build_all_database(tmp_path)
    assert damaged.value.table == "quality_checks" and "python -m dashboard check" in str(damaged.value)


def test_finding_08_no_traceback_reaches_a_browser(tiny_base, monkeypatch):
    import tomllib

    import streamlit.web.cli

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"
    seen = {}
    monkeypatch.setattr(streamlit.web.cli, "main", lambda: seen.setdefault("argv", list(sys.argv)))
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    from dashboard.web import serve

    monkeypatch.setattr(serve, "preload", lambda *names: None)
    assert serve.serve(tiny_base, 8999, ["--client.showErrorDetails", "full"]) == 0
    argv = seen["argv"]
    assert argv[-2:] == ["--client.showErrorDetails", "none"]  # last, so it wins over any extra argument


# ---- finding 3: a province's archive holds that province's rows only; no server path to non-admins ----------------


@pytest.fixture
def province_report(tiny_base, tmp_path, monkeypatch):
    """A copy of the tiny data with the report of province P1 for 2026-W10 made as `snapshot --report-scope`."""
    import io

    from snapshot_helpers import TODAY, fresh_base, write_pages

    from dashboard.weekly import snapshot

    monkeypatch.setenv("DASHBOARD_TODAY", TODAY)
    monkeypatch.setenv("DASHBOARD_PAGES_DIR", str(write_pages(tmp_path / "pages")))
    monkeypatch.setenv("DASHBOARD_CHROMIUM", str(tmp_path / "no-chromium"))
    base = fresh_base(tiny_base, tmp_path)
    err = io.StringIO()
    assert snapshot.run(base, formats="parquet,html", report_scope="province:P1", out=io.StringIO(), err=err) == 0, err
    return base


def test_finding_03_a_province_report_stores_only_its_own_rows_and_no_server_path(province_report):
    import json

    import polars as pl

    folder = province_report / "snapshots" / "scopes" / "province-P1" / "2026-W10"
    stored = pl.read_parquet(folder / "kpis.parquet")
    # 25 KPIs (dashboard.engine.kpis.KPIS) of one scope; before the fix 5 scopes x 25 = 125 rows
    assert stored.select("scope_type", "scope_id").unique().rows() == [("province", "P1")]
    assert stored.height == 25
    text = (folder / "manifest.json").read_text(encoding="utf-8")
    manifest = json.loads(text)
    assert str(province_report) not in text and str(province_report.parent) not in text
    assert '"/' not in text  # no absolute path at all (the PDF's reason names the missing browser by name only)
    assert all("rows" not in i and "bytes" not in i for i in manifest["inputs"])  # no national row counts
    assert manifest["parts"]["kpis"]["rows"] == 25 and manifest["parts"]["kpis"]["scopes"] == 1
    # and the province's user is offered every file of that archive, each now holding only P1's rows
    from dashboard.weekly import archive

    weeks = archive.stored_weeks(province_report, Scope("province", "P1"))
    assert weeks[0]["files"] == ["kpis.parquet", "report.html", "manifest.json"]


def test_finding_03_an_archive_made_before_the_fix_is_not_offered_whole(province_report):
    """A province archive written by the old code (every scope's KPIs, the data dir's path, national row counts):
    its kpis.parquet and manifest.json are not offered to the province's user; the report itself still is."""
    import json

    import polars as pl

    from dashboard.weekly import archive

    folder = province_report / "snapshots" / "scopes" / "province-P1" / "2026-W10"
    national = pl.concat(
        [
            pl.read_parquet(folder / "kpis.parquet"),
            pl.read_parquet(folder / "kpis.parquet").with_columns(scope_id=pl.lit("P2")),
        ]
    )
    national.write_parquet(folder / "kpis.parquet")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["parameters"]["data_dir"] = str(province_report)
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert archive.offered_files(folder, Scope("province", "P1")) == ["report.html"]
    manifest["parameters"].pop("data_dir")
    manifest["inputs"] = [{"table": "provinces", "file": "curated/provinces.parquet", "rows": 34}]
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert archive.offered_files(folder, Scope("province", "P1")) == ["report.html"]
    assert archive.offered_files(folder, Scope()) == ["kpis.parquet", "report.html", "manifest.json"]  # admins' view


def test_finding_03_the_snapshots_page_shows_a_provincial_user_no_path_and_only_their_files(
    province_report, monkeypatch
):
    from streamlit.testing.v1 import AppTest
    from streamlit.util import calc_hash

    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(province_report))

    def page(role: str, scope: str) -> AppTest:
        monkeypatch.setenv("DASHBOARD_ROLE", role)
        monkeypatch.setenv("DASHBOARD_SCOPE", scope)
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        at._page_hash = calc_hash("snapshots")  # noqa: SLF001 - open /snapshots
        return at.run()

    held = page("provincial", "province:P1")
    assert not held.exception
    shown = _everything_shown(held)
    # the national week 2026-W10 is missing: the banner says so, without the command naming the data dir
    assert "2026-W10" in shown and "--data-dir" not in shown and str(province_report) not in shown
    offered = sorted(b.proto.label for b in held.get("download_button") if "snapshot_file_" in b.proto.id)
    assert offered == ["kpis.parquet", "manifest.json", "report.html"]
    assert not [b for b in held.button if b.key and b.key.startswith("snapshot_make_")]  # administrators only
    admin = page("admin", "all")
    # an administrator gets a button to the page that makes the week (no command), and the archive's folder
    assert "--data-dir" not in _everything_shown(admin) and str(province_report) in _everything_shown(admin)
    assert [b.key for b in admin.button if b.key and b.key.startswith("snapshot_make_")] == ["snapshot_make_2026-W10"]


# ---- finding 4: a bad delivery stops the curation run before the swap ----------------------------------------------


def _curated(base) -> dict[str, bytes]:
    return {str(p.relative_to(base)): p.read_bytes() for p in sorted((base / "curated").rglob("*.parquet"))}


def _curate_cli(base, source, *extra):
    import subprocess

    return subprocess.run(
        [sys.executable, "-m", "dashboard", "curate", "--source", str(source), "--data-dir", str(base), *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


@pytest.fixture
def delivery(tmp_path):
    """The tiny data set curated, and an empty source folder for the next delivery."""
    from tiny_fixture import write_tiny

    base = tmp_path / "data"
    write_tiny(base)
    source = tmp_path / "source"
    source.mkdir()
    return base, source


def test_finding_04_a_header_only_file_stops_the_run_and_names_the_cascade(delivery):
    from tiny_fixture import tables

    base, source = delivery
    tiny = tables()
    # the usual delivery (every table as it is curated), but provinces.csv with only its header row
    for name, frame in tiny.items():
        if name != "provinces":
            frame.write_parquet(source / f"{name}.parquet")
    (source / "provinces.csv").write_text(",".join(tiny["provinces"].columns) + "\n", encoding="utf-8")
    before = _curated(base)
    done = _curate_cli(base, source)
    assert done.returncode != 0
    # provinces P1, P2 -> none; the agencies P1C, P1X, P2C, P2X (4 of the 6) point at a province no longer there:
    # 4/6 = 66.7 % quarantined (> 5 %), and agencies would go from 6 rows to 2 (66.7 % fewer, > 20 %)
    assert "provinces: 2 rows before, 0 after: the run would empty it" in done.stderr
    assert "agencies: 6 rows before, 2 after: 66.7% fewer, more than 20%" in done.stderr
    assert "agencies: 4 of 6 rows read quarantined (66.7%, more than 5%)" in done.stderr
    assert "4 agencies refer to provinces not delivered (province_code)" in done.stderr
    # then the datasets of those bodies: D2, D7 (P1C), D4 (P2C), D5 (P1X): 4 of 7, leaving D1, D3, D6
    assert "datasets: 7 rows before, 3 after: 57.1% fewer, more than 20%" in done.stderr
    assert "4 datasets refer to agencies not delivered (owner_agency_id)" in done.stderr
    assert "--accept-shrink" in done.stderr
    assert _curated(base) == before  # nothing swapped
    assert not list(base.glob(".curate-*"))


def test_finding_04_the_operator_can_accept_a_shrink(delivery):
    import polars as pl
    from tiny_fixture import tables

    from dashboard.data.curate import curate
    from dashboard.data.shrink import Limits, ShrinkRefused

    base, source = delivery
    dossiers = tables()["dossiers_daily"]  # 5 curated rows
    dossiers.head(3).write_parquet(source / "dossiers_daily.parquet")  # 5 -> 3: 40 % fewer
    with pytest.raises(ShrinkRefused, match="dossiers_daily: 5 rows before, 3 after: 40.0% fewer"):
        curate(base, source, "replace", run_id="s1")
    curate(base, source, "replace", run_id="s2", limits=Limits(max_shrink=0.5))  # 40 % is within 50 %
    assert pl.read_parquet(base / "curated" / "dossiers_daily.parquet").height == 3
    dossiers.head(2).write_parquet(source / "dossiers_daily.parquet")  # 3 -> 2: 33.3 % fewer
    with pytest.raises(ShrinkRefused, match="3 rows before, 2 after: 33.3% fewer"):
        curate(base, source, "replace", run_id="s3")
    report = curate(base, source, "replace", run_id="s4", limits=Limits(accept=True))
    assert report.status == "ok" and report.tables["dossiers_daily"].rows_after == 2


def test_finding_04_too_many_quarantined_rows_stop_the_run(delivery):
    import polars as pl
    from tiny_fixture import tables

    from dashboard.data.curate import curate
    from dashboard.data.shrink import Limits, ShrinkRefused

    base, source = delivery
    dossiers = tables()["dossiers_daily"]
    # 5 rows and one more for a body nobody knows: 6 read, 1 quarantined = 16.7 % (> 5 %); 5 rows after, as before
    bad = dossiers.head(1).with_columns(agency_id=pl.lit("NOBODY"))
    pl.concat([dossiers, bad]).write_parquet(source / "dossiers_daily.parquet")
    with pytest.raises(ShrinkRefused) as refused:
        curate(base, source, "replace", run_id="q1")
    assert "dossiers_daily: 1 of 6 rows read quarantined (16.7%, more than 5%)" in str(refused.value)
    assert "1 dossiers_daily refer to agencies not delivered (agency_id)" in str(refused.value)
    assert "rows before" not in str(refused.value)  # 5 rows before and after: no shrink
    report = curate(base, source, "replace", run_id="q2", limits=Limits(max_quarantine=0.2))  # 16.7 % <= 20 %
    assert report.tables["dossiers_daily"].quarantined == 1


def test_finding_04_a_file_lacking_contract_columns_fails_the_run(delivery):
    base, source = delivery
    (source / "provinces.csv").write_text("code,area\nP1,Red River Delta\nP2,Mekong\n", encoding="utf-8")
    before = _curated(base)
    done = _curate_cli(base, source, "--accept-shrink")  # accepting a shrink does not load a wrong file
    assert done.returncode != 0
    assert "provinces.csv lacks the contract columns province_code, name_vi, name_en, region" in done.stderr
    assert _curated(base) == before


def test_finding_04_an_empty_folder_and_a_file_of_one_table_are_two_sources(delivery):
    from tiny_fixture import tables

    from dashboard.data.curate import CurateError, curate

    base, source = delivery
    (source / "datasets").mkdir()
    tables()["datasets"].write_parquet(source / "datasets.parquet")
    with pytest.raises(CurateError, match=r"two sources for datasets: datasets/ and datasets.parquet; keep one"):
        curate(base, source, "replace", run_id="two")


def test_finding_04_thresholds_on_the_command_line():
    from dashboard.data.shrink import percent

    assert percent("20") == 0.2 and percent("12.5%") == 0.125 and percent("0") == 0
    for bad in ("-1", "101", "many"):
        with pytest.raises(ValueError):
            percent(bad)
