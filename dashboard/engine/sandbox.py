"""User-written SQL, run safely: one SELECT, no file access, bounded time, memory and rows.

Used by the SQL workbench (ad-hoc SQL typed in the browser) and by the SQL pages (SQL files kept in
pages/). Three layers, each enough on its own for the attacks it names:

1. The guard (`check_select`): the text must be exactly one statement (`duckdb.extract_statements`)
   of type SELECT, so COPY, ATTACH, INSTALL/LOAD, SET/RESET, PRAGMA, CREATE/DROP/INSERT/UPDATE/
   DELETE, CALL and a second statement after `;` (hidden behind a comment or not) never run. The
   statement is then parsed into DuckDB's own tree (`json_serialize_sql`) and every table function
   in it must be on a short allow-list (`range`, `unnest`, our scope macros...), so `read_csv`,
   `read_text`, `read_parquet`, `glob`, `query(...)` and the like are refused wherever they hide
   (sub-queries, CTEs, lateral joins); a FROM that names a file (`from '/etc/passwd'`) is refused too.
2. The database: the workbench runs in a database of its own per scope (`workbench_database`), a
   mirror of the scope's shared database (dashboard/engine/db.py) hardened the same way (external access off,
   configuration locked) but with its own, smaller memory budget, so a runaway analyst query cannot
   starve the leaders' pages. A restricted scope's workbench database holds copies of only that scope's
   rows and has no file access at all; the `all` one reads the curated Parquet through the same views,
   inside the one allowed folder.
3. The run (`run_select`): a timer interrupts the cursor after `timeout_s` (shorter than the
   database's locked `max_execution_time`, which also applies to cursors), and rows are streamed so at most
   `max_rows` rows and `max_bytes` bytes are kept while the rest are only counted. Every failure (DuckDB, Arrow,
   Polars, a statement too deep to check) becomes a `Refused` with a reason; repeated column names are made unique and
   types Polars cannot hold (intervals, lists, structs, maps, blobs...) are shown as their text.
"""

from __future__ import annotations

import io
import json
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from dashboard.config import QUERIES_DIR, data_version, workbench_max_bytes
from dashboard.csvsafe import csv_bytes
from dashboard.data.contract import LOAD_ORDER, TABLES
from dashboard.data.rollups import DERIVED
from dashboard.engine.db import database, file_views, harden, hardened_connection
from dashboard.scope import Scope
from dashboard.sqltext import ident, literal

MAX_ROWS = 10_000
WORKBENCH_TIMEOUT_S = 30.0
WORKBENCH_MEMORY_LIMIT = "1GB"
WORKBENCH_THREADS = 2
MAX_WORKBENCH_DATABASES = 8
# Parameters every user-written query may name: the global filters.
GLOBAL_PARAMS = ("start", "end", "scope_type", "scope_id", "lang")
# Table functions that read no file and run no SQL text: everything else is refused.
SAFE_TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest"})
# Scalar functions that read the server's settings or variables (paths of the data and temp directories).
SERVER_FUNCTIONS = frozenset({"current_setting", "getvariable"})
# Names of DuckDB's catalog views, reachable as plain table names (`from duckdb_views`, `from sqlite_master`),
# whose text holds the views' SQL with the curated files' absolute paths: refused like files.
_CATALOG_PREFIXES = ("duckdb_", "sqlite_", "pg_", "pragma_")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TABLE_MACRO = re.compile(r"create\s+or\s+replace\s+macro\s+(\w+)\s*\([^)]*\)\s+as\s+table", re.IGNORECASE)
_SQL_LINE = re.compile(r"LINE (\d+):")


class Refused(Exception):
    """The SQL was not run. `code` names the reason (a key of [workbench.refused]); `detail` says more."""

    def __init__(self, code: str, detail: str = "", **values) -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        self.values = values


@dataclass(frozen=True)
class Checked:
    """A statement that passed the guard: its text and the parameters it names."""

    sql: str
    parameters: frozenset[str]


@dataclass(frozen=True)
class Result:
    """At most `max_rows` rows of a query (and at most `max_bytes` of them), how many rows it returned in all, and
    how long it took. `byte_budget` is set when the byte budget cut the rows; `renamed` lists (column, new name)
    for repeated column names; `as_text` names the columns of a type shown as its text (intervals, lists, ...)."""

    frame: pl.DataFrame
    total_rows: int
    elapsed_ms: float
    byte_budget: int | None = None
    renamed: tuple[tuple[str, str], ...] = ()
    as_text: tuple[str, ...] = ()

    @property
    def truncated(self) -> bool:
        return self.total_rows > self.frame.height


def table_macros() -> frozenset[str]:
    """The table macros of queries/_macros.sql (scope rules): safe to call from user SQL."""
    text = (QUERIES_DIR / "_macros.sql").read_text(encoding="utf-8")
    return frozenset(m.lower() for m in _TABLE_MACRO.findall(text))


_PARSER_LOCK = threading.Lock()
_PARSER: duckdb.DuckDBPyConnection | None = None


def _parse_tree(sql: str) -> dict:
    """DuckDB's own parse tree of one SELECT, as JSON (no data, no file access on this connection)."""
    global _PARSER
    with _PARSER_LOCK:
        if _PARSER is None:
            _PARSER = duckdb.connect(":memory:", config={"enable_external_access": False, "threads": 1})
            _PARSER.execute("set lock_configuration = true")
        rows = _PARSER.execute("select json_serialize_sql($sql)", {"sql": sql}).fetchall()
    return json.loads(rows[0][0])


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def sql_line(message: str) -> int | None:
    """The line a DuckDB error message points at ("LINE 3: ..."), if any."""
    m = _SQL_LINE.search(message)
    return int(m.group(1)) if m else None


def check_select(sql: str) -> Checked:
    """Refuse anything but one SELECT statement that reads only the database's own tables."""
    if not sql or not sql.strip():
        raise Refused("empty")
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise Refused("syntax", str(exc)) from None
    if not statements:
        raise Refused("empty")
    if len(statements) > 1:
        raise Refused("several", count=len(statements))
    statement = statements[0]
    if statement.type != duckdb.StatementType.SELECT:
        raise Refused("not_select", kind=statement.type.name)
    try:
        tree = _parse_tree(statement.query)
        nodes = list(_walk(tree))
    except RecursionError:  # `abs(abs(abs(...)))` 400 deep: too deep to check, so it does not run
        raise Refused("too_deep") from None
    if tree.get("error"):
        raise Refused("unverifiable", tree.get("error_message", ""))
    allowed = SAFE_TABLE_FUNCTIONS | table_macros()
    for node in nodes:
        kind = node.get("type")
        if node.get("class") == "FUNCTION" and str(node.get("function_name", "")).lower() in SERVER_FUNCTIONS:
            raise Refused("server_function", name=str(node.get("function_name")).lower())
        if kind == "TABLE_FUNCTION":
            name = str((node.get("function") or {}).get("function_name", "")).lower()
            if name not in allowed:
                code = "file_function" if _reads_files(name) else "table_function"
                raise Refused(code, name=name)
        elif kind == "BASE_TABLE":
            name = str(node.get("table_name", ""))
            if node.get("catalog_name") or node.get("schema_name") not in ("", "main") or not _IDENTIFIER.match(name):
                raise Refused("file_function", name=name)
            if name.lower().startswith(_CATALOG_PREFIXES) or name.lower() in _catalog_views():
                raise Refused("table_function", name=name)
    return Checked(statement.query, frozenset(statement.named_parameters))


def _catalog_views() -> frozenset[str]:
    """The names of DuckDB's own catalog views a plain name reaches (not those of information_schema), lowercase."""
    global _CATALOG_VIEWS
    if _CATALOG_VIEWS is None:
        with duckdb.connect(":memory:", config={"enable_external_access": False}) as con:
            sql = (
                "select distinct lower(view_name) from duckdb_views()"
                " where internal and schema_name <> 'information_schema'"
            )
            rows = con.execute(sql).fetchall()
        _CATALOG_VIEWS = frozenset(r[0] for r in rows) - {t.lower() for t in LOAD_ORDER}
    return _CATALOG_VIEWS


_CATALOG_VIEWS: frozenset[str] | None = None


def _reads_files(name: str) -> bool:
    return name.startswith(("read_", "parquet_", "sniff_", "glob", "iceberg", "delta")) or name.endswith(
        ("_scan", "_auto")
    )


def bind_parameters(checked: Checked, values: dict) -> dict:
    """The values of exactly the parameters the statement names; an unknown one is refused."""
    unknown = sorted(p for p in checked.parameters if p not in values)
    if unknown:
        raise Refused("parameter", name=unknown[0], known=", ".join(f"${k}" for k in values))
    return {p: values[p] for p in checked.parameters}


# DuckDB types that reach Polars and the browser as they are; a column of any other type (interval, list, array,
# struct, map, union, blob, bit, bignum, time with time zone, ...) is shown as DuckDB's own text of it.
PLAIN_TYPES = frozenset(
    {
        "null", "boolean", "tinyint", "smallint", "integer", "bigint", "utinyint", "usmallint", "uinteger", "ubigint",
        "float", "double", "decimal", "varchar", "date", "time", "timestamp", "timestamp_s",
        "timestamp_ms", "timestamp_ns", "timestamp with time zone", "uuid", "enum",
    }
)  # fmt: skip
# 128-bit integers (e.g. a sum of BIGINT) reach Arrow as DECIMAL(38, 0), silently wrong beyond 38 digits (the largest
# UHUGEINT came out as -1): cast explicitly, so a value out of range is an error in words.
WIDE_INTEGERS = frozenset({"hugeint", "uhugeint"})
BATCH_ROWS = 256  # rows per Arrow batch: a batch of very wide rows is made whole before the budget cuts it


def unique_names(names: list[str]) -> list[str]:
    """Column names made unique: a repeated `dataset_id` becomes `dataset_id_2` (then `_3`, ...)."""
    taken, out = set(names), []
    seen: set[str] = set()
    for name in names:
        new = name
        if name in seen:
            n = 2
            while f"{name}_{n}" in taken:
                n += 1
            new = f"{name}_{n}"
            taken.add(new)
        seen.add(name)
        out.append(new)
    return out


def _displayable(rel: duckdb.DuckDBPyRelation) -> tuple[duckdb.DuckDBPyRelation, tuple, tuple]:
    """The relation with unique column names and every column of a type Polars or the browser cannot take as text."""
    names = list(rel.columns)
    new_names = unique_names(names)
    kinds = [kind.id for kind in rel.types]
    as_text = [i for i, kind in enumerate(kinds) if kind not in PLAIN_TYPES and kind not in WIDE_INTEGERS]
    renamed = tuple((a, b) for a, b in zip(names, new_names) if a != b)
    if not renamed and not as_text and not any(kind in WIDE_INTEGERS for kind in kinds):
        return rel, (), ()
    columns = []
    for i, (name, kind) in enumerate(zip(new_names, kinds)):
        if i in as_text:
            expr = f"cast(#{i + 1} as varchar)"
        elif kind in WIDE_INTEGERS:  # Arrow would wrap a value over 38 digits: a cast that fails in words instead
            expr = f"cast(#{i + 1} as decimal(38, 0))"
        else:
            expr = f"#{i + 1}"
        columns.append(f"{expr} as {ident(name)}")
    return rel.project(", ".join(columns)), renamed, tuple(new_names[i] for i in as_text)


def _rows_within(batch: pa.RecordBatch, rows: int, budget: int) -> int:
    """The most leading rows (up to `rows`) of the batch whose Arrow buffers take at most `budget` bytes."""
    if batch.slice(0, rows).nbytes <= budget:
        return rows
    low, high = 0, rows  # slice(0, low) fits, slice(0, high) does not
    while high - low > 1:
        middle = (low + high) // 2
        if batch.slice(0, middle).nbytes <= budget:
            low = middle
        else:
            high = middle
    return low


def run_select(
    con: duckdb.DuckDBPyConnection,
    checked: Checked,
    params: dict,
    *,
    timeout_s: float,
    max_rows: int | None = MAX_ROWS,
    max_bytes: int | None = None,
) -> Result:
    """Run a checked SELECT on its own cursor: interrupted after `timeout_s`, keeping at most `max_rows` rows and
    `max_bytes` bytes (Arrow buffers) of them; the rest are only counted. Repeated column names are made unique and
    columns of types Polars cannot hold are kept as their text. Every failure of DuckDB, Arrow or Polars becomes a
    Refused: also an error DuckDB raises after the first rows (it reaches Python as pyarrow's OSError)."""
    cur = con.cursor()
    counter: list[duckdb.DuckDBPyConnection] = []  # the cursor that counts the rows past the byte budget
    fired = threading.Event()

    def stop() -> None:
        fired.set()
        for running in (cur, *counter):
            running.interrupt()

    timer = threading.Timer(timeout_s, stop)
    started = time.perf_counter()
    kept, total, used, budget_hit = [], 0, 0, False
    try:
        timer.start()
        bound = bind_parameters(checked, params)
        rel, renamed, as_text = _displayable(cur.sql(checked.sql, params=bound))
        reader = rel.to_arrow_reader(BATCH_ROWS)
        schema = reader.schema
        for batch in reader:
            room = (max_rows - total) if max_rows is not None else batch.num_rows
            take = max(0, min(room, batch.num_rows))
            if take and max_bytes is not None:
                fits = _rows_within(batch, take, max_bytes - used)
                budget_hit = fits < take
                take = fits
            if take:
                # a copy of the rows kept, so the rest of the batch's buffers are freed with it
                part = batch if take == batch.num_rows else batch.take(pa.array(range(take), pa.int64()))
                kept.append(part)
                used += part.nbytes
            if budget_hit:
                # stop making wide rows only to count them: count(*) of the statement, where DuckDB drops the
                # columns nobody reads (the 3 x 150,000-character texts are never built)
                reader.close()
                counter.append(con.cursor())
                total = counter[0].sql(checked.sql, params=bound).aggregate("count(*)").fetchall()[0][0]
                break
            total += batch.num_rows
    except duckdb.InterruptException:
        raise Refused("timeout", seconds=f"{timeout_s:g}") from None
    except duckdb.OutOfMemoryException as exc:
        raise Refused("memory", str(exc).splitlines()[0]) from None
    except duckdb.Error as exc:
        raise Refused("error", str(exc)) from None
    except (OSError, pa.ArrowException) as exc:  # DuckDB's error after the first batch, through the Arrow stream
        if fired.is_set():
            raise Refused("timeout", seconds=f"{timeout_s:g}") from None
        if "Out of Memory" in str(exc):
            raise Refused("memory", str(exc).splitlines()[0]) from None
        raise Refused("error", str(exc)) from None
    finally:
        timer.cancel()
        for running in (cur, *counter):
            running.close()
    elapsed_ms = (time.perf_counter() - started) * 1000
    try:
        frame = pl.from_arrow(pa.Table.from_batches(kept, schema=schema))
    except (pl.exceptions.PolarsError, pa.ArrowException) as exc:  # a type the cast above missed: in words
        raise Refused("unsupported", f"{type(exc).__name__}: {exc}") from None
    return Result(frame, total, elapsed_ms, max_bytes if budget_hit else None, renamed, as_text)


# ---- the workbench's own databases ---------------------------------------------------------------


def build_workbench_database(base: Path, scope: Scope) -> duckdb.DuckDBPyConnection:
    """A hardened database for ad-hoc SQL holding what the scope's shared database holds (its views over the
    curated files, copies of its tables), with the workbench's own memory budget; then locked."""
    source = database(base, scope).cursor()
    over_files, allowed = file_views(base, scope)  # what the shared database reads from files, read here too
    con = hardened_connection(WORKBENCH_MEMORY_LIMIT, WORKBENCH_THREADS, external_access=bool(allowed))
    try:
        views = dict(source.sql(_SHARED_VIEWS).fetchall())
        # The derived rollups last: in a scope's database they are views over its exchanges_weekly.
        shared = sorted(source.sql(_SHARED_TABLES).fetchall(), key=lambda row: row[0] in DERIVED)
        for name, kind in shared:
            if name in over_files:
                con.execute(f'create view "{name}" as {over_files[name]}')
            elif kind == "VIEW":
                con.execute(views[name])  # the shared database's own view over curated files
            else:
                con.register("incoming_rows", source.sql(f'select * from "{name}"').arrow())
                con.execute(f'create table "{name}" as select * from incoming_rows')
                con.unregister("incoming_rows")
    finally:
        source.close()
    if allowed:
        con.execute(f"set allowed_directories = [{', '.join(literal(a) for a in allowed)}]")
    con.execute((QUERIES_DIR / "_macros.sql").read_text(encoding="utf-8"))
    harden(con, int(WORKBENCH_TIMEOUT_S * 1000))
    return con


# Of the default catalog only (a database may attach others).
_SHARED_TABLES = (
    "select table_name, table_type from information_schema.tables "
    "where table_schema = 'main' and table_catalog = current_database()"
)
_SHARED_VIEWS = (
    "select view_name, sql from duckdb_views() "
    "where not internal and schema_name = 'main' and database_name = current_database()"
)


_WB_LOCK = threading.Lock()
_WB_DATABASES: OrderedDict[tuple[str, str, str], duckdb.DuckDBPyConnection] = OrderedDict()


def workbench_database(base: Path, scope: Scope) -> duckdb.DuckDBPyConnection:
    """The workbench database of `scope`, built once per data version and kept for a few scopes."""
    key = (str(base), data_version(base), scope.key)
    with _WB_LOCK:
        if key in _WB_DATABASES:
            _WB_DATABASES.move_to_end(key)
            return _WB_DATABASES[key]
        con = build_workbench_database(base, scope)
        for old in [k for k in _WB_DATABASES if k[0] == key[0] and k[1] != key[1]]:
            _WB_DATABASES.pop(old).close()
        _WB_DATABASES[key] = con
        while len(_WB_DATABASES) > MAX_WORKBENCH_DATABASES:
            _WB_DATABASES.popitem(last=False)[1].close()
        return con


def run_workbench(
    base: Path, scope: Scope, sql: str, params: dict, *, timeout_s: float | None = None, max_bytes: int | None = None
) -> Result:
    """Check and run an analyst's SQL in the scope's workbench database; at most MAX_ROWS rows and the byte budget
    (`max_bytes`, else $DASHBOARD_WORKBENCH_MAX_BYTES, 50 MB) kept. Audited by dashboard/sqlpages/run.py
    `workbench_run`, which the page calls."""
    checked = check_select(sql)
    con = workbench_database(base, scope)
    budget = max_bytes if max_bytes is not None else workbench_max_bytes()
    return run_select(
        con, checked, params, timeout_s=timeout_s or WORKBENCH_TIMEOUT_S, max_rows=MAX_ROWS, max_bytes=budget
    )


def schema_tables() -> list[dict]:
    """The contract's tables and columns with their meaning, for the schema browser."""
    return [
        {
            "table": name,
            "doc": TABLES[name].doc,
            "columns": [(c.name, c.type, c.doc, c.nullable) for c in TABLES[name].columns],
        }
        for name in LOAD_ORDER
    ]


# ---- downloads of a workbench result -------------------------------------------------------------------

EXPORTS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}


def export(frame: pl.DataFrame, kind: str) -> bytes:
    """The result as CSV (UTF-8 with BOM, so Excel reads Vietnamese; formulas neutralised), XLSX or Parquet."""
    if kind == "csv":
        return csv_bytes(frame)
    buffer = io.BytesIO()
    if kind == "xlsx":
        frame.write_excel(buffer, worksheet="result", autofit=True)
    elif kind == "parquet":
        frame.write_parquet(buffer)
    else:
        raise ValueError(f"unknown export {kind!r}; allowed: {', '.join(EXPORTS)}")
    return buffer.getvalue()


def without_leading_comments(sql: str) -> str:
    """The SQL without its opening `--` comment lines (the editor starts from the statement itself)."""
    lines = sql.splitlines()
    while lines and (not lines[0].strip() or lines[0].lstrip().startswith("--")):
        lines.pop(0)
    return "\n".join(lines) + "\n"
