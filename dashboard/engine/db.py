"""A scope is a database: one hardened DuckDB database per scope, built lazily, cached per data version.

The `all` database reads the curated Parquet through views, with file access limited to the
curated folder. A restricted scope (a province, an agency) gets an in-memory database that holds
copies of only its rows (the queries in queries/scope/) and never has any file access.

Rollups (dashboard/data/rollups.py) are tables like the others here: the `all` database reads a rollup
file that is fresh (built from the current fact files) through a view; a missing or stale one is built
in memory from the daily fact before the database is locked (correct, slower to start, logged), so a
data dir without rollups still works.  Scopes copy their rollup rows with queries/scope/<rollup>.sql.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from pathlib import Path

import duckdb

from dashboard.config import QUERIES_DIR, curated_dir, data_version, table_files
from dashboard.data.contract import LOAD_ORDER
from dashboard.data.io import curated_select_sql
from dashboard.data.rollups import ROLLUPS, rollup_state
from dashboard.scope import Scope
from dashboard.sqltext import literal

log = logging.getLogger(__name__)

MEMORY_LIMIT_ALL = "4GB"
MEMORY_LIMIT_SCOPE = "1GB"
THREADS = 2
MAX_EXECUTION_MS = 120_000
MAX_CACHED_DATABASES = 48
_SCOPE_COPIED_WHOLE = ("provinces", "dictionary_terms", "quality_rules")


class DataMissingError(RuntimeError):
    """The data dir has no curated table that the dashboard needs."""


def hardened_connection(
    memory_limit: str, threads: int = THREADS, *, external_access: bool = True
) -> duckdb.DuckDBPyConnection:
    """An in-memory database with the limits every database of the dashboard has from its first statement: its
    memory budget and threads, no extension installed or loaded on its own, no Python variable read as a table.
    Without `external_access` it cannot read any file from the start (a scope's copies of its rows)."""
    config = {
        "memory_limit": memory_limit,
        "threads": threads,
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "python_enable_replacements": False,
    }
    if not external_access:
        config["enable_external_access"] = False
    return duckdb.connect(":memory:", config=config)


def harden(con: duckdb.DuckDBPyConnection, max_execution_ms: int = MAX_EXECUTION_MS) -> None:
    """The last step of building a database, once its views and tables are in place: a time limit on every
    statement, then no file access (beyond the allowed directories set before), then the configuration locked so
    no later statement can undo any of it."""
    con.execute(f"set max_execution_time = {max_execution_ms}")
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")


def _create_macros(con: duckdb.DuckDBPyConnection) -> None:
    con.execute((QUERIES_DIR / "_macros.sql").read_text(encoding="utf-8"))


def build_all_database(base: Path) -> duckdb.DuckDBPyConnection:
    """Views over every curated table, then file access locked down to the curated folder."""
    missing = [t for t in LOAD_ORDER if not table_files(base, t)]
    if missing:
        raise DataMissingError(
            f"no curated data for {', '.join(missing)} in {curated_dir(base)}; "
            "run `python -m dashboard demo` or point --data-dir / DASHBOARD_DATA_DIR at real extracts"
        )
    con = hardened_connection(MEMORY_LIMIT_ALL)
    for table in LOAD_ORDER:
        # Paths are our own file names, not user input; DDL cannot take bound parameters. An optional column the
        # files leave out is added as null, so every query can name it.
        con.execute(f'create view "{table}" as {curated_select_sql(con, table, table_files(base, table))}')
    for rollup in ROLLUPS.values():
        state = rollup_state(base, rollup, con)
        if state == "fresh":
            files = ", ".join(literal(str(p)) for p in table_files(base, rollup.name))
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
    _create_macros(con)
    con.execute("set parquet_metadata_cache = true")  # footers read once, not on every query
    con.execute(f"set allowed_directories = [{literal(str(curated_dir(base)) + '/')}]")
    harden(con)
    return con


def build_scope_database(all_con: duckdb.DuckDBPyConnection, scope: Scope) -> duckdb.DuckDBPyConnection:
    """An in-memory database holding copies of only the rows that belong to `scope`."""
    con = hardened_connection(MEMORY_LIMIT_SCOPE, external_access=False)
    source = all_con.cursor()
    try:
        for table in (*LOAD_ORDER, *ROLLUPS):
            if table in _SCOPE_COPIED_WHOLE:
                rows = source.sql(f'select * from "{table}"').arrow()
            else:
                sql = (QUERIES_DIR / "scope" / f"{table}.sql").read_text(encoding="utf-8")
                rows = source.sql(sql, params=scope.params()).arrow()
            con.register("incoming_rows", rows)
            con.execute(f'create table "{table}" as select * from incoming_rows')
            con.unregister("incoming_rows")
    finally:
        source.close()
    _create_macros(con)
    harden(con)
    return con


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
                con = build_scope_database(self.get(base, Scope()), scope)
            with self._lock:
                for old in [k for k in self._entries if k[0] == key[0] and k[1] != version]:
                    self._entries.pop(old).close()
                self._entries[key] = con
                while len(self._entries) > self._max:
                    oldest = next((k for k in self._entries if k[2] != "all"), None)
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
