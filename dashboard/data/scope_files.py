"""Scope files: the large facts and their rollups laid out per scope at curation time.

A province's or a central body's database (dashboard/engine/db.py) must not scan the whole daily fact to
find its rows.  So whoever writes the rollups (`curate`, `demo`, `rollups`) also writes, under
`<data dir>/curated/scopes/`, every row of the four large tables (`exchanges_daily`, `exchanges_weekly`,
`dossiers_daily`, `dossiers_weekly`) once per scope it belongs to, as Hive partitions:

    curated/scopes/<table>/scope_type=province/scope_id=HNI/data_0.parquet
    curated/scopes/<table>/scope_type=agency/scope_id=VPTW/data_0.parquet

**Dimension rows.** For each of those scopes, `agencies/` and `datasets/` hold the rows its database holds:
queries/scope/agencies.sql and datasets.sql run over the scope's own `exchanges_weekly` at curation time (the
scope's bodies and datasets, and the ones its exchanges name), so building its database reads them instead of
scanning its exchanges (the Central Party Office's build at scale 100: 0.63-0.77 -> 0.26-0.33 s).

**Which scopes.** Every province, and every body without a province (central and external bodies): those are
the scopes a leader opens.  A body inside a province is served from its province's files (its rows are a
subset of them).

**Which rows.** The rule of queries/scope/*.sql: an exchange belongs to the scope of its provider, of its
consumer, and of its dataset's owner (up to three scopes; once per scope), a dossier row to its body's scope.
A body with a province belongs to the province's scope, a body without one to its own.  So the rows of a
scope's files are exactly the rows the scope query would copy out of the whole table.

**Fresh or not.** `manifest.json` records a fingerprint of the tables the files were made from (the facts,
the rollups, `agencies` and `datasets`: who belongs where).  A data dir with no manifest, or one that does not
match the current files, is not trusted: the database falls back to copying the scope's rows out of the
whole tables (correct, slower).  The folder is written beside the curated data and renamed into place, so a
reader sees the old folder or the new one.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb

from dashboard import config
from dashboard.config import QUERIES_DIR, curated_dir, table_files
from dashboard.data.io import curated_select_sql
from dashboard.data.macros import SCOPE_SQL_MACROS_THROUGH, create_macros
from dashboard.data.rollups import DERIVED, ROLLUPS, source_fingerprint
from dashboard.sqltext import literal

SCOPE_DIR = config.SCOPE_DIR  # data_version counts the scope files by their manifest: keep the names in one place
MANIFEST = config.SCOPE_MANIFEST
FORMAT = 3  # 3: dataset_consumer_spans among the rollups written per scope
PARTITIONED = ("exchanges_daily", "exchanges_weekly", "dossiers_daily", "dossiers_weekly")
SOURCES = ("agencies", "datasets", *PARTITIONED)  # the tables the files depend on (fingerprinted)
# The dimension rows a scope's database holds (queries/scope/<table>.sql: the scope's own and the ones its rows
# name), written per scope too: found at request time they cost a scan of the scope's exchanges (0.2 s each for the
# Central Party Office at scale 100).
DIMENSIONS = ("agencies", "datasets")
# The rollups made from exchanges_weekly, written per scope from its own rows: as views over its exchanges_weekly a
# scope's database would group them again at every query (the Central Party Office's 12-week pace: 0.35 s).
DERIVED_PER_SCOPE = DERIVED

# The scope key of a body: its province, or the body itself when it has none.
_BODY_SCOPE = """
    create or replace temp table body_scope as
    select agency_id, if(province_code is null, 'agency:' || agency_id, 'province:' || province_code) as scope_key
    from agencies
"""

_EXCHANGE_ROWS = """
    select
        t.*,
        list_distinct(list_filter([p.scope_key, c.scope_key, o.scope_key], lambda k: k is not null)) as scope_keys
    from {table} as t
    left join body_scope as p on p.agency_id = t.provider_agency_id
    left join body_scope as c on c.agency_id = t.consumer_agency_id
    left join datasets as d on d.dataset_id = t.dataset_id
    left join body_scope as o on o.agency_id = d.owner_agency_id
"""

_DOSSIER_ROWS = """
    select t.*, [b.scope_key] as scope_keys
    from {table} as t
    join body_scope as b on b.agency_id = t.agency_id
"""


def scope_root(base: Path) -> Path:
    return curated_dir(base) / SCOPE_DIR


def scope_folder(base: Path, table: str, scope_type: str, scope_id: str) -> Path:
    """The folder holding one scope's rows of one table (it may not exist: the scope has no such rows)."""
    return scope_root(base) / table / f"scope_type={scope_type}" / f"scope_id={scope_id}"


def _files_list(files: list[Path]) -> str:
    return "[" + ", ".join(literal(str(p)) for p in files) + "]"


def fingerprints(base: Path, con: duckdb.DuckDBPyConnection | None = None) -> dict[str, str | None]:
    """The fingerprint of every table the scope files are made from (None: the table has no file): its files'
    names, sizes and row counts (as the rollups'), and their modification times, since a body moved to another
    province changes neither a size nor a row count. A file linked unchanged into a new curation keeps its time."""
    return {t: source_fingerprint(base, t, con, times=True) for t in SOURCES}


def read_manifest(base: Path) -> dict | None:
    path = scope_root(base) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and manifest.get("format") == FORMAT else None


def scope_files_state(base: Path, con: duckdb.DuckDBPyConnection | None = None) -> tuple[str, dict | None]:
    """('fresh', manifest) when the scope files were made from the current tables, else ('missing'|'stale', None)."""
    manifest = read_manifest(base)
    if manifest is None:
        return "missing", None
    if manifest.get("sources") != fingerprints(base, con):
        return "stale", None
    return "fresh", manifest


def build_scope_files(base: Path) -> dict[str, int]:
    """(Re)write `<base>/curated/scopes/` from the curated tables; returns the rows written per table.

    Does nothing (and removes an old folder) when a table it needs is missing.  Written in a folder beside
    `curated/`, then renamed into place.
    """
    base = Path(base)
    cur = curated_dir(base)
    target = scope_root(base)
    if any(not table_files(base, t) for t in SOURCES):
        shutil.rmtree(target, ignore_errors=True)
        return {}
    tmp = base / f".scopes-tmp-{os.getpid()}"
    spill = base / f".scopes-spill-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    con = duckdb.connect(":memory:", config={"threads": 2, "memory_limit": "3GB"})
    counts: dict[str, int] = {}
    try:
        con.execute(f"set temp_directory = {literal(str(spill))}")
        for t in SOURCES:
            con.execute(f'create view "{t}" as select * from read_parquet({_files_list(table_files(base, t))})')
        con.execute(_BODY_SCOPE)
        scopes = [
            r[0]
            for r in con.execute(
                "select distinct scope_key from body_scope "
                "union select 'province:' || province_code from agencies where province_code is not null "
                "order by 1"
            ).fetchall()
        ]
        sources = fingerprints(base, con)
        for table in PARTITIONED:
            rows = (_EXCHANGE_ROWS if table.startswith("exchanges") else _DOSSIER_ROWS).format(table=f'"{table}"')
            sql = (
                f"select * exclude (scope_keys, scope_key), split_part(scope_key, ':', 1) as scope_type, "
                f"substr(scope_key, strpos(scope_key, ':') + 1) as scope_id "
                f"from (select *, unnest(scope_keys) as scope_key from ({rows})) "
                f"order by all"  # the date first, then the rest of the row: the same bytes on every run
            )
            # One thread writes the partitions in the order of the sorted rows: row groups by date, which a period
            # query skips by their statistics. Our own paths: COPY takes no bound parameters; it answers the number
            # of rows it wrote, every partition together.
            con.execute("set threads = 1")
            counts[table] = con.execute(
                f"copy ({sql}) to {literal(str(tmp / table))} (format parquet, compression zstd, "
                f"partition_by (scope_type, scope_id), row_group_size 61440)"
            ).fetchall()[0][0]
            con.execute("set threads = 2")
        counts |= _write_scope_tables(con, base, tmp, scopes)
        manifest = {"format": FORMAT, "sources": sources, "scopes": scopes, "rows": counts}
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
    old = base / f".scopes-old-{os.getpid()}"
    if target.exists():
        os.rename(target, old)
    cur.mkdir(parents=True, exist_ok=True)
    os.rename(tmp, target)
    shutil.rmtree(old, ignore_errors=True)
    return counts


def _write_scope_tables(con: duckdb.DuckDBPyConnection, base: Path, tmp: Path, scopes: list[str]) -> dict[str, int]:
    """Each scope's rows of DIMENSIONS, as its database would copy them: queries/scope/<table>.sql run over the
    scope's own exchanges_weekly just written (the whole dimension tables beside it, the macros it calls), and its
    DERIVED_PER_SCOPE rollups made from those rows, written to `<table>/scope_type=../scope_id=../data_0.parquet`
    under `tmp`. One connection for every scope: only its
    `exchanges_weekly` view changes from one scope to the next."""
    counts = dict.fromkeys(DIMENSIONS, 0)
    scoped = duckdb.connect(":memory:", config={"threads": 2})
    try:
        for table in DIMENSIONS:
            rows = con.sql(curated_select_sql(con, table, table_files(base, table))).arrow()
            scoped.register("incoming_rows", rows)
            scoped.execute(f'create table "{table}" as select * from incoming_rows')
            scoped.unregister("incoming_rows")
        create_macros(scoped, through=SCOPE_SQL_MACROS_THROUGH)
        whole_weekly = _files_list(table_files(base, "exchanges_weekly"))
        sqls = {t: (QUERIES_DIR / "scope" / f"{t}.sql").read_text(encoding="utf-8") for t in DIMENSIONS}
        for key in scopes:
            scope_type, scope_id = key.split(":", 1)
            folder = tmp / "exchanges_weekly" / f"scope_type={scope_type}" / f"scope_id={scope_id}"
            part = sorted(folder.glob("*.parquet"))
            rows = (
                f"read_parquet({_files_list(part)})"
                if part
                else f"(select * from read_parquet({whole_weekly}) limit 0)"
            )
            scoped.execute(f"create or replace view exchanges_weekly as select * from {rows}")
            for table in DIMENSIONS:
                out = tmp / table / f"scope_type={scope_type}" / f"scope_id={scope_id}"
                out.mkdir(parents=True, exist_ok=True)
                params = {"scope_type": scope_type, "scope_id": scope_id}
                # Sorted: the same bytes on every run. The query of a COPY takes bound parameters, its file name
                # does not (our own path, as a literal); a COPY answers the number of rows it wrote.
                counts[table] += scoped.execute(
                    f"copy (select * from ({sqls[table]}) order by all) to {literal(str(out / 'data_0.parquet'))} "
                    f"(format parquet, compression zstd)",
                    params,
                ).fetchall()[0][0]
            for name in DERIVED_PER_SCOPE if part else ():
                rollup = ROLLUPS[name]
                out = tmp / name / f"scope_type={scope_type}" / f"scope_id={scope_id}"
                out.mkdir(parents=True, exist_ok=True)
                # The rollup's own SQL over the scope's rows (agencies whole: every body its rows name is there),
                # sorted by its grain as its file in curated/ is.
                counts[name] = (
                    counts.get(name, 0)
                    + scoped.execute(
                        f"copy ({rollup.sorted_sql()}) "
                        f"to {literal(str(out / 'data_0.parquet'))} (format parquet, compression zstd)"
                    ).fetchall()[0][0]
                )
    finally:
        scoped.close()
    return counts


def refresh_scope_files(base: Path) -> dict[str, int] | None:
    """Rebuild the scope files unless they are fresh; the rows written, or None when they were kept."""
    state, _ = scope_files_state(base)
    if state == "fresh":
        return None
    return build_scope_files(base)
