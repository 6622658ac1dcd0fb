"""A scope is a database: one hardened DuckDB database per scope, built lazily, cached per data version.

The `all` database holds the small dimensions in memory and reads the facts and the rollups through views over
the curated Parquet, with file access limited to the curated folder.  `serve` builds it in a background thread
when it starts (`warm_all`).

A restricted scope (a province, an agency) gets a database holding only its rows:
* with fresh scope files (dashboard/data/scope_files.py, written at curation), a province or a body without a
  province reads its large tables (daily facts and rollups) through views over its own files, file access
  limited to those folders, and holds copies of its dimension rows: agencies and datasets read from its files
  (written at curation by queries/scope/), the other small tables copied out of `all` by queries/scope/ (they
  depend on the small tables alone, which `all` holds in memory);
  a body inside a province copies all its rows out of its province's files;
* without them (an older data dir, files changed by hand), it copies its rows out of `all` (queries/scope/)
  and has no file access at all.

Rollups (dashboard/data/rollups.py) are tables like the others here: a rollup file that is fresh (built from the
current fact files) is read; a missing or stale one is built in memory from the daily fact before the database is
locked (correct, slower to start, logged), so a data dir without rollups still works.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import weakref
from collections import OrderedDict
from pathlib import Path

import duckdb

from dashboard.config import QUERIES_DIR, curated_dir, data_version, table_files
from dashboard.data.contract import LOAD_ORDER, REQUIRED_TABLES, TABLES
from dashboard.data.io import curated_select_sql
from dashboard.data.macros import SCOPE_SQL_MACROS_THROUGH, create_macros
from dashboard.data.rollups import DERIVED, ROLLUPS, rollup_state
from dashboard.data.scope_files import DERIVED_PER_SCOPE, DIMENSIONS, PARTITIONED, scope_files_state, scope_folder
from dashboard.scope import Scope
from dashboard.sqltext import ident, literal

log = logging.getLogger(__name__)

MEMORY_LIMIT_ALL = "4GB"
MEMORY_LIMIT_SCOPE = "1GB"
THREADS = 2
MAX_EXECUTION_MS = 120_000
MAX_CACHED_DATABASES = 48
_SCOPE_COPIED_WHOLE = ("provinces", "dictionary_terms", "quality_rules")
_IN_MEMORY = ("agencies", "provinces", "datasets", "dictionary_terms", "data_elements", "quality_rules")
_SCOPE_FILES_STATE: dict[tuple[str, str], dict | None] = {}


class DataMissingError(RuntimeError):
    """The data dir has no curated table that the dashboard needs."""


class DataDamagedError(DataMissingError):
    """A curated table's file cannot be read (truncated, empty, not Parquet): `table` names it."""

    def __init__(self, table: str, detail: str) -> None:
        super().__init__(f"the curated table {table} cannot be read ({detail}); run `python -m dashboard check`")
        self.table = table


def hardened_connection(
    memory_limit: str, threads: int = THREADS, *, external_access: bool = True
) -> duckdb.DuckDBPyConnection:
    """An in-memory database with the limits every database of the dashboard has from its first statement: its
    memory budget and threads, no extension installed or loaded on its own, no Python variable read as a table.
    Without `external_access` it cannot read any file from the start (a scope's copies of its rows) and has no temp
    directory; with it, a private temp directory of its own (removed with the database), never DuckDB's default
    `.tmp` under the working directory, which every database would share and add to its allowed directories."""
    config = {
        "memory_limit": memory_limit,
        "threads": threads,
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "python_enable_replacements": False,
        "temp_directory": "",
    }
    spill = None
    if external_access:
        spill = tempfile.mkdtemp(prefix="dashboard-duckdb-")
        config["temp_directory"] = spill
    else:
        config["enable_external_access"] = False
    con = duckdb.connect(":memory:", config=config)
    if spill:
        weakref.finalize(con, shutil.rmtree, spill, ignore_errors=True)
    return con


def harden(con: duckdb.DuckDBPyConnection, max_execution_ms: int = MAX_EXECUTION_MS) -> None:
    """The last step of building a database, once its views and tables are in place: a time limit on every
    statement, then no file access (beyond the allowed directories set before), then the configuration locked so
    no later statement can undo any of it.

    GLOBAL: a plain `set` of a setting that has a session scope sets it for this connection only, and every query
    runs on a cursor (a connection of its own): the time limit would not apply to any of them."""
    con.execute(f"set global max_execution_time = {max_execution_ms}")
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")


def _cache_footers(con: duckdb.DuckDBPyConnection) -> None:
    """Parquet footers read once, not on every query, nor again by every macro that binds a view over them. GLOBAL,
    for the cursors the queries run on: set for the building connection only, every query on a cursor read the
    footers again (half of a page query's time at scale 100, docs/performance.md, 2026-12-03, fifth pass)."""
    con.execute("set global parquet_metadata_cache = true")


def empty_table_sql(table: str) -> str:
    """`create table` of a contract table with its columns and no rows (an optional table that is absent)."""
    cols = ", ".join(f"{ident(c.name)} {c.type}" for c in TABLES[table].columns)
    return f"create table {ident(table)} ({cols})"


def empty_select_sql(table: str) -> str:
    """A `select` of a contract table's columns with no rows (an optional table that is absent, read as a view)."""
    cols = ", ".join(f"cast(null as {c.type}) as {ident(c.name)}" for c in TABLES[table].columns)
    return f"select {cols} limit 0"


def parquet_select_sql(base: Path, table: str, con: duckdb.DuckDBPyConnection | None = None) -> str:
    """`select *` over a curated table's files (an optional column they leave out added as null); the empty select
    of its columns when it has none (an optional table). Reads the footers, with `con` or a connection of its own."""
    files = table_files(base, table)
    if not files:
        return empty_select_sql(table)
    if con is not None:
        return curated_select_sql(con, table, files)
    own = duckdb.connect(":memory:")
    try:
        return curated_select_sql(own, table, files)
    finally:
        own.close()


def build_all_database(base: Path) -> duckdb.DuckDBPyConnection:
    """Views over every curated table, then file access locked down to the curated folder."""
    missing = [t for t in REQUIRED_TABLES if not table_files(base, t)]
    if missing:
        raise DataMissingError(
            f"no curated data for {', '.join(missing)} in {curated_dir(base)}; "
            "run `python -m dashboard demo` or point --data-dir / DASHBOARD_DATA_DIR at real extracts"
        )
    # A scope's database copies its rows through Arrow: pyarrow (0.1-0.2 s to import) is imported with `all`, which
    # a server builds when it starts, not on the first provincial leader's page.
    import pyarrow  # noqa: F401

    con = hardened_connection(MEMORY_LIMIT_ALL)
    _cache_footers(con)
    try:
        _create_views(con, base)
    except DataDamagedError:  # never half a database
        con.close()
        raise
    create_macros(con)
    con.execute(f"set allowed_directories = [{literal(str(curated_dir(base)) + '/')}]")
    harden(con)
    return con


def _create_views(con: duckdb.DuckDBPyConnection, base: Path) -> None:
    """The views over the curated files; a file DuckDB cannot read (binding a view reads its footer) raises
    DataDamagedError naming the table."""
    for table in LOAD_ORDER:
        if not table_files(base, table):  # an optional table that is absent: empty, so queries still run
            con.execute(empty_table_sql(table))
            continue
        # Paths are our own file names, not user input; DDL cannot take bound parameters. The small dimensions
        # are read into memory once; the facts stay views (pages read only their edge days). An optional column
        # the files leave out is added as null, so every query can name it.
        kind = "table" if table in _IN_MEMORY else "view"
        try:
            con.execute(f'create {kind} "{table}" as {curated_select_sql(con, table, table_files(base, table))}')
        except duckdb.Error as exc:
            raise DataDamagedError(table, str(exc).splitlines()[0]) from None
    for rollup in ROLLUPS.values():
        try:
            state = rollup_state(base, rollup, con)
        except duckdb.Error as exc:
            raise DataDamagedError(rollup.name, str(exc).splitlines()[0]) from None
        if state == "fresh":
            files = ", ".join(literal(str(p)) for p in table_files(base, rollup.name))
            # A view: the rollup is sorted by week, so a period reads only its row groups, as fast as a table in
            # memory would (docs/performance.md, 2026-12-03), without the seconds and memory of loading it.
            con.execute(f'create view "{rollup.name}" as select * from read_parquet([{files}])')
        else:
            log.warning(
                "rollup %s is %s in %s: building it in memory; run `python -m dashboard rollups --data-dir %s`",
                rollup.name,
                state,
                curated_dir(base),
                base,
            )
            con.execute(f'create table "{rollup.name}" as {rollup.sql()}')


def copy_scope_rows(
    source: duckdb.DuckDBPyConnection, con: duckdb.DuckDBPyConnection, table: str, scope: Scope
) -> None:
    """Copy `table`'s rows that belong to `scope` (queries/scope/<table>.sql; a whole small table) from `source`
    into a new table of `con`."""
    if table in _SCOPE_COPIED_WHOLE:
        rows = source.sql(f'select * from "{table}"').arrow()
    else:
        sql = (QUERIES_DIR / "scope" / f"{table}.sql").read_text(encoding="utf-8")
        rows = source.sql(sql, params=scope.params()).arrow()
    con.register("incoming_rows", rows)
    con.execute(f'create table "{table}" as select * from incoming_rows')
    con.unregister("incoming_rows")


def _scope_tables() -> tuple[str, ...]:
    """The tables a scope's database copies or reads from its files: all but the derived rollups."""
    return (*LOAD_ORDER, *(r for r in ROLLUPS if r not in DERIVED))


def _create_derived_views(
    con: duckdb.DuckDBPyConnection, scope: Scope, over_files: dict[str, str] | None = None
) -> None:
    """A scope's derived rollups (dashboard/data/rollups.py): views over the files written for it at curation
    (`over_files`: {name: select over them}), else views over its own rows of the rollup they are made from, with
    the SQL that makes their files, so they hold the scope's rows and nothing else. Without files, a province's
    `exchange_flows_weekly` is made once here, a table (0.01-0.03 s at scale 100): every page of a province reads
    it, and as a view it would join and sum the period's rows at every query; a body's queries never read it
    (scope_exchange_flows takes its exchange rows)."""
    for name in DERIVED:
        if over_files and name in over_files:
            con.execute(f'create view "{name}" as {over_files[name]}')
            continue
        kind = "table" if ROLLUPS[name].dimensions and scope.type == "province" else "view"
        con.execute(f'create {kind} "{name}" as {ROLLUPS[name].sql()}')


def build_scope_database(all_con: duckdb.DuckDBPyConnection, scope: Scope) -> duckdb.DuckDBPyConnection:
    """An in-memory database holding copies of only the rows that belong to `scope`."""
    con = hardened_connection(MEMORY_LIMIT_SCOPE, external_access=False)
    source = all_con.cursor()
    try:
        for table in _scope_tables():
            copy_scope_rows(source, con, table, scope)
    finally:
        source.close()
    _create_derived_views(con, scope)
    create_macros(con)
    harden(con)
    return con


def _scope_files(base: Path, all_con: duckdb.DuckDBPyConnection | None = None) -> dict | None:
    """The manifest of fresh scope files (dashboard/data/scope_files.py) of `base`, checked once per data version;
    with `all_con` (the `all` database) the tables' footers are read through it, already cached there (a tenth of
    the time a connection of its own takes)."""
    key = (str(base), data_version(base))
    if key in _SCOPE_FILES_STATE:
        return _SCOPE_FILES_STATE[key]
    if all_con is None:
        state, manifest = scope_files_state(base)
    else:
        cur = all_con.cursor()
        try:
            state, manifest = scope_files_state(base, cur)
        finally:
            cur.close()
    if state != "fresh":
        log.info("scope files of %s are %s: scope databases copy their rows from the whole tables", base, state)
    if len(_SCOPE_FILES_STATE) > 16:  # a server serves one data version per data dir; tests use many dirs
        _SCOPE_FILES_STATE.clear()
    _SCOPE_FILES_STATE[key] = manifest
    return manifest


def build_scope_database_from_files(
    base: Path, scope: Scope, all_con: duckdb.DuckDBPyConnection
) -> duckdb.DuckDBPyConnection | None:
    """A scope's database made from the scope files written at curation time, reading only its own rows; None
    when the data dir has no fresh scope files or none for this scope (the caller copies from `all` then).

    A province or a body without a province has its own files: its large tables are views over them (nothing
    copied, nothing held in memory), its agencies and datasets read from its files, its other small tables copied
    out of `all`.  A body inside a province copies its rows out of its province's files.
    """
    manifest = _scope_files(base, all_con)
    if manifest is None:
        return None
    own = scope.key in manifest.get("scopes", ())
    if own:
        source_type, source_id = scope.type, scope.id
    else:
        if scope.type != "agency":
            return None
        cur = all_con.cursor()
        try:
            found = cur.execute("select province_code from agencies where agency_id = $id", {"id": scope.id}).fetchall()
        finally:
            cur.close()
        if not found or found[0][0] is None or f"province:{found[0][0]}" not in manifest.get("scopes", ()):
            return None
        source_type, source_id = "province", found[0][0]
    folders = {t: scope_folder(base, t, source_type, source_id) for t in PARTITIONED}
    parts = {t: sorted(f.glob("*.parquet")) for t, f in folders.items()}
    # The scope's dimension rows, written at curation by the same queries/scope/ SQL (its own files only).
    dimension_rows = {t: sorted(scope_folder(base, t, scope.type, scope.id).glob("*.parquet")) for t in DIMENSIONS}
    # Its rollups made from exchanges_weekly, written at curation from its own rows (its own files only).
    derived = {t: scope_folder(base, t, scope.type, scope.id) for t in DERIVED_PER_SCOPE} if own else {}
    derived_rows = {t: sorted(f.glob("*.parquet")) for t, f in derived.items()}

    def read(table: str) -> str:
        if parts.get(table):
            return _read_scope_files(parts[table])
        if table in ROLLUPS:
            files = ", ".join(literal(str(p)) for p in table_files(base, table))
            empty = " limit 0" if table in PARTITIONED else ""
            return f"select * from read_parquet([{files}], union_by_name = true){empty}"
        empty = " limit 0" if table in PARTITIONED else ""  # the scope has no rows there: the columns only
        return parquet_select_sql(base, table, con) + empty

    con = hardened_connection(MEMORY_LIMIT_SCOPE)
    _cache_footers(con)
    source = from_all = None
    try:
        for table in _scope_tables():
            if own and parts.get(table):
                con.execute(f'create view "{table}" as {read(table)}')
            elif own and dimension_rows.get(table):
                con.execute(f'create table "{table}" as {_read_scope_files(dimension_rows[table])}')
            elif own and table in PARTITIONED:  # the scope has no such rows: the columns only
                con.execute(f'create table "{table}" as {read(table)}')
            elif own and table not in DIMENSIONS:
                # A small table's rows of the scope, by queries/scope/ over the small tables alone (the scope's
                # bodies and datasets, or the whole table): `all` holds the same small tables, in memory, with the
                # macros, so its cursor copies them without a source database of this scope's own (0.08 s of a
                # province's build at scale 100, docs/performance.md, sixth pass).
                from_all = from_all or all_con.cursor()
                copy_scope_rows(from_all, con, table, scope)
            else:  # a body inside a province, or a scope without its dimension rows: out of the scope's own files
                source = source or _scope_source(_scope_tables(), read)
                copy_scope_rows(source, con, table, scope)
        _create_derived_views(con, scope, {t: _read_scope_files(f) for t, f in derived_rows.items() if f})
    except BaseException:
        con.close()
        raise
    finally:
        for opened in (source, from_all):
            if opened is not None:
                opened.close()
    create_macros(con)
    allowed = [str(folders[t]) + "/" for t in PARTITIONED if own and parts.get(t)]
    allowed += [str(derived[t]) + "/" for t, f in derived_rows.items() if f]
    con.execute(f"set allowed_directories = [{', '.join(literal(a) for a in allowed)}]")
    harden(con)
    return con


def _scope_source(tables: tuple[str, ...], read) -> duckdb.DuckDBPyConnection:
    """A database reading a scope's own files (`read(table)`: a select over them), with the macros queries/scope/
    needs: what a scope's rows are copied out of when its files do not hold them as they are."""
    source = hardened_connection(MEMORY_LIMIT_SCOPE)
    _cache_footers(source)
    try:
        for table in tables:
            source.execute(f'create view "{table}" as {read(table)}')
        create_macros(source, through=SCOPE_SQL_MACROS_THROUGH)
    except BaseException:
        source.close()
        raise
    return source


def _read_scope_files(files: list[Path]) -> str:
    return f"select * from read_parquet([{', '.join(literal(str(p)) for p in files)}], hive_partitioning = false)"


def file_views(base: Path, scope: Scope) -> tuple[dict[str, str], list[str]]:
    """The tables that `scope`'s database reads from files, as {table: select over its files}, and the folders
    those files are in: what another database (the workbench's) needs to read the same files itself.  A table
    not named here is one the scope's database holds (copy it) or a view it can copy as it is."""
    if scope.type == "all":
        views = {t: parquet_select_sql(base, t) for t in LOAD_ORDER}
        views |= {
            r.name: f"select * from read_parquet([{', '.join(literal(str(p)) for p in table_files(base, r.name))}])"
            for r in ROLLUPS.values()
            if rollup_state(base, r) == "fresh"
        }
        return views, [str(curated_dir(base)) + "/"]
    manifest = _scope_files(base)
    if manifest is None or scope.key not in manifest.get("scopes", ()):
        return {}, []
    views, allowed = {}, []
    for t in (*PARTITIONED, *DERIVED_PER_SCOPE):
        folder = scope_folder(base, t, scope.type, scope.id)
        files = sorted(folder.glob("*.parquet"))
        if files:
            views[t] = _read_scope_files(files)
            allowed.append(str(folder) + "/")
    return views, allowed


class DatabaseCache:
    """Scope databases keyed on (data dir, data version, scope); old versions are dropped."""

    def __init__(self, max_entries: int = MAX_CACHED_DATABASES) -> None:
        self._entries: OrderedDict[tuple[str, str, str], duckdb.DuckDBPyConnection] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[tuple[str, str, str], threading.Lock] = {}
        self._max = max_entries

    def get(self, base: Path, scope: Scope) -> duckdb.DuckDBPyConnection:
        version = data_version(base)
        key = (str(base), version, scope.key)
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
            build_lock = self._building.setdefault(key, threading.Lock())
        with build_lock:
            with self._lock:
                if key in self._entries:
                    return self._entries[key]
            if scope.type == "all":
                con = build_all_database(base)
            else:
                all_con = self.get(base, Scope())
                con = build_scope_database_from_files(base, scope, all_con) or build_scope_database(all_con, scope)
            with self._lock:
                for old in [k for k in self._entries if k[0] == key[0] and k[1] != version]:
                    self._entries.pop(old).close()
                self._entries[key] = con
                while len(self._entries) > self._max:
                    # The oldest entry other than the one just built and the `all` database it was copied from.
                    keep = (key, (key[0], version, "all"))
                    oldest = next((k for k in self._entries if k not in keep), None)
                    if oldest is None:
                        break
                    self._entries.pop(oldest).close()
                self._building.pop(key, None)
            return con

    def clear(self) -> None:
        with self._lock:
            for con in self._entries.values():
                con.close()
            self._entries.clear()


DATABASES = DatabaseCache()


def database(base: Path, scope: Scope) -> duckdb.DuckDBPyConnection:
    """The hardened database of `scope` for the current version of the data in `base`."""
    return DATABASES.get(base, scope)


def warm_all(base: Path) -> threading.Thread:
    """Build the `all` database of `base` in a background thread (a server calls this when it starts), so the first
    page does not wait for the rollups to be read into memory; a page that comes first waits for the same build."""

    def build() -> None:
        try:
            database(base, Scope())
        except Exception:  # the first page reports it, with the data dir's message
            log.warning("could not build the `all` database of %s ahead of the first page", base, exc_info=True)

    thread = threading.Thread(target=build, name="warm-all-database", daemon=True)
    thread.start()
    return thread
