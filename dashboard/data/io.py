"""Reading and writing curated tables in the contract's types, atomically."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import polars as pl

from dashboard.config import curated_dir
from dashboard.data.contract import TABLES, missing_optional_columns, polars_schema
from dashboard.sqltext import ident, literal


def conform(table: str, df: pl.DataFrame) -> pl.DataFrame:
    """Select the contract's columns in order and cast them to the contract's types (an optional column the frame
    lacks comes out all null)."""
    schema = polars_schema(table)
    absent = {c.name for c in missing_optional_columns(table, df.columns)}
    return df.select(
        [(pl.lit(None) if name in absent else pl.col(name)).cast(dtype).alias(name) for name, dtype in schema.items()]
    )


def write_table(base: Path, table: str, df: pl.DataFrame) -> Path:
    """Write one curated table as `<base>/curated/<table>.parquet`, via a temporary file and a rename."""
    if table not in TABLES:
        raise KeyError(f"unknown table {table!r}")
    out_dir = curated_dir(base)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{table}.parquet"
    tmp = out_dir / f".{table}.parquet.tmp-{os.getpid()}"
    conform(table, df).write_parquet(tmp, compression="zstd", statistics=True)
    os.replace(tmp, target)
    return target


def curated_select_sql(con: duckdb.DuckDBPyConnection, table: str, files: list[Path]) -> str:
    """`select ... from read_parquet(<files>)` for a curated table, with every optional contract column the files
    leave out added as all null (`datasets.operating_since`), so queries can always name it. Reads the footers."""
    lits = ", ".join(literal(str(p)) for p in files)
    source = f"read_parquet([{lits}], union_by_name = true)"
    present = {row[0] for row in con.execute(f"describe select * from {source}").fetchall()}
    added = "".join(f", null::{c.type} as {ident(c.name)}" for c in missing_optional_columns(table, present))
    return f"select *{added} from {source}"
