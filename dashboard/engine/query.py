"""Named SQL files from queries/, run with bound parameters against the database of a scope."""

from __future__ import annotations

import re
import warnings
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import polars as pl

from dashboard.config import QUERIES_DIR
from dashboard.engine.db import database
from dashboard.scope import Scope

_NAME = re.compile(r"^[a-z0-9_]+(/[a-z0-9_]+)?$")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@lru_cache(maxsize=256)
def _read(path: Path, mtime_ns: int) -> str:
    return path.read_text(encoding="utf-8")


def load_sql(name: str) -> str:
    """The text of queries/<name>.sql; the name is what the query returns."""
    if not _NAME.match(name):
        raise ValueError(f"not a query name: {name!r}")
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise FileNotFoundError(f"no query file {path}")
    return _read(path, path.stat().st_mtime_ns)


def bind(sql: str, params: dict) -> dict:
    """The parameters the SQL names, every one of them required."""
    wanted = dict.fromkeys(_PARAM.findall(sql))
    missing = [p for p in wanted if p not in params]
    if missing:
        raise KeyError(f"query needs parameters {missing}")
    return {p: params[p] for p in wanted}


# A statement run with `execute` and its rows taken as Arrow: DuckDB 2.0's `con.sql(...)` binds a query once to
# describe the relation it returns and again to run it, about a sixth of a page query's time (34 page queries at
# scale 100: 917 -> 758 ms, docs/performance.md, seventh pass). DuckDB warns that Arrow out of an executed statement
# makes an extra copy of its rows: a page query returns at most a few thousand rows, the copy costs less than a bind.
# The filter is put back whenever it is gone (pytest, for one, restores the filters after each test).
_ARROW_COPY = "Arrow output on a DB-API result"
_QUIET = ("ignore", re.compile(_ARROW_COPY, re.IGNORECASE), UserWarning, re.compile(__name__), 0)


def _quiet_arrow_copy() -> None:
    if _QUIET not in warnings.filters:
        warnings.filterwarnings("ignore", message=_ARROW_COPY, category=UserWarning, module=__name__)


def run_sql(base: Path, scope: Scope, sql: str, params: dict | None = None) -> pl.DataFrame:
    """Run one SELECT in the scope's database on its own cursor and return a Polars frame."""
    cur = database(base, scope).cursor()
    try:
        _quiet_arrow_copy()
        cur.execute(sql, bind(sql, params or {}))
        return pl.from_arrow(cur.to_arrow_table(), rechunk=False)
    finally:
        cur.close()


def run_query(base: Path, scope: Scope, name: str, params: dict | None = None) -> pl.DataFrame:
    """Run the named query of queries/ with bound parameters in the database of `scope`."""
    return run_sql(base, scope, load_sql(name), params)


# Several queries of one page run at once, each on its own cursor: a query is only partly parallel inside DuckDB
# (its planning, its small steps and the conversion to Polars take one core), so three at a time on two cores cut a
# KPI table's ten queries by about a third (docs/performance.md, 2026-12-03, fourth pass).
QUERY_THREADS = 3


def run_queries(base: Path, calls: list[tuple[Scope, str, dict]], threads: int = QUERY_THREADS) -> list[pl.DataFrame]:
    """Run named queries, (scope, name, params) each, up to `threads` at a time; their frames in the same order.
    The first error raised is raised here (after the queries already started have finished)."""
    if threads <= 1 or len(calls) <= 1:
        return [run_query(base, scope, name, params) for scope, name, params in calls]
    with ThreadPoolExecutor(min(threads, len(calls)), thread_name_prefix="dashboard-query") as pool:
        return list(pool.map(lambda call: run_query(base, *call), calls))
