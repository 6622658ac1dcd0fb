"""Named SQL files from queries/, run with bound parameters against the database of a scope."""

from __future__ import annotations

import re
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


def run_sql(base: Path, scope: Scope, sql: str, params: dict | None = None) -> pl.DataFrame:
    """Run one SELECT in the scope's database on its own cursor and return a Polars frame."""
    cur = database(base, scope).cursor()
    try:
        return cur.sql(sql, params=bind(sql, params or {})).pl()
    finally:
        cur.close()


def run_query(base: Path, scope: Scope, name: str, params: dict | None = None) -> pl.DataFrame:
    """Run the named query of queries/ with bound parameters in the database of `scope`."""
    return run_sql(base, scope, load_sql(name), params)
