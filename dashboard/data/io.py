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
    # By name across files only where their columns differ: every query that binds the view binds it again, and
    # union_by_name reads each file's schema to do so (5-8 ms of a query over the 24 monthly files of a fact at
    # scale 100, docs/performance.md, sixth pass). Files written by one writer have the same columns in one order.
    by_name = ", union_by_name = true" if len(files) > 1 and not _same_columns(con, files) else ""
    source = f"read_parquet([{lits}]{by_name})"
    present = {row[0] for row in con.execute(f"describe select * from {source}").fetchall()}
    added = "".join(f", null::{c.type} as {ident(c.name)}" for c in missing_optional_columns(table, present))
    return f"select *{added} from {source}"


def _same_columns(con: duckdb.DuckDBPyConnection, files: list[Path]) -> bool:
    """Whether the files have the same columns in the same order, each of the same Parquet and logical type (a
    file without a row group, whose column order the metadata does not give, counts as different)."""
    found = con.execute(
        """
        with
        orders as (
            select file_name, list(path_in_schema || ' ' || type order by column_id) as columns
            from parquet_metadata($files)
            where row_group_id = 0
            group by file_name
        ),
        types as (
            select file_name, list(concat_ws(' ', name, type, converted_type, logical_type, scale, precision)
                order by name, type) as columns
            from parquet_schema($files)
            group by file_name
        )
        select count(*), count(distinct orders.columns), count(distinct types.columns)
        from orders
        join types using (file_name)
        """,
        {"files": [str(p) for p in files]},
    ).fetchall()
    return found == [(len(files), 1, 1)]
