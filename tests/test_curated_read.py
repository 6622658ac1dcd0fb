"""Reading a curated table made of several files (dashboard/data/io.py `curated_select_sql`): files with the same
columns are read as they are, files whose columns differ by name (union_by_name), and both give every row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
from tiny_fixture import tables, write_tiny

from dashboard.config import table_files
from dashboard.data.io import conform, curated_select_sql
from dashboard.engine.query import run_sql
from dashboard.scope import Scope


def _split(base: Path, table: str, first: pl.DataFrame, second: pl.DataFrame) -> None:
    (base / "curated" / f"{table}.parquet").unlink()
    folder = base / "curated" / table
    folder.mkdir()
    first.write_parquet(folder / "part-0.parquet")
    second.write_parquet(folder / "part-1.parquet")


def _source(base: Path, table: str) -> str:
    con = duckdb.connect()
    try:
        return curated_select_sql(con, table, table_files(base, table))
    finally:
        con.close()


def test_files_with_the_same_columns_are_read_as_they_are(tmp_path):
    write_tiny(tmp_path)
    rows = conform("exchanges_daily", tables()["exchanges_daily"]).sort("exchange_date")
    _split(tmp_path, "exchanges_daily", rows.head(3), rows.tail(rows.height - 3))
    assert "union_by_name" not in _source(tmp_path, "exchanges_daily")
    got = run_sql(tmp_path, Scope(), "select * from exchanges_daily order by all")
    assert got.equals(rows.sort(pl.all()), null_equal=True)


def test_files_whose_columns_differ_are_read_by_name(tmp_path):
    write_tiny(tmp_path)
    rows = conform("datasets", tables()["datasets"]).sort("dataset_id")
    rows = rows.with_columns(pl.lit(dt.date(2025, 1, 1)).alias("operating_since"))  # a value where a file has one
    first = rows.head(2).drop("operating_since")  # an optional column one file leaves out
    second = rows.tail(rows.height - 2).select(reversed(rows.columns))  # the columns in another order
    _split(tmp_path, "datasets", first, second)
    assert "union_by_name = true" in _source(tmp_path, "datasets")
    got = run_sql(tmp_path, Scope(), "select * from datasets order by dataset_id").select(rows.columns)
    expected = rows.with_columns(
        pl.when(pl.int_range(pl.len()) < 2).then(None).otherwise(pl.col("operating_since")).alias("operating_since")
    )
    assert got.equals(expected, null_equal=True)
