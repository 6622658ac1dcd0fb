"""Reading and writing curated tables in the contract's types, atomically."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

from dashboard.config import curated_dir
from dashboard.data.contract import TABLES, polars_schema


def conform(table: str, df: pl.DataFrame) -> pl.DataFrame:
    """Select the contract's columns in order and cast them to the contract's types."""
    schema = polars_schema(table)
    return df.select([pl.col(name).cast(dtype) for name, dtype in schema.items()])


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
